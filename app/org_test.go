package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/org"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol"
)

func createOrgMsg(name string, kind identityv1.OrgKind, parent string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_CreateOrganization{CreateOrganization: &identityv1.MsgCreateOrganization{Name: name, Kind: kind, Parent: parent}}}
}

func inviteMsg(org, member string, roles ...string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_InviteMember{InviteMember: &identityv1.MsgInviteMember{Org: org, Member: member, Roles: roles}}}
}

func acceptMsg(org string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_AcceptInvitation{AcceptInvitation: &identityv1.MsgAcceptInvitation{Org: org}}}
}

func leaveMsg(org string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_LeaveOrganization{LeaveOrganization: &identityv1.MsgLeaveOrganization{Org: org}}}
}

func removeMsg(org, member string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_RemoveMember{RemoveMember: &identityv1.MsgRemoveMember{Org: org, Member: member}}}
}

func grantMsg(org, member, role string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_GrantRole{GrantRole: &identityv1.MsgGrantRole{Org: org, Member: member, Role: role}}}
}

func revokeRoleMsg(org, member, role string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_RevokeRole{RevokeRole: &identityv1.MsgRevokeRole{Org: org, Member: member, Role: role}}}
}

func transferMsg(org string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_TransferControl{TransferControl: &identityv1.MsgTransferControl{Org: org}}}
}

func freezeMsg(org, account, reason string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_FreezeAccount{FreezeAccount: &identityv1.MsgFreezeAccount{Org: org, Account: account, Reason: reason}}}
}

func unfreezeMsg(org, account, reason string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_UnfreezeAccount{UnfreezeAccount: &identityv1.MsgUnfreezeAccount{Org: org, Account: account, Reason: reason}}}
}

func setSeatsMsg(org string, seats uint32) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_SetSeats{SetSeats: &identityv1.MsgSetSeats{Org: org, Seats: seats}}}
}

func appealMsg(org, statement string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_AppealFreeze{AppealFreeze: &identityv1.MsgAppealFreeze{Org: org, Statement: statement}}}
}

const (
	cooperative = identityv1.OrgKind_ORG_KIND_COOPERATIVE
	federation  = identityv1.OrgKind_ORG_KIND_FEDERATION
)

// orgWorld is a chain with a root federation founded by alice and two
// cooperatives under it: coop, founded by alice, whose members are bob
// (with the custom role "treasurer") and carol (compliance officer); and
// other, founded by erin, whose compliance officer is frank. dave is
// registered and belongs to nothing.
type orgWorld struct {
	a                                    *app.App
	root, coop, other                    string
	alice, bob, carol, dave, erin, frank *account
}

func newOrgWorld(t *testing.T) *orgWorld {
	t.Helper()
	w := &orgWorld{
		alice: newAccount(1), bob: newAccount(2), carol: newAccount(3),
		dave: newAccount(4), erin: newAccount(5), frank: newAccount(6),
	}
	w.a, _ = newTestApp(t, orgGenesis(t, w.alice, w.alice, w.bob, w.carol, w.dave, w.erin, w.frank))
	w.root = org.DeriveOrgDID("", "root")
	w.coop = org.DeriveOrgDID(w.root, "coop")
	w.other = org.DeriveOrgDID(w.root, "other")
	// Only members of a federation may found organizations under it:
	// alice founded root; erin is admitted to it first.
	w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.root, w.erin.did)))
	w.commit(t, w.erin.signTx(t, txOpts{}, acceptMsg(w.root)))
	w.commit(t,
		w.alice.signTx(t, txOpts{}, createOrgMsg("coop", cooperative, w.root)),
		w.erin.signTx(t, txOpts{}, createOrgMsg("other", cooperative, w.root)),
	)
	w.commit(t,
		w.alice.signTx(t, txOpts{}, inviteMsg(w.coop, w.bob.did, "treasurer"), inviteMsg(w.coop, w.carol.did, org.RoleComplianceOfficer)),
		w.erin.signTx(t, txOpts{}, inviteMsg(w.other, w.frank.did, org.RoleComplianceOfficer)),
	)
	w.commit(t,
		w.bob.signTx(t, txOpts{}, acceptMsg(w.coop)),
		w.carol.signTx(t, txOpts{}, acceptMsg(w.coop)),
		w.frank.signTx(t, txOpts{}, acceptMsg(w.other)),
	)
	return w
}

// testRootSeats are the bonus seats of the test chains' root federations.
const testRootSeats = 16

