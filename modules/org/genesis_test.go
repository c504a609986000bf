package org

import (
	"errors"
	"slices"
	"strings"
	"testing"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// TestOrganizationGenesisValidate breaks a valid genesis in each way
// Validate must catch: references that do not resolve, an orphan, a
// broken hierarchy, records the messages could never have written.
func TestOrganizationGenesisValidate(t *testing.T) {
	if f := newFixture(); f.validate() != nil {
		t.Fatalf("valid genesis refused: %v", f.validate())
	}
	deepest := newFixture()
	deepest.chain(MaxDepth)
	if err := deepest.validate(); err != nil {
		t.Fatalf("a genesis %d levels deep refused: %v", MaxDepth, err)
	}
	_, stranger := orgTestKey(9)
	cases := []struct {
		name   string
		mutate func(f *fixture)
		want   string
	}{
		{"orphan: parent missing", func(f *fixture) {
			f.g.Organizations[1].Parent = stranger
			f.g.Organizations[1].DID = DeriveOrgDID(stranger, "coop")
		}, "orphan"},
		{"orphan: parent not a federation", func(f *fixture) {
			sub := DeriveOrgDID(f.coop, "sub")
			f.g.Organizations = append(f.g.Organizations, GenesisOrganization{DID: sub, Name: "sub", Kind: KindCommunity, Parent: f.coop, Founder: f.alice, Control: ControlAssembly})
		}, "not a federation"},
		{"too deep", func(f *fixture) { f.chain(MaxDepth + 1) }, "levels below the root"},
		{"too many memberships of one DID", func(f *fixture) {
			for i := 0; i < MaxMembershipsPerDID; i++ {
				name := "club-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
				d := DeriveOrgDID(f.root, name)
				f.g.Organizations = append(f.g.Organizations, GenesisOrganization{DID: d, Name: name, Kind: KindCommunity, Parent: f.root, Founder: f.alice, Control: ControlAssembly})
				f.g.Memberships = append(f.g.Memberships, &identityv1.Membership{Org: d, Member: f.bob, Roles: []string{RoleMember}})
			}
		}, "more than 32 organizations"},
		{"two roots", func(f *fixture) {
			f.g.Organizations = append(f.g.Organizations, GenesisOrganization{DID: DeriveOrgDID("", "root-2"), Name: "root-2", Kind: KindFederation, Founder: f.alice, Control: ControlAssembly})
		}, "two root federations"},
		{"no root", func(f *fixture) {
			f.g.Organizations = f.g.Organizations[1:]
			f.g.Memberships = f.g.Memberships[1:]
		}, "without a root federation"},
		{"root not a federation", func(f *fixture) { f.g.Organizations[0].Kind = KindCooperative }, "not a federation"},
		{"DID does not match name", func(f *fixture) { f.g.Organizations[1].Name = "coop-2" }, "does not match"},
		{"name invalid", func(f *fixture) { f.g.Organizations[1].Name = "Coop" }, "invalid organization name"},
		{"kind unknown", func(f *fixture) { f.g.Organizations[1].Kind = "guild" }, "invalid organization kind"},
		{"control unknown", func(f *fixture) { f.g.Organizations[1].Control = "council" }, "control"},
		{"founder not registered", func(f *fixture) { f.g.Organizations[1].Founder = stranger }, "founder"},
		{"founder is an organization", func(f *fixture) { f.g.Organizations[1].Founder = f.root }, "founder"},
		{"organization listed twice", func(f *fixture) {
			f.g.Organizations = append(f.g.Organizations, f.g.Organizations[1])
		}, "listed twice"},
		{"organization is also a did document", func(f *fixture) { f.documents[f.coop] = true }, "did genesis document"},
		{"transfer height under founder control", func(f *fixture) { f.g.Organizations[1].ControlTransferredHeight = 3 }, "transfer height"},
		{"membership of an unknown organization", func(f *fixture) { f.g.Memberships[2].Org = stranger }, "not a genesis organization"},
		{"member not registered", func(f *fixture) { f.g.Memberships[2].Member = stranger }, "not a genesis DID"},
		{"membership listed twice", func(f *fixture) {
			f.g.Memberships = append(f.g.Memberships, f.g.Memberships[2])
		}, "listed twice"},
		{"membership without the member role", func(f *fixture) {
			f.g.Memberships[2].Roles = []string{RoleComplianceOfficer}
		}, "lacks"},
		{"roles unsorted", func(f *fixture) {
			f.g.Memberships[2].Roles = []string{RoleMember, RoleComplianceOfficer}
		}, "sorted"},
		{"too many roles", func(f *fixture) {
			f.g.Memberships[2].Roles = []string{"a", "b", "c", "d", "e", "f", "g", "h", RoleMember}
		}, "roles, max"},
		{"second founder", func(f *fixture) {
			f.g.Memberships[2].Roles = []string{RoleFounder, RoleMember}
		}, "founder"},
		{"founder not a member", func(f *fixture) {
			f.g.Memberships = slices.Delete(f.g.Memberships, 1, 2)
		}, "must be a member"},
		{"invitation of a member", func(f *fixture) { f.g.Invitations[0].Member = f.bob }, "already a member"},
		{"invitation to an unknown organization", func(f *fixture) { f.g.Invitations[0].Org = stranger }, "not a genesis organization"},
		{"invitation offering founder", func(f *fixture) { f.g.Invitations[0].Roles = []string{RoleFounder} }, "founder"},
		{"freeze by an unknown organization", func(f *fixture) { f.g.Freezes[0].Org = stranger }, "not a genesis organization"},
		{"freeze of an unknown account", func(f *fixture) { f.g.Freezes[0].Account = stranger }, "not a genesis DID"},
		{"freeze without a reason", func(f *fixture) { f.g.Freezes[0].Reason = "" }, "reason"},
		{"appeal without its height", func(f *fixture) { f.g.Freezes[0].AppealHeight = 0 }, "appeal"},
		// Seats.
		{"seats used above seats held", func(f *fixture) {
			f.g.Organizations[1].SeatsUsed = 2
			f.g.Memberships[2].Seated = true
		}, "uses 2 seats but holds 1"},
		{"a seated membership not counted", func(f *fixture) {
			f.g.Organizations[1].BonusSeats = 2
			f.g.Memberships[2].Seated = true
		}, "2 seated memberships but counts 1"},
		{"a seat counted without its membership", func(f *fixture) { f.g.Memberships[1].Seated = false }, "0 seated memberships but counts 1"},
		{"more seats than there can be", func(f *fixture) { f.g.Organizations[0].BonusSeats = MaxSeats }, "seats in all"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			tc.mutate(f)
			err := f.validate()
			if !errors.Is(err, ErrInvalidGenesis) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want ErrInvalidGenesis mentioning %q", err, tc.want)
			}
		})
	}
}

