package identity

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// didOpsMana is a ManaAccounts that accepts everything.
type didOpsMana struct{}

func (didOpsMana) CreateAccount(modules.Context, string) error     { return nil }
func (didOpsMana) MembershipChanged(modules.Context, string) error { return nil }

// didOpsEnv is a keeper over a fresh in-memory store.
type didOpsEnv struct {
	t  *testing.T
	k  *Keeper
	kv store.KVStore
}

func newDIDOpsEnv(t *testing.T) *didOpsEnv {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	return &didOpsEnv{t: t, k: NewKeeper(didOpsMana{}), kv: cms.Working()}
}

// ctx is a context at height h for a transaction signed by signer.
func (e *didOpsEnv) ctx(h int64, signer string) modules.Context {
	return modules.NewContext("icn-test", h, time.Unix(0, 0), e.kv).WithSigner(signer)
}

func seedKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(append(make([]byte, 31), seed))
}

// register stores a self-controlled document for seed's key, created at
// height 1, and returns its DID.
func (e *didOpsEnv) register(seed byte) string {
	e.t.Helper()
	pub := seedKey(seed).Public().(ed25519.PublicKey)
	did := DeriveDID(pub)
	doc := &identityv1.DIDDocument{Did: did, CreatedHeight: 1, RegisteredBy: did,
		Keys: []*identityv1.VerificationKey{{Id: FirstKeyID, PublicKey: pub, AddedHeight: 1}}}
	if err := e.k.setDocument(e.ctx(1, ""), doc); err != nil {
		e.t.Fatal(err)
	}
	return did
}

// keyless stores a document without keys, as an organization's, controlled
// by controllers.
func (e *didOpsEnv) keyless(seed byte, controllers ...string) string {
	e.t.Helper()
	did := testDID(seed)
	doc := &identityv1.DIDDocument{Did: did, CreatedHeight: 1, RegisteredBy: did, Controllers: controllers}
	if err := e.k.setDocument(e.ctx(1, ""), doc); err != nil {
		e.t.Fatal(err)
	}
	return did
}

func (e *didOpsEnv) controls(controller, did string) bool {
	e.t.Helper()
	ok, err := e.k.Controls(e.ctx(1, ""), controller, did)
	if err != nil {
		e.t.Fatal(err)
	}
	return ok
}

func addKeyAt(did, keyID string, key ed25519.PrivateKey) *identityv1.MsgAddKey {
	return &identityv1.MsgAddKey{Did: did, KeyId: keyID, PublicKey: key.Public().(ed25519.PublicKey),
		ProofOfPossession: ed25519.Sign(key, KeyPossessionBytes("icn-test", did, keyID))}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
}

func TestControls(t *testing.T) {
	e := newDIDOpsEnv(t)
	alice, bob, carol := e.register(1), e.register(2), e.register(3)

	if !e.controls(alice, alice) || e.controls(bob, alice) {
		t.Fatal("a DID with no controllers must control itself and nothing else controls it")
	}
	if err := e.k.SetControllers(e.ctx(2, ""), alice, []string{carol, bob}); err != nil {
		t.Fatal(err)
	}
	doc, _ := e.k.Document(e.ctx(2, ""), alice)
	if strings.Join(doc.Controllers, ",") != strings.Join(sortedPair(bob, carol), ",") || doc.UpdatedHeight != 2 {
		t.Fatalf("controllers stored as %v (updated %d), want sorted", doc.Controllers, doc.UpdatedHeight)
	}
	if !e.controls(bob, alice) || !e.controls(carol, alice) {
		t.Fatal("a listed controller does not control")
	}
	if e.controls(alice, alice) {
		t.Fatal("a DID with controllers that do not list it still controls itself")
	}
	if e.controls(testDID(9), alice) {
		t.Fatal("an unregistered DID controls")
	}
	if _, err := e.k.Controls(e.ctx(2, ""), alice, testDID(9)); !errors.Is(err, ErrUnknownDID) {
		t.Fatalf("Controls over an unknown DID: %v", err)
	}

	// A deactivated controller controls nothing; a deactivated DID is
	// controlled by nobody.
	if err := e.k.DeactivateDID(e.ctx(3, carol), &identityv1.MsgDeactivateDID{Did: carol}); err != nil {
		t.Fatal(err)
	}
	if e.controls(carol, alice) || !e.controls(bob, alice) {
		t.Fatal("deactivating carol changed the wrong controller")
	}
	if e.controls(carol, carol) {
		t.Fatal("a deactivated DID controls itself")
	}

	// Back to self-control.
	if err := e.k.SetControllers(e.ctx(4, ""), alice, nil); err != nil {
		t.Fatal(err)
	}
	if !e.controls(alice, alice) || e.controls(bob, alice) {
		t.Fatal("an emptied controller list does not return control to the DID")
	}
}

