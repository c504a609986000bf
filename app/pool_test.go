package app_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/store"
)

// newPoolApp returns an app at height 1 (an empty first block committed)
// with a pool over its committed versions.
func newPoolApp(t testing.TB, opts app.PoolOptions, genesis []byte) (*app.App, *store.CommitStore, *app.Pool) {
	t.Helper()
	a, cms := newTestApp(t, genesis)
	pool, err := a.NewPool(cms.NewConcurrentReader(0), opts)
	if err != nil {
		t.Fatal(err)
	}
	commitPoolBlock(t, a, pool, nil)
	return a, cms, pool
}

// blockTime is the time of the block at height h in these tests.
func blockTime(h int64) time.Time { return genesisTime.Add(time.Duration(h) * time.Second) }

// commitPoolBlock finalizes and commits txs as the next block of a, then
// moves pool onto it, as the ABCI layer's FinalizeBlock and Commit do. It
// returns the results and the app hash.
func commitPoolBlock(t testing.TB, a *app.App, pool *app.Pool, txs [][]byte) ([]app.TxResult, []byte) {
	t.Helper()
	h := a.LastCommit().Version + 1
	res, hash, err := finalize(a, h, blockTime(h), txs, nil)
	if err != nil {
		t.Fatalf("FinalizeBlock %d: %v", h, err)
	}
	id, err := a.Commit()
	if err != nil {
		t.Fatalf("Commit %d: %v", h, err)
	}
	if err := pool.Update(id.Version, a.LastBlockTime(), a.ChainID(), txs); err != nil {
		t.Fatalf("pool update %d: %v", h, err)
	}
	return res, hash
}

// proposeFromPool builds the next block's proposal from the pool, as the
// ABCI layer's PrepareProposal does with the app-side mempool.
func proposeFromPool(t testing.TB, a *app.App, pool *app.Pool, maxBytes int64) [][]byte {
	t.Helper()
	h := a.LastCommit().Version + 1
	out, err := a.PrepareProposal(h, blockTime(h), pool.Txs(0), maxBytes)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantTxs(t *testing.T, what string, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d transactions, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%s: transaction %d differs from the one expected", what, i)
		}
	}
}

// TestPoolAdmission: the pool runs CheckTx's checks with each signer's
// queued transactions in its check state, and refuses each bad input with
// its code: a duplicate, a replayed sequence, a bad signature, and a later
// sequence than the next one (a retry code, at least 32,000).
func TestPoolAdmission(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	a, cms := newTestApp(t, genesisFor(t, 1_000_000, alice, bob))
	pool, err := a.NewPool(cms.NewConcurrentReader(0), app.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "a0"), "doc"))
	wantCode(t, pool.Add(first, false), app.ErrPoolNotReady)
	commitPoolBlock(t, a, pool, nil)

	a0 := alice.signTx(t, txOpts{seq: u64(0)}, anchorMsg(testCID(t, "a0"), "doc"))
	a1 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "a1"), "doc"))
	b0 := bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "b0"), "doc"))
	a2 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "a2"), "doc"))
	for i, tx := range [][]byte{a0, a1, b0, a2} {
		if res := pool.Add(tx, i%2 == 1); res.Code != 0 {
			t.Fatalf("tx %d refused: %s/%d %s", i, res.Codespace, res.Code, res.Log)
		}
	}
	wantCode(t, pool.Add(a1, false), app.ErrTxInPool)
	replay := alice.signTx(t, txOpts{seq: u64(1), memo: "again"}, anchorMsg(testCID(t, "r"), "doc"))
	wantCode(t, pool.Add(replay, false), app.ErrBadSequence)
	ahead := alice.signTx(t, txOpts{seq: u64(5)}, anchorMsg(testCID(t, "a5"), "doc"))
	wantCode(t, pool.Add(ahead, true), app.ErrSequenceAhead)
	if app.ErrSequenceAhead.Code() < 32000 || app.ErrPoolNotReady.Code() < 32000 {
		t.Fatal("retry codes must be at least CometBFT's CodeTypeRetry, 32000")
	}
	forged := bob.signTx(t, txOpts{signWith: alice.priv}, anchorMsg(testCID(t, "b1"), "doc"))
	wantCode(t, pool.Add(forged, false), app.ErrBadSignature)
	wrongChain := bob.signTx(t, txOpts{seq: u64(1), chainID: "other"}, anchorMsg(testCID(t, "b1"), "doc"))
	wantCode(t, pool.Add(wrongChain, false), app.ErrWrongChainID)
	wantCode(t, pool.Add([]byte("junk"), false), app.ErrTxDecode)
	// A dry run answers as Add would and changes nothing.
	b1 := bob.signTx(t, txOpts{seq: u64(1)}, anchorMsg(testCID(t, "b1"), "doc"))
	wantCode(t, pool.CheckOnly(b1), nil)
	wantCode(t, pool.CheckOnly(replay), app.ErrBadSequence)
	if pool.Len() != 4 {
		t.Fatalf("pool holds %d transactions, want 4", pool.Len())
	}
	// Proposals take the pool's order, which keeps each signer's
	// sequence order.
	wantTxs(t, "proposal", proposeFromPool(t, a, pool, 1<<20), [][]byte{a0, a1, b0, a2})
}

