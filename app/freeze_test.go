package app_test

import (
	"testing"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client/profile"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// TestFreezeIsScoped is the review's cross-organization case: alice, who
// founded coop (under root), grants herself coop's compliance-officer role
// and freezes erin, a member of coop who founded and controls other. The
// freeze holds erin within coop's scope (coop, which has nothing below it)
// and nowhere else: erin still acts for other, sends messages that concern
// no organization, issues credentials and pays for others' transactions;
// within coop she may leave and appeal, and cannot rejoin until the freeze
// is lifted.
func TestFreezeIsScoped(t *testing.T) {
	w := newOrgWorld(t)
	w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.coop, w.erin.did), grantMsg(w.coop, w.alice.did, org.RoleComplianceOfficer)))
	w.commit(t, w.erin.signTx(t, txOpts{}, acceptMsg(w.coop)))
	wantCode(t, w.run(t, w.alice, freezeMsg(w.coop, w.erin.did, "the founder says so")), nil)

	newcomer := newAccount(40)
	outside := []struct {
		name string
		msg  *txv1.Msg
	}{
		{"invite to other", inviteMsg(w.other, w.dave.did)},
		{"grant a role in other", grantMsg(w.other, w.frank.did, "clerk")},
		{"revoke a role in other", revokeRoleMsg(w.other, w.frank.did, "clerk")},
		{"anchor", anchorMsg(testCID(t, "erin's minutes"), "doc")},
		{"register a DID", registerMsg(testChainID, newcomer.priv)},
		{"set a profile", sealedShapeProfileMsg()},
		{"issue a credential as herself", issueMsg(testCID(t, "erin-ref"), w.erin.did, w.bob.did, "Reference")},
		{"issue a credential as other", issueMsg(testCID(t, "other-member"), w.other, w.frank.did, "Membership")},
	}
	for _, s := range outside {
		if res := w.run(t, w.erin, s.msg); res.Code != 0 {
			t.Fatalf("%s: %s/%d %s", s.name, res.Codespace, res.Code, res.Log)
		}
	}
	// erin still pays for others, from her own account.
	sponsored := sponsorTx(t, w.dave, sponsorOf(w.erin, w.erin), w.erin.priv, nil, anchorMsg(testCID(t, "dave's minutes"), "doc"))
	w.dave.seq++
	w.commit(t, sponsored)

	// Within coop: appeal and leave, but no rejoining.
	wantCode(t, w.run(t, w.erin, appealMsg(w.coop, "coop's founder froze me to keep me out")), nil)
	wantCode(t, w.run(t, w.erin, leaveMsg(w.coop)), nil)
	w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.coop, w.erin.did)))
	wantCode(t, w.run(t, w.erin, acceptMsg(w.coop)), org.ErrFrozenInScope)
	if w.a.Org().IsMember(w.ctx(), w.coop, w.erin.did) {
		t.Fatal("a refused acceptance made erin a member")
	}
	w.commit(t, w.alice.signTx(t, txOpts{}, unfreezeMsg(w.coop, w.erin.did, "reconsidered")))
	wantCode(t, w.run(t, w.erin, acceptMsg(w.coop)), nil)
}

