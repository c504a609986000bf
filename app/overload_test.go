package app_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/store"
)

func newTestAppWith(t testing.TB, genesis []byte, opts app.Options) *app.App {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, genesis); err != nil {
		t.Fatalf("InitChain: %v", err)
	}
	return a
}

// TestCheckTxMempoolFull: once the mempool holds MempoolMaxTxs accepted
// transactions, CheckTx refuses new ones with ErrMempoolFull before even
// decoding them; refused transactions do not count; rechecks of what the
// mempool still holds after a block are not limited and count again; a
// block that takes transactions out makes room.
func TestCheckTxMempoolFull(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	a := newTestAppWith(t, genesisFor(t, 1_000_000, alice, bob), app.Options{MempoolMaxTxs: 2})
	block(t, a)

	tx1 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "1"), "doc"))
	tx2 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "2"), "doc"))
	// A refusal for another reason does not count.
	wantCode(t, a.CheckTx(bob.signTx(t, txOpts{seq: u64(7)}, anchorMsg(testCID(t, "b"), "doc"))), app.ErrBadSequence)
	wantCode(t, a.CheckTx(tx1), nil)
	if a.MempoolFull() {
		t.Fatal("full after 1 of 2")
	}
	wantCode(t, a.CheckTx(tx2), nil)
	if !a.MempoolFull() {
		t.Fatal("not full after 2 of 2")
	}
	tx3 := bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "3"), "doc"))
	wantCode(t, a.CheckTx(tx3), app.ErrMempoolFull)
	// A relayed transaction is checked whatever the count, and refused
	// for what it is.
	wantCode(t, a.CheckRelayed(bob.signTx(t, txOpts{seq: u64(9)}, anchorMsg(testCID(t, "r"), "doc"))), app.ErrBadSequence)
	// Not decoded: garbage gets the same answer, not a decode error.
	wantCode(t, a.CheckTx([]byte("not a transaction")), app.ErrMempoolFull)

	// A block takes tx1; the mempool rechecks tx2, which passes and counts.
	block(t, a, tx1)
	if a.MempoolFull() {
		t.Fatal("full right after a block")
	}
	wantCode(t, a.Recheck(tx2), nil)
	wantCode(t, a.CheckTx(tx3), nil)
	if !a.MempoolFull() {
		t.Fatal("tx2 rechecked and tx3 accepted: want full")
	}
	// Rechecks are not limited: a node whose count is at the limit still
	// rechecks every transaction its mempool holds.
	block(t, a)
	wantCode(t, a.Recheck(tx2), nil)
	wantCode(t, a.Recheck(tx3), nil)
	// A recheck of a transaction a block made invalid refuses it, and it
	// does not count.
	block(t, a, tx2)
	wantCode(t, a.Recheck(tx2), app.ErrBadSequence)
	if a.MempoolFull() {
		t.Fatal("a refused recheck counted")
	}
}

// TestCheckTxNoMempoolLimit: with MempoolMaxTxs 0 CheckTx never refuses
// for fullness.
func TestCheckTxNoMempoolLimit(t *testing.T) {
	alice := newAccount(1)
	a := newTestAppWith(t, genesisFor(t, 1_000_000, alice), app.Options{})
	for i := range 50 {
		wantCode(t, a.CheckTx(alice.signTx(t, txOpts{}, anchorMsg(testCID(t, string(rune('a'+i))), "doc"))), nil)
	}
	if a.MempoolFull() {
		t.Fatal("full without a limit")
	}
}

