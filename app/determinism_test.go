package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/dag"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/modules/profile"
	"github.com/intercooperative/icnd/store"
)

// blockSequence builds a deterministic history: anchors, registrations,
// failing and refused transactions, spread over several blocks.
func blockSequence(t *testing.T) (genesis []byte, blocks [][][]byte) {
	alice, bob := newAccount(1), newAccount(2)
	genesis = genesisFor(t, 10_000_000, alice, bob)
	for h := 0; h < 12; h++ {
		var txs [][]byte
		for i := 0; i < 5; i++ {
			txs = append(txs, alice.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprintf("a-%d-%d", h, i)), "doc")))
		}
		txs = append(txs, alice.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprintf("a-%d-0", h)), "dup"))) // fails: alice anchored it already
		txs = append(txs, bob.signTx(t, txOpts{}, registerMsg(testChainID, newAccount(byte(100+h)).priv)))
		txs = append(txs, []byte("garbage"))                                                                          // refused
		txs = append(txs, alice.signTx(t, txOpts{seq: u64(0)}, anchorMsg(testCID(t, fmt.Sprintf("r-%d", h)), "doc"))) // replay
		blocks = append(blocks, txs)
	}
	return genesis, blocks
}

// TestDeterminism replays the same blocks into two fresh apps and requires
// the same app hash and the same results at every height.
func TestDeterminism(t *testing.T) {
	genesis, blocks := blockSequence(t)
	a, _ := newTestApp(t, genesis)
	b, _ := newTestApp(t, genesis)
	for i, txs := range blocks {
		h := int64(i + 1)
		ts := genesisTime.Add(time.Duration(h) * time.Second)
		ra, ha, err := finalize(a, h, ts, txs, nil)
		if err != nil {
			t.Fatal(err)
		}
		rb, hb, err := finalize(b, h, ts, txs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ha, hb) {
			t.Fatalf("height %d: app hashes differ: %X vs %X", h, ha, hb)
		}
		if fmt.Sprint(ra) != fmt.Sprint(rb) {
			t.Fatalf("height %d: results differ:\n%v\n%v", h, ra, rb)
		}
		if _, err := a.Commit(); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		// The history exercises success, execution failure and refusal.
		codes := map[uint32]bool{}
		for _, r := range ra {
			codes[r.Code] = true
		}
		if len(codes) < 3 {
			t.Fatalf("height %d: history too uniform, codes %v", h, codes)
		}
	}
	// The whole history checks out in export form as well.
	ga, _, err := a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ga.DAG.Entries) != 12*5 || len(ga.DID.Documents) != 2+12 {
		t.Fatalf("export: %d entries, %d documents", len(ga.DAG.Entries), len(ga.DID.Documents))
	}
	if err := ga.Validate(); err != nil {
		t.Fatalf("exported genesis does not validate: %v", err)
	}
}

