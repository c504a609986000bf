package abci

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	idb "github.com/cosmos/iavl/db"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/store"
)

// TestFullMempoolRefusedWithoutLock: with mempool.max-txs transactions
// accepted, the mempool connection's client answers a new transaction
// "mempool is full" (tx/40) while another ABCI call holds the lock, as one
// does for a whole block's execution; a transaction a peer relays is
// checked whatever the count; rechecks still go to the app; once a Commit
// empties the count, new transactions reach the app again.
func TestFullMempoolRefusedWithoutLock(t *testing.T) {
	ctx := context.Background()
	const chain = "icn-admission-test"
	s, priv, signer, state := newAdmissionApp(t, "admission", 1)
	creator := newClientCreator(s, s)
	cl, err := creator.NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	// The mempool sets its global callback (for rechecks) on its client.
	cl.SetResponseCallback(func(*abcitypes.Request, *abcitypes.Response) {})
	if _, err := cl.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: chain, InitialHeight: 1, Time: time.Unix(0, 0), AppStateBytes: state}); err != nil {
		t.Fatal(err)
	}
	anchor := func(seq uint64) []byte {
		mh, _ := multihash.Sum([]byte{byte(seq)}, multihash.SHA2_256, -1)
		raw, err := client.BuildTx(client.TxParams{ChainID: chain, Signer: signer, KeyID: did.FirstKeyID, Sequence: seq},
			func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil },
			&txv1.Msg{Sum: &txv1.Msg_Anchor{Anchor: &dagv1.MsgAnchor{Cid: cid.NewCidV1(cid.Raw, mh).Bytes(), Kind: "doc"}}})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	check := func(tx []byte, typ abcitypes.CheckTxType) *abcitypes.ResponseCheckTx {
		t.Helper()
		rr, err := cl.CheckTxAsync(ctx, &abcitypes.RequestCheckTx{Tx: tx, Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		var got *abcitypes.ResponseCheckTx
		rr.SetCallback(func(res *abcitypes.Response) { got = res.GetCheckTx() })
		if got == nil {
			t.Fatal("no CheckTx response")
		}
		return got
	}
	tx0, tx1 := anchor(0), anchor(1)
	if res := check(tx0, abcitypes.CheckTxType_New); res.Code != 0 {
		t.Fatalf("first tx: %+v", res)
	}

	// Another call holds the lock: a new transaction gets "full" at once.
	creator.mtx.Lock()
	res := check(tx1, abcitypes.CheckTxType_New)
	creator.mtx.Unlock()
	if res.Codespace != app.ErrMempoolFull.Codespace() || res.Code != app.ErrMempoolFull.Code() {
		t.Fatalf("full mempool: got %s/%d %q, want %s/%d", res.Codespace, res.Code, res.Log, app.ErrMempoolFull.Codespace(), app.ErrMempoolFull.Code())
	}

	// A peer relays tx1 while the mempool is full: it is checked, not
	// refused for fullness (the reactor marks it for the duration of its
	// Receive).
	s.admission.markRelayed([][]byte{tx1}, true)
	relayed := check(tx1, abcitypes.CheckTxType_New)
	s.admission.markRelayed([][]byte{tx1}, false)
	if relayed.Code != 0 {
		t.Fatalf("relayed tx refused: %+v", relayed)
	}
	if s.admission.relayed(tx1) {
		t.Fatal("tx1 still marked as relayed")
	}

	// A block without tx0 is committed: the count starts again, the
	// mempool rechecks tx0 (which fills it again), and a new transaction is
	// refused once more.
	if _, err := cl.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: 1, Time: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	if s.admission.full.Load() {
		t.Fatal("still full after Commit")
	}
	if res := check(tx0, abcitypes.CheckTxType_Recheck); res.Code != 0 {
		t.Fatalf("recheck: %+v", res)
	}
	if res := check(tx1, abcitypes.CheckTxType_New); res.Code != app.ErrMempoolFull.Code() {
		t.Fatalf("after the recheck filled it: %+v", res)
	}
	// A block takes tx0: tx1 is accepted.
	if _, err := cl.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: 2, Time: time.Unix(2, 0), Txs: [][]byte{tx0}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	if res := check(tx1, abcitypes.CheckTxType_New); res.Code != 0 {
		t.Fatalf("after the block: %+v", res)
	}
}

// TestCheckTxRPCChangesNothing: CometBFT's check_tx RPC asks the mempool
// connection's synchronous CheckTx whether a transaction would be accepted
// and never adds it to the mempool. Any client may call it, as often as it
// likes, for nothing: it must neither count toward mempool.max-txs (or one
// client fills the limit every block with transactions that are never
// executed, and every other submission is refused "mempool is full") nor
// leave the transaction's effects in the check state (or the same
// transaction, then submitted, is refused for its own sequence).
func TestCheckTxRPCChangesNothing(t *testing.T) {
	ctx := context.Background()
	const chain = "icn-check-rpc-test"
	s, priv, signer, state := newAdmissionApp(t, "check rpc", 2)
	cl, err := newClientCreator(s, s).NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	cl.SetResponseCallback(func(*abcitypes.Request, *abcitypes.Response) {})
	if _, err := cl.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: chain, InitialHeight: 1, Time: time.Unix(0, 0), AppStateBytes: state}); err != nil {
		t.Fatal(err)
	}
	anchor := func(seq uint64) []byte {
		mh, _ := multihash.Sum([]byte{byte(seq)}, multihash.SHA2_256, -1)
		raw, err := client.BuildTx(client.TxParams{ChainID: chain, Signer: signer, KeyID: did.FirstKeyID, Sequence: seq},
			func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil },
			&txv1.Msg{Sum: &txv1.Msg_Anchor{Anchor: &dagv1.MsgAnchor{Cid: cid.NewCidV1(cid.Raw, mh).Bytes(), Kind: "doc"}}})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	submit := func(tx []byte) *abcitypes.ResponseCheckTx {
		t.Helper()
		rr, err := cl.CheckTxAsync(ctx, &abcitypes.RequestCheckTx{Tx: tx, Type: abcitypes.CheckTxType_New})
		if err != nil {
			t.Fatal(err)
		}
		var got *abcitypes.ResponseCheckTx
		rr.SetCallback(func(res *abcitypes.Response) { got = res.GetCheckTx() })
		if got == nil {
			t.Fatal("no CheckTx response")
		}
		return got
	}
	// What the check_tx RPC sends (rpc/core/mempool.go: the mempool
	// connection's CheckTx, type New).
	checkRPC := func(tx []byte) *abcitypes.ResponseCheckTx {
		t.Helper()
		res, err := cl.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: tx})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	// A client asks about two transactions in sequence, the second one
	// twice: each is answered as CheckTx would answer it now, alone.
	if res := checkRPC(anchor(0)); res.Code != 0 {
		t.Fatalf("check_tx of a valid tx: %+v", res)
	}
	if res := checkRPC(anchor(0)); res.Code != 0 {
		t.Fatalf("check_tx of the same tx again: %+v (a dry run left its sequence bump behind)", res)
	}
	if res := checkRPC(anchor(1)); res.Codespace != app.Codespace || res.Code != app.ErrBadSequence.Code() {
		t.Fatalf("check_tx of the next sequence alone: %+v, want %s/%d", res, app.Codespace, app.ErrBadSequence.Code())
	}
	if s.admission.full.Load() || s.app.MempoolFull() {
		t.Fatal("check_tx filled the mempool count")
	}
	// The transactions are then submitted: both are accepted, and only
	// they fill the limit.
	if res := submit(anchor(0)); res.Code != 0 {
		t.Fatalf("submission after check_tx: %+v", res)
	}
	if res := submit(anchor(1)); res.Code != 0 {
		t.Fatalf("second submission: %+v", res)
	}
	if !s.admission.full.Load() {
		t.Fatal("two submissions of two: want full")
	}
	// check_tx still answers for a transaction while the mempool is full:
	// it adds nothing to it.
	if res := checkRPC(anchor(2)); res.Code != 0 {
		t.Fatalf("check_tx while full: %+v", res)
	}
}

// newAdmissionApp is an Application over a fresh in-memory store whose
// mempool admits maxTxs transactions, with the genesis state (not yet
// applied) of one funded DID whose key derives from seedWord.
func newAdmissionApp(t *testing.T, seedWord string, maxTxs int) (*Application, ed25519.PrivateKey, string, []byte) {
	t.Helper()
	seed := sha256.Sum256([]byte(seedWord))
	priv := ed25519.NewKeyFromSeed(seed[:])
	signer := did.DeriveDID(priv.Public().(ed25519.PublicKey))
	g := app.DefaultGenesis()
	g.DID.Documents = []*identityv1.DIDDocument{{Did: signer, Keys: []*identityv1.VerificationKey{{Id: did.FirstKeyID, PublicKey: priv.Public().(ed25519.PublicKey)}}}}
	g.Mana.Accounts = []mana.GenesisAccount{{DID: signer, Balance: 200_000, Capacity: 200_000, Rate: 10}}
	state, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{MempoolMaxTxs: maxTxs})
	if err != nil {
		t.Fatal(err)
	}
	s := NewApplication(a, "test", cmtlog.NewNopLogger())
	s.admission.max = maxTxs
	return s, priv, signer, state
}
