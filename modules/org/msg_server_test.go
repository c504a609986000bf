package org

import (
	"errors"
	"slices"
	"testing"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// TestMembershipHooks checks that the org module opens a treasury for every
// new organization, registers its keyless DID document, and tells mana
// about every change of a DID's seats, after the change is written, and
// about nothing else.
func TestMembershipHooks(t *testing.T) {
	f := newFixture()
	f.g.Invitations = nil
	e := newTestEnv(t, f)
	k, m, ctx := e.k, e.mana, e.ctx
	alice, bob, carol, root, coop := f.alice, f.bob, f.carol, f.root, f.coop
	// Only members of root may found under it.
	if err := k.setMembership(ctx(1, ""), &identityv1.Membership{Org: root, Member: carol, Roles: []string{RoleMember}, JoinedHeight: 1}); err != nil {
		t.Fatal(err)
	}
	fed, err := k.CreateOrganization(ctx(2, carol), &identityv1.MsgCreateOrganization{Name: "fed", Kind: identityv1.OrgKind_ORG_KIND_FEDERATION, Parent: root})
	if err != nil {
		t.Fatal(err)
	}
	// The new organization has no seats: its founder waits for one.
	if !slices.Equal(m.created, []string{fed}) || len(m.changed) != 0 {
		t.Fatalf("after create: created %v, changed %v", m.created, m.changed)
	}
	doc, err := e.dids.Document(ctx(2, ""), fed)
	if err != nil || len(doc.Keys) != 0 || !slices.Equal(doc.Controllers, []string{carol}) || doc.RegisteredBy != carol || doc.CreatedHeight != 2 {
		t.Fatalf("the new organization's document: %v, %v", doc, err)
	}
	steps := []struct {
		signer string
		run    func(c modules.Context) error
		// changed are the DIDs whose capacity the step recomputes.
		changed []string
	}{
		// coop gets a second seat: bob, who waited, takes it.
		{alice, func(c modules.Context) error {
			return k.SetSeats(c, &identityv1.MsgSetSeats{Org: coop, Seats: 2})
		}, []string{bob}},
		{alice, func(c modules.Context) error {
			return k.InviteMember(c, &identityv1.MsgInviteMember{Org: coop, Member: carol})
		}, nil},
		// No free seat: carol waits.
		{carol, func(c modules.Context) error {
			return k.AcceptInvitation(c, &identityv1.MsgAcceptInvitation{Org: coop})
		}, nil},
		// bob's seat passes to carol.
		{alice, func(c modules.Context) error {
			return k.RemoveMember(c, &identityv1.MsgRemoveMember{Org: coop, Member: bob})
		}, []string{carol, bob}},
		{carol, func(c modules.Context) error {
			return k.LeaveOrganization(c, &identityv1.MsgLeaveOrganization{Org: coop})
		}, []string{carol}},
	}
	for i, s := range steps {
		m.changed = nil
		if err := s.run(ctx(int64(3+i), s.signer)); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if !slices.Equal(m.changed, s.changed) {
			t.Fatalf("step %d: MembershipChanged calls %v, want %v", i, m.changed, s.changed)
		}
	}
	orgs, err := k.OrganizationsOf(ctx(9, ""), bob)
	if err != nil || len(orgs) != 0 {
		t.Fatalf("OrganizationsOf(bob) after removal: %v, %v", orgs, err)
	}
	o, err := k.Organization(ctx(9, ""), coop)
	if err != nil || o.BonusSeats != 2 || o.SeatsUsed != 1 {
		t.Fatalf("coop after the departures: %v, %v", o, err)
	}
	// The removal left coop's freeze of bob in force.
	if err := k.RefuseFrozen(ctx(9, ""), bob, coop); !errors.Is(err, ErrFrozenInScope) {
		t.Fatalf("RefuseFrozen(bob, coop) after removal: %v", err)
	}
}

// TestFreezeScope checks which targets a freeze covers: the freezing
// organization and what lies below it, never what lies above or beside it;
// a target that is not an organization only under a root freeze, which is
// also the one freeze RootFrozen reports. Lifting the last freeze removes
// the count and the marker.
func TestFreezeScope(t *testing.T) {
	f := newFixture()
	pub, dave := orgTestKey(4)
	f.docs.Documents = append(f.docs.Documents, &identityv1.DIDDocument{Did: dave, Keys: []*identityv1.VerificationKey{{Id: did.FirstKeyID, PublicKey: pub}}})
	f.documents[dave] = true
	f.g.Memberships = append(f.g.Memberships, &identityv1.Membership{Org: f.root, Member: dave, Roles: []string{RoleMember}, JoinedHeight: 2})
	f.g.Freezes = append(f.g.Freezes, &identityv1.Freeze{Org: f.root, Account: dave, Reason: "r", FrozenBy: f.alice, Height: 5})
	e := newTestEnv(t, f)
	ctx := e.ctx(9, "")
	cases := []struct {
		account, target string
		want            error
	}{
		{f.bob, f.coop, ErrFrozenInScope}, // coop froze bob
		{f.bob, f.root, nil},              // root lies above coop
		{f.bob, f.alice, nil},             // a person: only a root freeze counts
		{f.carol, f.coop, nil},            // carol is frozen by nobody
		{dave, f.root, ErrFrozenInScope},  // root froze dave
		{dave, f.coop, ErrFrozenInScope},  // coop lies below root
		{dave, f.alice, ErrFrozenInScope}, // and so does every person
	}
	for _, c := range cases {
		if err := e.k.RefuseFrozen(ctx, c.account, c.target); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("RefuseFrozen(%s, %s) = %v, want %v", c.account, c.target, err, c.want)
		}
	}
	if e.k.RootFrozen(ctx, f.bob) || !e.k.RootFrozen(ctx, dave) {
		t.Fatalf("RootFrozen: bob %v, dave %v", e.k.RootFrozen(ctx, f.bob), e.k.RootFrozen(ctx, dave))
	}
	if err := e.k.setMembership(ctx, &identityv1.Membership{Org: f.root, Member: f.bob, Roles: []string{RoleComplianceOfficer, RoleMember}, JoinedHeight: 9}); err != nil {
		t.Fatal(err)
	}
	if err := e.k.UnfreezeAccount(e.ctx(10, f.bob), &identityv1.MsgUnfreezeAccount{Org: f.root, Account: dave, Reason: "done"}); err != nil {
		t.Fatal(err)
	}
	if e.k.RootFrozen(ctx, dave) || e.kv.Has(FreezeCountKey(dave)) || e.kv.Has(RootFreezeKey(dave)) {
		t.Fatal("the last freeze's count or marker outlived it")
	}
}