func sortedPair(a, b string) []string {
	if a < b {
		return []string{a, b}
	}
	return []string{b, a}
}

func TestSetControllersRefuses(t *testing.T) {
	e := newDIDOpsEnv(t)
	alice, bob, gone := e.register(1), e.register(2), e.register(3)
	if err := e.k.DeactivateDID(e.ctx(2, gone), &identityv1.MsgDeactivateDID{Did: gone}); err != nil {
		t.Fatal(err)
	}
	many := make([]string, MaxControllers+1)
	for i := range many {
		many[i] = testDID(byte(100 + i))
	}
	cases := []struct {
		name        string
		did         string
		controllers []string
		want        error
	}{
		{"too many", alice, many, ErrInvalidControllers},
		{"duplicate", alice, []string{bob, bob}, ErrInvalidControllers},
		{"upper case", alice, []string{strings.ToUpper(bob)}, ErrInvalidDID},
		{"padded", alice, []string{bob + "="}, ErrInvalidDID},
		{"unregistered controller", alice, []string{testDID(9)}, ErrUnknownDID},
		{"deactivated controller", alice, []string{gone}, ErrDIDDeactivated},
		{"unknown did", testDID(9), []string{bob}, ErrUnknownDID},
		{"deactivated did", gone, []string{bob}, ErrDIDDeactivated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, e.k.SetControllers(e.ctx(3, ""), tc.did, tc.controllers), tc.want)
		})
	}
}

// TestOrganizationDocument checks a keyless document, as an organization
// has: its controller manages nothing key-related through the lifecycle
// messages, and an emptied controller list leaves only the DID's own
// authority, which no key holds.
func TestOrganizationDocument(t *testing.T) {
	e := newDIDOpsEnv(t)
	founder := e.register(1)
	org := e.keyless(50, founder)
	if !e.controls(founder, org) || e.controls(org, org) {
		t.Fatal("the founder must control the organization, and only the founder")
	}
	wantErr(t, e.k.AddKey(e.ctx(2, founder), addKeyAt(org, "key-1", seedKey(7))), ErrKeylessDocument)
	wantErr(t, e.k.DeactivateDID(e.ctx(2, founder), &identityv1.MsgDeactivateDID{Did: org}), ErrKeylessDocument)
	wantErr(t, e.k.AddKey(e.ctx(2, e.register(2)), addKeyAt(org, "key-1", seedKey(7))), ErrNotController)

	if err := e.k.SetControllers(e.ctx(3, ""), org, nil); err != nil {
		t.Fatal(err)
	}
	if e.controls(founder, org) {
		t.Fatal("the founder still controls the organization after handing control to the assembly")
	}
	if !e.controls(org, org) {
		t.Fatal("the organization's own authority (a governance outcome) must control it")
	}
}

func TestKeyAt(t *testing.T) {
	e := newDIDOpsEnv(t)
	alice := e.register(1)
	key2 := seedKey(2)
	if err := e.k.AddKey(e.ctx(5, alice), addKeyAt(alice, "key-2", key2)); err != nil {
		t.Fatal(err)
	}
	if err := e.k.RevokeKey(e.ctx(8, alice), &identityv1.MsgRevokeKey{Did: alice, KeyId: FirstKeyID}); err != nil {
		t.Fatal(err)
	}
	if err := e.k.DeactivateDID(e.ctx(10, alice), &identityv1.MsgDeactivateDID{Did: alice}); err != nil {
		t.Fatal(err)
	}
	key1pub := seedKey(1).Public().(ed25519.PublicKey)
	key2pub := key2.Public().(ed25519.PublicKey)
	cases := []struct {
		key    string
		height int64
		want   ed25519.PublicKey
		err    error
	}{
		{FirstKeyID, 0, nil, ErrUnknownKey},
		{FirstKeyID, 1, key1pub, nil},
		{FirstKeyID, 7, key1pub, nil},
		{FirstKeyID, 8, nil, ErrKeyRevoked},
		{"key-2", 4, nil, ErrUnknownKey},
		{"key-2", 5, key2pub, nil},
		{"key-2", 9, key2pub, nil},
		{"key-2", 10, nil, ErrDIDDeactivated},
		{"key-9", 5, nil, ErrUnknownKey},
	}
	ctx := e.ctx(11, "")
	for _, tc := range cases {
		got, err := e.k.KeyAt(ctx, alice, tc.key, tc.height)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("KeyAt(%s, %d) = %v, want %v", tc.key, tc.height, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("KeyAt(%s, %d) = %x, %v; want %x", tc.key, tc.height, got, err, tc.want)
		}
	}
	if _, err := e.k.KeyAt(ctx, testDID(9), FirstKeyID, 5); !errors.Is(err, ErrUnknownDID) {
		t.Errorf("KeyAt of an unknown DID: %v", err)
	}
	// The current key is refused for signing whatever its history.
	if _, err := e.k.VerificationKey(ctx, alice, "key-2"); !errors.Is(err, ErrDIDDeactivated) {
		t.Errorf("VerificationKey after deactivation: %v", err)
	}
}

