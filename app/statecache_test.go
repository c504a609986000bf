package app_test

import (
	"crypto/ed25519"
	"fmt"
	didmod "github.com/intercooperative/icnd/modules/did"
	"testing"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/store"
)

// stranger returns the i-th of many accounts that no genesis registers.
func stranger(i int) *account {
	priv := ed25519.NewKeyFromSeed(sha256Bytes([]byte(fmt.Sprint("stranger ", i))))
	return &account{priv: priv, did: didmod.DeriveDID(priv.Public().(ed25519.PublicKey))}
}

// TestRefusedTxsLeaveTheStateCacheAlone floods CheckTx with transactions
// from unregistered DIDs, each of which reads keys that hold nothing. They
// are refused, and their reads must neither enter the state cache nor
// evict what an accepted signer's transactions keep reading. Blocks that
// write more than the cache holds keep it within its byte budget.
func TestRefusedTxsLeaveTheStateCacheAlone(t *testing.T) {
	alice := newAccount(1)
	// Room for some 200 entries; the flood reads 1,500 absent keys.
	cms, err := store.Open(memDB(), store.Options{StateCacheBytes: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, genesisFor(t, 1_000_000, alice)); err != nil {
		t.Fatal(err)
	}
	block(t, a)
	check := func(what string) store.StateCacheStats {
		t.Helper()
		wantCode(t, a.CheckTx(alice.signTx(t, txOpts{}, anchorMsg(testCID(t, what), "doc"))), nil)
		return cms.StateCacheStats()
	}
	warm := check("warm-up")
	if warm.Entries == 0 {
		t.Fatal("an accepted transaction left nothing in the state cache")
	}
	// Alice's next transaction reads the same keys, all from the cache,
	// except the entry of the new CID it anchors (CheckTx executes the
	// message as the block will).
	if hot := check("hot"); hot.Misses != warm.Misses+1 || hot.Entries != warm.Entries+1 {
		t.Fatalf("second transaction of the same signer: %+v, after the first %+v", hot, warm)
	}
	warm = cms.StateCacheStats()

	for i := 0; i < 1_500; i++ {
		wantCode(t, a.CheckTx(stranger(i).signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprint("flood ", i)), "doc"))), app.ErrUnknownSigner)
	}
	flooded := cms.StateCacheStats()
	if flooded.Entries != warm.Entries || flooded.Bytes != warm.Bytes {
		t.Fatalf("refused transactions changed the state cache: %+v before the flood, %+v after", warm, flooded)
	}
	// Again only the new CID's entry key misses.
	if after := check("after the flood"); after.Misses != flooded.Misses+1 {
		t.Fatalf("alice's keys were evicted by the flood: her transaction missed the cache %d times, want 1 (its new CID)", after.Misses-flooded.Misses)
	}

	// Blocks of accepted anchors write more than the budget: it holds.
	// (The transactions CheckTx accepted above were never included, so the
	// blocks start again at sequence 0.)
	seq := uint64(0)
	for h := 0; h < 3; h++ {
		txs := make([][]byte, 100)
		for i := range txs {
			txs[i] = alice.signTx(t, txOpts{seq: u64(seq)}, anchorMsg(testCID(t, fmt.Sprint("block ", h, i)), "doc"))
			seq++
		}
		res, _ := block(t, a, txs...)
		for _, r := range res {
			wantCode(t, r, nil)
		}
		if st := cms.StateCacheStats(); st.Bytes > st.MaxBytes || st.Entries == 0 {
			t.Fatalf("after block %d: %+v", h, st)
		}
	}
}