// TestControlledOrganizations: a founder controls its organizations until
// control passes to the assembly; a member or officer controls none.
func TestControlledOrganizations(t *testing.T) {
	f := newFixture()
	e := newTestEnv(t, f)
	want := []string{f.root, f.coop}
	slices.Sort(want)
	if got, err := e.k.ControlledOrganizations(e.ctx(2, ""), f.alice); err != nil || !slices.Equal(got, want) {
		t.Fatalf("alice: %v, %v; want %v", got, err, want)
	}
	if got, err := e.k.ControlledOrganizations(e.ctx(2, ""), f.bob); err != nil || len(got) != 0 {
		t.Fatalf("bob: %v, %v", got, err)
	}
	if err := e.k.TransferControl(e.ctx(3, f.alice), &identityv1.MsgTransferControl{Org: f.coop}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.k.ControlledOrganizations(e.ctx(3, ""), f.alice); err != nil || !slices.Equal(got, []string{f.root}) {
		t.Fatalf("alice after the transfer: %v, %v", got, err)
	}
}

// TestAssemblyAuthority checks the control rule at the keeper: once the
// assembly controls an organization, no individual signer may send it a
// privileged message, while the organization's own authority (a governance
// outcome executing for it with no signer, which no key can produce) may.
func TestAssemblyAuthority(t *testing.T) {
	f := newFixture()
	f.g.Invitations = nil
	e := newTestEnv(t, f)
	k, ctx := e.k, e.ctx
	alice, carol, coop := f.alice, f.carol, f.coop
	if err := k.TransferControl(ctx(2, alice), &identityv1.MsgTransferControl{Org: coop}); err != nil {
		t.Fatal(err)
	}
	doc, err := e.dids.Document(ctx(2, ""), coop)
	if err != nil || len(doc.Controllers) != 0 || doc.UpdatedHeight != 2 {
		t.Fatalf("coop's document after the transfer: %v, %v", doc, err)
	}
	invite := &identityv1.MsgInviteMember{Org: coop, Member: carol, Roles: []string{"clerk"}}
	if err := k.InviteMember(ctx(3, alice), invite); !errors.Is(err, ErrAssemblyControlled) {
		t.Fatalf("former founder invites: %v", err)
	}
	if err := k.InviteMember(ctx(3, "").WithAuthority(coop), invite); err != nil {
		t.Fatalf("the organization's own authority invites: %v", err)
	}
	if err := k.TransferControl(ctx(4, "").WithAuthority(coop), &identityv1.MsgTransferControl{Org: coop}); !errors.Is(err, ErrAssemblyControlled) {
		t.Fatalf("second transfer: %v", err)
	}
	inv, err := k.Invitation(ctx(4, ""), coop, carol)
	if err != nil || inv.InvitedBy != coop {
		t.Fatalf("invitation: %+v, %v", inv, err)
	}
}

// TestNotController checks that an authority which does not control an
// organization gets the did module's code, and an unregistered invitee the
// did module's unknown-DID code.
func TestNotController(t *testing.T) {
	f := newFixture()
	e := newTestEnv(t, f)
	invite := &identityv1.MsgInviteMember{Org: f.coop, Member: f.carol}
	if err := e.k.InviteMember(e.ctx(2, f.bob), invite); !errors.Is(err, did.ErrNotController) {
		t.Fatalf("bob invites: %v", err)
	}
	_, stranger := orgTestKey(9)
	invite.Member = stranger
	if err := e.k.InviteMember(e.ctx(2, f.alice), invite); !errors.Is(err, did.ErrUnknownDID) {
		t.Fatalf("invitation of an unregistered DID: %v", err)
	}
}

// TestSeatedKinds checks the mana view of memberships: the kind of every
// organization in which a DID holds a seat, in mana's names, sorted.
func TestSeatedKinds(t *testing.T) {
	f := newFixture()
	e := newTestEnv(t, f)
	got, err := e.k.SeatedKinds(e.ctx(2, ""), f.alice)
	if err != nil || !slices.Equal(got, []string{mana.KindCooperative, mana.KindFederation}) {
		t.Fatalf("alice: %v, %v", got, err)
	}
	// bob belongs to coop but waits for a seat.
	if got, err := e.k.SeatedKinds(e.ctx(2, ""), f.bob); err != nil || len(got) != 0 {
		t.Fatalf("bob, waiting for a seat: %v, %v", got, err)
	}
	if got, err := e.k.SeatedKinds(e.ctx(2, ""), f.carol); err != nil || len(got) != 0 {
		t.Fatalf("carol, a member of nothing: %v, %v", got, err)
	}
}

// TestSetSeatsByGovernance: once the parent federation's assembly controls
// it, no signer may move its seats, its former founder included; its own
// authority, which only its governance carries, may.
func TestSetSeatsByGovernance(t *testing.T) {
	f := newFixture()
	e := newTestEnv(t, f)
	k, ctx := e.k, e.ctx
	if err := k.TransferControl(ctx(2, f.alice), &identityv1.MsgTransferControl{Org: f.root}); err != nil {
		t.Fatal(err)
	}
	raise := &identityv1.MsgSetSeats{Org: f.coop, Seats: 3}
	if err := k.SetSeats(ctx(3, f.alice), raise); !errors.Is(err, ErrAssemblyControlled) {
		t.Fatalf("former founder of the parent: %v", err)
	}
	if err := k.SetSeats(ctx(3, "").WithAuthority(f.coop), raise); !errors.Is(err, ErrAssemblyControlled) {
		t.Fatalf("the child's own authority: %v", err)
	}
	if err := k.SetSeats(ctx(3, "").WithAuthority(f.root), raise); err != nil {
		t.Fatalf("the parent's own authority: %v", err)
	}
	root, err := k.Organization(ctx(3, ""), f.root)
	if err != nil {
		t.Fatal(err)
	}
	coop, err := k.Organization(ctx(3, ""), f.coop)
	if err != nil {
		t.Fatal(err)
	}
	// 8 + 1 seats in all; bob, who waited, took one of the two new seats.
	if root.BonusSeats != 6 || root.SeatsUsed != 1 || coop.BonusSeats != 3 || coop.SeatsUsed != 2 {
		t.Fatalf("after the raise: root %d/%d, coop %d/%d (held/used)", root.BonusSeats, root.SeatsUsed, coop.BonusSeats, coop.SeatsUsed)
	}
	if ms, err := k.Membership(ctx(3, ""), f.coop, f.bob); err != nil || !ms.Seated {
		t.Fatalf("bob after the raise: %v, %v", ms, err)
	}
	if e.kv.Has(WaitingKey(f.coop, f.bob)) {
		t.Fatal("bob is seated but still indexed as waiting")
	}
}