// TestFreezeCoversDescendants: a federation's freeze holds the account in
// the federation and in every organization below it, here the cooperative
// workshop that erin founded under the federation guild before guild froze
// her: she may not act for workshop (as its controller, as its credential
// issuer or by spending its treasury as sponsor) nor found anything under
// guild. Above guild (root) and beside it (other) she acts as before.
func TestFreezeCoversDescendants(t *testing.T) {
	w := newOrgWorld(t)
	guild := org.DeriveOrgDID(w.root, "guild")
	workshop := org.DeriveOrgDID(guild, "workshop")
	w.commit(t, w.alice.signTx(t, txOpts{}, createOrgMsg("guild", federation, w.root)))
	w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(guild, w.erin.did), grantMsg(guild, w.alice.did, org.RoleComplianceOfficer)))
	w.commit(t, w.erin.signTx(t, txOpts{}, acceptMsg(guild)))
	w.commit(t, w.erin.signTx(t, txOpts{}, createOrgMsg("workshop", cooperative, guild)))
	// Before the freeze erin runs workshop: she admits dave and frank,
	// takes its officer role, freezes frank, issues a credential.
	w.commit(t, w.erin.signTx(t, txOpts{},
		inviteMsg(workshop, w.dave.did), inviteMsg(workshop, w.frank.did),
		grantMsg(workshop, w.erin.did, org.RoleComplianceOfficer),
		issueMsg(testCID(t, "workshop-1"), workshop, w.dave.did, "Membership")))
	w.commit(t, w.dave.signTx(t, txOpts{}, acceptMsg(workshop)), w.frank.signTx(t, txOpts{}, acceptMsg(workshop)))
	w.commit(t, w.erin.signTx(t, txOpts{}, freezeMsg(workshop, w.frank.did, "r")))
	wantCode(t, w.run(t, w.alice, freezeMsg(guild, w.erin.did, "audit of the guild")), nil)

	within := []struct {
		name string
		msg  *txv1.Msg
	}{
		{"invite to workshop", inviteMsg(workshop, w.bob.did)},
		{"remove from workshop", removeMsg(workshop, w.dave.did)},
		{"grant a role in workshop", grantMsg(workshop, w.dave.did, "clerk")},
		{"revoke a role in workshop", revokeRoleMsg(workshop, w.erin.did, org.RoleComplianceOfficer)},
		{"freeze in workshop", freezeMsg(workshop, w.dave.did, "r")},
		{"unfreeze in workshop", unfreezeMsg(workshop, w.frank.did, "r")},
		{"transfer control of workshop", transferMsg(workshop)},
		{"found under guild", createOrgMsg("annex", cooperative, guild)},
		{"issue a credential as workshop", issueMsg(testCID(t, "workshop-2"), workshop, w.dave.did, "Membership")},
		{"revoke a credential of workshop", revokeCredentialMsg(testCID(t, "workshop-1"), workshop, "")},
	}
	for _, s := range within {
		t.Run(s.name, func(t *testing.T) { wantCode(t, w.run(t, w.erin, s.msg), org.ErrFrozenInScope) })
	}
	// Spending workshop's treasury is acting for workshop; spending
	// other's is not (its empty treasury is all that stops it).
	spend := func(payer string) []byte {
		s := &manav1.Sponsor{Payer: payer, Signer: w.erin.did, KeyId: didmod.FirstKeyID}
		return sponsorTx(t, w.dave, s, w.erin.priv, nil, anchorMsg(testCID(t, "paid by "+payer), "doc"))
	}
	wantCode(t, w.a.CheckTx(spend(workshop)), app.ErrSponsorNotAllowed)
	wantCode(t, w.a.CheckTx(spend(w.other)), mana.ErrInsufficientMana)

	// Above and beside guild, and leaving or appealing within it.
	wantCode(t, w.run(t, w.erin, createOrgMsg("erins", cooperative, w.root)), nil)
	wantCode(t, w.run(t, w.erin, inviteMsg(w.other, w.dave.did)), nil)
	wantCode(t, w.run(t, w.erin, appealMsg(guild, "the audit is a pretext")), nil)
	wantCode(t, w.run(t, w.erin, leaveMsg(guild)), nil)
}

// rootFreezeBob admits bob to root and has alice, root's founder, take
// root's compliance-officer role and freeze him: a freeze by the root
// federation, whose scope is the whole network.
func rootFreezeBob(t *testing.T, w *orgWorld) {
	t.Helper()
	w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.root, w.bob.did), grantMsg(w.root, w.alice.did, org.RoleComplianceOfficer)))
	w.commit(t, w.bob.signTx(t, txOpts{}, acceptMsg(w.root)))
	w.commit(t, w.alice.signTx(t, txOpts{}, freezeMsg(w.root, w.bob.did, "audit pending")))
}

// TestFederationDepth: an organization lies at most org.MaxDepth levels
// below the root federation, so that the walk from an organization up to
// the root, which every scoped freeze check may take, stays bounded.
func TestFederationDepth(t *testing.T) {
	w := newOrgWorld(t)
	parent := w.root
	var chain []*txv1.Msg
	for depth := 1; depth <= org.MaxDepth; depth++ {
		name := "level-" + string(rune('a'+depth))
		chain = append(chain, createOrgMsg(name, federation, parent))
		parent = org.DeriveOrgDID(parent, name)
	}
	w.commit(t, w.alice.signTx(t, txOpts{}, chain...))
	wantCode(t, w.run(t, w.alice, createOrgMsg("too-deep", cooperative, parent)), org.ErrTooDeep)
	if _, err := w.a.Org().Organization(w.ctx(), parent); err != nil {
		t.Fatalf("the deepest allowed federation: %v", err)
	}
}