// TestProposerReusesPreparedBlock: the proposer's ProcessProposal of the
// block its PrepareProposal built reuses that execution; the block it
// finalizes must be exactly what a node that only processed the proposal
// computes: same results, events and app hash, also when the proposal
// leaves out a transaction that fails ante. A proposal with other
// transactions is executed afresh.
func TestProposerReusesPreparedBlock(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	gen := genesisFor(t, 1_000_000, alice, bob)
	proposer := newTestAppWith(t, gen, app.Options{})
	other := newTestAppWith(t, gen, app.Options{})
	block(t, proposer)
	block(t, other)

	txs := [][]byte{
		alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "1"), "doc")),
		bob.signTx(t, txOpts{seq: u64(5)}, anchorMsg(testCID(t, "bad seq"), "doc")),
		alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "2"), "doc")),
		bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "1"), "doc")),
	}
	h := int64(2)
	ts := genesisTime.Add(10 * time.Second)
	prop, err := proposer.PrepareProposal(h, ts, txs, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(prop) != 3 || !bytes.Equal(prop[1], txs[2]) {
		t.Fatalf("proposal: %d txs, want the 3 that pass ante", len(prop))
	}
	hash := []byte("block-2")
	for _, n := range []*app.App{proposer, other} {
		if err := n.ProcessProposal(h, ts, prop, hash); err != nil {
			t.Fatal(err)
		}
	}
	bp, err := proposer.FinalizeBlock(h, ts, prop, hash)
	if err != nil {
		t.Fatal(err)
	}
	bo, err := other.FinalizeBlock(h, ts, prop, hash)
	if err != nil {
		t.Fatal(err)
	}
	sameBlock(t, bp, bo)
	if r := proposer.Stats().PreparedReused; r != 1 {
		t.Fatalf("proposer reused %d prepared blocks, want 1", r)
	}
	if r := other.Stats().PreparedReused; r != 0 {
		t.Fatalf("a node that prepared nothing reused %d", r)
	}
	for _, n := range []*app.App{proposer, other} {
		if _, err := n.Commit(); err != nil {
			t.Fatal(err)
		}
	}

	// Height 3: the proposer prepares one block but the round's proposal
	// holds other transactions (another proposer's): it must execute
	// those, not reuse its own.
	more := [][]byte{
		alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "3"), "doc")),
		bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "2"), "doc")),
	}
	h, ts = 3, ts.Add(time.Second)
	if _, err := proposer.PrepareProposal(h, ts, more, 1<<20); err != nil {
		t.Fatal(err)
	}
	decided := more[:1]
	for _, n := range []*app.App{proposer, other} {
		if err := n.ProcessProposal(h, ts, decided, []byte("block-3")); err != nil {
			t.Fatal(err)
		}
	}
	bp, err = proposer.FinalizeBlock(h, ts, decided, []byte("block-3"))
	if err != nil {
		t.Fatal(err)
	}
	bo, err = other.FinalizeBlock(h, ts, decided, []byte("block-3"))
	if err != nil {
		t.Fatal(err)
	}
	sameBlock(t, bp, bo)
	if r := proposer.Stats().PreparedReused; r != 1 {
		t.Fatalf("proposer reused its own block for another proposal (%d reuses)", r)
	}
	if len(bp.TxResults) != 1 {
		t.Fatalf("%d results for a block of 1", len(bp.TxResults))
	}
}

func sameBlock(t *testing.T, got, want *app.BlockResult) {
	t.Helper()
	if !bytes.Equal(got.AppHash, want.AppHash) {
		t.Fatalf("app hash %X, want %X", got.AppHash, want.AppHash)
	}
	if len(got.TxResults) != len(want.TxResults) {
		t.Fatalf("%d results, want %d", len(got.TxResults), len(want.TxResults))
	}
	for i := range got.TxResults {
		g, w := got.TxResults[i], want.TxResults[i]
		if g.Code != w.Code || g.Codespace != w.Codespace || g.Log != w.Log || len(g.Events) != len(w.Events) {
			t.Fatalf("tx %d: %+v, want %+v", i, g, w)
		}
		for j := range g.Events {
			if g.Events[j].Type != w.Events[j].Type || len(g.Events[j].Attributes) != len(w.Events[j].Attributes) {
				t.Fatalf("tx %d event %d: %+v, want %+v", i, j, g.Events[j], w.Events[j])
			}
		}
	}
	if len(got.Events) != len(want.Events) {
		t.Fatalf("%d block events, want %d", len(got.Events), len(want.Events))
	}
}