// TestPoolLimits: submissions stop at MaxTxs with ErrMempoolFull; relayed
// transactions at MaxRelayedTxs; every transaction at MaxBytes.
func TestPoolLimits(t *testing.T) {
	alice := newAccount(1)
	a, _, pool := newPoolApp(t, app.PoolOptions{MaxTxs: 2, MaxRelayedTxs: 3}, genesisFor(t, 1_000_000, alice))
	tx := func(i int) []byte { return alice.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprint(i)), "doc")) }
	t0, t1, t2, t3 := tx(0), tx(1), tx(2), tx(3)
	wantCode(t, pool.Add(t0, false), nil)
	wantCode(t, pool.Add(t1, false), nil)
	wantCode(t, pool.Add(t2, false), app.ErrMempoolFull)
	wantCode(t, pool.Add(t2, true), nil)
	wantCode(t, pool.Add(t3, true), app.ErrMempoolFull)
	// A block takes two: there is room again.
	commitPoolBlock(t, a, pool, [][]byte{t0, t1})
	wantCode(t, pool.Add(t3, false), nil)

	bob := newAccount(2)
	_, _, small := newPoolApp(t, app.PoolOptions{MaxBytes: int64(len(t0)) + 10}, genesisFor(t, 1_000_000, bob))
	b0 := bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "b0"), "doc"))
	b1 := bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "b1"), "doc"))
	wantCode(t, small.Add(b0, false), nil)
	wantCode(t, small.Add(b1, true), app.ErrMempoolFull)
}

// TestPoolReapOnce: Reap hands every admitted transaction out once, in
// admission order, within its byte budget, and skips those a block took
// meanwhile.
func TestPoolReapOnce(t *testing.T) {
	alice := newAccount(1)
	a, _, pool := newPoolApp(t, app.PoolOptions{}, genesisFor(t, 1_000_000, alice))
	var txs [][]byte
	for i := range 4 {
		tx := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprint(i)), "doc"))
		wantCode(t, pool.Add(tx, false), nil)
		txs = append(txs, tx)
	}
	wantTxs(t, "first reap", pool.Reap(int64(len(txs[0])+len(txs[1]))), txs[:2])
	wantTxs(t, "second reap", pool.Reap(0), txs[2:])
	wantTxs(t, "third reap", pool.Reap(0), nil)

	late := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "late"), "doc"))
	wantCode(t, pool.Add(late, false), nil)
	commitPoolBlock(t, a, pool, append(txs, late))
	wantTxs(t, "reap after the block took it", pool.Reap(0), nil)
	if pool.Len() != 0 {
		t.Fatalf("pool holds %d transactions after the block took them all", pool.Len())
	}
}

