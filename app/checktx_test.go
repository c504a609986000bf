package app_test

import (
	"testing"

	"github.com/intercooperative/icnd/modules/dag"

	"github.com/intercooperative/icnd/app"
)

// TestCheckTxSeesKeyChangesOfEarlierTxs: a key revoked or rotated out, or a
// DID deactivated, by a transaction CheckTx accepted earlier in the same
// block must not sign a later transaction that CheckTx accepts: such a
// transaction would be gossiped and then left out of every proposal,
// never charged.
func TestCheckTxSeesKeyChangesOfEarlierTxs(t *testing.T) {
	alice := newAccount(1)
	second := newAccount(9)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	// Block 1 adds key-2, so that there is a key to revoke.
	block(t, a, alice.signTx(t, txOpts{}, addKeyMsg(alice.did, "key-2", second.priv)))

	revoke := alice.signTx(t, txOpts{}, revokeKeyMsg(alice.did, "key-2"))
	if res := a.CheckTx(revoke); res.Code != 0 {
		t.Fatalf("revoke refused: %+v", res)
	}
	withRevoked := alice.signTx(t, txOpts{keyID: "key-2", signWith: second.priv}, anchorMsg(testCID(t, "late"), "doc"))
	res := a.CheckTx(withRevoked)
	if res.Codespace != app.ErrKeyRevoked.Codespace() || res.Code != app.ErrKeyRevoked.Code() {
		t.Fatalf("tx signed with a key revoked earlier in the block: got %s/%d %q, want %s/%d",
			res.Codespace, res.Code, res.Log, app.ErrKeyRevoked.Codespace(), app.ErrKeyRevoked.Code())
	}

	deactivate := alice.signTx(t, txOpts{seq: u64(2)}, deactivateMsg(alice.did))
	if res := a.CheckTx(deactivate); res.Code != 0 {
		t.Fatalf("deactivation refused: %+v", res)
	}
	after := alice.signTx(t, txOpts{seq: u64(3)}, anchorMsg(testCID(t, "after"), "doc"))
	res = a.CheckTx(after)
	if res.Codespace != app.ErrSignerDeactivated.Codespace() || res.Code != app.ErrSignerDeactivated.Code() {
		t.Fatalf("tx of a DID deactivated earlier in the block: got %s/%d %q", res.Codespace, res.Code, res.Log)
	}
}

// TestCheckTxAcceptsFailingMessages: a transaction whose message will fail
// is valid: CheckTx accepts it and keeps its charge and sequence bump in the
// check state (so the signer's next transaction follows it), but not what
// its messages would have changed.
func TestCheckTxAcceptsFailingMessages(t *testing.T) {
	alice := newAccount(1)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	block(t, a, alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "x"), "doc")))

	again := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "x"), "doc"), anchorMsg(testCID(t, "y"), "doc"))
	wantCode(t, a.CheckTx(again), nil)
	// The second message of the failed tx left nothing: "y" can still be
	// anchored, by the next sequence.
	next := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "y"), "doc"))
	wantCode(t, a.CheckTx(next), nil)
	stale := alice.signTx(t, txOpts{seq: u64(1)}, anchorMsg(testCID(t, "z"), "doc"))
	wantCode(t, a.CheckTx(stale), app.ErrBadSequence)

	res, _ := block(t, a, again, next)
	wantCode(t, res[0], dag.ErrAnchoredAgain)
	wantCode(t, res[1], nil)
}
