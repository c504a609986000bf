package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/app/upgrades"
	"github.com/intercooperative/icnd/modules"
	credmod "github.com/intercooperative/icnd/modules/credential"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/mesh"
	"github.com/intercooperative/icnd/modules/org"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/store"
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

func mustMeshParams(t *testing.T, w *govWorld) *meshv1.Params {
	t.Helper()
	p, found, err := modules.Load[meshv1.Params](w.ctx().Store, mesh.ParamsKey())
	if err != nil || !found {
		t.Fatal(err)
	}
	return p
}

func setMeshParamsMsg(p *meshv1.Params) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_SetMeshParams{SetMeshParams: &meshv1.MsgSetMeshParams{Params: p}}}
}

// TestMeshParamsProposal: the root federation's passed proposal changes
// the mesh params; the committed state of the block that executed it holds
// them, and that block's events say who changed them. A signer's own
// transaction is refused with mesh/38, invalid params with mesh/39, a
// cooperative's proposal and a proposal of invalid params at submission.
func TestMeshParamsProposal(t *testing.T) {
	w := newGovWorld(t, nil)
	p := mesh.DefaultParams()
	p.MinBond, p.MaxBidsPerJob, p.SlashAbsentBps = 777, 3, 4000
	bad := mesh.DefaultParams()
	bad.MaxBidsPerJob = 0

	wantCode(t, w.do(t, w.alice, setMeshParamsMsg(p)), mesh.ErrNotRoot)
	wantCode(t, w.do(t, w.erin, setMeshParamsMsg(p)), mesh.ErrNotRoot)
	wantCode(t, w.do(t, w.alice, setMeshParamsMsg(bad)), mesh.ErrInvalidParams)
	wantCode(t, w.do(t, w.bob, proposeMsg(t, w.coop, "mesh", setMeshParamsMsg(p))), governance.ErrRootOnly)
	wantCode(t, w.do(t, w.erin, proposeMsg(t, w.root, "mesh", setMeshParamsMsg(bad))), governance.ErrInvalidProposal)
	if got := mustMeshParams(t, w); got.MinBond != mesh.DefaultParams().MinBond {
		t.Fatalf("a refused change wrote params: %v", got)
	}

	w.ok(t, w.erin, proposeMsg(t, w.root, "mesh params", setMeshParamsMsg(p)))
	id := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(id, yes)), w.erin.signTx(t, txOpts{}, voteMsg(id, yes)))
	limit := w.height() + testVotingPeriod + testTimelock + 2
	for w.status(t, id) != governancev1.Status_STATUS_EXECUTED {
		if got := mustMeshParams(t, w); got.MinBond != mesh.DefaultParams().MinBond {
			t.Fatalf("params changed at %d, before the execution", w.height())
		}
		w.step(t)
		if w.height() > limit {
			t.Fatalf("proposal is %s at %d", w.status(t, id), w.height())
		}
	}
	if got := mustMeshParams(t, w); got.MinBond != 777 || got.MaxBidsPerJob != 3 || got.SlashAbsentBps != 4000 {
		t.Fatalf("params at the execution height: %v", got)
	}
	evs := w.blockEvents(mesh.EventTypeParamsSet)
	if len(evs) != 1 || len(evs[0].Attributes) != 1 || evs[0].Attributes[0].Key != "by" || evs[0].Attributes[0].Value != w.root {
		t.Fatalf("params_set events %+v", evs)
	}
	if w.ctx().Store.Has(mesh.PendingParamsKey()) {
		t.Fatal("pending params committed")
	}
}