// TestPoolRebase: after a block, the pool drops the block's transactions
// by hash and re-checks the rest against the new state: a transaction
// whose sequence another transaction of the block used is dropped, a
// signer's next one stays; a signer the block deactivated loses all its
// pooled transactions. A late relay of a committed transaction is no
// refusal.
func TestPoolRebase(t *testing.T) {
	alice, bob, carol := newAccount(1), newAccount(2), newAccount(3)
	a, _, pool := newPoolApp(t, app.PoolOptions{}, genesisFor(t, 1_000_000, alice, bob, carol))
	a0 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "a0"), "doc"))
	a1 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "a1"), "doc"))
	b0 := bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "b0"), "doc"))
	b1 := bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "b1"), "doc"))
	c0 := carol.signTx(t, txOpts{}, anchorMsg(testCID(t, "c0"), "doc"))
	c1 := carol.signTx(t, txOpts{}, anchorMsg(testCID(t, "c1"), "doc"))
	for _, tx := range [][]byte{a0, b0, c0, a1, b1, c1} {
		wantCode(t, pool.Add(tx, false), nil)
	}
	// Another node's block: alice's first, a different bob transaction
	// with sequence 0, and carol's deactivation with sequence 0.
	otherB0 := bob.signTx(t, txOpts{seq: u64(0), memo: "elsewhere"}, anchorMsg(testCID(t, "b0x"), "doc"))
	deactivate := carol.signTx(t, txOpts{seq: u64(0)}, deactivateMsg(carol.did))
	res, _ := commitPoolBlock(t, a, pool, [][]byte{a0, otherB0, deactivate})
	for i, r := range res {
		if r.Code != 0 {
			t.Fatalf("block tx %d failed: %s", i, r.Log)
		}
	}
	wantTxs(t, "pool after the block", pool.Txs(0), [][]byte{a1, b1})
	// A peer relays a transaction the block took: nothing to do, no
	// refusal; submitted again, it is the replay it is.
	wantCode(t, pool.Add(a0, true), nil)
	wantCode(t, pool.Add(a0, false), app.ErrBadSequence)
	wantTxs(t, "pool after the late relay", pool.Txs(0), [][]byte{a1, b1})
	wantTxs(t, "next proposal", proposeFromPool(t, a, pool, 1<<20), [][]byte{a1, b1})
	// The check state is the new one: carol is deactivated, bob goes on
	// at sequence 2.
	wantCode(t, pool.Add(carol.signTx(t, txOpts{seq: u64(1)}, anchorMsg(testCID(t, "c9"), "doc")), false), app.ErrSignerDeactivated)
	wantCode(t, pool.Add(bob.signTx(t, txOpts{seq: u64(2)}, anchorMsg(testCID(t, "b2"), "doc")), false), nil)
}

// TestPoolProposalAppHash: blocks built from the pool are executed to the
// same app hash by a node that only processes them, and are the blocks the
// flood mempool's CheckTx and PrepareProposal build from the same
// submissions: the mempool type never changes results.
func TestPoolProposalAppHash(t *testing.T) {
	signers := []*account{newAccount(1), newAccount(2), newAccount(3)}
	genesis := genesisFor(t, 1_000_000, signers...)
	proposer, _, pool := newPoolApp(t, app.PoolOptions{}, genesis)
	follower, _ := newTestApp(t, genesis)
	block(t, follower)
	flood, _ := newTestApp(t, genesis)
	block(t, flood)

	for round := range 3 {
		var submitted [][]byte
		for i := range 5 {
			for _, s := range signers {
				// Some messages fail (anchoring the same CID twice): they
				// are charged, and the block carries their failure.
				c := testCID(t, fmt.Sprintf("%d-%d", round, i%3))
				submitted = append(submitted, s.signTx(t, txOpts{}, anchorMsg(c, "doc")))
			}
		}
		for i, tx := range submitted {
			wantCode(t, pool.Add(tx, i%2 == 0), nil)
			wantCode(t, flood.CheckTx(tx), nil)
		}
		h := proposer.LastCommit().Version + 1
		fromPool := proposeFromPool(t, proposer, pool, 1<<20)
		fromFlood := prepare(t, flood, h, blockTime(h), submitted, 1<<20)
		wantTxs(t, fmt.Sprintf("round %d: pool proposal vs flood proposal", round), fromPool, fromFlood)
		if err := proposer.ProcessProposal(h, blockTime(h), fromPool, []byte{byte(h)}); err != nil {
			t.Fatalf("proposer rejects its own proposal: %v", err)
		}
		if err := follower.ProcessProposal(h, blockTime(h), fromPool, []byte{byte(h)}); err != nil {
			t.Fatalf("follower rejects the proposal: %v", err)
		}
		_, want := commitPoolBlock(t, proposer, pool, fromPool)
		_, got := block(t, follower, fromPool...)
		_, floodHash := block(t, flood, fromFlood...)
		if !bytes.Equal(got, want) || !bytes.Equal(floodHash, want) {
			t.Fatalf("round %d: app hash from the pool %X, follower %X, flood %X", round, want, got, floodHash)
		}
		if pool.Len() != 0 {
			t.Fatalf("round %d: %d transactions left in the pool", round, pool.Len())
		}
	}
}