// orgGenesis funds accts and adds the root federation "root" founded by
// founder, holding testRootSeats seats.
func orgGenesis(t *testing.T, founder *account, accts ...*account) []byte {
	t.Helper()
	g, err := app.ParseGenesis(genesisFor(t, 1_000_000, accts...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Org.AddRootFederation("root", founder.did, testRootSeats); err != nil {
		t.Fatal(err)
	}
	bz, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// commit runs txs in a block and requires every one to succeed.
func (w *orgWorld) commit(t *testing.T, txs ...[]byte) {
	t.Helper()
	res, _ := block(t, w.a, txs...)
	for _, r := range res {
		wantCode(t, r, nil)
	}
}

// run signs msgs as signer, runs them in a block of their own and returns
// the result.
func (w *orgWorld) run(t *testing.T, signer *account, msgs ...*txv1.Msg) app.TxResult {
	t.Helper()
	res, _ := block(t, w.a, signer.signTx(t, txOpts{}, msgs...))
	return res[0]
}

func (w *orgWorld) ctx() modules.Context { return ctxAt(w.a) }

func upperDID(did string) string {
	return didmod.MethodPrefix + strings.ToUpper(did[len(didmod.MethodPrefix):])
}

// TestOrganizationCodes checks the exact result code of every bad input to
// the organization, membership, role, control and freeze messages. Each
// case runs on a fresh orgWorld; setup runs (and must succeed) before the
// message under test, which goes into a block of its own.
func TestOrganizationCodes(t *testing.T) {
	stranger := newAccount(99) // never registered
	longName := strings.Repeat("a", org.MaxOrgNameLength+1)
	tooManyRoles := make([]string, org.MaxRoles)
	for i := range tooManyRoles {
		tooManyRoles[i] = "role-" + string(rune('a'+i))
	}
	cases := []struct {
		name   string
		setup  func(t *testing.T, w *orgWorld)
		signer func(w *orgWorld) *account
		msgs   func(w *orgWorld) []*txv1.Msg
		want   *modules.Error
	}{
		// Creation and the hierarchy.
		{name: "create: parent not canonical", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("x", cooperative, upperDID(w.root)) }), want: didmod.ErrInvalidDID},
		{name: "create: orphan, parent unknown", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("x", cooperative, w.dave.did) }), want: org.ErrOrphanOrg},
		{name: "create: orphan, parent a cooperative", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("x", cooperative, w.coop) }), want: org.ErrOrphanOrg},
		{name: "create: orphan, federation under a cooperative", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("x", federation, w.other) }), want: org.ErrOrphanOrg},
		{name: "create: orphan, no parent", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("x", federation, "") }), want: org.ErrOrphanOrg},
		{name: "create: name too long", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg(longName, cooperative, w.root) }), want: org.ErrInvalidOrgName},
		{name: "create: name upper case", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("Coop", cooperative, w.root) }), want: org.ErrInvalidOrgName},
		{name: "create: name starts with a dash", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("-coop", cooperative, w.root) }), want: org.ErrInvalidOrgName},
		{name: "create: empty name", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("", cooperative, w.root) }), want: org.ErrInvalidOrgName},
		{name: "create: kind unspecified", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("x", 0, w.root) }), want: org.ErrInvalidOrgKind},
		{name: "create: kind out of range", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("x", 7, w.root) }), want: org.ErrInvalidOrgKind},
		// Second founders.
		{name: "second founder: organization exists", signer: asDave, msgs: one(func(w *orgWorld) *txv1.Msg { return createOrgMsg("coop", cooperative, w.root) }), want: org.ErrSecondFounder},
		{name: "second founder: granting founder", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return grantMsg(w.coop, w.bob.did, org.RoleFounder) }), want: org.ErrSecondFounder},
		{name: "second founder: inviting as founder", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.dave.did, org.RoleFounder) }), want: org.ErrSecondFounder},
		// Invitations.
		{name: "invite: organization not canonical", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(upperDID(w.coop), w.dave.did) }), want: didmod.ErrInvalidDID},
		{name: "invite: organization unknown", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.dave.did, w.bob.did) }), want: org.ErrUnknownOrg},
		{name: "invite: invitee not canonical", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.dave.did+"=") }), want: didmod.ErrInvalidDID},
		{name: "invite: invitee not registered", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, stranger.did) }), want: didmod.ErrUnknownDID},
		{name: "wrong role: member inviting", signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.dave.did) }), want: didmod.ErrNotController},
		{name: "wrong role: officer inviting", signer: asCarol, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.dave.did) }), want: didmod.ErrNotController},
		{name: "wrong role: founder of another organization inviting", signer: asErin, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.dave.did) }), want: didmod.ErrNotController},
		{name: "invite: already a member", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.bob.did) }), want: org.ErrAlreadyMember},
		{name: "invite: too many roles", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.dave.did, tooManyRoles...) }), want: org.ErrTooManyRoles},
		{name: "invite: role upper case", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.dave.did, "Treasurer") }), want: org.ErrInvalidRole},
		{name: "invite: role too long", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg {
			return inviteMsg(w.coop, w.dave.did, strings.Repeat("r", org.MaxRoleLength+1))
		}), want: org.ErrInvalidRole},
		{name: "invite: role offered twice", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.dave.did, "clerk", "clerk") }), want: org.ErrInvalidRole},
		{name: "invite: member role offered", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return inviteMsg(w.coop, w.dave.did, org.RoleMember) }), want: org.ErrInvalidRole},
		// Accepting, leaving, removing.
		{name: "accept: without an invitation", signer: asDave, msgs: one(func(w *orgWorld) *txv1.Msg { return acceptMsg(w.coop) }), want: org.ErrNoInvitation},
		{name: "accept: invited elsewhere", setup: func(t *testing.T, w *orgWorld) {
			w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.coop, w.dave.did)))
		}, signer: asDave, msgs: one(func(w *orgWorld) *txv1.Msg { return acceptMsg(w.other) }), want: org.ErrNoInvitation},
		{name: "accept: twice", setup: func(t *testing.T, w *orgWorld) {
			w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.coop, w.dave.did)))
			w.commit(t, w.dave.signTx(t, txOpts{}, acceptMsg(w.coop)))
		}, signer: asDave, msgs: one(func(w *orgWorld) *txv1.Msg { return acceptMsg(w.coop) }), want: org.ErrNoInvitation},
		{name: "accept: organization unknown", signer: asDave, msgs: one(func(w *orgWorld) *txv1.Msg { return acceptMsg(w.bob.did) }), want: org.ErrUnknownOrg},
		{name: "leave: not a member", signer: asDave, msgs: one(func(w *orgWorld) *txv1.Msg { return leaveMsg(w.coop) }), want: org.ErrNotMember},
		{name: "leave: founder in control", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return leaveMsg(w.coop) }), want: org.ErrFounderInControl},
		{name: "remove: not a member", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return removeMsg(w.coop, w.dave.did) }), want: org.ErrNotMember},
		{name: "remove: member of another organization", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return removeMsg(w.coop, w.frank.did) }), want: org.ErrNotMember},
		{name: "remove: the founder in control", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return removeMsg(w.coop, w.alice.did) }), want: org.ErrFounderInControl},
		{name: "wrong role: member removing", signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return removeMsg(w.coop, w.carol.did) }), want: didmod.ErrNotController},
		// Roles.
		{name: "grant: role held", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return grantMsg(w.coop, w.bob.did, "treasurer") }), want: org.ErrRoleHeld},
		{name: "grant: not a member", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return grantMsg(w.coop, w.dave.did, "clerk") }), want: org.ErrNotMember},
		{name: "grant: member role", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return grantMsg(w.coop, w.bob.did, org.RoleMember) }), want: org.ErrInvalidRole},
		{name: "grant: malformed role", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return grantMsg(w.coop, w.bob.did, "clerk-") }), want: org.ErrInvalidRole},
		{name: "wrong role: member granting", signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return grantMsg(w.coop, w.bob.did, org.RoleComplianceOfficer) }), want: didmod.ErrNotController},
		{name: "grant: too many roles", setup: func(t *testing.T, w *orgWorld) {
			// bob holds member and treasurer; fill up to MaxRoles.
			var msgs []*txv1.Msg
			for i := 2; i < org.MaxRoles; i++ {
				msgs = append(msgs, grantMsg(w.coop, w.bob.did, tooManyRoles[i]))
			}
			w.commit(t, w.alice.signTx(t, txOpts{}, msgs...))
		}, signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return grantMsg(w.coop, w.bob.did, "one-more") }), want: org.ErrTooManyRoles},
		{name: "revoke: role not held", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return revokeRoleMsg(w.coop, w.bob.did, "auditor") }), want: org.ErrRoleNotHeld},
		{name: "revoke: member role", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return revokeRoleMsg(w.coop, w.bob.did, org.RoleMember) }), want: org.ErrInvalidRole},
		{name: "revoke: founder role", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return revokeRoleMsg(w.coop, w.alice.did, org.RoleFounder) }), want: org.ErrInvalidRole},
		{name: "wrong role: member revoking", signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return revokeRoleMsg(w.coop, w.carol.did, org.RoleComplianceOfficer) }), want: didmod.ErrNotController},
		// Control.
		{name: "wrong role: member transferring control", signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return transferMsg(w.coop) }), want: didmod.ErrNotController},
		{name: "transfer twice", setup: func(t *testing.T, w *orgWorld) {
			w.commit(t, w.alice.signTx(t, txOpts{}, transferMsg(w.coop)))
		}, signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return transferMsg(w.coop) }), want: org.ErrAssemblyControlled},
		{name: "transfer: organization unknown", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return transferMsg(w.alice.did) }), want: org.ErrUnknownOrg},
		// Freezes.
		{name: "wrong role: member freezing", signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.coop, w.carol.did, "r") }), want: org.ErrNotOfficer},
		{name: "wrong role: founder freezing", signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.coop, w.bob.did, "r") }), want: org.ErrNotOfficer},
		{name: "wrong role: outsider freezing", signer: asDave, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.coop, w.bob.did, "r") }), want: org.ErrNotOfficer},
		{name: "wrong role: officer of another organization freezing", signer: asFrank, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.coop, w.bob.did, "r") }), want: org.ErrNotOfficer},
		{name: "freeze: account outside the officer's organization", signer: asFrank, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.other, w.bob.did, "r") }), want: org.ErrNotMember},
		{name: "freeze: not a member", signer: asCarol, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.coop, w.dave.did, "r") }), want: org.ErrNotMember},
		{name: "freeze: account not canonical", signer: asCarol, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.coop, upperDID(w.bob.did), "r") }), want: didmod.ErrInvalidDID},
		{name: "freeze: reason too long", signer: asCarol, msgs: one(func(w *orgWorld) *txv1.Msg {
			return freezeMsg(w.coop, w.bob.did, strings.Repeat("r", org.MaxReasonLength+1))
		}), want: org.ErrInvalidReason},
		{name: "freeze: no reason", signer: asCarol, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.coop, w.bob.did, "") }), want: org.ErrInvalidReason},
		{name: "freeze: reason not UTF-8", signer: asCarol, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.coop, w.bob.did, "\xff") }), want: org.ErrInvalidReason},
		{name: "freeze: twice", setup: freezeBob, signer: asCarol, msgs: one(func(w *orgWorld) *txv1.Msg { return freezeMsg(w.coop, w.bob.did, "again") }), want: org.ErrAlreadyFrozen},
		{name: "unfreeze: not frozen", signer: asCarol, msgs: one(func(w *orgWorld) *txv1.Msg { return unfreezeMsg(w.coop, w.bob.did, "r") }), want: org.ErrNotFrozen},
		{name: "unfreeze: reason too long", setup: freezeBob, signer: asCarol, msgs: one(func(w *orgWorld) *txv1.Msg {
			return unfreezeMsg(w.coop, w.bob.did, strings.Repeat("r", org.MaxReasonLength+1))
		}), want: org.ErrInvalidReason},
		{name: "wrong role: founder unfreezing", setup: freezeBob, signer: asAlice, msgs: one(func(w *orgWorld) *txv1.Msg { return unfreezeMsg(w.coop, w.bob.did, "r") }), want: org.ErrNotOfficer},
		{name: "wrong role: officer of another organization unfreezing", setup: freezeBob, signer: asFrank, msgs: one(func(w *orgWorld) *txv1.Msg { return unfreezeMsg(w.coop, w.bob.did, "r") }), want: org.ErrNotOfficer},
		{name: "appeal: not frozen", signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return appealMsg(w.coop, "why?") }), want: org.ErrNotFrozen},
		{name: "appeal: frozen by another organization", setup: freezeBob, signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return appealMsg(w.other, "why?") }), want: org.ErrNotFrozen},
		{name: "appeal: statement too long", setup: freezeBob, signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg {
			return appealMsg(w.coop, strings.Repeat("s", org.MaxStatementLength+1))
		}), want: org.ErrInvalidReason},
		{name: "appeal: twice", setup: func(t *testing.T, w *orgWorld) {
			freezeBob(t, w)
			w.commit(t, w.bob.signTx(t, txOpts{}, appealMsg(w.coop, "first")))
		}, signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return appealMsg(w.coop, "second") }), want: org.ErrAlreadyAppealed},
		{name: "root-frozen signer", setup: rootFreezeBob, signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return anchorMsg(testCID(t, "b"), "doc") }), want: app.ErrAccountFrozen},
		{name: "root-frozen signer: appeal with another message", setup: rootFreezeBob, signer: asBob, msgs: func(w *orgWorld) []*txv1.Msg {
			return []*txv1.Msg{appealMsg(w.root, "why?"), anchorMsg(testCID(t, "b"), "doc")}
		}, want: app.ErrAccountFrozen},
		{name: "root-frozen signer: leave with another message", setup: rootFreezeBob, signer: asBob, msgs: func(w *orgWorld) []*txv1.Msg {
			return []*txv1.Msg{leaveMsg(w.coop), grantMsg(w.coop, w.bob.did, "clerk")}
		}, want: app.ErrAccountFrozen},
		{name: "frozen within scope: rejoining", setup: func(t *testing.T, w *orgWorld) {
			freezeBob(t, w)
			w.commit(t, w.alice.signTx(t, txOpts{}, removeMsg(w.coop, w.bob.did)))
			w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.coop, w.bob.did)))
		}, signer: asBob, msgs: one(func(w *orgWorld) *txv1.Msg { return acceptMsg(w.coop) }), want: org.ErrFrozenInScope},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newOrgWorld(t)
			if tc.setup != nil {
				tc.setup(t, w)
			}
			wantCode(t, w.run(t, tc.signer(w), tc.msgs(w)...), tc.want)
		})
	}
}

