package app_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol"
	"github.com/intercooperative/icnd/store"
)

func wantCode(t *testing.T, res app.TxResult, want *modules.Error) {
	t.Helper()
	if want == nil {
		if res.Code != 0 {
			t.Fatalf("want success, got %s/%d: %s", res.Codespace, res.Code, res.Log)
		}
		return
	}
	if res.Codespace != want.Codespace() || res.Code != want.Code() {
		t.Fatalf("want %s/%d (%s), got %s/%d: %s", want.Codespace(), want.Code(), want, res.Codespace, res.Code, res.Log)
	}
}

// rawTx encodes a Tx from parts, for inputs BuildTx would never produce.
func rawTx(t *testing.T, body *txv1.TxBody, auth *txv1.AuthInfo, sig []byte) []byte {
	t.Helper()
	bb, err := body.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ab, err := auth.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tx := &txv1.Tx{BodyBytes: bb, AuthInfoBytes: ab, Signature: sig}
	raw, err := tx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestDecodeErrors checks the exact code for every input that fails before
// any state is read.
func TestDecodeErrors(t *testing.T) {
	alice := newAccount(1)
	good := anchorMsg(testCID(t, "x"), "doc")
	auth := &txv1.AuthInfo{Signer: alice.did, KeyId: "key-1"}
	body := func(msgs ...*txv1.Msg) *txv1.TxBody {
		return &txv1.TxBody{Messages: msgs, ChainId: testChainID}
	}
	sig := make([]byte, 64)
	valid := alice.signTx(t, txOpts{seq: u64(0)}, good)
	manyLinks := make([][]byte, dag.MaxLinks+1)
	for i := range manyLinks {
		manyLinks[i] = testCID(t, string(rune('a'+i%26))+strings.Repeat("l", i))
	}
	v0 := []byte{0x12, 0x20} // a CIDv0 prefix (sha2-256 multihash), not CIDv1
	v0 = append(v0, make([]byte, 32)...)
	tooMany := make([]*txv1.Msg, app.MaxMessages+1)
	for i := range tooMany {
		tooMany[i] = good
	}
	cases := []struct {
		name string
		raw  []byte
		want *modules.Error
	}{
		{"garbage bytes", []byte{0xff, 0xff, 0xff}, app.ErrTxDecode},
		{"empty", nil, app.ErrBadSignature},
		{"oversized", make([]byte, app.MaxTxBytes+1), app.ErrTxTooLarge},
		{"unknown trailing field", append(append([]byte(nil), valid...), 0x78, 0x01), app.ErrNonCanonical}, // field 15, varint
		{"body is garbage", marshal(t, &txv1.Tx{BodyBytes: []byte{0xff}, Signature: sig}), app.ErrTxDecode},
		{"short signature", rawTx(t, body(good), auth, sig[:10]), app.ErrBadSignature},
		{"no chain id", rawTx(t, &txv1.TxBody{Messages: []*txv1.Msg{good}}, auth, sig), app.ErrWrongChainID},
		{"memo too long", rawTx(t, &txv1.TxBody{Messages: []*txv1.Msg{good}, ChainId: testChainID, Memo: strings.Repeat("m", app.MaxMemoBytes+1)}, auth, sig), app.ErrMemoTooLong},
		{"memo not utf-8", rawTx(t, &txv1.TxBody{Messages: []*txv1.Msg{good}, ChainId: testChainID, Memo: "\xff"}, auth, sig), app.ErrMemoTooLong},
		{"signer not a did", rawTx(t, body(good), &txv1.AuthInfo{Signer: "alice", KeyId: "key-1"}, sig), app.ErrInvalidSigner},
		{"signer upper case", rawTx(t, body(good), &txv1.AuthInfo{Signer: strings.ToUpper(alice.did), KeyId: "key-1"}, sig), app.ErrInvalidSigner},
		{"signer other case of id", rawTx(t, body(good), &txv1.AuthInfo{Signer: "did:icn:" + strings.ToUpper(alice.did[8:]), KeyId: "key-1"}, sig), app.ErrInvalidSigner},
		{"key id too long", rawTx(t, body(good), &txv1.AuthInfo{Signer: alice.did, KeyId: strings.Repeat("k", 40)}, sig), app.ErrInvalidSigner},
		{"no messages", rawTx(t, body(), auth, sig), app.ErrNoMessages},
		{"too many messages", rawTx(t, body(tooMany...), auth, sig), app.ErrTooManyMessages},
		{"empty message", rawTx(t, body(&txv1.Msg{}), auth, sig), app.ErrUnknownMessage},
		{"cid garbage", rawTx(t, body(anchorMsg([]byte{1, 2, 3}, "doc")), auth, sig), dag.ErrInvalidCID},
		{"cid v0", rawTx(t, body(anchorMsg(v0, "doc")), auth, sig), dag.ErrInvalidCID},
		{"cid too long", rawTx(t, body(anchorMsg(make([]byte, dag.MaxCIDLength+1), "doc")), auth, sig), dag.ErrInvalidCID},
		{"kind too long", rawTx(t, body(anchorMsg(testCID(t, "x"), strings.Repeat("k", dag.MaxKindLength+1))), auth, sig), dag.ErrInvalidKind},
		{"kind upper case", rawTx(t, body(anchorMsg(testCID(t, "x"), "Doc")), auth, sig), dag.ErrInvalidKind},
		{"too many links", rawTx(t, body(anchorMsg(testCID(t, "x"), "doc", manyLinks...)), auth, sig), dag.ErrTooManyLinks},
		{"bad link", rawTx(t, body(anchorMsg(testCID(t, "x"), "doc", []byte{9})), auth, sig), dag.ErrInvalidCID},
		{"register short key", rawTx(t, body(&txv1.Msg{Sum: &txv1.Msg_RegisterDid{RegisterDid: &identityv1.MsgRegisterDID{PublicKey: []byte{1}, ProofOfPossession: sig}}}), auth, sig), did.ErrInvalidPublicKey},
	}
	dec := newDecoder(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dec.DecodeTx(tc.raw)
			if err == nil {
				t.Fatal("DecodeTx accepted the input")
			}
			space, code := modules.ResultCode(err)
			if space != tc.want.Codespace() || code != tc.want.Code() {
				t.Fatalf("want %s/%d (%s), got %s/%d: %v", tc.want.Codespace(), tc.want.Code(), tc.want, space, code, err)
			}
		})
	}
	if _, err := dec.DecodeTx(valid); err != nil {
		t.Fatalf("valid tx refused: %v", err)
	}
}