// TestUpgradeHalts: a passed plan stops the chain at its height with an
// error naming the upgrade, when no handler is registered.
func TestUpgradeHalts(t *testing.T) {
	w := newGovWorld(t, nil)
	voters := []*account{w.alice, w.erin}
	at := w.height() + testVotingPeriod + testTimelock + 6
	id := w.pass(t, w.root, w.erin, voters, upgradeMsg("v2-test", at))
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	for w.height() < at-2 {
		w.step(t)
		if err := w.a.UpgradeNeeded(); err != nil {
			t.Fatalf("upgrade needed at height %d: %v", w.height(), err)
		}
	}
	w.step(t)
	// Once the height before the plan's is committed, the node must stop.
	var due *app.UpgradeNeededError
	if err := w.a.UpgradeNeeded(); !errors.As(err, &due) || due.Name != "v2-test" || due.Height != at {
		t.Fatalf("after committing %d: %v", at-1, err)
	}
	// As proposer this binary proposes an empty block.
	if txs, err := w.a.PrepareProposal(at, genesisTime, [][]byte{w.bob.signTx(t, txOpts{}, voteMsg(id, yes))}, 1<<20); err != nil || len(txs) != 0 {
		t.Fatalf("PrepareProposal at the upgrade height: %d txs, %v", len(txs), err)
	}
	// ProcessProposal accepts the block (it is valid; this binary cannot
	// run it), so that consensus decides it; FinalizeBlock stops the node.
	if err := w.a.ProcessProposal(at, genesisTime, nil, []byte("block-hash")); err != nil {
		t.Fatalf("ProcessProposal at the upgrade height: %v", err)
	}
	_, err := w.a.FinalizeBlock(at, genesisTime, nil, []byte("block-hash"))
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

// registerUpgrade registers h under name unless a handler is registered
// under it already: the registry is the process's, and go test -count runs
// a test again in the same process (Register panics on a second
// registration). Each test registers its own name, always with the same h.
func registerUpgrade(name string, h upgrades.Handler) {
	if _, ok := upgrades.Get(name); !ok {
		upgrades.Register(name, h)
	}
}

// TestUpgradeHandlerRuns: with a handler registered under the plan's name,
// the block at the plan's height runs the migration first and the chain
// carries on; the plan is cleared and the name cannot be scheduled again.
func TestUpgradeHandlerRuns(t *testing.T) {
	const name = "test-handler-runs"
	marker := []byte{modules.PrefixApp, 0x02, 't'}
	registerUpgrade(name, func(ctx modules.Context) error {
		ctx.Store.Set(marker, []byte{byte(ctx.Height)})
		return nil
	})
	w := newGovWorld(t, nil)
	voters := []*account{w.alice, w.erin}
	at := w.height() + testVotingPeriod + testTimelock + 6
	w.pass(t, w.root, w.erin, voters, upgradeMsg(name, at))
	for w.height() < at {
		w.step(t)
	}
	if got := w.ctx().Store.Get(marker); len(got) != 1 || int64(got[0]) != at {
		t.Fatalf("migration marker %v, want height %d", got, at)
	}
	if len(w.blockEvents(app.EventTypeUpgradeApplied)) != 1 {
		t.Fatalf("no upgrade event at %d: %v", at, w.last.Events)
	}
	if w.ctx().Store.Has(governance.UpgradePlanKey()) {
		t.Fatal("plan still scheduled")
	}
	w.step(t)
	id := w.pass(t, w.root, w.erin, voters, upgradeMsg(name, w.height()+40))
	w.wantStatus(t, id, governancev1.Status_STATUS_FAILED)
	if p := w.proposal(t, id); p.FailureCode != governance.ErrInvalidUpgrade.Code() {
		t.Fatalf("failure %s/%d", p.FailureCodespace, p.FailureCode)
	}
}

// TestValidatorUpdatesSurviveProcessProposal: the validator updates of a
// block that ProcessProposal executed come back from FinalizeBlock's reuse
// of that execution, and a removal that would leave one validator above a
// third of the power is refused.
func TestValidatorUpdatesSurviveProcessProposal(t *testing.T) {
	w := newGovWorld(t, nil)
	w.ok(t, w.erin, proposeMsg(t, w.root, "remove one", setValidatorMsg(w.vals[3], 0)))
	id := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(id, yes)), w.erin.signTx(t, txOpts{}, voteMsg(id, yes)))
	p := w.proposal(t, id)
	exec := p.VotingEndHeight + testTimelock
	for w.height() < exec-1 {
		w.step(t)
	}
	ts := genesisTime.Add(time.Duration(exec) * time.Second)
	hash := []byte("the block at the execution height")
	if err := w.a.ProcessProposal(exec, ts, nil, hash); err != nil {
		t.Fatal(err)
	}
	b, err := w.a.FinalizeBlock(exec, ts, nil, hash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(b.ValidatorUpdates) != 1 || !bytes.Equal(b.ValidatorUpdates[0].PubKey, w.vals[3]) || b.ValidatorUpdates[0].Power != 0 {
		t.Fatalf("validator updates %+v", b.ValidatorUpdates)
	}
	// Three of 10 each left: removing another leaves two at a half each.
	id = w.pass(t, w.root, w.erin, []*account{w.alice, w.erin}, setValidatorMsg(w.vals[2], 0))
	w.wantStatus(t, id, governancev1.Status_STATUS_FAILED)
	if p := w.proposal(t, id); p.FailureCode != governance.ErrInvalidValidator.Code() {
		t.Fatalf("failure %s/%d", p.FailureCodespace, p.FailureCode)
	}
}