func asAlice(w *orgWorld) *account { return w.alice }
func asBob(w *orgWorld) *account   { return w.bob }
func asCarol(w *orgWorld) *account { return w.carol }
func asDave(w *orgWorld) *account  { return w.dave }
func asErin(w *orgWorld) *account  { return w.erin }
func asFrank(w *orgWorld) *account { return w.frank }

// one adapts a single-message constructor to a case's msgs.
func one(f func(w *orgWorld) *txv1.Msg) func(w *orgWorld) []*txv1.Msg {
	return func(w *orgWorld) []*txv1.Msg { return []*txv1.Msg{f(w)} }
}

// freezeBob has carol, coop's officer, freeze bob.
func freezeBob(t *testing.T, w *orgWorld) {
	t.Helper()
	w.commit(t, w.carol.signTx(t, txOpts{}, freezeMsg(w.coop, w.bob.did, "audit pending")))
}

// TestOrganizationState follows an organization from creation through
// membership changes and checks what each step stores and emits.
func TestOrganizationState(t *testing.T) {
	w := newOrgWorld(t)
	ctx := w.ctx()

	o, err := w.a.Org().Organization(ctx, w.coop)
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "coop" || o.Kind != cooperative || o.Parent != w.root || o.Founder != w.alice.did ||
		o.Control != identityv1.Control_CONTROL_FOUNDER || o.CreatedHeight != 3 || o.ControlTransferredHeight != 0 {
		t.Fatalf("organization record: %+v", o)
	}
	doc, err := w.a.DID().Document(ctx, w.coop)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 0 || !slices.Equal(doc.Controllers, []string{w.alice.did}) || doc.RegisteredBy != w.alice.did {
		t.Fatalf("organization document: %+v", doc)
	}
	if _, err := w.a.Mana().Account(ctx, w.coop); err != nil {
		t.Fatalf("treasury: %v", err)
	}
	wantRoles := map[string][]string{
		w.alice.did: {org.RoleFounder, org.RoleMember},
		w.bob.did:   {org.RoleMember, "treasurer"},
		w.carol.did: {org.RoleComplianceOfficer, org.RoleMember},
	}
	members, err := w.a.Org().Members(ctx, w.coop)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != len(wantRoles) {
		t.Fatalf("%d members, want %d", len(members), len(wantRoles))
	}
	for i, m := range members {
		if i > 0 && members[i-1].Member >= m.Member {
			t.Fatalf("members not sorted: %s after %s", m.Member, members[i-1].Member)
		}
		if !slices.Equal(m.Roles, wantRoles[m.Member]) {
			t.Fatalf("roles of %s: %v, want %v", m.Member, m.Roles, wantRoles[m.Member])
		}
	}
	if _, err := w.a.Org().Invitation(ctx, w.coop, w.bob.did); err == nil {
		t.Fatal("an accepted invitation is still pending")
	}
	orgsOf := func(did string) []string {
		t.Helper()
		orgs, err := w.a.Org().OrganizationsOf(w.ctx(), did)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range orgs {
			out = append(out, o.Did)
		}
		return out
	}
	want := []string{w.root, w.coop}
	slices.Sort(want)
	if got := orgsOf(w.alice.did); !slices.Equal(got, want) {
		t.Fatalf("OrganizationsOf(alice) = %v, want %v (sorted)", got, want)
	}

	// root passes coop four seats: alice, bob and carol, who waited for
	// one since joining, take three.
	res := w.run(t, w.alice, setSeatsMsg(w.coop, 4))
	wantCode(t, res, nil)
	wantEvent(t, res, "icn.org.seats_set", "parent_seats", "12") // root held 16 and passes on 4
	for _, m := range []*account{w.alice, w.bob, w.carol} {
		wantEvent(t, res, "icn.org.member_seated", "member", m.did)
	}

	// A new member joins with the invitation's roles, taking the free
	// seat, then leaves; its mana capacity follows (the mana module's
	// membership bonus).
	capacity := func() uint64 {
		t.Helper()
		acc, err := w.a.Mana().Account(w.ctx(), w.dave.did)
		if err != nil {
			t.Fatal(err)
		}
		return acc.Capacity
	}
	outside := capacity()
	res = w.run(t, w.alice, inviteMsg(w.coop, w.dave.did, "clerk", "auditor"))
	wantCode(t, res, nil)
	wantEvent(t, res, "icn.org.member_invited", "roles", "auditor,clerk")
	res = w.run(t, w.dave, acceptMsg(w.coop))
	wantCode(t, res, nil)
	wantEvent(t, res, "icn.org.member_joined", "roles", "auditor,clerk,member")
	wantEvent(t, res, "icn.org.member_joined", "seated", "true")
	if got := orgsOf(w.dave.did); !slices.Equal(got, []string{w.coop}) {
		t.Fatalf("OrganizationsOf(dave) = %v", got)
	}
	if capacity() <= outside {
		t.Fatalf("joining left dave's capacity at %d", capacity())
	}
	wantCode(t, w.run(t, w.alice, revokeRoleMsg(w.coop, w.dave.did, "clerk")), nil)
	if ok, _ := w.a.Org().HasRole(w.ctx(), w.coop, w.dave.did, "clerk"); ok {
		t.Fatal("revoked role still held")
	}
	res = w.run(t, w.dave, leaveMsg(w.coop))
	wantCode(t, res, nil)
	wantEvent(t, res, "icn.org.member_left", "member", w.dave.did)
	if got := orgsOf(w.dave.did); len(got) != 0 {
		t.Fatalf("OrganizationsOf(dave) after leaving = %v", got)
	}
	if capacity() != outside {
		t.Fatalf("after leaving dave's capacity is %d, was %d outside", capacity(), outside)
	}

	// A removed member's index entry goes too.
	wantCode(t, w.run(t, w.alice, removeMsg(w.coop, w.bob.did)), nil)
	if got := orgsOf(w.bob.did); len(got) != 0 {
		t.Fatalf("OrganizationsOf(bob) after removal = %v", got)
	}
	if w.a.Org().IsMember(w.ctx(), w.coop, w.bob.did) {
		t.Fatal("removed member is still a member")
	}

	// A federation under the root, and a community under it.
	wantCode(t, w.run(t, w.erin, createOrgMsg("north", federation, w.root)), nil)
	north := org.DeriveOrgDID(w.root, "north")
	wantCode(t, w.run(t, w.erin, createOrgMsg("village", identityv1.OrgKind_ORG_KIND_COMMUNITY, north)), nil)
	// The same name under another parent is another organization.
	wantCode(t, w.run(t, w.erin, createOrgMsg("coop", cooperative, north)), nil)
	if o, err := w.a.Org().Organization(w.ctx(), org.DeriveOrgDID(north, "coop")); err != nil || o.Parent != north {
		t.Fatalf("coop under north: %+v, %v", o, err)
	}
}