// TestAuthErrors checks the exact code CheckTx and FinalizeBlock give each
// well-formed transaction that may not run, and that none of them changes
// state.
func TestAuthErrors(t *testing.T) {
	alice, bob, stranger := newAccount(1), newAccount(2), newAccount(3)
	poor := newAccount(4)
	// poor has too little mana for any transaction.
	g := genesisWith(t, funded{alice, 1_000_000}, funded{bob, 1_000_000}, funded{poor, 5})
	c := testCID(t, "auth")
	cases := []struct {
		name string
		tx   func() []byte
		want *modules.Error
	}{
		{"wrong chain id", func() []byte {
			return alice.signTx(t, txOpts{chainID: "other-chain", seq: u64(0)}, anchorMsg(c, "doc"))
		}, app.ErrWrongChainID},
		{"unknown signer", func() []byte { return stranger.signTx(t, txOpts{seq: u64(0)}, anchorMsg(c, "doc")) }, app.ErrUnknownSigner},
		{"unknown key", func() []byte { return alice.signTx(t, txOpts{seq: u64(0), keyID: "key-9"}, anchorMsg(c, "doc")) }, app.ErrUnknownKey},
		{"bad signature", func() []byte { return alice.signTx(t, txOpts{seq: u64(0), signWith: bob.priv}, anchorMsg(c, "doc")) }, app.ErrBadSignature},
		{"skipped sequence", func() []byte { return alice.signTx(t, txOpts{seq: u64(1)}, anchorMsg(c, "doc")) }, app.ErrBadSequence},
		{"expired timeout height", func() []byte { return alice.signTx(t, txOpts{seq: u64(0), timeout: 1}, anchorMsg(c, "doc")) }, app.ErrTxExpired},
		{"missing mana", func() []byte { return poor.signTx(t, txOpts{seq: u64(0)}, anchorMsg(c, "doc")) }, mana.ErrInsufficientMana},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := newTestApp(t, g)
			block(t, a) // height 1, so a timeout height of 1 has passed at 2
			before := a.LastCommit().Hash
			raw := tc.tx()
			wantCode(t, a.CheckTx(raw), tc.want)
			res, hash := block(t, a, raw)
			wantCode(t, res[0], tc.want)
			// An empty block changes no state either, so the app hash must
			// equal the one of an empty block after the same history.
			ref, _ := newTestApp(t, g)
			block(t, ref)
			_, refHash := block(t, ref)
			if !bytes.Equal(hash, refHash) {
				t.Fatalf("refused tx changed state: hash %X, empty block gives %X (before %X)", hash, refHash, before)
			}
		})
	}
}