// TestGovernanceAuthorization: who may send each new privileged message,
// and the exact code for everyone else. Direct sends run as the signer;
// proposals run as the proposing organization.
func TestGovernanceAuthorization(t *testing.T) {
	w := newGovWorld(t, fundRoot)
	gp := governance.DefaultParams()
	direct := []struct {
		name   string
		signer *account
		msg    *txv1.Msg
		want   *modules.Error
	}{
		{"root's founder spends the root treasury", w.alice, spendMsg(w.root, w.dave.did, 10), nil},
		{"a root member who does not control it", w.erin, spendMsg(w.root, w.dave.did, 10), didmod.ErrNotController},
		{"a stranger", w.frank, spendMsg(w.root, w.dave.did, 10), didmod.ErrNotController},
		{"root's founder sets governance params directly", w.alice, &txv1.Msg{Sum: &txv1.Msg_SetGovernanceParams{SetGovernanceParams: &governancev1.MsgSetGovernanceParams{Params: gp}}}, governance.ErrNotOrgAuthority},
		{"root's founder cancels an upgrade directly", w.alice, cancelUpgradeMsg("v9"), governance.ErrNotOrgAuthority},
		{"root's founder sets root's policy directly", w.alice, setPolicyMsg(w.root, governance.DefaultPolicy()), governance.ErrNotOrgAuthority},
	}
	for _, c := range direct {
		t.Run(c.name, func(t *testing.T) { wantCode(t, w.do(t, c.signer, c.msg), c.want) })
	}
	// Through proposals: another organization's authority does not reach
	// coop's treasury or policy.
	other := []*account{w.erin}
	id := w.pass(t, w.other, w.erin, other, setPolicyMsg(w.coop, governance.DefaultPolicy()))
	w.wantStatus(t, id, governancev1.Status_STATUS_FAILED)
	if p := w.proposal(t, id); p.FailureCodespace != governance.Codespace || p.FailureCode != governance.ErrNotOrgAuthority.Code() {
		t.Fatalf("other setting coop's policy: %s/%d", p.FailureCodespace, p.FailureCode)
	}
	id = w.pass(t, w.other, w.erin, other, spendMsg(w.coop, w.erin.did, 1))
	w.wantStatus(t, id, governancev1.Status_STATUS_FAILED)
	if p := w.proposal(t, id); p.FailureCodespace != "did" || p.FailureCode != didmod.ErrNotController.Code() {
		t.Fatalf("other spending coop's treasury: %s/%d", p.FailureCodespace, p.FailureCode)
	}
	// The root federation's own authority may: the root-only messages pass.
	id = w.pass(t, w.root, w.erin, []*account{w.alice, w.erin}, &txv1.Msg{Sum: &txv1.Msg_SetGovernanceParams{SetGovernanceParams: &governancev1.MsgSetGovernanceParams{Params: gp}}})
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
}