// TestRestart checks the persistence contract: Commit persists, a block
// finalized but not committed is lost, and the app reopens at exactly the
// last committed height and hash, from which replaying the lost block gives
// the same hash as before.
func TestRestart(t *testing.T) {
	genesis, blocks := blockSequence(t)
	dir := t.TempDir()
	open := func() (*app.App, *store.CommitStore) {
		cms, err := store.OpenDir(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		a, err := app.New(cms, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return a, cms
	}
	a, cms := open()
	if _, err := a.InitChain(testChainID, 1, genesisTime, genesis); err != nil {
		t.Fatal(err)
	}
	for _, txs := range blocks[:5] {
		block(t, a, txs...)
	}
	committed := a.LastCommit()
	_, lostHash, err := finalize(a, 6, genesisTime.Add(6*time.Second), blocks[5], nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cms.Close(); err != nil { // "killed" between FinalizeBlock and Commit
		t.Fatal(err)
	}

	a, cms = open()
	defer cms.Close()
	if got := a.LastCommit(); got.Version != committed.Version || !bytes.Equal(got.Hash, committed.Hash) {
		t.Fatalf("reopened at %d/%X, want %d/%X", got.Version, got.Hash, committed.Version, committed.Hash)
	}
	if a.ChainID() != testChainID {
		t.Fatalf("chain id after restart: %q", a.ChainID())
	}
	_, replayHash, err := finalize(a, 6, genesisTime.Add(6*time.Second), blocks[5], nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(replayHash, lostHash) {
		t.Fatalf("replayed block 6 gives %X, first run gave %X", replayHash, lostHash)
	}
	if _, err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, genesis); err == nil {
		t.Fatal("InitChain accepted on a store with history")
	}
	if _, _, err := finalize(a, 9, genesisTime, nil, nil); err == nil {
		t.Fatal("FinalizeBlock accepted a height gap")
	}
}

// TestPrefixesDoNotOverlap checks that no module's keys can collide with
// another's: every key family starts with a distinct byte sequence that is
// not a prefix of another.
func TestPrefixesDoNotOverlap(t *testing.T) {
	did := newAccount(1).did
	c := testCID(t, "p")
	other := newAccount(2).did
	families := map[string][]byte{
		"app/chain-id":          {modules.PrefixApp, 0x01},
		"did/document":          didmod.DocumentKey(did)[:2],
		"did/sequence":          didmod.SequenceKey(did)[:2],
		"org/organization":      org.OrganizationKey(did)[:2],
		"org/membership":        org.MembershipKey(did, other)[:2],
		"org/member-of":         org.MemberOfKey(did, other)[:2],
		"org/invitation":        org.InvitationKey(did, other)[:2],
		"org/freeze":            org.FreezeKey(did, other)[:2],
		"org/freeze-count":      org.FreezeCountKey(did)[:2],
		"org/root-freeze":       org.RootFreezeKey(did)[:2],
		"credential/credential": credential.CredentialKey(did, c)[:2],
		"profile/profile":       profile.ProfileKey(did)[:2],
		"profile/email-index":   profile.EmailIndexKey(make([]byte, profile.EmailHashLength), did)[:2],
		"mana/account":          mana.AccountKey(did)[:2],
		"mana/params":           mana.ParamsKey(),
		"dag/entry":             dag.EntryKey(c, did)[:2],
		"governance":            {modules.PrefixGovernance},
		"mesh":                  {modules.PrefixMesh},
	}
	// Each family starts with its owner's prefix.
	owners := map[string]byte{"app": modules.PrefixApp, "did": modules.PrefixDID, "org": modules.PrefixOrg,
		"credential": modules.PrefixCredential, "profile": modules.PrefixProfile, "mana": modules.PrefixMana,
		"dag": modules.PrefixDAG, "governance": modules.PrefixGovernance, "mesh": modules.PrefixMesh}
	for name, key := range families {
		owner, _, _ := strings.Cut(name, "/")
		if key[0] != owners[owner] {
			t.Errorf("%s starts with %#x, not the %s prefix %#x", name, key[0], owner, owners[owner])
		}
	}
	for a, pa := range families {
		for b, pb := range families {
			if a != b && bytes.HasPrefix(pa, pb) {
				t.Errorf("%s (%X) starts with %s (%X)", a, pa, b, pb)
			}
		}
	}
	// Module prefixes are distinct bytes.
	seen := map[byte]bool{}
	for _, p := range []byte{modules.PrefixApp, modules.PrefixDID, modules.PrefixOrg, modules.PrefixCredential, modules.PrefixProfile,
		modules.PrefixGovernance, modules.PrefixMana, modules.PrefixMesh, modules.PrefixDAG} {
		if seen[p] {
			t.Errorf("module prefix %#x used twice", p)
		}
		seen[p] = true
	}
	// Length-prefixed parts: two different DIDs never share a key.
	if bytes.Equal(didmod.DocumentKey("did:icn:a"), didmod.DocumentKey("did:icn:a\x00")) {
		t.Error("variable parts are not length-prefixed")
	}
}

// TestErrorCodesAreUnique documents every registered code and checks none
// is zero; Register itself panics on duplicates at start-up.
func TestErrorCodesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range modules.Registered() {
		key := fmt.Sprintf("%s/%d", e.Codespace(), e.Code())
		if e.Code() == 0 || seen[key] {
			t.Errorf("bad or duplicate code %s (%s)", key, e)
		}
		seen[key] = true
	}
	if len(seen) < 20 {
		t.Fatalf("only %d codes registered", len(seen))
	}
}

func TestGenesisValidation(t *testing.T) {
	alice := newAccount(1)
	good := string(genesisFor(t, 100, alice))
	cases := map[string]string{
		"unknown field":        `{"did":{"documents":[]},"mana":{"params":{}},"dag":{},"extra":1}`,
		"old identity section": `{"identity":{"documents":[]},"mana":{"params":{}},"dag":{}}`,
		"missing params":       `{"did":{"documents":[]},"mana":{},"dag":{}}`,
		"orphan account":       `{"did":{"documents":[]},"mana":{"params":{},"accounts":[{"did":"` + alice.did + `","balance":1,"capacity":1}]},"dag":{}}`,
		"bad did":              `{"did":{"documents":[{"did":"did:icn:XYZ","keys":[]}]},"mana":{"params":{}},"dag":{}}`,
		"founder without a document": `{"did":{"documents":[]},"org":{"organizations":[{"did":"` + org.DeriveOrgDID("", "root") +
			`","name":"root","kind":"federation","founder":"` + alice.did + `","control":"assembly"}]},"mana":{"params":{}},"dag":{}}`,
		"profile of an unknown DID": `{"did":{"documents":[]},"profile":{"profiles":[{"did":"` + alice.did + `"}]},"mana":{"params":{}},"dag":{}}`,
		"trailing data":             good + "{}",
		"invalid dag entry":         `{"did":{"documents":[]},"mana":{"params":{},"accounts":[]},"dag":{"entries":[{"cid":"AXAS","kind":"x"}]}}`,
		"not json at all":           `nope`,
	}
	for name, g := range cases {
		t.Run(name, func(t *testing.T) {
			cms, err := store.Open(memDB(), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			a, err := app.New(cms, app.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.InitChain(testChainID, 1, genesisTime, []byte(g)); err == nil {
				t.Fatal("InitChain accepted an invalid genesis")
			}
		})
	}
}

// TestExportRestart restarts a chain from an exported genesis: the state
// hash matches, and old transactions stay refused because sequences are
// part of the export.
func TestExportRestart(t *testing.T) {
	alice := newAccount(1)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	old := alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "old"), "doc"))
	res, _ := block(t, a, old)
	wantCode(t, res[0], nil)
	g, h, err := a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.DID.Sequences) != 1 || g.DID.Sequences[0].Sequence != 1 {
		t.Fatalf("exported sequences: %+v", g.DID.Sequences)
	}
	bz, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	cms, err := store.Open(memDB(), store.Options{InitialVersion: uint64(h + 1)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.InitChain(testChainID, h+1, genesisTime, bz); err != nil {
		t.Fatalf("InitChain from export: %v", err)
	}
	wantCode(t, b.CheckTx(old), app.ErrBadSequence)
	// The restarted chain starts at the initial height.
	res, _, err = finalize(b, h+1, genesisTime, [][]byte{old, alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "new"), "doc"))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, res[0], app.ErrBadSequence)
	wantCode(t, res[1], nil)
	id, err := b.Commit()
	if err != nil || id.Version != h+1 {
		t.Fatalf("first commit of restarted chain: %+v %v", id, err)
	}
	if _, _, err := finalize(b, 1, genesisTime, nil, nil); err == nil {
		t.Fatal("restarted chain accepted height 1")
	}
}

