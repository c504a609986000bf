package app_test

import (
	"testing"

	"github.com/intercooperative/icnd/app"
)

// TestFinalizeSeesKeyChangesOfEarlierTxs: batch verification reads every
// signer's key in the state at the start of the block, and the did keeper
// remembers the documents it decoded; a transaction's ante must still see
// what the transactions before it in the same block changed. Each
// signature is first verified by CheckTx (so that the signature cache and
// the document memory hold the old key), then the block revokes key-2 and
// carries a transaction signed with it, then deactivates the DID and
// carries one more; a key added earlier in the block signs a later
// transaction.
func TestFinalizeSeesKeyChangesOfEarlierTxs(t *testing.T) {
	alice := newAccount(1)
	second, third := newAccount(9), newAccount(10)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	block(t, a, alice.signTx(t, txOpts{}, addKeyMsg(alice.did, "key-2", second.priv)))

	withKey2 := alice.signTx(t, txOpts{seq: u64(1), keyID: "key-2", signWith: second.priv}, anchorMsg(testCID(t, "early"), "doc"))
	if res := a.CheckTx(withKey2); res.Code != 0 {
		t.Fatalf("CheckTx of a tx signed with key-2: %+v", res)
	}
	txs := [][]byte{
		alice.signTx(t, txOpts{seq: u64(1)}, revokeKeyMsg(alice.did, "key-2")),
		alice.signTx(t, txOpts{seq: u64(2), keyID: "key-2", signWith: second.priv}, anchorMsg(testCID(t, "early"), "doc")),
		alice.signTx(t, txOpts{seq: u64(2)}, addKeyMsg(alice.did, "key-3", third.priv)),
		alice.signTx(t, txOpts{seq: u64(3), keyID: "key-3", signWith: third.priv}, anchorMsg(testCID(t, "third"), "doc")),
		alice.signTx(t, txOpts{seq: u64(4)}, deactivateMsg(alice.did)),
		alice.signTx(t, txOpts{seq: u64(5)}, anchorMsg(testCID(t, "after"), "doc")),
	}
	res, _ := block(t, a, txs...)
	want := []struct {
		codespace string
		code      uint32
	}{
		{"", 0},
		{app.ErrKeyRevoked.Codespace(), app.ErrKeyRevoked.Code()},
		{"", 0},
		{"", 0},
		{"", 0},
		{app.ErrSignerDeactivated.Codespace(), app.ErrSignerDeactivated.Code()},
	}
	for i, w := range want {
		if res[i].Code != w.code || (w.code != 0 && res[i].Codespace != w.codespace) {
			t.Errorf("tx %d: got %s/%d %q, want %s/%d", i, res[i].Codespace, res[i].Code, res[i].Log, w.codespace, w.code)
		}
	}
}
