package did

import (
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// recordingMana is a ManaAccounts that records the accounts it opens.
type recordingMana struct {
	created []string
}

func (r *recordingMana) CreateAccount(_ modules.Context, did string) error {
	r.created = append(r.created, did)
	return nil
}

// controlledOrgs is an Organizations that says which organizations each
// DID controls.
type controlledOrgs map[string][]string

func (c controlledOrgs) ControlledOrganizations(_ modules.Context, did string) ([]string, error) {
	return c[did], nil
}

// testEnv is a keeper over a fresh in-memory store.
type testEnv struct {
	t    *testing.T
	k    *Keeper
	mana *recordingMana
	orgs controlledOrgs
	kv   store.KVStore
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	m, orgs := &recordingMana{}, controlledOrgs{}
	return &testEnv{t: t, k: NewKeeper(m, orgs), mana: m, orgs: orgs, kv: cms.Working()}
}

// ctx is a context at height h for a transaction signed by signer.
func (e *testEnv) ctx(h int64, signer string) modules.Context {
	return modules.NewContext("icn-test", h, time.Unix(0, 0), e.kv).WithSigner(signer)
}

func seedKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(append(make([]byte, 31), seed))
}

func testDID(seed byte) string {
	return DeriveDID(seedKey(seed).Public().(ed25519.PublicKey))
}

// register stores a self-controlled document for seed's key, created at
// height 1, and returns its DID.
func (e *testEnv) register(seed byte) string {
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

// keyless registers a document without keys, as an organization's,
// controlled by controllers.
func (e *testEnv) keyless(seed byte, controllers ...string) string {
	e.t.Helper()
	did := testDID(seed)
	doc := &identityv1.DIDDocument{Did: did, CreatedHeight: 1, RegisteredBy: did, Controllers: controllers}
	if err := e.k.RegisterKeyless(e.ctx(1, ""), doc); err != nil {
		e.t.Fatal(err)
	}
	return did
}

func (e *testEnv) controls(controller, did string) bool {
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

func sortedPair(a, b string) []string {
	if a < b {
		return []string{a, b}
	}
	return []string{b, a}
}
