package identity

import (
	"crypto/ed25519"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/proto"
	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// TestDeriveOrgDID pins the derivation of docs/did-method.md with an
// independently computed vector and checks that (parent, name) determines
// the DID.
func TestDeriveOrgDID(t *testing.T) {
	root := DeriveOrgDID("", "root")
	if root != "did:icn:rykpb6hojtuj3hmtkm6iqmrq7y34ixjj" {
		t.Fatalf("root federation DID %s", root)
	}
	if coop := DeriveOrgDID(root, "coop"); coop != "did:icn:yjxqtpgygva2h2ltxsxa4e33fjhlo3dk" {
		t.Fatalf("coop under root: %s", coop)
	}
	seen := map[string]bool{}
	for _, parent := range []string{"", root, DeriveOrgDID(root, "north")} {
		for _, name := range []string{"root", "coop", "coop-2", "a"} {
			did := DeriveOrgDID(parent, name)
			if err := ParseDID(did); err != nil {
				t.Fatalf("%q under %q: %v", name, parent, err)
			}
			if seen[did] {
				t.Fatalf("%q under %q collides", name, parent)
			}
			seen[did] = true
		}
	}
}

func TestValidateOrgNameAndRole(t *testing.T) {
	for _, ok := range []string{"a", "coop", "coop-2", "0", strings.Repeat("x", MaxOrgNameLength)} {
		if err := ValidateOrgName(ok); err != nil {
			t.Errorf("ValidateOrgName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-a", "a-", "Coop", "co op", "coöp", "a_b", "a.b", strings.Repeat("x", MaxOrgNameLength+1)} {
		if err := ValidateOrgName(bad); !errors.Is(err, ErrInvalidOrgName) {
			t.Errorf("ValidateOrgName(%q) = %v, want ErrInvalidOrgName", bad, err)
		}
		if err := ValidateRole(bad); !errors.Is(err, ErrInvalidRole) {
			t.Errorf("ValidateRole(%q) = %v, want ErrInvalidRole", bad, err)
		}
	}
	if err := ValidateRole(strings.Repeat("r", MaxRoleLength+1)); !errors.Is(err, ErrInvalidRole) {
		t.Errorf("over-long role: %v", err)
	}
}

// orgTestKey returns a deterministic key and its DID.
func orgTestKey(seed byte) (ed25519.PublicKey, string) {
	pub := ed25519.NewKeyFromSeed(append(make([]byte, 31), seed)).Public().(ed25519.PublicKey)
	return pub, DeriveDID(pub)
}

// orgTestGenesis is a valid genesis with every kind of organization
// record: alice founded the root federation and the cooperative coop,
// which bob joined as compliance officer; carol is invited to coop; coop
// froze bob, who appealed.
func orgTestGenesis() (g Genesis, alice, bob, carol, root, coop string) {
	var docs []*identityv1.DIDDocument
	var dids []string
	for seed := byte(1); seed <= 3; seed++ {
		pub, did := orgTestKey(seed)
		docs = append(docs, &identityv1.DIDDocument{Did: did, Keys: []*identityv1.VerificationKey{{Id: FirstKeyID, PublicKey: pub}}})
		dids = append(dids, did)
	}
	alice, bob, carol = dids[0], dids[1], dids[2]
	g = Genesis{Documents: docs}
	root, err := g.AddRootFederation("root", alice)
	if err != nil {
		panic(err)
	}
	coop = DeriveOrgDID(root, "coop")
	g.Organizations = append(g.Organizations, GenesisOrganization{
		DID: coop, Name: "coop", Kind: KindCooperative, Parent: root, Founder: alice, Control: ControlFounder, CreatedHeight: 2,
	})
	g.Memberships = append(g.Memberships,
		&identityv1.Membership{Org: coop, Member: alice, Roles: []string{RoleFounder, RoleMember}, JoinedHeight: 2},
		&identityv1.Membership{Org: coop, Member: bob, Roles: []string{RoleComplianceOfficer, RoleMember}, JoinedHeight: 3},
	)
	g.Invitations = []*identityv1.Invitation{{Org: coop, Member: carol, Roles: []string{"clerk"}, InvitedBy: alice, Height: 4}}
	g.Freezes = []*identityv1.Freeze{{Org: coop, Account: bob, Reason: "r", FrozenBy: bob, Height: 5, Appeal: "a", AppealHeight: 6}}
	return g, alice, bob, carol, root, coop
}

// TestOrganizationGenesisValidate breaks a valid genesis in each way
// Validate must catch: references that do not resolve, an orphan, a
// broken hierarchy, records the messages could never have written.
func TestOrganizationGenesisValidate(t *testing.T) {
	if g, _, _, _, _, _ := orgTestGenesis(); g.Validate() != nil {
		t.Fatalf("valid genesis refused: %v", g.Validate())
	}
	_, stranger := orgTestKey(9)
	cases := []struct {
		name   string
		mutate func(g *Genesis, alice, bob, carol, root, coop string)
		want   string
	}{
		{"orphan: parent missing", func(g *Genesis, _, _, _, _, coop string) {
			g.Organizations[1].Parent = stranger
			g.Organizations[1].DID = DeriveOrgDID(stranger, "coop")
		}, "orphan"},
		{"orphan: parent not a federation", func(g *Genesis, alice, _, _, _, coop string) {
			did := DeriveOrgDID(coop, "sub")
			g.Organizations = append(g.Organizations, GenesisOrganization{DID: did, Name: "sub", Kind: KindCommunity, Parent: coop, Founder: alice, Control: ControlAssembly})
		}, "not a federation"},
		{"two roots", func(g *Genesis, alice, _, _, _, _ string) {
			g.Organizations = append(g.Organizations, GenesisOrganization{DID: DeriveOrgDID("", "root-2"), Name: "root-2", Kind: KindFederation, Founder: alice, Control: ControlAssembly})
		}, "two root federations"},
		{"no root", func(g *Genesis, _, _, _, _, _ string) {
			g.Organizations = g.Organizations[1:]
			g.Memberships = g.Memberships[1:]
		}, "without a root federation"},
		{"root not a federation", func(g *Genesis, _, _, _, _, _ string) { g.Organizations[0].Kind = KindCooperative }, "not a federation"},
		{"DID does not match name", func(g *Genesis, _, _, _, _, _ string) { g.Organizations[1].Name = "coop-2" }, "does not match"},
		{"name invalid", func(g *Genesis, _, _, _, _, _ string) { g.Organizations[1].Name = "Coop" }, "invalid organization name"},
		{"kind unknown", func(g *Genesis, _, _, _, _, _ string) { g.Organizations[1].Kind = "guild" }, "invalid organization kind"},
		{"control unknown", func(g *Genesis, _, _, _, _, _ string) { g.Organizations[1].Control = "council" }, "control"},
		{"founder not registered", func(g *Genesis, _, _, _, _, _ string) { g.Organizations[1].Founder = stranger }, "founder"},
		{"founder is an organization", func(g *Genesis, _, _, _, root, _ string) { g.Organizations[1].Founder = root }, "founder"},
		{"organization listed twice", func(g *Genesis, _, _, _, _, _ string) {
			g.Organizations = append(g.Organizations, g.Organizations[1])
		}, "listed twice"},
		{"organization listed as a document", func(g *Genesis, _, _, _, _, coop string) {
			g.Documents = append(g.Documents, &identityv1.DIDDocument{Did: coop})
		}, "keys"},
		{"transfer height under founder control", func(g *Genesis, _, _, _, _, _ string) { g.Organizations[1].ControlTransferredHeight = 3 }, "transfer height"},
		{"membership of an unknown organization", func(g *Genesis, _, _, _, _, _ string) { g.Memberships[2].Org = stranger }, "not a genesis organization"},
		{"member not registered", func(g *Genesis, _, _, _, _, _ string) { g.Memberships[2].Member = stranger }, "not a genesis DID"},
		{"membership listed twice", func(g *Genesis, _, _, _, _, _ string) {
			g.Memberships = append(g.Memberships, g.Memberships[2])
		}, "listed twice"},
		{"membership without the member role", func(g *Genesis, _, _, _, _, _ string) {
			g.Memberships[2].Roles = []string{RoleComplianceOfficer}
		}, "lacks"},
		{"roles unsorted", func(g *Genesis, _, _, _, _, _ string) {
			g.Memberships[2].Roles = []string{RoleMember, RoleComplianceOfficer}
		}, "sorted"},
		{"too many roles", func(g *Genesis, _, _, _, _, _ string) {
			g.Memberships[2].Roles = []string{"a", "b", "c", "d", "e", "f", "g", "h", RoleMember}
		}, "roles, max"},
		{"second founder", func(g *Genesis, _, _, _, _, _ string) {
			g.Memberships[2].Roles = []string{RoleFounder, RoleMember}
		}, "founder"},
		{"founder not a member", func(g *Genesis, _, _, _, _, _ string) {
			g.Memberships = slices.Delete(g.Memberships, 1, 2)
		}, "must be a member"},
		{"invitation of a member", func(g *Genesis, _, bob, _, _, _ string) { g.Invitations[0].Member = bob }, "already a member"},
		{"invitation to an unknown organization", func(g *Genesis, _, _, _, _, _ string) { g.Invitations[0].Org = stranger }, "not a genesis organization"},
		{"invitation offering founder", func(g *Genesis, _, _, _, _, _ string) { g.Invitations[0].Roles = []string{RoleFounder} }, "founder"},
		{"freeze by an unknown organization", func(g *Genesis, _, _, _, _, _ string) { g.Freezes[0].Org = stranger }, "not a genesis organization"},
		{"freeze of an unknown account", func(g *Genesis, _, _, _, _, _ string) { g.Freezes[0].Account = stranger }, "not a genesis DID"},
		{"freeze without a reason", func(g *Genesis, _, _, _, _, _ string) { g.Freezes[0].Reason = "" }, "reason"},
		{"appeal without its height", func(g *Genesis, _, _, _, _, _ string) { g.Freezes[0].AppealHeight = 0 }, "appeal"},
		{"sequence of an organization", func(g *Genesis, _, _, _, _, coop string) {
			g.Sequences = append(g.Sequences, GenesisSequence{DID: coop, Sequence: 1})
		}, "sequence"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, alice, bob, carol, root, coop := orgTestGenesis()
			tc.mutate(&g, alice, bob, carol, root, coop)
			err := g.Validate()
			if !errors.Is(err, ErrInvalidGenesis) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want ErrInvalidGenesis mentioning %q", err, tc.want)
			}
		})
	}
}

// recordingMana is a ManaAccounts that records the calls identity makes.
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

// orgTestKeeper returns a keeper over a fresh store initialised with g.
func orgTestKeeper(t *testing.T, g Genesis) (*Keeper, *recordingMana, func(h int64, signer string) modules.Context) {
	t.Helper()
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	kv := cms.Working()
	m := &recordingMana{}
	k := NewKeeper(m)
	ctx := func(h int64, signer string) modules.Context {
		return modules.NewContext("icn-test", h, time.Unix(0, 0), kv).WithSigner(signer)
	}
	if err := k.InitGenesis(ctx(1, ""), g); err != nil {
		t.Fatal(err)
	}
	return k, m, ctx
}

// TestMembershipHooks checks that identity opens a treasury for every new
// organization and tells mana about every membership change, after the
// change is written.
func TestMembershipHooks(t *testing.T) {
	g, alice, bob, carol, root, coop := orgTestGenesis()
	g.Invitations = nil
	k, m, ctx := orgTestKeeper(t, g)
	// Only members of root may found under it.
	if err := k.setMembership(ctx(1, ""), &identityv1.Membership{Org: root, Member: carol, Roles: []string{RoleMember}, JoinedHeight: 1}); err != nil {
		t.Fatal(err)
	}
	did, err := k.CreateOrganization(ctx(2, carol), &identityv1.MsgCreateOrganization{Name: "fed", Kind: identityv1.OrgKind_ORG_KIND_FEDERATION, Parent: root})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.created, []string{did}) || !slices.Equal(m.changed, []string{carol}) {
		t.Fatalf("after create: created %v, changed %v", m.created, m.changed)
	}
	steps := []struct {
		signer string
		run    func(c modules.Context) error
	}{
		{alice, func(c modules.Context) error {
			return k.InviteMember(c, &identityv1.MsgInviteMember{Org: coop, Member: carol})
		}},
		{carol, func(c modules.Context) error {
			return k.AcceptInvitation(c, &identityv1.MsgAcceptInvitation{Org: coop})
		}},
		{carol, func(c modules.Context) error {
			return k.LeaveOrganization(c, &identityv1.MsgLeaveOrganization{Org: coop})
		}},
		{alice, func(c modules.Context) error {
			return k.RemoveMember(c, &identityv1.MsgRemoveMember{Org: coop, Member: bob})
		}},
	}
	for i, s := range steps {
		if err := s.run(ctx(int64(3+i), s.signer)); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if want := []string{carol, carol, carol, bob}; !slices.Equal(m.changed, want) {
		t.Fatalf("MembershipChanged calls %v, want %v", m.changed, want)
	}
	orgs, err := k.OrganizationsOf(ctx(9, ""), bob)
	if err != nil || len(orgs) != 0 {
		t.Fatalf("OrganizationsOf(bob) after removal: %v, %v", orgs, err)
	}
	// The removal left coop's freeze of bob in force.
	if frozen, err := k.Frozen(ctx(9, ""), bob); err != nil || !frozen {
		t.Fatalf("Frozen(bob) = %v, %v", frozen, err)
	}
}

// TestAssemblyAuthority checks the control rule at the keeper: once the
// assembly controls an organization, no individual signer may send it a
// privileged message, while the organization's own authority (a governance
// outcome executing with its DID as signer, which no key can produce) may.
func TestAssemblyAuthority(t *testing.T) {
	g, alice, _, carol, _, coop := orgTestGenesis()
	g.Invitations = nil
	k, _, ctx := orgTestKeeper(t, g)
	if err := k.TransferControl(ctx(2, alice), &identityv1.MsgTransferControl{Org: coop}); err != nil {
		t.Fatal(err)
	}
	invite := &identityv1.MsgInviteMember{Org: coop, Member: carol, Roles: []string{"clerk"}}
	if err := k.InviteMember(ctx(3, alice), invite); !errors.Is(err, ErrAssemblyControlled) {
		t.Fatalf("former founder invites: %v", err)
	}
	if err := k.InviteMember(ctx(3, coop), invite); err != nil {
		t.Fatalf("the organization's own authority invites: %v", err)
	}
	if err := k.TransferControl(ctx(4, coop), &identityv1.MsgTransferControl{Org: coop}); !errors.Is(err, ErrAssemblyControlled) {
		t.Fatalf("second transfer: %v", err)
	}
	inv, err := k.Invitation(ctx(4, ""), coop, carol)
	if err != nil || inv.InvitedBy != coop {
		t.Fatalf("invitation: %+v, %v", inv, err)
	}
}

// TestOrganizationGenesisRoundTrip initialises a keeper from a genesis with
// every kind of organization record and exports the same genesis back, in
// sorted order, whatever order the input lists came in.
func TestOrganizationGenesisRoundTrip(t *testing.T) {
	g, _, _, _, _, _ := orgTestGenesis()
	// Shuffle the lists: export must sort them.
	slices.Reverse(g.Organizations)
	slices.Reverse(g.Memberships)
	k, _, ctx := orgTestKeeper(t, g)
	out, err := k.ExportGenesis(ctx(1, ""))
	if err != nil {
		t.Fatal(err)
	}
	want, _, _, _, _, _ := orgTestGenesis()
	slices.SortFunc(want.Organizations, func(a, b GenesisOrganization) int { return strings.Compare(a.DID, b.DID) })
	slices.SortFunc(want.Memberships, func(a, b *identityv1.Membership) int {
		return strings.Compare(a.Org+a.Member, b.Org+b.Member)
	})
	if !slices.Equal(out.Organizations, want.Organizations) {
		t.Fatalf("organizations:\n got %+v\nwant %+v", out.Organizations, want.Organizations)
	}
	if !equalMsgs(out.Memberships, want.Memberships) || !equalMsgs(out.Invitations, want.Invitations) || !equalMsgs(out.Freezes, want.Freezes) {
		t.Fatalf("records:\n got %v %v %v\nwant %v %v %v", out.Memberships, out.Invitations, out.Freezes, want.Memberships, want.Invitations, want.Freezes)
	}
	if len(out.Documents) != len(want.Documents) {
		t.Fatalf("exported %d documents, want the %d individual ones", len(out.Documents), len(want.Documents))
	}
	if err := out.Validate(); err != nil {
		t.Fatalf("export does not validate: %v", err)
	}
}

func equalMsgs[T proto.Message](a, b []T) bool {
	return slices.EqualFunc(a, b, func(x, y T) bool { return proto.Equal(x, y) })
}