func TestReplayedSequence(t *testing.T) {
	alice := newAccount(1)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	first := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "1"), "doc"))
	wantCode(t, a.CheckTx(first), nil)
	res, _ := block(t, a, first)
	wantCode(t, res[0], nil)
	// The same bytes again: the sequence is used up.
	wantCode(t, a.CheckTx(first), app.ErrBadSequence)
	res, _ = block(t, a, first)
	wantCode(t, res[0], app.ErrBadSequence)
	// A fresh transaction reusing sequence 0.
	again := alice.signTx(t, txOpts{seq: u64(0)}, anchorMsg(testCID(t, "2"), "doc"))
	wantCode(t, a.CheckTx(again), app.ErrBadSequence)
}

func TestCheckTxQueuesSequences(t *testing.T) {
	alice := newAccount(1)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	var txs [][]byte
	for i := 0; i < 3; i++ {
		raw := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, string(rune('a'+i))), "doc"))
		wantCode(t, a.CheckTx(raw), nil)
		txs = append(txs, raw)
	}
	// The fourth with a gap is refused; after the block commits, recheck of
	// the included ones fails (sequence used) and a new one at 3 passes.
	wantCode(t, a.CheckTx(alice.signTx(t, txOpts{seq: u64(4)}, anchorMsg(testCID(t, "gap"), "doc"))), app.ErrBadSequence)
	res, _ := block(t, a, txs...)
	for i := range res {
		wantCode(t, res[i], nil)
	}
	wantCode(t, a.CheckTx(txs[0]), app.ErrBadSequence)
	wantCode(t, a.CheckTx(alice.signTx(t, txOpts{seq: u64(3)}, anchorMsg(testCID(t, "d"), "doc"))), nil)
}

func TestAnchorAndQuery(t *testing.T) {
	alice := newAccount(1)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	c, link := testCID(t, "entry"), testCID(t, "link")
	res, _ := block(t, a, alice.signTx(t, txOpts{memo: "first"}, anchorMsg(c, "report", link)))
	wantCode(t, res[0], nil)
	if got := eventTypes(res[0].Events); got != "icn.mana.charged,icn.tx,icn.dag.anchored" {
		t.Fatalf("events: %s", got)
	}
	q := a.Query(protocol.QueryPathStore, dag.EntryKey(c, alice.did), 0, false)
	if q.Code != 0 || q.Height != 1 {
		t.Fatalf("query: code %d height %d: %s", q.Code, q.Height, q.Log)
	}
	var e dagv1.Entry
	if err := e.Unmarshal(q.Value); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Cid, c) || e.Kind != "report" || len(e.Links) != 1 || !bytes.Equal(e.Links[0], link) || e.AnchoredBy != alice.did || e.Height != 1 {
		t.Fatalf("entry: %+v", e)
	}

	// Anchoring the same CID again fails at execution: the charge and the
	// sequence bump stay, the entry is unchanged.
	balance := func() uint64 {
		q := a.Query(protocol.QueryPathStore, mana.AccountKey(alice.did), 0, false)
		var acc manav1.Account
		if err := acc.Unmarshal(q.Value); err != nil {
			t.Fatal(err)
		}
		return acc.Balance
	}
	before := balance()
	res, _ = block(t, a, alice.signTx(t, txOpts{}, anchorMsg(c, "other")))
	wantCode(t, res[0], dag.ErrAnchoredAgain)
	if got := eventTypes(res[0].Events); got != "icn.mana.charged,icn.tx" {
		t.Fatalf("failed tx events: %s", got)
	}
	if after := balance(); after >= before+1 { // +1: one block of regeneration
		t.Fatalf("failed tx was not charged: balance %d -> %d", before, after)
	}
	if got, err := a.DID().Sequence(ctxAt(a), alice.did); err != nil || got != 2 {
		t.Fatalf("sequence after failed tx = %d, want 2", got)
	}
	q = a.Query(protocol.QueryPathStore, dag.EntryKey(c, alice.did), 0, false)
	if err := e.Unmarshal(q.Value); err != nil || e.Kind != "report" {
		t.Fatalf("entry changed by failed tx: %+v %v", e, err)
	}
	// Absent keys answer with a nil value, and unknown heights with a code.
	if q := a.Query(protocol.QueryPathStore, dag.EntryKey(testCID(t, "none"), alice.did), 0, false); q.Code != 0 || q.Value != nil {
		t.Fatalf("absent key: %+v", q)
	}
	if q := a.Query(protocol.QueryPathStore, dag.EntryKey(c, alice.did), 99, false); q.Code != app.ErrHeightUnavailable.Code() {
		t.Fatalf("future height: %+v", q)
	}
	if q := a.Query("/nope", dag.EntryKey(c, alice.did), 0, false); q.Code != app.ErrUnknownQueryPath.Code() {
		t.Fatalf("unknown path: %+v", q)
	}
}

