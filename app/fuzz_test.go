package app_test

import (
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/intercooperative/icnd/store"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client/profile"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/org"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// FuzzDecodeTx feeds arbitrary bytes to the decoder: it must never panic,
// every error must carry a registered code, and whatever it accepts must
// be exactly the canonical encoding (re-encoding gives the input back).
// Seed corpus: testdata/fuzz/FuzzDecodeTx.
func FuzzDecodeTx(f *testing.F) {
	alice := newAccount(1)
	f.Add(alice.signTx(f, txOpts{seq: u64(0)}, anchorMsg(testCID(f, "seed"), "doc")))
	f.Add(alice.signTx(f, txOpts{seq: u64(3), memo: "memo"}, registerMsg(testChainID, newAccount(2).priv)))
	f.Add(alice.signTx(f, txOpts{seq: u64(1)}, rotateKeyMsg(alice.did, "key-1", "key-2", newAccount(3).priv), deactivateMsg(alice.did)))
	f.Add(sponsorTx(f, newAccount(4), sponsorOf(alice, alice), alice.priv, nil, anchorMsg(testCID(f, "seed"), "doc")))
	root := org.DeriveOrgDID("", "root")
	f.Add(alice.signTx(f, txOpts{seq: u64(2)}, createOrgMsg("coop", cooperative, root), inviteMsg(root, alice.did, "clerk"),
		freezeMsg(root, alice.did, "r"), appealMsg(root, "s")))
	f.Add(alice.signTx(f, txOpts{seq: u64(4)}, issueMsg(testCID(f, "vc"), root, alice.did, "MembershipCredential"),
		revokeCredentialMsg(testCID(f, "vc"), root, "left"), sealedShapeProfileMsg(), profile.EraseProfileMsg()))
	f.Add(alice.signTx(f, txOpts{seq: u64(5)}, commitReceiptMsg()))
	f.Add([]byte{})
	dec := newDecoder(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx, err := dec.DecodeTx(raw)
		if err != nil {
			if space, _ := modules.ResultCode(err); space == modules.CodespaceInternal {
				t.Fatalf("decode error without a registered code: %v", err)
			}
			return
		}
		if len(tx.Body.Messages) == 0 || len(tx.MsgNames) != len(tx.Body.Messages) || len(tx.Signature) != 64 {
			t.Fatalf("accepted an incomplete tx: %+v", tx)
		}
	})
}

// FuzzPipeline runs arbitrary transactions through CheckTx, a proposal and
// FinalizeBlock of a live app: nothing may panic or return an error that
// stops the node, and the app hash must stay deterministic.
// Seed corpus: testdata/fuzz/FuzzPipeline.
func FuzzPipeline(f *testing.F) {
	alice, bob := newAccount(1), newAccount(2)
	genesis := genesisFor(f, 1_000_000, alice, bob)
	f.Add(alice.signTx(f, txOpts{seq: u64(0)}, anchorMsg(testCID(f, "seed"), "doc")))
	f.Add(alice.signTx(f, txOpts{seq: u64(0)}, registerMsg(testChainID, newAccount(3).priv)))
	f.Add(alice.signTx(f, txOpts{seq: u64(0)}, addKeyMsg(alice.did, "key-2", newAccount(4).priv), revokeKeyMsg(alice.did, "key-1")))
	f.Add(alice.signTx(f, txOpts{seq: u64(0)}, createOrgMsg("coop", cooperative, org.DeriveOrgDID("", "root"))))
	f.Add(alice.signTx(f, txOpts{seq: u64(0)}, issueMsg(testCID(f, "vc"), alice.did, alice.did, "SelfCredential"), sealedShapeProfileMsg()))
	f.Add(sponsorTx(f, alice, sponsorOf(bob, bob), bob.priv, nil, anchorMsg(testCID(f, "sponsored"), "doc")))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, b := newFuzzApp(t, genesis), newFuzzApp(t, genesis)
		check := a.CheckTx(raw)
		if check.Broken() {
			t.Fatalf("CheckTx reports a broken invariant: %s", check.Log)
		}
		// CheckTx (next height, committed state) and a proposal holding
		// only this transaction judge it on the same state: they agree.
		proposalErr := a.ProcessProposal(1, genesisTime, [][]byte{raw}, []byte("h"))
		if proposalErr != nil && !errors.Is(proposalErr, app.ErrRejectProposal) {
			t.Fatalf("ProcessProposal error that would stop the node: %v", proposalErr)
		}
		if (check.Code == 0) != (proposalErr == nil) {
			t.Fatalf("CheckTx code %d (%s) but proposal error %v", check.Code, check.Log, proposalErr)
		}
		// The reuse path (a) and fresh execution (b) agree.
		ra, ha, err := finalize(a, 1, genesisTime, [][]byte{raw}, []byte("h"))
		if err != nil {
			t.Fatalf("FinalizeBlock error: %v", err)
		}
		rb, hb, err := finalize(b, 1, genesisTime, [][]byte{raw}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(ha) != string(hb) || ra[0].Code != rb[0].Code || ra[0].Codespace != rb[0].Codespace {
			t.Fatalf("nondeterministic result: %s/%d vs %s/%d", ra[0].Codespace, ra[0].Code, rb[0].Codespace, rb[0].Code)
		}
	})
}

// newFuzzApp is newTestApp with small caches: fuzzing builds two apps per
// input, and the default caches would dominate its time.
func newFuzzApp(t *testing.T, genesis []byte) *app.App {
	t.Helper()
	cms, err := store.Open(memDB(), store.Options{CacheSize: 1000, StateCacheBytes: 100 << 10})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{SigCacheSize: 64, TxCacheBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, genesis); err != nil {
		t.Fatal(err)
	}
	return a
}

// commitReceiptMsg is a commit_receipt with a job id and a commitment of
// the right lengths.
func commitReceiptMsg() *txv1.Msg {
	job, c := sha256.Sum256([]byte("job")), sha256.Sum256([]byte("commitment"))
	return &txv1.Msg{Sum: &txv1.Msg_CommitReceipt{CommitReceipt: &meshv1.MsgCommitReceipt{Job: job[:], Commitment: c[:]}}}
}