// TestOrganizationGenesisRoundTrip initialises a keeper from a genesis with
// every kind of organization record and exports the same genesis back, in
// sorted order, whatever order the input lists came in.
func TestOrganizationGenesisRoundTrip(t *testing.T) {
	f := newFixture()
	// Shuffle the lists: export must sort them.
	slices.Reverse(f.g.Organizations)
	slices.Reverse(f.g.Memberships)
	e := newTestEnv(t, f)
	out, err := e.k.ExportGenesis(e.ctx(1, ""))
	if err != nil {
		t.Fatal(err)
	}
	want := newFixture().g
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
	if err := out.Validate(f.documents); err != nil {
		t.Fatalf("export does not validate: %v", err)
	}
	// The waiting index is rebuilt: bob waits for a seat of coop, alice
	// holds one.
	if !e.kv.Has(WaitingKey(f.coop, f.bob)) || e.kv.Has(WaitingKey(f.coop, f.alice)) {
		t.Fatal("the waiting index does not match the seated memberships")
	}
	// Each organization's document is built from its record: keyless,
	// registered by the founder, controlled by the founder.
	for _, o := range want.Organizations {
		doc, err := e.dids.Document(e.ctx(1, ""), o.DID)
		if err != nil || len(doc.Keys) != 0 || doc.RegisteredBy != o.Founder || !slices.Equal(doc.Controllers, []string{o.Founder}) || doc.CreatedHeight != o.CreatedHeight {
			t.Fatalf("document of %s: %v, %v", o.DID, doc, err)
		}
	}
}

// chain adds a chain of federations under the root, levels deep.
func (f *fixture) chain(levels int) {
	parent := f.root
	for i := 0; i < levels; i++ {
		name := "level-" + string(rune('a'+i))
		d := DeriveOrgDID(parent, name)
		f.g.Organizations = append(f.g.Organizations, GenesisOrganization{DID: d, Name: name, Kind: KindFederation, Parent: parent, Founder: f.alice, Control: ControlAssembly})
		parent = d
	}
}