// TestPoolConcurrentAdmission runs admissions (submissions, relays with
// batch verification, dry runs and reaps) in several goroutines while blocks are proposed from
// the pool, executed and committed: run it with -race. Every transaction
// ends up committed in its signer's sequence order, and a node that only
// executes the blocks reaches the same app hash.
func TestPoolConcurrentAdmission(t *testing.T) {
	const signers, perSigner = 8, 30
	accts := make([]*account, signers)
	for i := range accts {
		accts[i] = newAccount(byte(10 + i))
	}
	genesis := genesisFor(t, 10_000_000, accts...)
	proposer, _, pool := newPoolApp(t, app.PoolOptions{MaxTxs: 50}, genesis)
	follower, _ := newTestApp(t, genesis)
	block(t, follower)

	signed := make([][][]byte, signers)
	for i, s := range accts {
		for j := range perSigner {
			signed[i] = append(signed[i], s.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprintf("%d/%d", i, j)), "doc")))
		}
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for i := range signers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each signer resubmits its next transaction until the pool
			// or a block has it, as a client retrying on "full" would.
			for j := 0; j < perSigner; {
				select {
				case <-done:
					return
				default:
				}
				tx := signed[i][j]
				pool.CheckOnly(tx)
				if j%2 == 1 {
					// A relayed batch: its signatures verified at once.
					pool.VerifyBatch(signed[i][j:min(j+4, perSigner)])
				}
				res := pool.Add(tx, j%2 == 1)
				switch {
				case res.Code == 0:
					j++
				case res.Codespace == app.Codespace && (res.Code == app.ErrMempoolFull.Code() || res.Code == app.ErrTxInPool.Code()):
					time.Sleep(time.Millisecond)
				case res.Codespace == app.Codespace && res.Code == app.ErrBadSequence.Code():
					// A block committed it meanwhile after a rebase
					// dropped nothing: impossible here, since every
					// transaction reaches blocks only through the pool.
					t.Errorf("signer %d tx %d: %s", i, j, res.Log)
					return
				default:
					t.Errorf("signer %d tx %d: %s/%d %s", i, j, res.Codespace, res.Code, res.Log)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
				pool.Reap(4096)
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()

	committed := 0
	seen := make(map[string]uint64)
	for blocks := 0; committed < signers*perSigner; blocks++ {
		if blocks > 10_000 || t.Failed() {
			break
		}
		h := proposer.LastCommit().Version + 1
		txs := proposeFromPool(t, proposer, pool, 1<<20)
		if err := proposer.ProcessProposal(h, blockTime(h), txs, []byte{byte(h), byte(h >> 8)}); err != nil {
			t.Fatalf("height %d: %v", h, err)
		}
		res, want := commitPoolBlock(t, proposer, pool, txs)
		_, got := block(t, follower, txs...)
		if !bytes.Equal(got, want) {
			t.Fatalf("height %d: follower app hash %X, proposer %X", h, got, want)
		}
		for i, r := range res {
			if r.Code != 0 {
				t.Fatalf("height %d tx %d failed: %s", h, i, r.Log)
			}
			tx, err := proposer.DecodeTx(txs[i])
			if err != nil {
				t.Fatal(err)
			}
			if next := seen[tx.Auth.Signer]; tx.Auth.Sequence != next {
				t.Fatalf("height %d: %s sequence %d committed, want %d", h, tx.Auth.Signer, tx.Auth.Sequence, next)
			}
			seen[tx.Auth.Signer]++
		}
		committed += len(txs)
	}
	close(done)
	wg.Wait()
	if committed != signers*perSigner {
		t.Fatalf("%d transactions committed, want %d", committed, signers*perSigner)
	}
}

// TestPoolVerifyBatch: VerifyBatch verifies a relayed batch's signatures
// at once, so that Add of each finds its signature verified; a forged
// signature in the batch is still refused by Add with its code, and the
// batch admits nothing by itself.
func TestPoolVerifyBatch(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	a, _, pool := newPoolApp(t, app.PoolOptions{}, genesisFor(t, 1_000_000, alice, bob))
	var batch [][]byte
	for i := range 4 {
		batch = append(batch, alice.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprint("a", i)), "doc")))
	}
	forged := bob.signTx(t, txOpts{signWith: alice.priv}, anchorMsg(testCID(t, "b"), "doc"))
	batch = append(batch, forged)
	pool.VerifyBatch(batch)
	if pool.Len() != 0 {
		t.Fatalf("VerifyBatch admitted %d transactions", pool.Len())
	}
	before := a.Stats()
	for _, tx := range batch[:4] {
		wantCode(t, pool.Add(tx, true), nil)
	}
	wantCode(t, pool.Add(forged, true), app.ErrBadSignature)
	after := a.Stats()
	if hits := after.SigCacheHits - before.SigCacheHits; hits != 4 {
		t.Fatalf("%d signature cache hits on Add, want 4 (the batch verified them)", hits)
	}
	if misses := after.SigCacheMisses - before.SigCacheMisses; misses != 1 {
		t.Fatalf("%d signature cache misses on Add, want 1 (the forged one)", misses)
	}
}