func TestRegisterDID(t *testing.T) {
	alice := newAccount(1)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	newKey := newAccount(7)
	res, _ := block(t, a, alice.signTx(t, txOpts{}, registerMsg(testChainID, newKey.priv)))
	wantCode(t, res[0], nil)
	doc, err := a.DID().Document(ctxAt(a), newKey.did)
	if err != nil {
		t.Fatal(err)
	}
	if doc.RegisteredBy != alice.did || len(doc.Keys) != 1 || !bytes.Equal(doc.Keys[0].PublicKey, newKey.pub()) {
		t.Fatalf("document: %+v", doc)
	}
	w3c := did.Resolve(doc)
	if w3c.ID != newKey.did || len(w3c.VerificationMethod) != 1 || w3c.Authentication[0] != newKey.did+"#key-1" {
		t.Fatalf("resolved: %+v", w3c)
	}
	// A new DID has no capacity by default: it cannot transact.
	wantCode(t, a.CheckTx(newKey.signTx(t, txOpts{}, anchorMsg(testCID(t, "n"), "doc"))), mana.ErrInsufficientMana)

	// Registering again, or with a proof of possession for another chain.
	res, _ = block(t, a,
		alice.signTx(t, txOpts{}, registerMsg(testChainID, newKey.priv)),
		alice.signTx(t, txOpts{}, registerMsg("other-chain", newAccount(8).priv)))
	wantCode(t, res[0], did.ErrDIDExists)
	wantCode(t, res[1], did.ErrBadProofOfPossession)
}

func TestProposals(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice, bob))
	good1 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "1"), "doc"))
	good2 := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "2"), "doc"))
	badSig := bob.signTx(t, txOpts{signWith: alice.priv}, anchorMsg(testCID(t, "3"), "doc"))
	garbage := []byte("not a transaction")
	h, ts := int64(1), genesisTime

	got := prepare(t, a, h, ts, [][]byte{good1, garbage, badSig, good2}, 1<<20)
	if len(got) != 2 || !bytes.Equal(got[0], good1) || !bytes.Equal(got[1], good2) {
		t.Fatalf("PrepareProposal kept %d txs", len(got))
	}
	// The limit counts each transaction's protobuf framing in the block,
	// exactly as CometBFT does.
	both := cmttypes.ComputeProtoSizeForTxs([]cmttypes.Tx{good1, good2})
	if got := prepare(t, a, h, ts, [][]byte{good1, good2}, both); len(got) != 2 {
		t.Fatalf("PrepareProposal with room for both kept %d txs", len(got))
	}
	if got := prepare(t, a, h, ts, [][]byte{good1, good2}, both-1); len(got) != 1 {
		t.Fatalf("PrepareProposal ignored the byte limit: %d txs", len(got))
	}
	// Out of order: good2 before good1 fails its sequence, and good1 alone
	// then still fits.
	if got := prepare(t, a, h, ts, [][]byte{good2, good1}, 1<<20); len(got) != 1 || !bytes.Equal(got[0], good1) {
		t.Fatalf("PrepareProposal with reordered sequences kept %d", len(got))
	}

	if err := a.ProcessProposal(h, ts, [][]byte{good1, good2}, []byte("p1")); err != nil {
		t.Fatalf("good proposal rejected: %v", err)
	}
	for name, txs := range map[string][][]byte{
		"undecodable":     {good1, garbage},
		"bad signature":   {badSig},
		"sequence gap":    {good2},
		"duplicate tx":    {good1, good1},
		"wrong chain":     {alice.signTx(t, txOpts{chainID: "x", seq: u64(0)}, anchorMsg(testCID(t, "4"), "doc"))},
		"unknown signer":  {newAccount(9).signTx(t, txOpts{}, anchorMsg(testCID(t, "5"), "doc"))},
		"oversized bytes": {make([]byte, app.MaxTxBytes+1)},
	} {
		if err := a.ProcessProposal(h, ts, txs, []byte("p2")); err == nil {
			t.Errorf("%s: proposal accepted", name)
		}
	}
	// None of the proposals changed state: the block now gives what it
	// gives on an app that saw no proposal.
	res, hash := block(t, a, good1, good2)
	wantCode(t, res[0], nil)
	wantCode(t, res[1], nil)
	fresh, _ := newTestApp(t, genesisFor(t, 1_000_000, alice, bob))
	if _, want := block(t, fresh, good1, good2); !bytes.Equal(hash, want) {
		t.Fatalf("proposals left state behind: hash %X, fresh app %X", hash, want)
	}
}