// wantEvent requires an event of type typ with attribute key = value.
func wantEvent(t *testing.T, res app.TxResult, typ, key, value string) {
	t.Helper()
	for _, e := range res.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key && a.Value == value {
				return
			}
		}
	}
	t.Fatalf("no %s event with %s=%q in %s", typ, key, value, eventTypes(res.Events))
}

// TestComplianceFreeze walks a freeze by the root federation, whose scope
// is the whole network: the frozen account is refused in CheckTx and in
// blocks at no cost to it, except when it appeals or leaves an
// organization; it may not pay for another's transaction; and it acts again
// once the officer unfreezes it. Neither the freeze nor the refusals touch
// its mana account.
func TestComplianceFreeze(t *testing.T) {
	w := newOrgWorld(t)
	w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.root, w.bob.did), grantMsg(w.root, w.alice.did, org.RoleComplianceOfficer)))
	w.commit(t, w.bob.signTx(t, txOpts{}, acceptMsg(w.root)))
	accountBytes := func() []byte {
		t.Helper()
		acc, err := w.a.Mana().Account(w.ctx(), w.bob.did)
		if err != nil {
			t.Fatal(err)
		}
		return marshal(t, acc)
	}
	bobAccount := accountBytes()

	res := w.run(t, w.alice, freezeMsg(w.root, w.bob.did, "audit pending"))
	wantCode(t, res, nil)
	wantEvent(t, res, "icn.org.account_frozen", "account", w.bob.did)

	// Refused in CheckTx and in a block, with nothing charged and the
	// sequence unchanged.
	refused := w.bob.signTx(t, txOpts{seq: u64(w.bob.seq)}, anchorMsg(testCID(t, "b"), "doc"))
	wantCode(t, w.a.CheckTx(refused), app.ErrAccountFrozen)
	res2, _ := block(t, w.a, refused)
	wantCode(t, res2[0], app.ErrAccountFrozen)
	if seq, _ := w.a.DID().Sequence(w.ctx(), w.bob.did); seq != w.bob.seq {
		t.Fatalf("refused tx moved bob's sequence to %d", seq)
	}
	if !bytes.Equal(accountBytes(), bobAccount) {
		t.Fatal("the freeze or a refused tx changed bob's mana account")
	}
	// Nor may bob pay for dave.
	sponsored := sponsorTx(t, w.dave, sponsorOf(w.bob, w.bob), w.bob.priv, nil, anchorMsg(testCID(t, "d"), "doc"))
	wantCode(t, w.a.CheckTx(sponsored), app.ErrSponsorNotAllowed)

	// Bob may appeal; the statement is recorded once.
	appeal := w.bob.signTx(t, txOpts{}, appealMsg(w.root, "the audit closed last week"))
	wantCode(t, w.a.CheckTx(appeal), nil)
	res2, _ = block(t, w.a, appeal)
	wantCode(t, res2[0], nil)
	wantEvent(t, res2[0], "icn.org.freeze_appealed", "account", w.bob.did)
	f, err := w.a.Org().FreezeOf(w.ctx(), w.bob.did, w.root)
	if err != nil || f.Appeal != "the audit closed last week" || f.Reason != "audit pending" || f.FrozenBy != w.alice.did {
		t.Fatalf("freeze record: %+v, %v", f, err)
	}
	// And leave an organization: the freeze outlives the membership.
	wantCode(t, w.run(t, w.bob, leaveMsg(w.coop)), nil)
	wantCode(t, w.run(t, w.bob, leaveMsg(w.root)), nil)
	if _, err := w.a.Org().FreezeOf(w.ctx(), w.bob.did, w.root); err != nil {
		t.Fatalf("leaving root lifted its freeze: %v", err)
	}

	// Unfreezing restores the account.
	wantCode(t, w.run(t, w.alice, unfreezeMsg(w.root, w.bob.did, "audit closed")), nil)
	wantCode(t, w.run(t, w.bob, anchorMsg(testCID(t, "b"), "doc")), nil)
}