// TestDeactivateFounder: a DID that controls an organization, as its
// founder, may not deactivate itself until control has passed to the
// organization's assembly, since an organization controlled by a
// deactivated DID could never act again; a plain member may.
func TestDeactivateFounder(t *testing.T) {
	w := newOrgWorld(t)
	wantCode(t, w.run(t, w.erin, deactivateMsg(w.erin.did)), didmod.ErrControlsOrganization)
	if doc, _ := w.a.DID().Document(w.ctx(), w.erin.did); doc.DeactivatedHeight != 0 {
		t.Fatal("a refused deactivation deactivated erin")
	}
	w.commit(t, w.erin.signTx(t, txOpts{}, transferMsg(w.other)))
	wantCode(t, w.run(t, w.erin, deactivateMsg(w.erin.did)), nil)
	// bob is a member of coop, and carol its officer: neither controls it.
	wantCode(t, w.run(t, w.bob, deactivateMsg(w.bob.did)), nil)
	wantCode(t, w.run(t, w.carol, deactivateMsg(w.carol.did)), nil)
	// alice founded and controls both root and coop.
	w.commit(t, w.alice.signTx(t, txOpts{}, transferMsg(w.coop)))
	wantCode(t, w.run(t, w.alice, deactivateMsg(w.alice.did)), didmod.ErrControlsOrganization)
}

// TestFrozenAccountMayProtectItself: a freeze by the root federation stops
// everything but what its rows allow (FrozenMaySend), and those include
// protecting the account itself: adding keys is refused, but rotating and
// revoking a key and erasing its profile are not; an anchor is refused.
func TestFrozenAccountMayProtectItself(t *testing.T) {
	w := newOrgWorld(t)
	second, third := newAccount(61), newAccount(62)
	w.commit(t, w.bob.signTx(t, txOpts{}, addKeyMsg(w.bob.did, "key-2", second.priv), sealedShapeProfileMsg()))
	rootFreezeBob(t, w)

	// A refused transaction does not use its sequence: sign those with the
	// current one explicitly.
	refused := func(msgs ...*txv1.Msg) {
		t.Helper()
		res, _ := block(t, w.a, w.bob.signTx(t, txOpts{seq: u64(w.bob.seq)}, msgs...))
		wantCode(t, res[0], app.ErrAccountFrozen)
	}
	refused(anchorMsg(testCID(t, "frozen"), "doc"))
	refused(addKeyMsg(w.bob.did, "key-3", third.priv))
	// A transaction mixing an allowed message with another is refused whole.
	refused(appealMsg(w.root, "s"), anchorMsg(testCID(t, "mixed"), "doc"))
	wantCode(t, w.run(t, w.bob, revokeKeyMsg(w.bob.did, "key-2")), nil)
	wantCode(t, w.run(t, w.bob, rotateKeyMsg(w.bob.did, "key-1", "key-4", third.priv)), nil)
	res, _ := block(t, w.a, w.bob.signTx(t, txOpts{keyID: "key-4", signWith: third.priv}, profile.EraseProfileMsg()))
	wantCode(t, res[0], nil)
}

// TestFreezeReachesTheWholeScope: an officer may freeze any account that
// stands within its organization's scope, not only its direct members, so
// that nobody steps out of reach by leaving a federation while staying in
// an organization below it; the root federation's officers reach every
// registered DID. An account outside the scope stays out of reach.
func TestFreezeReachesTheWholeScope(t *testing.T) {
	w := newOrgWorld(t)
	loner := newAccount(63)
	w.commit(t, w.alice.signTx(t, txOpts{}, registerMsg(testChainID, loner.priv), grantMsg(w.root, w.alice.did, org.RoleComplianceOfficer)))

	// frank, other's officer, cannot reach bob, who is in coop only.
	wantCode(t, w.run(t, w.frank, freezeMsg(w.other, w.bob.did, "r")), org.ErrNotMember)
	// root's officer reaches bob, a member of coop (under root), though bob
	// is no member of root, and a DID that belongs to nothing.
	wantCode(t, w.run(t, w.alice, freezeMsg(w.root, w.bob.did, "r")), nil)
	wantCode(t, w.run(t, w.alice, freezeMsg(w.root, loner.did, "r")), nil)
	res, _ := block(t, w.a, w.bob.signTx(t, txOpts{seq: u64(w.bob.seq)}, anchorMsg(testCID(t, "b"), "doc")))
	wantCode(t, res[0], app.ErrAccountFrozen)
}