func eventTypes(events []modules.Event) string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.Type
	}
	return strings.Join(names, ",")
}

func ctxAt(a *app.App) modules.Context {
	ro, err := a.CommittedState(a.LastCommit().Version)
	if err != nil {
		panic(err)
	}
	return modules.NewContext(testChainID, a.LastCommit().Version, genesisTime, ro)
}

func marshal(t *testing.T, m interface{ Marshal() ([]byte, error) }) []byte {
	t.Helper()
	bz, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

func prepare(t *testing.T, a *app.App, h int64, ts time.Time, txs [][]byte, maxBytes int64) [][]byte {
	t.Helper()
	out, err := a.PrepareProposal(h, ts, txs, maxBytes)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBrokenStateStopsTheNode corrupts a signer's stored sequence: CheckTx
// reports a Broken result and PrepareProposal, ProcessProposal and
// FinalizeBlock return errors (which stop the node) instead of results.
func TestBrokenStateStopsTheNode(t *testing.T) {
	alice := newAccount(1)
	a, cms := newTestApp(t, genesisFor(t, 1_000_000, alice))
	cms.Working().Set(did.SequenceKey(alice.did), []byte{1, 2, 3})
	if _, err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	raw := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "x"), "doc"))
	if res := a.CheckTx(raw); !res.Broken() {
		t.Fatalf("CheckTx over a corrupt sequence: %+v", res)
	}
	if _, err := a.PrepareProposal(2, genesisTime, [][]byte{raw}, 1<<20); err == nil {
		t.Fatal("PrepareProposal returned no error")
	}
	err := a.ProcessProposal(2, genesisTime, [][]byte{raw}, []byte("h"))
	if err == nil || errors.Is(err, app.ErrRejectProposal) {
		t.Fatalf("ProcessProposal: %v (want an error that is not a rejection)", err)
	}
	if _, _, err := finalize(a, 2, genesisTime, [][]byte{raw}, nil); err == nil {
		t.Fatal("FinalizeBlock returned no error")
	}
}

// TestProposalMaxTxs: a node's own proposals hold at most ProposalMaxTxs
// transactions, while it accepts larger blocks from others.
func TestProposalMaxTxs(t *testing.T) {
	alice := newAccount(1)
	g := genesisFor(t, 1_000_000, alice)
	cms, err := store.Open(memDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{ProposalMaxTxs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, g); err != nil {
		t.Fatal(err)
	}
	var txs [][]byte
	for i := 0; i < 3; i++ {
		txs = append(txs, alice.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprint("cap", i)), "doc")))
	}
	if got := prepare(t, a, 1, genesisTime, txs, 1<<20); len(got) != 2 {
		t.Fatalf("proposal holds %d txs, cap is 2", len(got))
	}
	if err := a.ProcessProposal(1, genesisTime, txs, []byte("big")); err != nil {
		t.Fatalf("a 3-tx block from another proposer was rejected: %v", err)
	}
}
