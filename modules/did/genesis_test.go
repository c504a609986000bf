package did

import (
	"crypto/ed25519"
	"strings"
	"testing"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

func TestGenesisLifecycleFields(t *testing.T) {
	pub1 := seedKey(1).Public().(ed25519.PublicKey)
	pub2 := seedKey(2).Public().(ed25519.PublicKey)
	alice, bob := DeriveDID(pub1), DeriveDID(pub2)
	docs := func(mutate func(a *identityv1.DIDDocument)) Genesis {
		a := &identityv1.DIDDocument{Did: alice, Keys: []*identityv1.VerificationKey{
			{Id: "key-1", PublicKey: pub1, AddedHeight: 1},
			{Id: "key-2", PublicKey: seedKey(3).Public().(ed25519.PublicKey), AddedHeight: 2},
		}}
		mutate(a)
		return Genesis{Documents: []*identityv1.DIDDocument{a,
			{Did: bob, Keys: []*identityv1.VerificationKey{{Id: "key-1", PublicKey: pub2}}}}}
	}
	ok := []func(a *identityv1.DIDDocument){
		func(a *identityv1.DIDDocument) {},
		func(a *identityv1.DIDDocument) { a.Keys[0].RevokedHeight = 3 },
		func(a *identityv1.DIDDocument) { a.Controllers = sortedPair(alice, bob) },
		func(a *identityv1.DIDDocument) {
			a.Keys[0].RevokedHeight, a.Keys[1].RevokedHeight, a.DeactivatedHeight = 3, 3, 4
		},
	}
	for i, m := range ok {
		if err := docs(m).Validate(nil); err != nil {
			t.Errorf("valid genesis %d refused: %v", i, err)
		}
	}
	bad := map[string]func(a *identityv1.DIDDocument){
		"revoked before added":     func(a *identityv1.DIDDocument) { a.Keys[1].RevokedHeight = 1 },
		"negative height":          func(a *identityv1.DIDDocument) { a.DeactivatedHeight = -1 },
		"all keys revoked":         func(a *identityv1.DIDDocument) { a.Keys[0].RevokedHeight, a.Keys[1].RevokedHeight = 3, 3 },
		"same public key twice":    func(a *identityv1.DIDDocument) { a.Keys[1].PublicKey = pub1 },
		"unsorted controllers":     func(a *identityv1.DIDDocument) { a.Controllers = []string{a.Did, bob}; sortDesc(a.Controllers) },
		"duplicate controllers":    func(a *identityv1.DIDDocument) { a.Controllers = []string{bob, bob} },
		"non-genesis controller":   func(a *identityv1.DIDDocument) { a.Controllers = []string{testDID(9)} },
		"non-canonical controller": func(a *identityv1.DIDDocument) { a.Controllers = []string{strings.ToUpper(bob)} },
	}
	for name, m := range bad {
		t.Run(name, func(t *testing.T) {
			wantErr(t, docs(m).Validate(nil), ErrInvalidGenesis)
		})
	}
}

func sortDesc(s []string) {
	if s[0] < s[1] {
		s[0], s[1] = s[1], s[0]
	}
}

// TestGenesisRoundTrip initialises a keeper from documents and sequences,
// adds a keyless document as another module would, and exports the
// documents with keys and their sequences, in DID order.
func TestGenesisRoundTrip(t *testing.T) {
	var g Genesis
	for seed := byte(3); seed >= 1; seed-- {
		pub := seedKey(seed).Public().(ed25519.PublicKey)
		g.Documents = append(g.Documents, &identityv1.DIDDocument{Did: DeriveDID(pub), RegisteredBy: DeriveDID(pub),
			Keys: []*identityv1.VerificationKey{{Id: FirstKeyID, PublicKey: pub}}})
	}
	g.Sequences = []GenesisSequence{{DID: testDID(2), Sequence: 7}}
	if err := g.Validate(nil); err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t)
	if err := e.k.InitGenesis(e.ctx(1, ""), g); err != nil {
		t.Fatal(err)
	}
	e.keyless(50, testDID(1))
	out, err := e.k.ExportGenesis(e.ctx(1, ""))
	if err != nil {
		t.Fatal(err)
	}
	want := g.DIDs()
	if len(out.Documents) != len(want) {
		t.Fatalf("exported %d documents, want the %d with keys", len(out.Documents), len(want))
	}
	for i, doc := range out.Documents {
		if doc.Did != want[i] {
			t.Fatalf("document %d is %s, want %s", i, doc.Did, want[i])
		}
	}
	if len(out.Sequences) != 1 || out.Sequences[0] != g.Sequences[0] {
		t.Fatalf("sequences %v", out.Sequences)
	}
	if err := out.Validate(nil); err != nil {
		t.Fatalf("export does not validate: %v", err)
	}

	bad := map[string]Genesis{
		"sequence of an unknown DID": {Documents: g.Documents, Sequences: []GenesisSequence{{DID: testDID(9), Sequence: 1}}},
		"sequence listed twice":      {Documents: g.Documents, Sequences: []GenesisSequence{g.Sequences[0], g.Sequences[0]}},
		"document without keys":      {Documents: []*identityv1.DIDDocument{{Did: testDID(50)}}},
		"document listed twice":      {Documents: append(g.Documents, g.Documents[0])},
		"registrant not in genesis":  {Documents: []*identityv1.DIDDocument{{Did: g.Documents[0].Did, RegisteredBy: testDID(9), Keys: g.Documents[0].Keys}}},
	}
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			wantErr(t, b.Validate(nil), ErrInvalidGenesis)
		})
	}
}