// TestOfficerCannotSignForAccount shows that a compliance officer's key
// authenticates as nobody but the officer: a transaction naming the frozen
// (or any) account as signer fails authentication, whatever key id it
// names, so no message can spend or move that account's mana.
func TestOfficerCannotSignForAccount(t *testing.T) {
	w := newOrgWorld(t)
	asBob := func(keyID string, msgs ...*txv1.Msg) []byte {
		seq := w.bob.seq
		return w.bob.signTx(t, txOpts{seq: &seq, keyID: keyID, signWith: w.carol.priv}, msgs...)
	}
	wantCode(t, w.a.CheckTx(asBob(didmod.FirstKeyID, leaveMsg(w.coop))), app.ErrBadSignature)
	wantCode(t, w.a.CheckTx(asBob("key-2", leaveMsg(w.coop))), app.ErrUnknownKey)
	freezeBob(t, w)
	wantCode(t, w.a.CheckTx(asBob(didmod.FirstKeyID, appealMsg(w.coop, "forged"))), app.ErrBadSignature)
	f, err := w.a.Org().FreezeOf(w.ctx(), w.bob.did, w.coop)
	if err != nil || f.Appeal != "" {
		t.Fatalf("freeze after forged appeal: %+v, %v", f, err)
	}
}

// TestAssemblyControl hands an organization to its assembly and shows that
// no single key can act for it any more: every privileged message, from the
// former founder, a member or the compliance officer, is refused, and so
// are the DID lifecycle messages on the organization's DID and any
// transaction signed as the organization. Officers keep their role, and
// the founder becomes an ordinary member who may leave.
func TestAssemblyControl(t *testing.T) {
	w := newOrgWorld(t)
	res := w.run(t, w.alice, transferMsg(w.coop))
	wantCode(t, res, nil)
	wantEvent(t, res, "icn.org.control_transferred", "org", w.coop)
	ctx := w.ctx()
	o, err := w.a.Org().Organization(ctx, w.coop)
	if err != nil || o.Control != identityv1.Control_CONTROL_ASSEMBLY || o.ControlTransferredHeight != w.a.LastCommit().Version {
		t.Fatalf("after transfer: %+v, %v", o, err)
	}
	doc, err := w.a.DID().Document(ctx, w.coop)
	if err != nil || len(doc.Controllers) != 0 || len(doc.Keys) != 0 {
		t.Fatalf("document after transfer: %+v, %v", doc, err)
	}
	if m, err := w.a.Org().Membership(ctx, w.coop, w.alice.did); err != nil || !slices.Equal(m.Roles, []string{org.RoleMember}) {
		t.Fatalf("founder's membership after transfer: %+v, %v", m, err)
	}

	key := newAccount(50).priv
	privileged := []struct {
		name string
		msg  *txv1.Msg
		want *modules.Error
	}{
		{"invite", inviteMsg(w.coop, w.dave.did), org.ErrAssemblyControlled},
		{"remove", removeMsg(w.coop, w.bob.did), org.ErrAssemblyControlled},
		{"grant", grantMsg(w.coop, w.bob.did, "clerk"), org.ErrAssemblyControlled},
		{"revoke", revokeRoleMsg(w.coop, w.carol.did, org.RoleComplianceOfficer), org.ErrAssemblyControlled},
		{"transfer", transferMsg(w.coop), org.ErrAssemblyControlled},
		{"add a key to the organization", addKeyMsg(w.coop, "key-1", key), didmod.ErrNotController},
		{"deactivate the organization", deactivateMsg(w.coop), didmod.ErrNotController},
	}
	for _, signer := range []*account{w.alice, w.bob, w.carol} {
		for _, p := range privileged {
			wantCode(t, w.run(t, signer, p.msg), p.want)
		}
	}
	// Nobody holds a key of the organization's DID.
	asOrg := &account{priv: w.alice.priv, did: w.coop}
	wantCode(t, w.a.CheckTx(asOrg.signTx(t, txOpts{}, inviteMsg(w.coop, w.dave.did))), app.ErrUnknownKey)
	if m, _ := w.a.Org().Members(w.ctx(), w.coop); len(m) != 3 {
		t.Fatalf("membership changed under assembly control: %d members", len(m))
	}

	// Role actions continue; the former founder is an ordinary member.
	wantCode(t, w.run(t, w.carol, freezeMsg(w.coop, w.bob.did, "r")), nil)
	wantCode(t, w.run(t, w.carol, unfreezeMsg(w.coop, w.bob.did, "r")), nil)
	wantCode(t, w.run(t, w.alice, leaveMsg(w.coop)), nil)
	if o, _ := w.a.Org().Organization(w.ctx(), w.coop); o.Founder != w.alice.did {
		t.Fatalf("the record forgot its founder: %+v", o)
	}
}

