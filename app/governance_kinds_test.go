package app_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	credmod "github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

func (w *govWorld) membership(t *testing.T, orgDID, member string) *identityv1.Membership {
	t.Helper()
	m, _, err := modules.Load[identityv1.Membership](w.ctx().Store, org.MembershipKey(orgDID, member))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestProposalKinds passes one proposal of each kind an organization may
// make and checks its effect: control handed to the assembly, then
// membership, roles (the compliance officer), credentials as the
// organization, a policy change, all under the assembly's control.
func TestProposalKinds(t *testing.T) {
	w := newGovWorld(t, nil)
	all := []*account{w.alice, w.bob, w.carol}

	id := w.pass(t, w.coop, w.bob, all, transferMsg(w.coop))
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	o, err := orgRecord(w)
	if err != nil || o.Control != identityv1.Control_CONTROL_ASSEMBLY {
		t.Fatalf("control not transferred: %+v %v", o, err)
	}
	// The founder no longer acts alone.
	wantCode(t, w.do(t, w.alice, inviteMsg(w.coop, w.dave.did)), org.ErrAssemblyControlled)

	// Membership add: the assembly invites dave, who accepts.
	w.pass(t, w.coop, w.bob, all, inviteMsg(w.coop, w.dave.did))
	w.ok(t, w.dave, acceptMsg(w.coop))
	if w.membership(t, w.coop, w.dave.did) == nil {
		t.Fatal("dave did not join")
	}
	// Roles: dave becomes compliance officer, carol loses the role.
	all = append(all, w.dave)
	w.pass(t, w.coop, w.bob, all, grantMsg(w.coop, w.dave.did, org.RoleComplianceOfficer), revokeRoleMsg(w.coop, w.carol.did, org.RoleComplianceOfficer))
	if m := w.membership(t, w.coop, w.dave.did); !slicesContains(m.Roles, org.RoleComplianceOfficer) {
		t.Fatalf("dave's roles %v", m.Roles)
	}
	if m := w.membership(t, w.coop, w.carol.did); slicesContains(m.Roles, org.RoleComplianceOfficer) {
		t.Fatalf("carol's roles %v", m.Roles)
	}
	// Membership remove.
	w.pass(t, w.coop, w.bob, all, removeMsg(w.coop, w.dave.did))
	if w.membership(t, w.coop, w.dave.did) != nil {
		t.Fatal("dave still a member")
	}
	all = all[:3]
	// Credentials as the organization: issue, then revoke.
	c := testCID(t, "coop membership credential")
	w.pass(t, w.coop, w.bob, all, issueMsg(c, w.coop, w.bob.did, "MembershipCredential"))
	rec, found, err := modules.Load[identityv1.CredentialStatus](w.ctx().Store, credmod.CredentialKey(w.coop, c))
	if err != nil || !found || rec.IssuedBy != w.coop {
		t.Fatalf("credential: %+v %v %v", rec, found, err)
	}
	w.pass(t, w.coop, w.bob, all, revokeCredentialMsg(c, w.coop, "superseded"))
	rec, _, _ = modules.Load[identityv1.CredentialStatus](w.ctx().Store, credmod.CredentialKey(w.coop, c))
	if rec.RevokedHeight == 0 {
		t.Fatalf("credential not revoked: %+v", rec)
	}
	// Policy change: unanimity, one block of timelock.
	p := governance.DefaultPolicy()
	p.Threshold = &governancev1.Fraction{Num: 1, Den: 1}
	p.VotingPeriod, p.Timelock = 4, 1
	w.pass(t, w.coop, w.bob, all, setPolicyMsg(w.coop, p))
	got, _, err := modules.Load[governancev1.Policy](w.ctx().Store, governance.PolicyKey(w.coop))
	if err != nil || got.Threshold.Num != 1 || got.Threshold.Den != 1 || got.VotingPeriod != 4 {
		t.Fatalf("policy: %+v %v", got, err)
	}
	// The new policy governs the next proposal: one no defeats it.
	w.ok(t, w.bob, proposeMsg(t, w.coop, "unanimity"))
	next := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(next, yes)), w.bob.signTx(t, txOpts{}, voteMsg(next, yes)), w.carol.signTx(t, txOpts{}, voteMsg(next, no)))
	w.idle(t, 4)
	w.wantStatus(t, next, governancev1.Status_STATUS_REJECTED)
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestTreasurySpendByProposal: the root federation's treasury pays dave
// exactly once; a second proposal whose spend no longer fits the treasury
// (spent meanwhile, during its timelock) fails and changes nothing.
func TestTreasurySpendByProposal(t *testing.T) {
	w := newGovWorld(t, fundRoot)
	// Two proposals, each spending 30,000 of the 50,000.
	w.ok(t, w.erin, proposeMsg(t, w.root, "pay dave", spendMsg(w.root, w.dave.did, 30_000)))
	first := w.lastProposalID(t)
	w.ok(t, w.erin, proposeMsg(t, w.root, "pay dave again", spendMsg(w.root, w.dave.did, 30_000)))
	second := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(first, yes), voteMsg(second, yes)), w.erin.signTx(t, txOpts{}, voteMsg(first, yes), voteMsg(second, yes)))
	for w.status(t, second) != governancev1.Status_STATUS_FAILED && w.status(t, second) != governancev1.Status_STATUS_EXECUTED {
		if w.height() > 40 {
			t.Fatal("proposals never ended")
		}
		w.step(t)
		if w.status(t, first) == governancev1.Status_STATUS_EXECUTED && w.status(t, second) == governancev1.Status_STATUS_TIMELOCKED {
			// The first ran in this block; the treasury now holds 20,000.
			if acc := w.account(t, w.root); acc.Balance != treasuryBalance-30_000 {
				t.Fatalf("treasury %d", acc.Balance)
			}
		}
	}
	w.wantStatus(t, first, governancev1.Status_STATUS_EXECUTED)
	w.wantStatus(t, second, governancev1.Status_STATUS_FAILED)
	p := w.proposal(t, second)
	if p.FailureCodespace != mana.Codespace || p.FailureCode != mana.ErrInsufficientMana.Code() {
		t.Fatalf("failure %s/%d %s", p.FailureCodespace, p.FailureCode, p.FailureLog)
	}
	if acc := w.account(t, w.root); acc.Balance != treasuryBalance-30_000 {
		t.Fatalf("treasury %d after the failed spend, want %d", acc.Balance, treasuryBalance-30_000)
	}
	dave := w.account(t, w.dave.did)
	if dave.Balance < 30_000 || dave.Balance > 30_000+uint64(w.height()) {
		t.Fatalf("dave holds %d, want 30,000 plus regeneration", dave.Balance)
	}
	// Exactly once: later blocks change nothing.
	w.idle(t, 3)
	if acc := w.account(t, w.root); acc.Balance != treasuryBalance-30_000 {
		t.Fatalf("treasury %d", acc.Balance)
	}
}