func TestResolveWithMetadata(t *testing.T) {
	e := newDIDOpsEnv(t)
	alice, bob := e.register(1), e.register(2)
	if err := e.k.AddKey(e.ctx(3, alice), addKeyAt(alice, "key-2", seedKey(3))); err != nil {
		t.Fatal(err)
	}
	if err := e.k.RevokeKey(e.ctx(4, alice), &identityv1.MsgRevokeKey{Did: alice, KeyId: FirstKeyID}); err != nil {
		t.Fatal(err)
	}
	if err := e.k.SetControllers(e.ctx(5, ""), alice, []string{alice, bob}); err != nil {
		t.Fatal(err)
	}
	doc, err := e.k.Document(e.ctx(5, ""), alice)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rr := ResolveWithMetadata(doc, func(h int64) (time.Time, bool) {
		return base.Add(time.Duration(h)*time.Second + 500*time.Millisecond), h != 1
	})
	d := rr.DIDDocument
	if len(d.VerificationMethod) != 1 || d.VerificationMethod[0].ID != alice+"#key-2" ||
		strings.Join(d.Authentication, ",") != alice+"#key-2" || strings.Join(d.AssertionMethod, ",") != alice+"#key-2" {
		t.Fatalf("document lists revoked keys or misses active ones: %+v", d)
	}
	if strings.Join(d.Controller, ",") != strings.Join(sortedPair(alice, bob), ",") {
		t.Fatalf("controller = %v", d.Controller)
	}
	m := rr.DIDDocumentMetadata
	want := DocumentMetadata{Created: "", Updated: "2026-01-01T00:00:05Z", VersionID: "5", CreatedHeight: 1, UpdatedHeight: 5}
	if m != want {
		t.Fatalf("metadata = %+v, want %+v", m, want)
	}
	if rr.Context != ResolutionContext || rr.DIDResolutionMetadata.ContentType != "application/did+ld+json" {
		t.Fatalf("resolution result: %+v", rr)
	}
	// A self-controlled document omits the controller property.
	bobDoc, _ := e.k.Document(e.ctx(5, ""), bob)
	if c := Resolve(bobDoc).Controller; c != nil {
		t.Fatalf("self-controlled document lists controllers %v", c)
	}
}

func TestParseMultibaseKey(t *testing.T) {
	pub := seedKey(1).Public().(ed25519.PublicKey)
	mb := MultibaseKey(pub)
	got, err := ParseMultibaseKey(mb)
	if err != nil || !got.Equal(pub) {
		t.Fatalf("ParseMultibaseKey(MultibaseKey(k)) = %x, %v", got, err)
	}
	// A secp256k1 key (multicodec 0xe7 0x01) in the same encoding.
	secp := "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"
	for _, bad := range []string{"", "z", mb[1:], "f" + mb[1:], mb + "1", mb[:len(mb)-1], "z0OIl", secp} {
		if _, err := ParseMultibaseKey(bad); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("ParseMultibaseKey(%q) = %v, want ErrInvalidPublicKey", bad, err)
		}
	}
}

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
		if err := docs(m).Validate(); err != nil {
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
			wantErr(t, docs(m).Validate(), ErrInvalidGenesis)
		})
	}
}

func sortDesc(s []string) {
	if s[0] < s[1] {
		s[0], s[1] = s[1], s[0]
	}
}
