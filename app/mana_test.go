package app_test

import (
	"testing"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// TestMembershipDrivesCapacity follows a newcomer through onboarding: with
// no organization it has no capacity; a member sponsors the transaction
// that admits it to a cooperative, where it takes a free seat, which gives
// it the cooperative bonus;
// the mana then regenerates until it pays for itself; leaving takes the
// capacity away again.
func TestMembershipDrivesCapacity(t *testing.T) {
	w := newSponsorWorld(t)
	p := mana.DefaultParams(app.MessageSpecs())
	coopBonus := p.MembershipBonuses[1]
	fedBonus := p.MembershipBonuses[2]
	if coopBonus.Kind != mana.KindCooperative || fedBonus.Kind != mana.KindFederation {
		t.Fatalf("unexpected default bonus table %v", p.MembershipBonuses)
	}
	a, _ := newTestApp(t, w.genesis)
	block(t, a)

	// Genesis memberships count: alice founded the root federation.
	alice := readAccounts(t, a, w.alice.did)[0]
	if alice.BaseCapacity != sponsorFunds || alice.Capacity != sponsorFunds+fedBonus.Capacity || alice.Rate != 1+fedBonus.Rate {
		t.Fatalf("alice after genesis = %v", alice)
	}
	bob := readAccounts(t, a, w.bob.did)[0]
	if bob.Capacity != 0 || bob.Rate != 0 {
		t.Fatalf("a DID in no organization has capacity: %v", bob)
	}

	// alice founds a cooperative: it holds no seats, so founding gains her
	// nothing. As the root federation's controller she then passes it two
	// of root's seats, and takes one as its waiting first member.
	coop := org.DeriveOrgDID(w.root, "coop")
	create := &txv1.Msg{Sum: &txv1.Msg_CreateOrganization{CreateOrganization: &identityv1.MsgCreateOrganization{
		Name: "coop", Kind: identityv1.OrgKind_ORG_KIND_COOPERATIVE, Parent: w.root,
	}}}
	invite := &txv1.Msg{Sum: &txv1.Msg_InviteMember{InviteMember: &identityv1.MsgInviteMember{Org: coop, Member: w.bob.did}}}
	res, _ := block(t, a, w.alice.signTx(t, txOpts{}, create, invite))
	wantCode(t, res[0], nil)
	if got := readAccounts(t, a, w.alice.did)[0]; got.Capacity != sponsorFunds+fedBonus.Capacity {
		t.Fatalf("alice after founding a cooperative = %v", got)
	}
	res, _ = block(t, a, w.alice.signTx(t, txOpts{}, setSeatsMsg(coop, 2)))
	wantCode(t, res[0], nil)
	if got := readAccounts(t, a, w.alice.did)[0]; got.Capacity != sponsorFunds+fedBonus.Capacity+coopBonus.Capacity {
		t.Fatalf("alice after coop got seats = %v", got)
	}

	// bob cannot pay to accept; alice sponsors it.
	accept := &txv1.Msg{Sum: &txv1.Msg_AcceptInvitation{AcceptInvitation: &identityv1.MsgAcceptInvitation{Org: coop}}}
	unsponsored := w.bob.signTx(t, txOpts{seq: u64(0)}, accept)
	wantCode(t, a.CheckTx(unsponsored), mana.ErrInsufficientMana)
	sponsored := sponsorTx(t, w.bob, sponsorOf(w.alice, w.alice), w.alice.priv, nil, accept)
	res, _ = block(t, a, sponsored)
	wantCode(t, res[0], nil)
	joined := a.LastCommit().Version
	if !hasEvent(res[0], "icn.mana.capacity_changed") {
		t.Fatalf("joining emitted no capacity change: %s", eventTypes(res[0].Events))
	}
	wantAccountFields(t, readAccounts(t, a, w.bob.did)[0], &manav1.Account{Capacity: coopBonus.Capacity, Rate: coopBonus.Rate, LastHeight: joined})

	// The balance regenerates from the block of the join on, until bob can
	// pay for his own transaction.
	leave := &txv1.Msg{Sum: &txv1.Msg_LeaveOrganization{LeaveOrganization: &identityv1.MsgLeaveOrganization{Org: coop}}}
	w.bob.seq = 1
	own := w.bob.signTx(t, txOpts{}, leave)
	cost := mana.TxCost(p, len(own), []string{"leave_organization"})
	wait := int64((cost + coopBonus.Rate - 1) / coopBonus.Rate)
	for a.LastCommit().Version < joined+wait-1 {
		block(t, a)
	}
	// At the next height bob has exactly enough, or a block's worth more.
	res, _ = block(t, a, own)
	wantCode(t, res[0], nil)
	left := a.LastCommit().Version
	wantAccountFields(t, readAccounts(t, a, w.bob.did)[0], &manav1.Account{Capacity: 0, Rate: 0, LastHeight: left})
}

func hasEvent(res app.TxResult, typ string) bool {
	for _, e := range res.Events {
		if e.Type == typ {
			return true
		}
	}
	return false
}

// wantAccountFields compares the fields of an account that a test states.
func wantAccountFields(t *testing.T, got, want *manav1.Account) {
	t.Helper()
	if got.Balance != want.Balance || got.Capacity != want.Capacity || got.Rate != want.Rate || got.LastHeight != want.LastHeight || got.Escrowed != want.Escrowed {
		t.Fatalf("account = %v, want %v", got, want)
	}
}