// TestFrozenOrgCannotActThroughGovernance: an organization the root
// federation froze fails its passed proposal at execution.
func TestFrozenOrgCannotActThroughGovernance(t *testing.T) {
	w := newGovWorld(t, nil)
	// alice makes erin the root federation's officer, who freezes coop.
	w.ok(t, w.alice, grantMsg(w.root, w.erin.did, org.RoleComplianceOfficer))
	w.ok(t, w.bob, proposeMsg(t, w.coop, "invite dave", inviteMsg(w.coop, w.dave.did)))
	id := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(id, yes)), w.bob.signTx(t, txOpts{}, voteMsg(id, yes)))
	w.ok(t, w.erin, freezeMsg(w.root, w.coop, "audit"))
	for w.status(t, id) == governancev1.Status_STATUS_VOTING || w.status(t, id) == governancev1.Status_STATUS_TIMELOCKED {
		w.step(t)
	}
	w.wantStatus(t, id, governancev1.Status_STATUS_FAILED)
	if p := w.proposal(t, id); p.FailureCode != governance.ErrAuthorityFrozen.Code() {
		t.Fatalf("failure %s/%d", p.FailureCodespace, p.FailureCode)
	}
	if ctx := w.ctx(); ctx.Store.Has(org.InvitationKey(w.coop, w.dave.did)) {
		t.Fatal("a frozen organization's proposal invited dave")
	}
}