// TestOrganizationExport exports a chain holding every kind of
// organization record and restarts a chain from it: the restarted chain
// exports the same identity state, and its organization documents are the
// ones the messages wrote.
func TestOrganizationExport(t *testing.T) {
	w := newOrgWorld(t)
	w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.coop, w.dave.did, "clerk")))
	freezeBob(t, w)
	w.commit(t, w.bob.signTx(t, txOpts{}, appealMsg(w.coop, "please")))
	w.commit(t, w.erin.signTx(t, txOpts{}, transferMsg(w.other)))
	// A freeze by root too, whose marker InitChain must rebuild.
	w.commit(t, w.alice.signTx(t, txOpts{}, grantMsg(w.root, w.alice.did, org.RoleComplianceOfficer), freezeMsg(w.root, w.erin.did, "root audit")))

	g, h, err := w.a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	gi := g.Org
	if len(gi.Organizations) != 3 || len(gi.Memberships) != 7 || len(gi.Invitations) != 1 || len(gi.Freezes) != 2 {
		t.Fatalf("export: %d organizations, %d memberships, %d invitations, %d freezes",
			len(gi.Organizations), len(gi.Memberships), len(gi.Invitations), len(gi.Freezes))
	}
	for _, d := range g.DID.Documents {
		if len(d.Keys) == 0 {
			t.Fatalf("organization document %s exported among the documents", d.Did)
		}
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("exported genesis does not validate: %v", err)
	}
	b := restartFromExport(t, g, h)
	g2, _, err := b.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range [][2]any{{g.DID, g2.DID}, {g.Org, g2.Org}} {
		want, _ := json.Marshal(section[0])
		got, _ := json.Marshal(section[1])
		if !bytes.Equal(want, got) {
			t.Fatalf("export differs after restart:\nwant %s\ngot  %s", want, got)
		}
	}
	for _, org := range []string{w.root, w.coop, w.other} {
		d1, err1 := w.a.DID().Document(w.ctx(), org)
		d2, err2 := b.DID().Document(ctxAt(b), org)
		if err1 != nil || err2 != nil || !bytes.Equal(marshal(t, d1), marshal(t, d2)) {
			t.Fatalf("document of %s: before %+v (%v), after %+v (%v)", org, d1, err1, d2, err2)
		}
	}
	// erin, frozen by root, is refused in ante; bob, frozen by coop, only
	// within coop.
	wantCode(t, b.CheckTx(w.erin.signTx(t, txOpts{seq: u64(w.erin.seq)}, anchorMsg(testCID(t, "e"), "doc"))), app.ErrAccountFrozen)
	wantCode(t, b.CheckTx(w.bob.signTx(t, txOpts{seq: u64(w.bob.seq)}, anchorMsg(testCID(t, "b"), "doc"))), nil)
	if err := b.Org().RefuseFrozen(ctxAt(b), w.bob.did, w.coop); !errors.Is(err, org.ErrFrozenInScope) {
		t.Fatalf("the restarted chain lost coop's freeze of bob: %v", err)
	}
}