// BenchmarkPoolRelayedBatch admits a relayed batch of 256 anchor
// transactions from 32 signers into a fresh pool, as InsertTx does one by
// one, with and without VerifyBatch first. ns/op is per batch.
func BenchmarkPoolRelayedBatch(b *testing.B) {
	const signers, perSigner = 32, 8
	for _, batched := range []bool{false, true} {
		b.Run(fmt.Sprintf("verify-batch=%v", batched), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				accts := make([]*account, signers)
				for i := range accts {
					accts[i] = newAccount(byte(100 + i))
				}
				_, _, pool := newPoolApp(b, app.PoolOptions{}, genesisFor(b, 1_000_000, accts...))
				var txs [][]byte
				for j := range perSigner {
					for i, s := range accts {
						txs = append(txs, s.signTx(b, txOpts{}, anchorMsg(testCID(b, fmt.Sprint(i, "/", j)), "doc")))
					}
				}
				b.StartTimer()
				if batched {
					pool.VerifyBatch(txs)
				}
				for _, tx := range txs {
					if res := pool.Add(tx, true); res.Code != 0 {
						b.Fatalf("refused: %s", res.Log)
					}
				}
			}
		})
	}
}

// BenchmarkPoolAdmission admits 256 anchor transactions from 32 signers
// one by one: through the flood mempool's App.CheckTx, and through
// Pool.Add. ns/op is per 256 transactions.
func BenchmarkPoolAdmission(b *testing.B) {
	const signers, perSigner = 32, 8
	for _, path := range []string{"flood-checktx", "pool-add"} {
		b.Run(path, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				accts := make([]*account, signers)
				for i := range accts {
					accts[i] = newAccount(byte(100 + i))
				}
				a, _, pool := newPoolApp(b, app.PoolOptions{}, genesisFor(b, 1_000_000, accts...))
				var txs [][]byte
				for j := range perSigner {
					for i, s := range accts {
						txs = append(txs, s.signTx(b, txOpts{}, anchorMsg(testCID(b, fmt.Sprint(i, "/", j)), "doc")))
					}
				}
				b.StartTimer()
				for _, tx := range txs {
					var res app.TxResult
					if path == "pool-add" {
						res = pool.Add(tx, false)
					} else {
						res = a.CheckTx(tx)
					}
					if res.Code != 0 {
						b.Fatalf("refused: %s", res.Log)
					}
				}
			}
		})
	}
}

// BenchmarkPoolRebase moves a pool of 2,000 anchor transactions (their
// signatures verified on admission) onto the next version after a block
// that took none of them: Update re-runs all 2,000. ns/op is per Update.
func BenchmarkPoolRebase(b *testing.B) {
	const signers, perSigner = 100, 20
	accts := make([]*account, signers)
	for i := range accts {
		accts[i] = newAccount(byte(i))
	}
	a, _, pool := newPoolApp(b, app.PoolOptions{}, genesisFor(b, 100_000_000, accts...))
	for j := range perSigner {
		for i, s := range accts {
			tx := s.signTx(b, txOpts{}, anchorMsg(testCID(b, fmt.Sprint(i, "/", j)), "doc"))
			if res := pool.Add(tx, false); res.Code != 0 {
				b.Fatalf("refused: %s", res.Log)
			}
		}
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		h := a.LastCommit().Version + 1
		if _, _, err := finalize(a, h, blockTime(h), nil, nil); err != nil {
			b.Fatal(err)
		}
		id, err := a.Commit()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := pool.Update(id.Version, a.LastBlockTime(), a.ChainID(), nil); err != nil {
			b.Fatal(err)
		}
		if pool.Len() != signers*perSigner {
			b.Fatalf("%d transactions left after the rebase", pool.Len())
		}
	}
}

