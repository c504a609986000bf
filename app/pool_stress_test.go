package app_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/store"
)

// TestPoolStressPruningAndClose: submissions, relays, relayed batches, dry
// runs and gossip hammer the pool from many goroutines while blocks built
// from it are executed and committed over a store that prunes every
// version but the last two at each commit; then the pool is closed and the
// store with it while they go on. Run it with -race. Every block's
// transactions succeed (the pool never proposes what the block refuses),
// each signer's land in sequence order, and after Close every call is
// refused with ErrPoolNotReady without reading the closed store.
func TestPoolStressPruningAndClose(t *testing.T) {
	const signers, perSigner, blocks = 6, 40, 25
	accts := make([]*account, signers)
	for i := range accts {
		accts[i] = newAccount(byte(40 + i))
	}
	genesis := genesisFor(t, 10_000_000, accts...)
	cms, err := store.Open(memDB(), store.Options{PruneKeepRecent: 2, PruneInterval: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{SigCacheSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, genesis); err != nil {
		t.Fatal(err)
	}
	pool, err := a.NewPool(cms.NewConcurrentReader(16), app.PoolOptions{MaxTxs: 30, MaxRelayedTxs: 60})
	if err != nil {
		t.Fatal(err)
	}
	commitPoolBlock(t, a, pool, nil)

	signed := make([][][]byte, signers)
	var all [][]byte
	for i, s := range accts {
		for j := range perSigner {
			tx := s.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprintf("s%d/%d", i, j)), "doc"))
			signed[i] = append(signed[i], tx)
			all = append(all, tx)
		}
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	stopped := func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	}
	for i := range signers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j, k := 0, 0; !stopped(); k++ {
				if j == perSigner {
					// One replay, then done.
					pool.Add(signed[i][0], false)
					return
				}
				res := pool.Add(signed[i][j], k%3 == 0)
				if res.Code == 0 {
					j++
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; !stopped(); k++ {
				lo := (k * 7) % (len(all) - 8)
				pool.VerifyBatch(all[lo : lo+8])
				pool.CheckOnly(all[(k*13)%len(all)])
				pool.Reap(int64(k % 3 * 1000))
				pool.Txs(k % 5)
				pool.Len()
			}
		}()
	}
	next := make([]uint64, signers)
	index := map[string][2]int{}
	for i := range signed {
		for j, tx := range signed[i] {
			index[string(tx)] = [2]int{i, j}
		}
	}
	for b := 0; b < blocks && total(next) < signers*perSigner; b++ {
		// Give the submitters a moment to fill the pool. The first block
		// waits until the pool holds a transaction, however slowly the
		// submitters are scheduled, so that at least one is committed
		// (checked at the end).
		for deadline := time.Now().Add(time.Minute); b == 0 && pool.Len() == 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		for k := 0; k < 200 && pool.Len() < 10; k++ {
			time.Sleep(time.Millisecond)
		}
		txs := proposeFromPool(t, a, pool, 1<<16)
		res, _ := commitPoolBlock(t, a, pool, txs)
		for k, r := range res {
			if r.Code != 0 {
				t.Fatalf("block tx %d refused: %s", k, r.Log)
			}
			at := index[string(txs[k])]
			if uint64(at[1]) != next[at[0]] {
				t.Fatalf("signer %d: sequence %d committed, want %d", at[0], at[1], next[at[0]])
			}
			next[at[0]]++
		}
	}
	pool.Close()
	if err := cms.Close(); err != nil {
		t.Fatal(err)
	}
	// Calls after Close are refused without reading the closed store.
	for _, tx := range all[:5] {
		wantCode(t, pool.Add(tx, false), app.ErrPoolNotReady)
		wantCode(t, pool.CheckOnly(tx), app.ErrPoolNotReady)
	}
	pool.VerifyBatch(all[:8])
	close(done)
	wg.Wait()
	if n := total(next); n == 0 {
		t.Fatal("no transaction was committed")
	}
}

func total(ns []uint64) int {
	var n int
	for _, v := range ns {
		n += int(v)
	}
	return n
}