// TestFrozenByTwoOrganizations: an account frozen by two organizations is
// held within each one's scope until that one unfreezes it, and an appeal
// (which rewrites a freeze) does not change the count, whose key goes with
// the last freeze.
func TestFrozenByTwoOrganizations(t *testing.T) {
	w := newOrgWorld(t)
	heldIn := func(target string) bool {
		t.Helper()
		err := w.a.Org().RefuseFrozen(w.ctx(), w.bob.did, target)
		if err != nil && !errors.Is(err, org.ErrFrozenInScope) {
			t.Fatal(err)
		}
		return err != nil
	}
	// bob joins other too, so that frank (other's officer) may freeze him.
	w.commit(t, w.erin.signTx(t, txOpts{}, inviteMsg(w.other, w.bob.did)))
	w.commit(t, w.bob.signTx(t, txOpts{}, acceptMsg(w.other)))
	freezeBob(t, w)
	w.commit(t, w.frank.signTx(t, txOpts{}, freezeMsg(w.other, w.bob.did, "second audit")))
	w.commit(t, w.bob.signTx(t, txOpts{}, appealMsg(w.coop, "this is a mistake")))
	if !heldIn(w.coop) || !heldIn(w.other) || heldIn(w.root) {
		t.Fatalf("after two freezes: coop %v, other %v, root %v", heldIn(w.coop), heldIn(w.other), heldIn(w.root))
	}
	w.commit(t, w.carol.signTx(t, txOpts{}, unfreezeMsg(w.coop, w.bob.did, "audit passed")))
	if heldIn(w.coop) || !heldIn(w.other) {
		t.Fatalf("after coop's unfreeze: coop %v, other %v", heldIn(w.coop), heldIn(w.other))
	}
	w.commit(t, w.frank.signTx(t, txOpts{}, unfreezeMsg(w.other, w.bob.did, "audit passed")))
	if heldIn(w.other) {
		t.Fatal("bob is still held in other after its unfreeze")
	}
	if w.a.Query(protocol.QueryPathStore, org.FreezeCountKey(w.bob.did), 0, false).Value != nil {
		t.Fatal("the freeze count key outlived the last freeze")
	}
}