// TestPoolFullWithoutLock: a full pool refuses a submission with
// ErrMempoolFull at once, even while its lock is held (by a rebase in
// Commit, for example).
func TestPoolFullWithoutLock(t *testing.T) {
	alice := newAccount(1)
	_, _, pool := newPoolApp(t, app.PoolOptions{MaxTxs: 1}, genesisFor(t, 1_000_000, alice))
	wantCode(t, pool.Add(alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "0"), "doc")), false), nil)
	next := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "1"), "doc"))
	release := pool.HoldLock()
	answer := make(chan app.TxResult, 1)
	go func() { answer <- pool.Add(next, false) }()
	select {
	case res := <-answer:
		release()
		wantCode(t, res, app.ErrMempoolFull)
	case <-time.After(time.Minute):
		release()
		t.Fatal("a full pool's refusal waited for the lock")
	}
}

// TestPoolClose: after Close the pool refuses everything with the retry
// code ErrPoolNotReady, and Update does nothing.
func TestPoolClose(t *testing.T) {
	alice := newAccount(1)
	a, _, pool := newPoolApp(t, app.PoolOptions{}, genesisFor(t, 1_000_000, alice))
	tx := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "0"), "doc"))
	pool.Close()
	wantCode(t, pool.Add(tx, false), app.ErrPoolNotReady)
	wantCode(t, pool.CheckOnly(tx), app.ErrPoolNotReady)
	commitPoolBlock(t, a, pool, nil)
	wantCode(t, pool.Add(tx, true), app.ErrPoolNotReady)
}

// TestPoolGossipBoundedWithoutReap: with gossip off (config.toml
// mempool.broadcast = false) or while the node syncs, CometBFT never calls
// ReapTxs. The transactions waiting for Reap must then still be bounded by
// the pool: those a block took or the rebase dropped leave the list at
// Commit, instead of pinning every transaction the node ever admitted.
func TestPoolGossipBoundedWithoutReap(t *testing.T) {
	alice := newAccount(1)
	a, _, pool := newPoolApp(t, app.PoolOptions{}, genesisFor(t, 1_000_000, alice))
	for range 5 {
		var block [][]byte
		for i := range 3 {
			tx := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprint(a.LastCommit().Version, i)), "doc"))
			wantCode(t, pool.Add(tx, false), nil)
			block = append(block, tx)
		}
		// One stays in the pool: still due for gossip.
		commitPoolBlock(t, a, pool, block[:2])
		if pool.Len() != 1 {
			t.Fatalf("pool holds %d transactions, want 1", pool.Len())
		}
		// The kept one is next block's first.
		commitPoolBlock(t, a, pool, block[2:])
	}
	if n := pool.GossipLen(); n != 0 {
		t.Fatalf("%d entries wait for gossip with an empty pool, want 0", n)
	}
	// A transaction admitted now is still handed out once.
	tx := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "last"), "doc"))
	wantCode(t, pool.Add(tx, false), nil)
	wantTxs(t, "reap", pool.Reap(0), [][]byte{tx})
}