// TestRootProposals: chain parameters, governance params, seats, validator
// updates returned from FinalizeBlock, and their refusal when they would
// concentrate power.
func TestRootProposals(t *testing.T) {
	w := newGovWorld(t, nil)
	voters := []*account{w.alice, w.erin}

	// Mana params: the base cost changes at the execution height.
	params := *mustManaParams(t, w)
	params.BaseTxCost = 11
	id := w.pass(t, w.root, w.erin, voters, &txv1.Msg{Sum: &txv1.Msg_SetManaParams{SetManaParams: &manav1.MsgSetManaParams{Params: &params}}})
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	if got := mustManaParams(t, w).BaseTxCost; got != 11 {
		t.Fatalf("base_tx_cost %d", got)
	}
	// Governance params.
	gp := governance.DefaultParams()
	gp.DefaultPolicy.VotingPeriod, gp.DefaultPolicy.Timelock = 5, 1
	w.pass(t, w.root, w.erin, voters, &txv1.Msg{Sum: &txv1.Msg_SetGovernanceParams{SetGovernanceParams: &governancev1.MsgSetGovernanceParams{Params: gp}}})
	stored, _, _ := modules.Load[governancev1.Params](w.ctx().Store, governance.ParamsKey())
	if stored.DefaultPolicy.VotingPeriod != 5 {
		t.Fatalf("governance params: %+v", stored)
	}
	// Seats: the root federation gives coop two seats.
	w.pass(t, w.root, w.erin, voters, setSeatsMsg(w.coop, 2))
	co, _ := orgRecord(w)
	if co.BonusSeats != 2 {
		t.Fatalf("coop seats %d", co.BonusSeats)
	}

	// A fifth validator of power 10 (10 of 50: a fifth).
	newVal := newAccount(200).pub()
	w.ok(t, w.erin, proposeMsg(t, w.root, "fifth validator", setValidatorMsg(newVal, 10)))
	vid := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(vid, yes)), w.erin.signTx(t, txOpts{}, voteMsg(vid, yes)))
	var updates []app.ValidatorUpdate
	limit := w.height() + testVotingPeriod + testTimelock + 2
	for w.status(t, vid) != governancev1.Status_STATUS_EXECUTED {
		w.step(t)
		if len(w.last.ValidatorUpdates) > 0 {
			updates = w.last.ValidatorUpdates
		}
		if w.height() > limit {
			t.Fatalf("validator proposal is %s", w.status(t, vid))
		}
	}
	if len(updates) != 1 || !bytes.Equal(updates[0].PubKey, newVal) || updates[0].Power != 10 {
		t.Fatalf("validator updates %+v", updates)
	}
	w.step(t)
	if len(w.last.ValidatorUpdates) != 0 {
		t.Fatalf("updates returned twice: %+v", w.last.ValidatorUpdates)
	}
	// Giving one validator 30 of 70 is more than a third: the proposal fails.
	cid := w.pass(t, w.root, w.erin, voters, setValidatorMsg(w.vals[0], 30))
	w.wantStatus(t, cid, governancev1.Status_STATUS_FAILED)
	if p := w.proposal(t, cid); p.FailureCode != governance.ErrInvalidValidator.Code() {
		t.Fatalf("failure %s/%d", p.FailureCodespace, p.FailureCode)
	}
}

func mustManaParams(t *testing.T, w *govWorld) *manav1.Params {
	t.Helper()
	p, found, err := modules.Load[manav1.Params](w.ctx().Store, mana.ParamsKey())
	if err != nil || !found {
		t.Fatal(err)
	}
	return p
}

// TestUpgradeHalts: a passed plan stops the chain at its height with an
// error naming the upgrade, when no handler is registered.
func TestUpgradeHalts(t *testing.T) {
	w := newGovWorld(t, nil)
	voters := []*account{w.alice, w.erin}
	at := w.height() + testVotingPeriod + testTimelock + 6
	id := w.pass(t, w.root, w.erin, voters, upgradeMsg("v2-test", at))
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	for w.height() < at-1 {
		w.step(t)
	}
	_, err := w.a.FinalizeBlock(at, genesisTime, nil, nil)
	var need *app.UpgradeNeededError
	if !errors.As(err, &need) || need.Name != "v2-test" || need.Height != at {
		t.Fatalf("FinalizeBlock at the upgrade height: %v", err)
	}
	// A plan can be cancelled before its height (on a fresh world).
	w2 := newGovWorld(t, nil)
	at2 := w2.height() + 40
	w2.pass(t, w2.root, w2.erin, []*account{w2.alice, w2.erin}, upgradeMsg("v3", at2))
	w2.pass(t, w2.root, w2.erin, []*account{w2.alice, w2.erin}, cancelUpgradeMsg("v3"))
	if w2.ctx().Store.Has(governance.UpgradePlanKey()) {
		t.Fatal("plan not cancelled")
	}
}
