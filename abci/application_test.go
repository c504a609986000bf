package abci_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	idb "github.com/cosmos/iavl/db"
	ics23 "github.com/cosmos/ics23/go"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol"
	"github.com/intercooperative/icnd/store"
)

const chainID = "icn-abci-test"

func setup(t *testing.T) (*abci.Application, ed25519.PrivateKey, string) {
	t.Helper()
	seed := sha256.Sum256([]byte("abci"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	did := did.DeriveDID(pub)
	g := app.DefaultGenesis()
	g.DID.Documents = []*identityv1.DIDDocument{{Did: did, Keys: []*identityv1.VerificationKey{{Id: "key-1", PublicKey: pub}}}}
	g.Mana.Accounts = []mana.GenesisAccount{{DID: did, Balance: 200_000, Capacity: 200_000, Rate: 10}}
	state, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := abci.NewApplication(a, "test", cmtlog.NewNopLogger())
	res, err := s.InitChain(context.Background(), &abcitypes.RequestInitChain{ChainId: chainID, InitialHeight: 1, Time: time.Unix(0, 0), AppStateBytes: state})
	if err != nil {
		t.Fatal(err)
	}
	if res.ConsensusParams.GetVersion().GetApp() != app.Version {
		t.Fatalf("InitChain does not set the app version in consensus params: %+v", res.ConsensusParams)
	}
	return s, priv, did
}

func anchorTx(t *testing.T, priv ed25519.PrivateKey, did string, seq uint64, data string) ([]byte, []byte) {
	t.Helper()
	mh, _ := multihash.Sum([]byte(data), multihash.SHA2_256, -1)
	c := cid.NewCidV1(cid.Raw, mh).Bytes()
	raw, err := client.BuildTx(client.TxParams{ChainID: chainID, Signer: did, KeyID: "key-1", Sequence: seq},
		func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil },
		&txv1.Msg{Sum: &txv1.Msg_Anchor{Anchor: &dagv1.MsgAnchor{Cid: c, Kind: "doc"}}})
	if err != nil {
		t.Fatal(err)
	}
	return raw, c
}

// TestABCIFlow drives the ABCI methods in CometBFT's order and checks what
// each returns: codes, events, the app hash that Info reports after Commit,
// and a query proof that verifies against that hash.
func TestABCIFlow(t *testing.T) {
	ctx := context.Background()
	s, priv, did := setup(t)

	info, err := s.Info(ctx, &abcitypes.RequestInfo{})
	if err != nil || info.LastBlockHeight != 0 || len(info.LastBlockAppHash) != 0 {
		t.Fatalf("Info before first commit: %+v %v", info, err)
	}
	tx, c := anchorTx(t, priv, did, 0, "hello")
	check, _ := s.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: tx, Type: abcitypes.CheckTxType_New})
	if check.Code != 0 {
		t.Fatalf("CheckTx: %d %s", check.Code, check.Log)
	}
	bad, _ := s.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: []byte("junk")})
	if bad.Code == 0 || bad.Codespace != app.Codespace {
		t.Fatalf("CheckTx accepted junk: %+v", bad)
	}
	prep, _ := s.PrepareProposal(ctx, &abcitypes.RequestPrepareProposal{Height: 1, Txs: [][]byte{tx, []byte("junk")}, MaxTxBytes: 1 << 20})
	if len(prep.Txs) != 1 {
		t.Fatalf("PrepareProposal kept %d txs", len(prep.Txs))
	}
	proc, _ := s.ProcessProposal(ctx, &abcitypes.RequestProcessProposal{Height: 1, Txs: [][]byte{tx, []byte("junk")}})
	if proc.Status != abcitypes.ResponseProcessProposal_REJECT {
		t.Fatal("ProcessProposal accepted junk")
	}
	proc, _ = s.ProcessProposal(ctx, &abcitypes.RequestProcessProposal{Height: 1, Txs: prep.Txs})
	if proc.Status != abcitypes.ResponseProcessProposal_ACCEPT {
		t.Fatal("ProcessProposal rejected a good block")
	}
	fin, err := s.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: 1, Time: time.Unix(1, 0), Txs: prep.Txs})
	if err != nil {
		t.Fatal(err)
	}
	if len(fin.TxResults) != 1 || fin.TxResults[0].Code != 0 {
		t.Fatalf("FinalizeBlock results: %+v", fin.TxResults)
	}
	var anchored bool
	for _, e := range fin.TxResults[0].Events {
		if e.Type == "icn.dag.anchored" && e.Attributes[0].Key == "cid" && e.Attributes[0].Index {
			anchored = true
		}
	}
	if !anchored {
		t.Fatalf("no indexed anchored event: %+v", fin.TxResults[0].Events)
	}
	// Info still reports height 0 until Commit.
	if info, _ := s.Info(ctx, &abcitypes.RequestInfo{}); info.LastBlockHeight != 0 {
		t.Fatalf("Info reports height %d before Commit", info.LastBlockHeight)
	}
	if _, err := s.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	info, _ = s.Info(ctx, &abcitypes.RequestInfo{})
	if info.LastBlockHeight != 1 || !bytes.Equal(info.LastBlockAppHash, fin.AppHash) || info.AppVersion != app.Version {
		t.Fatalf("Info after Commit: %+v, want hash %X", info, fin.AppHash)
	}
	// Recheck after commit: the included tx is now stale.
	recheck, _ := s.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: tx, Type: abcitypes.CheckTxType_Recheck})
	if recheck.Codespace != app.Codespace || recheck.Code != app.ErrBadSequence.Code() {
		t.Fatalf("recheck of included tx: %+v", recheck)
	}

	// Proven queries: membership of the entry, absence of another key.
	for _, tc := range []struct {
		key     []byte
		present bool
	}{{dag.EntryKey(c, did), true}, {dag.EntryKey(c, "did:icn:someone-else"), false}} {
		q, err := s.Query(ctx, &abcitypes.RequestQuery{Path: protocol.QueryPathStore, Data: tc.key, Prove: true})
		if err != nil || q.Code != 0 || q.Height != 1 {
			t.Fatalf("Query: %+v %v", q, err)
		}
		if q.ProofOps == nil || len(q.ProofOps.Ops) != 1 || q.ProofOps.Ops[0].Type != protocol.ProofOpICS23 {
			t.Fatalf("proof ops: %+v", q.ProofOps)
		}
		var proof ics23.CommitmentProof
		if err := proof.Unmarshal(q.ProofOps.Ops[0].Data); err != nil {
			t.Fatal(err)
		}
		if tc.present {
			if err := store.VerifyMembership(info.LastBlockAppHash, &proof, tc.key, q.Value); err != nil {
				t.Fatalf("membership proof: %v", err)
			}
			if err := store.VerifyMembership(info.LastBlockAppHash, &proof, tc.key, append(q.Value, 0)); err == nil {
				t.Fatal("membership proof verified a wrong value")
			}
		} else if err := store.VerifyAbsence(info.LastBlockAppHash, &proof, tc.key); err != nil || q.Value != nil {
			t.Fatalf("absence proof: %v (value %x)", err, q.Value)
		}
	}

	// Vote extensions are unused; without a snapshot store (SetSnapshots)
	// every snapshot offer is refused.
	if r, _ := s.VerifyVoteExtension(ctx, &abcitypes.RequestVerifyVoteExtension{VoteExtension: []byte{1}}); r.Status != abcitypes.ResponseVerifyVoteExtension_REJECT {
		t.Fatal("non-empty vote extension accepted")
	}
	if r, _ := s.OfferSnapshot(ctx, &abcitypes.RequestOfferSnapshot{}); r.Result != abcitypes.ResponseOfferSnapshot_REJECT {
		t.Fatal("snapshot offer accepted")
	}
	// A FinalizeBlock at the wrong height stops the node.
	if _, err := s.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: 5}); err == nil {
		t.Fatal("FinalizeBlock at a gap returned no error")
	}
}
