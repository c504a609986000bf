package org

import (
	"crypto/ed25519"
	"slices"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/proto"
	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// orgTestKey returns a deterministic key and its DID.
func orgTestKey(seed byte) (ed25519.PublicKey, string) {
	pub := ed25519.NewKeyFromSeed(append(make([]byte, 31), seed)).Public().(ed25519.PublicKey)
	return pub, did.DeriveDID(pub)
}

// fixture is a valid genesis with every kind of organization record:
// alice founded the root federation, which holds 8 seats (alice holds
// one), and the cooperative coop, which holds 1 seat (alice's) and which
// bob joined as compliance officer, waiting for a seat; carol is invited to
// coop; coop froze bob, who appealed. docs is the did genesis with the
// three people's documents.
type fixture struct {
	docs                          did.Genesis
	documents                     map[string]bool
	g                             Genesis
	alice, bob, carol, root, coop string
}

func newFixture() *fixture {
	f := &fixture{documents: map[string]bool{}}
	var dids []string
	for seed := byte(1); seed <= 3; seed++ {
		pub, d := orgTestKey(seed)
		f.docs.Documents = append(f.docs.Documents, &identityv1.DIDDocument{Did: d, Keys: []*identityv1.VerificationKey{{Id: did.FirstKeyID, PublicKey: pub}}})
		f.documents[d] = true
		dids = append(dids, d)
	}
	f.alice, f.bob, f.carol = dids[0], dids[1], dids[2]
	root, err := f.g.AddRootFederation("root", f.alice, 8)
	if err != nil {
		panic(err)
	}
	f.root = root
	f.coop = DeriveOrgDID(root, "coop")
	f.g.Organizations = append(f.g.Organizations, GenesisOrganization{
		DID: f.coop, Name: "coop", Kind: KindCooperative, Parent: root, Founder: f.alice, Control: ControlFounder, CreatedHeight: 2,
		BonusSeats: 1, SeatsUsed: 1,
	})
	f.g.Memberships = append(f.g.Memberships,
		&identityv1.Membership{Org: f.coop, Member: f.alice, Roles: []string{RoleFounder, RoleMember}, JoinedHeight: 2, Seated: true},
		&identityv1.Membership{Org: f.coop, Member: f.bob, Roles: []string{RoleComplianceOfficer, RoleMember}, JoinedHeight: 3},
	)
	f.g.Invitations = []*identityv1.Invitation{{Org: f.coop, Member: f.carol, Roles: []string{"clerk"}, InvitedBy: f.alice, Height: 4}}
	f.g.Freezes = []*identityv1.Freeze{{Org: f.coop, Account: f.bob, Reason: "r", FrozenBy: f.bob, Height: 5, Appeal: "a", AppealHeight: 6}}
	return f
}

// validate validates the org genesis against the fixture's documents.
func (f *fixture) validate() error { return f.g.Validate(f.documents) }

// recordingMana is a ManaAccounts that records the calls the org module
// makes.
type recordingMana struct {
	created, changed []string
}

func (r *recordingMana) CreateAccount(_ modules.Context, did string) error {
	r.created = append(r.created, did)
	return nil
}

func (r *recordingMana) MembershipChanged(_ modules.Context, did string) error {
	r.changed = append(r.changed, did)
	return nil
}

// testEnv is an org keeper, over the did keeper, on a fresh store
// initialised with a fixture's genesis.
type testEnv struct {
	k    *Keeper
	dids *did.Keeper
	mana *recordingMana
	kv   store.KVStore
}

func newTestEnv(t *testing.T, f *fixture) *testEnv {
	t.Helper()
	if err := f.docs.Validate(nil); err != nil {
		t.Fatal(err)
	}
	if err := f.validate(); err != nil {
		t.Fatal(err)
	}
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	m := &recordingMana{}
	k := new(Keeper)
	dids := did.NewKeeper(m, k)
	*k = *NewKeeper(dids, m)
	e := &testEnv{k: k, dids: dids, mana: m, kv: cms.Working()}
	if err := dids.InitGenesis(e.ctx(1, ""), f.docs); err != nil {
		t.Fatal(err)
	}
	if err := e.k.InitGenesis(e.ctx(1, ""), f.g); err != nil {
		t.Fatal(err)
	}
	return e
}

// ctx is a context at height h for a transaction signed by signer.
func (e *testEnv) ctx(h int64, signer string) modules.Context {
	return modules.NewContext("icn-test", h, time.Unix(0, 0), e.kv).WithSigner(signer)
}

func equalMsgs[T proto.Message](a, b []T) bool {
	return slices.EqualFunc(a, b, func(x, y T) bool { return proto.Equal(x, y) })
}