// TestProcessProposalReuse checks that FinalizeBlock of a block that
// ProcessProposal executed gives exactly what executing it afresh gives, and
// that a different block at the same height (another round) is executed
// afresh.
func TestProcessProposalReuse(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	g := genesisFor(t, 1_000_000, alice, bob)
	var txs [][]byte
	for i := 0; i < 10; i++ {
		txs = append(txs, alice.signTx(t, txOpts{}, anchorMsg(testCID(t, fmt.Sprint("r", i)), "doc")))
	}
	txs = append(txs, alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "r0"), "dup"))) // fails at execution: alice anchored it already
	ts := genesisTime.Add(time.Second)

	fresh, _ := newTestApp(t, g)
	want, wantHash, err := finalize(fresh, 1, ts, txs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, finalizeHash := range map[string][]byte{"same block": []byte("B"), "same txs, other hash": []byte("other")} {
		t.Run(name, func(t *testing.T) {
			a, _ := newTestApp(t, g)
			if err := a.ProcessProposal(1, ts, txs, []byte("B")); err != nil {
				t.Fatal(err)
			}
			if v := a.LastCommit().Version; v != 0 {
				t.Fatalf("ProcessProposal committed: %d", v)
			}
			got, hash, err := finalize(a, 1, ts, txs, finalizeHash)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(hash, wantHash) || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("results differ from a fresh execution:\n%v\n%v", got, want)
			}
			if got[10].Code != dag.ErrAnchoredAgain.Code() {
				t.Fatalf("duplicate anchor: %+v", got[10])
			}
		})
	}
}