// TestPoolVerifyBatchOnlyPayable: a relayed batch's signatures are
// verified only for transactions that pass every check before the
// signature (chain id, timeout, signer, sequence given the batch's earlier
// transactions, the charge). As with CheckTx, a transaction its sender does
// not pay for costs no verification and evicts nothing from the signature
// cache the blocks use: a peer could otherwise relay endless validly
// signed replays or transactions of an account that cannot pay.
func TestPoolVerifyBatchOnlyPayable(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	a, _, pool := newPoolApp(t, app.PoolOptions{}, genesisFor(t, 1_000_000, alice, bob))
	// alice's sequences 0 and 1 are used by a block.
	used := [][]byte{
		alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "u0"), "doc")),
		alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "u1"), "doc")),
	}
	commitPoolBlock(t, a, pool, used)
	var refused [][]byte
	for i := range 3 {
		// Replays of used sequences, signed anew.
		refused = append(refused, alice.signTx(t, txOpts{seq: u64(uint64(i % 2)), memo: fmt.Sprint("replay", i)}, anchorMsg(testCID(t, fmt.Sprint("r", i)), "doc")))
		// Sequences far ahead.
		refused = append(refused, alice.signTx(t, txOpts{seq: u64(uint64(10 + i))}, anchorMsg(testCID(t, fmt.Sprint("f", i)), "doc")))
	}
	before := pool.SigCacheLen()
	pool.VerifyBatch(refused)
	if n := pool.SigCacheLen() - before; n != 0 {
		t.Fatalf("VerifyBatch cached %d signatures of transactions the pool refuses", n)
	}
	for _, tx := range refused {
		if res := pool.Add(tx, true); res.Code == 0 {
			t.Fatalf("pool admitted a refused transaction")
		}
	}
	// A batch with a signer's next sequences, in order, is still verified
	// in one batch: each Add finds its signature cached.
	good := [][]byte{
		alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "g0"), "doc")),
		alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "g1"), "doc")),
		bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "g2"), "doc")),
	}
	pool.VerifyBatch(append(refused[:2:2], good...))
	if n := pool.SigCacheLen() - before; n != len(good) {
		t.Fatalf("VerifyBatch cached %d signatures, want %d", n, len(good))
	}
	st := a.Stats()
	for _, tx := range good {
		wantCode(t, pool.Add(tx, true), nil)
	}
	if hits := a.Stats().SigCacheHits - st.SigCacheHits; hits != uint64(len(good)) {
		t.Fatalf("%d signature cache hits on Add, want %d", hits, len(good))
	}
}

// TestPoolUpdateLater: with the rebase left to the background, a proposal
// taken at once is the one the rebased pool gives (the block's
// transactions are left out by hash, the simulation drops what the rebase
// would), and every other method sees the rebased pool.
func TestPoolUpdateLater(t *testing.T) {
	alice, bob, carol := newAccount(1), newAccount(2), newAccount(3)
	a, _, pool := newPoolApp(t, app.PoolOptions{}, genesisFor(t, 1_000_000, alice, bob, carol))
	a0 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "a0"), "doc"))
	a1 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "a1"), "doc"))
	b0 := bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "b0"), "doc"))
	b1 := bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "b1"), "doc"))
	c0 := carol.signTx(t, txOpts{}, anchorMsg(testCID(t, "c0"), "doc"))
	c1 := carol.signTx(t, txOpts{}, anchorMsg(testCID(t, "c1"), "doc"))
	for _, tx := range [][]byte{a0, b0, c0, a1, b1, c1} {
		wantCode(t, pool.Add(tx, false), nil)
	}
	otherB0 := bob.signTx(t, txOpts{seq: u64(0), memo: "elsewhere"}, anchorMsg(testCID(t, "b0x"), "doc"))
	deactivate := carol.signTx(t, txOpts{seq: u64(0)}, deactivateMsg(carol.did))
	block := [][]byte{a0, otherB0, deactivate}
	h := a.LastCommit().Version + 1
	if _, _, err := finalize(a, h, blockTime(h), block, nil); err != nil {
		t.Fatal(err)
	}
	id, err := a.Commit()
	if err != nil {
		t.Fatal(err)
	}
	rebased := make(chan int, 1)
	if err := pool.UpdateLater(id.Version, a.LastBlockTime(), a.ChainID(), block, func(n int) { rebased <- n }); err != nil {
		t.Fatal(err)
	}
	wantTxs(t, "proposal right after the commit", proposeFromPool(t, a, pool, 1<<20), [][]byte{a1, b1})
	if n := pool.Len(); n != 2 {
		t.Fatalf("pool holds %d after the rebase, want 2", n)
	}
	wantTxs(t, "pool after the rebase", pool.Txs(0), [][]byte{a1, b1})
	wantCode(t, pool.Add(bob.signTx(t, txOpts{seq: u64(2)}, anchorMsg(testCID(t, "b2"), "doc")), false), nil)
	select {
	case n := <-rebased:
		// The pool's size when the goroutine ran: before or after b2.
		if n != 2 && n != 3 {
			t.Fatalf("rebased reported %d, want 2 or 3", n)
		}
	case <-time.After(time.Minute):
		t.Fatal("rebased was not called")
	}
	// The next block (and its synchronous Update) drops a1 and b1.
	commitPoolBlock(t, a, pool, [][]byte{a1, b1})
	if n := pool.Len(); n != 1 {
		t.Fatalf("pool holds %d after the next block, want 1 (b2)", n)
	}
}