// TestCheckOnlyChangesNothing: CheckOnly (the check_tx RPC) answers as
// CheckTx would, but neither counts toward the mempool limit, nor leaves
// the transaction's effects in the check state, nor is refused for
// fullness.
func TestCheckOnlyChangesNothing(t *testing.T) {
	alice := newAccount(1)
	a := newTestAppWith(t, genesisFor(t, 1_000_000, alice), app.Options{MempoolMaxTxs: 1})
	block(t, a)
	tx0 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "0"), "doc"))
	tx1 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "1"), "doc"))
	before := a.Stats()
	for range 3 {
		wantCode(t, a.CheckOnly(tx0), nil)
	}
	// Each dry run verified the signature again: none was cached.
	if st := a.Stats(); st.SigCacheHits != before.SigCacheHits || st.SigCacheMisses != before.SigCacheMisses+3 {
		t.Fatalf("signature cache after 3 dry runs: %d hits, %d misses; before %d, %d", st.SigCacheHits, st.SigCacheMisses, before.SigCacheHits, before.SigCacheMisses)
	}
	wantCode(t, a.CheckOnly(tx1), app.ErrBadSequence)
	wantCode(t, a.CheckOnly([]byte("not a transaction")), app.ErrTxDecode)
	if a.MempoolFull() {
		t.Fatal("CheckOnly counted")
	}
	wantCode(t, a.CheckTx(tx0), nil)
	if !a.MempoolFull() {
		t.Fatal("one of one submitted: want full")
	}
	wantCode(t, a.CheckTx(tx1), app.ErrMempoolFull)
	// While full, CheckOnly still checks against what the mempool holds.
	wantCode(t, a.CheckOnly(tx1), nil)
	wantCode(t, a.CheckOnly(tx0), app.ErrBadSequence)
}

// TestPreparedBlockEndsLikeProcessed: at the height where a passed root
// proposal executes (end-of-block tally, execution, validator update), the
// proposer that reuses its PrepareProposal execution finalizes exactly
// what a node that only processed the proposal does: every result, every
// event with its attributes, the block events in order, the validator
// updates and the app hash.
func TestPreparedBlockEndsLikeProcessed(t *testing.T) {
	setup := func() (*govWorld, int64) {
		w := newGovWorld(t, nil)
		w.ok(t, w.erin, proposeMsg(t, w.root, "remove one", setValidatorMsg(w.vals[3], 0)))
		id := w.lastProposalID(t)
		w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(id, yes)), w.erin.signTx(t, txOpts{}, voteMsg(id, yes)))
		exec := w.proposal(t, id).VotingEndHeight + testTimelock
		for w.height() < exec-1 {
			w.step(t)
		}
		return w, exec
	}
	proposer, exec := setup()
	other, exec2 := setup()
	if exec != exec2 {
		t.Fatalf("execution heights %d and %d", exec, exec2)
	}
	ts := genesisTime.Add(time.Duration(exec) * time.Second)
	txs := [][]byte{
		proposer.bob.signTx(t, txOpts{}, anchorMsg(testCID(t, "p1"), "doc")),
		proposer.bob.signTx(t, txOpts{seq: u64(99)}, anchorMsg(testCID(t, "bad"), "doc")),
		proposer.carol.signTx(t, txOpts{}, anchorMsg(testCID(t, "p2"), "doc")),
	}
	prop, err := proposer.a.PrepareProposal(exec, ts, txs, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(prop) != 2 {
		t.Fatalf("proposal of %d txs, want 2", len(prop))
	}
	hash := []byte("the block at the execution height")
	var got [2]*app.BlockResult
	for i, n := range []*app.App{proposer.a, other.a} {
		if err := n.ProcessProposal(exec, ts, prop, hash); err != nil {
			t.Fatal(err)
		}
		if got[i], err = n.FinalizeBlock(exec, ts, prop, hash); err != nil {
			t.Fatal(err)
		}
	}
	if r := proposer.a.Stats().PreparedReused; r != 1 {
		t.Fatalf("proposer reused %d prepared blocks, want 1", r)
	}
	if len(got[0].ValidatorUpdates) != 1 || len(got[0].Events) == 0 {
		t.Fatalf("the block executed no proposal: %d validator updates, %d block events", len(got[0].ValidatorUpdates), len(got[0].Events))
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		t.Fatalf("proposer's block:\n%+v\nother's:\n%+v", got[0], got[1])
	}
}