// TestProposalThenOtherBlock: ProcessProposal accepts block A, then the
// network decides block B at the same height (another round). FinalizeBlock
// of B must give what executing B afresh gives, not A's results. Likewise,
// accepting A, then rejecting a proposal C, then deciding A executes A
// correctly.
func TestProposalThenOtherBlock(t *testing.T) {
	alice := newAccount(1)
	g := genesisFor(t, 1_000_000, alice)
	blockA := [][]byte{
		alice.signTx(t, txOpts{seq: u64(0)}, anchorMsg(testCID(t, "A"), "doc")),
		alice.signTx(t, txOpts{seq: u64(1)}, anchorMsg(testCID(t, "A2"), "doc")),
	}
	blockB := [][]byte{
		alice.signTx(t, txOpts{seq: u64(0)}, anchorMsg(testCID(t, "B"), "doc")),
		alice.signTx(t, txOpts{seq: u64(1)}, anchorMsg(testCID(t, "B2"), "doc")),
	}
	ts := genesisTime.Add(time.Second)
	freshResult := func(txs [][]byte) ([]app.TxResult, []byte) {
		f, _ := newTestApp(t, g)
		res, hash, err := finalize(f, 1, ts, txs, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res, hash
	}
	wantB, wantBHash := freshResult(blockB)
	a, _ := newTestApp(t, g)
	if err := a.ProcessProposal(1, ts, blockA, []byte("A")); err != nil {
		t.Fatal(err)
	}
	gotB, gotBHash, err := finalize(a, 1, ts, blockB, []byte("B"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotBHash, wantBHash) || fmt.Sprint(gotB) != fmt.Sprint(wantB) {
		t.Fatal("FinalizeBlock of B used the execution of proposal A")
	}

	wantA, wantAHash := freshResult(blockA)
	c, _ := newTestApp(t, g)
	if err := c.ProcessProposal(1, ts, blockA, []byte("A")); err != nil {
		t.Fatal(err)
	}
	if err := c.ProcessProposal(1, ts, [][]byte{[]byte("junk")}, []byte("C")); err == nil {
		t.Fatal("junk proposal accepted")
	}
	gotA, gotAHash, err := finalize(c, 1, ts, blockA, []byte("A"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotAHash, wantAHash) || fmt.Sprint(gotA) != fmt.Sprint(wantA) {
		t.Fatal("FinalizeBlock of A after a rejected proposal differs from a fresh execution")
	}
	// And a different block time is executed afresh too.
	d, _ := newTestApp(t, g)
	if err := d.ProcessProposal(1, ts, blockA, []byte("A")); err != nil {
		t.Fatal(err)
	}
	if _, hash, err := finalize(d, 1, ts.Add(time.Second), blockA, []byte("A")); err != nil || !bytes.Equal(hash, wantAHash) {
		t.Fatalf("other block time: %v", err)
	}
}

// TestDeterminismThroughProposals replays the history of TestDeterminism,
// without the transactions a proposal may not hold, through
// ProcessProposal and FinalizeBlock of the same hash on one app and through
// FinalizeBlock alone on another: the reuse path must agree with fresh
// execution at every height.
func TestDeterminismThroughProposals(t *testing.T) {
	genesis, blocks := blockSequence(t)
	a, _ := newTestApp(t, genesis)
	b, _ := newTestApp(t, genesis)
	for i, txs := range blocks {
		txs = txs[:len(txs)-2] // drop the garbage and the replay
		h := int64(i + 1)
		ts := genesisTime.Add(time.Duration(h) * time.Second)
		hash := []byte(fmt.Sprint("block", h))
		if err := a.ProcessProposal(h, ts, txs, hash); err != nil {
			t.Fatalf("height %d: proposal rejected: %v", h, err)
		}
		ra, ha, err := finalize(a, h, ts, txs, hash)
		if err != nil {
			t.Fatal(err)
		}
		rb, hb, err := finalize(b, h, ts, txs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ha, hb) || fmt.Sprint(ra) != fmt.Sprint(rb) {
			t.Fatalf("height %d: reuse path differs from fresh execution", h)
		}
		for _, x := range []*app.App{a, b} {
			if _, err := x.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
}