// TestOfficerScope: an officer may not freeze the organization's controller
// or a fellow officer, and the founder's invitations lapse when control
// passes to the assembly; only a member of a federation may found an
// organization under it.
func TestOfficerScope(t *testing.T) {
	w := newOrgWorld(t)
	// carol (officer of coop) against alice (controller) and against a
	// second officer.
	wantCode(t, w.run(t, w.carol, freezeMsg(w.coop, w.alice.did, "hostage")), org.ErrOfficerScope)
	w.commit(t, w.alice.signTx(t, txOpts{}, grantMsg(w.coop, w.bob.did, org.RoleComplianceOfficer)))
	wantCode(t, w.run(t, w.carol, freezeMsg(w.coop, w.bob.did, "rival")), org.ErrOfficerScope)

	// An invitation from before the transfer cannot be accepted after it.
	w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.coop, w.dave.did, org.RoleComplianceOfficer)))
	w.commit(t, w.alice.signTx(t, txOpts{}, transferMsg(w.coop)))
	wantCode(t, w.run(t, w.dave, acceptMsg(w.coop)), org.ErrAssemblyControlled)

	// dave belongs to no federation, so he cannot found under root.
	wantCode(t, w.run(t, w.dave, createOrgMsg("daves", cooperative, w.root)), org.ErrNotMemberOfParent)
}