// TestGovernanceExportRestart: a chain exported with proposals in every
// state, delegations and an upgrade plan restarts with the same governance
// state, key for key, and its open proposals carry on there.
func TestGovernanceExportRestart(t *testing.T) {
	const name = "test-export-upgrade"
	registerUpgrade(name, func(modules.Context) error { return nil })
	w := newGovWorld(t, nil)
	roots := []*account{w.alice, w.erin}
	w.pass(t, w.root, w.erin, roots, upgradeMsg(name, w.height()+testVotingPeriod+testTimelock+4))
	for w.ctx().Store.Has(governance.UpgradePlanKey()) {
		w.step(t)
	}
	w.pass(t, w.root, w.erin, roots, upgradeMsg("v-later", w.height()+100))
	w.ok(t, w.carol, delegateMsg(w.coop, w.bob.did))
	// locked passes at the export height and waits in its timelock; open
	// is still voting; neither falls due in the restarted chain's first
	// block.
	w.ok(t, w.bob, proposeMsg(t, w.coop, "timelocked", inviteMsg(w.coop, w.dave.did)))
	locked := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(locked, yes)), w.bob.signTx(t, txOpts{}, voteMsg(locked, yes)))
	w.ok(t, w.bob, proposeMsg(t, w.coop, "still voting"))
	open := w.lastProposalID(t)
	for w.status(t, locked) == governancev1.Status_STATUS_VOTING {
		w.step(t)
	}

	g, h, err := w.a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	bz, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	cms, err := store.Open(memDB(), store.Options{InitialVersion: uint64(h + 1)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var vals []app.ValidatorUpdate
	for _, v := range w.vals {
		vals = append(vals, app.ValidatorUpdate{PubKey: v, Power: 10})
	}
	if err := b.InitValidators(vals); err != nil {
		t.Fatal(err)
	}
	if _, err := b.InitChain(testChainID, h+1, genesisTime, bz); err != nil {
		t.Fatalf("InitChain from export: %v", err)
	}
	if _, _, err := finalize(b, h+1, genesisTime.Add(time.Duration(h+1)*time.Second), nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	// Governance state at h and at h+1 (an empty block, nothing due) is
	// the same, key for key.
	govKeys := func(kv store.KVStore) map[string]string {
		out := map[string]string{}
		it := kv.Iterator([]byte{modules.PrefixGovernance}, []byte{modules.PrefixGovernance + 1})
		defer it.Close()
		for ; it.Valid(); it.Next() {
			out[string(it.Key())] = string(it.Value())
		}
		return out
	}
	before, after := govKeys(w.ctx().Store), govKeys(ctxAt(b).Store)
	if len(before) != len(after) {
		t.Fatalf("%d governance keys before the export, %d after", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("governance key %X differs after the restart", k)
		}
	}
	status := func(id uint64) governancev1.Status {
		p, _, err := modules.Load[governancev1.Proposal](ctxAt(b).Store, governance.ProposalKey(id))
		if err != nil || p == nil {
			t.Fatalf("proposal %d after the restart: %v", id, err)
		}
		return p.Status
	}
	if status(open) != governancev1.Status_STATUS_VOTING || status(locked) != governancev1.Status_STATUS_TIMELOCKED {
		t.Fatalf("statuses after the restart: %s, %s", status(open), status(locked))
	}
	// The restarted chain executes the timelocked proposal when it falls due.
	for i := int64(2); i < 6; i++ {
		if _, _, err := finalize(b, h+i, genesisTime.Add(time.Duration(h+i)*time.Second), nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if status(locked) != governancev1.Status_STATUS_EXECUTED || !ctxAt(b).Store.Has(org.InvitationKey(w.coop, w.dave.did)) {
		t.Fatalf("the timelocked proposal did not run after the restart: %s", status(locked))
	}
}

// TestMeshParamsSurviveExport: a chain exported while a set_mesh_params
// proposal waits in its timelock restarts with the old params and applies
// the new ones once, at the proposal's execution height, as the exporting
// chain does; a chain exported after the change restarts with the new
// params. No export holds staged params.
func TestMeshParamsSurviveExport(t *testing.T) {
	w := newGovWorld(t, nil)
	p := mesh.DefaultParams()
	p.MinBond, p.SlashBps = 777, 6000
	w.ok(t, w.erin, proposeMsg(t, w.root, "mesh params", setMeshParamsMsg(p)))
	id := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(id, yes)), w.erin.signTx(t, txOpts{}, voteMsg(id, yes)))
	for w.status(t, id) == governancev1.Status_STATUS_VOTING {
		w.step(t)
	}
	exec := w.proposal(t, id).ExecuteHeight
	if w.status(t, id) != governancev1.Status_STATUS_TIMELOCKED || exec <= w.height()+1 {
		t.Fatalf("proposal %s at %d, executes at %d", w.status(t, id), w.height(), exec)
	}
	restart := func() (*app.App, int64) {
		t.Helper()
		g, h, err := w.a.ExportGenesis(0)
		if err != nil {
			t.Fatal(err)
		}
		bz, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		cms, err := store.Open(memDB(), store.Options{InitialVersion: uint64(h + 1)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := app.New(cms, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var vals []app.ValidatorUpdate
		for _, v := range w.vals {
			vals = append(vals, app.ValidatorUpdate{PubKey: v, Power: 10})
		}
		if err := b.InitValidators(vals); err != nil {
			t.Fatal(err)
		}
		if _, err := b.InitChain(testChainID, h+1, genesisTime, bz); err != nil {
			t.Fatalf("InitChain from export: %v", err)
		}
		return b, h
	}
	meshParams := func(b *app.App) *meshv1.Params {
		t.Helper()
		got, found, err := modules.Load[meshv1.Params](ctxAt(b).Store, mesh.ParamsKey())
		if err != nil || !found {
			t.Fatal(err)
		}
		if ctxAt(b).Store.Has(mesh.PendingParamsKey()) {
			t.Fatalf("staged params committed at %d", b.LastCommit().Version)
		}
		return got
	}

	b, h := restart()
	for i := h + 1; i <= exec; i++ {
		if _, _, err := finalize(b, i, genesisTime.Add(time.Duration(i)*time.Second), nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		w.step(t)
		got, want := meshParams(b), meshParams(w.a)
		if i < exec && got.MinBond != mesh.DefaultParams().MinBond || i == exec && (got.MinBond != 777 || got.SlashBps != 6000) ||
			got.String() != want.String() {
			t.Fatalf("params at %d after the restart: %v, on the exporting chain %v", i, got, want)
		}
	}

	b, h = restart()
	if _, _, err := finalize(b, h+1, genesisTime.Add(time.Duration(h+1)*time.Second), nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := meshParams(b); got.String() != p.String() {
		t.Fatalf("params after a restart from an export after the change: %v", got)
	}
}
