package app_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	credmod "github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/mana"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// TestCredentialByProposalUnderFounder: an organization's own authority
// acts for it whoever controls it (org's authorizeControl), so its
// governance issues and revokes credentials as the organization while its
// founder still holds control too, as it spends its treasury then.
func TestCredentialByProposalUnderFounder(t *testing.T) {
	w := newGovWorld(t, nil)
	all := []*account{w.alice, w.bob, w.carol}
	if o, err := orgRecord(w); err != nil || o.Control != identityv1.Control_CONTROL_FOUNDER {
		t.Fatalf("want a founder-controlled coop: %+v %v", o, err)
	}
	c := testCID(t, "issued under founder control")
	id := w.pass(t, w.coop, w.bob, all, issueMsg(c, w.coop, w.bob.did, "MembershipCredential"))
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	rec, found, err := modules.Load[identityv1.CredentialStatus](w.ctx().Store, credmod.CredentialKey(w.coop, c))
	if err != nil || !found || rec.IssuedBy != w.coop {
		t.Fatalf("credential: %+v %v %v", rec, found, err)
	}
	id = w.pass(t, w.coop, w.bob, all, revokeCredentialMsg(c, w.coop, "superseded"))
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	// A member alone still cannot act for the coop.
	wantCode(t, w.do(t, w.bob, issueMsg(testCID(t, "forged"), w.coop, w.bob.did, "MembershipCredential")), credmod.ErrNotIssuer)
}

// cometSet mirrors the validator set as CometBFT keeps it, applying each
// block's updates with CometBFT's own rules.
func cometSet(t *testing.T, w *govWorld) *cmttypes.ValidatorSet {
	t.Helper()
	var vals []*cmttypes.Validator
	for _, pub := range w.vals {
		vals = append(vals, cmttypes.NewValidator(cmted25519.PubKey(pub), 10))
	}
	return cmttypes.NewValidatorSet(vals)
}

func applyComet(t *testing.T, set *cmttypes.ValidatorSet, updates []app.ValidatorUpdate) {
	t.Helper()
	var changes []*cmttypes.Validator
	for _, u := range updates {
		changes = append(changes, cmttypes.NewValidator(cmted25519.PubKey(u.PubKey), u.Power))
	}
	if err := set.UpdateWithChangeSet(changes); err != nil {
		t.Fatalf("CometBFT refuses the block's validator updates %+v (it would halt): %v", updates, err)
	}
}

// TestValidatorAddedAndRemovedInOneBlock: a validator added and removed
// within one block (one proposal, or two executing together) must not
// reach CometBFT as the removal of a validator it never had: CometBFT
// refuses such a change set and stops the chain.
func TestValidatorAddedAndRemovedInOneBlock(t *testing.T) {
	w := newGovWorld(t, nil)
	set := cometSet(t, w)
	voters := []*account{w.alice, w.erin}
	newVal := newAccount(201).pub()
	w.ok(t, w.erin, proposeMsg(t, w.root, "add and remove", setValidatorMsg(newVal, 10), setValidatorMsg(newVal, 0)))
	id := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(id, yes)), w.erin.signTx(t, txOpts{}, voteMsg(id, yes)))
	limit := w.height() + testVotingPeriod + testTimelock + 2
	for w.status(t, id) != governancev1.Status_STATUS_EXECUTED {
		w.step(t)
		applyComet(t, set, w.last.ValidatorUpdates)
		if w.height() > limit {
			t.Fatalf("proposal is %s", w.status(t, id))
		}
	}
	if set.Size() != 4 {
		t.Fatalf("CometBFT's set has %d validators", set.Size())
	}
	if _, found, _ := modules.Load[governancev1.Validator](w.ctx().Store, governance.ValidatorKey(newVal)); found {
		t.Fatal("the removed validator is still recorded")
	}
	// Adding it again later, then removing it in a later block, reaches
	// CometBFT as an addition and a removal.
	w.pass(t, w.root, w.erin, voters, setValidatorMsg(newVal, 10))
	applyComet(t, set, w.last.ValidatorUpdates)
	if set.Size() != 5 {
		t.Fatalf("CometBFT's set has %d validators after the addition", set.Size())
	}
	w.pass(t, w.root, w.erin, voters, setValidatorMsg(newVal, 0))
	applyComet(t, set, w.last.ValidatorUpdates)
	if set.Size() != 4 {
		t.Fatalf("CometBFT's set has %d validators after the removal", set.Size())
	}
}

// TestPrepareProposalAtUpgradeHeight: the proposer of the block at an
// upgrade's height simulates its transactions after the migration, as
// ProcessProposal and FinalizeBlock run them; otherwise a transaction the
// migration invalidates gets proposed, every node refuses the proposal,
// and the chain stalls at that height while the transaction is pending.
func TestPrepareProposalAtUpgradeHeight(t *testing.T) {
	const name = "test-prepare-sees-migration"
	registerUpgrade(name, func(ctx modules.Context) error {
		p, _, err := modules.Load[manav1.Params](ctx.Store, mana.ParamsKey())
		if err != nil {
			return err
		}
		p.BaseTxCost = 1 << 50 // no account can pay for a transaction now
		return modules.Save(ctx.Store, mana.ParamsKey(), p)
	})
	w := newGovWorld(t, nil)
	at := w.height() + testVotingPeriod + testTimelock + 6
	w.pass(t, w.root, w.erin, []*account{w.alice, w.erin}, upgradeMsg(name, at))
	for w.height() < at-1 {
		w.step(t)
	}
	tx := w.bob.signTx(t, txOpts{}, voteMsg(1, yes))
	ts := genesisTime.Add(time.Duration(at) * time.Second)
	txs, err := w.a.PrepareProposal(at, ts, [][]byte{tx}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) != 0 {
		t.Fatalf("PrepareProposal kept %d transactions that the migration invalidates", len(txs))
	}
	if err := w.a.ProcessProposal(at, ts, txs, []byte("prepared")); err != nil {
		t.Fatalf("ProcessProposal refuses the prepared block: %v", err)
	}
}

// TestCheckUpgrades: state that an upgrade migrated runs only under a
// binary that knows the upgrade (the last one applied): an older binary,
// restarted on it or given it by state sync, refuses to start instead of
// computing other app hashes than its peers.
func TestCheckUpgrades(t *testing.T) {
	const name = "test-check-upgrades"
	registerUpgrade(name, func(modules.Context) error { return nil })
	w := newGovWorld(t, nil)
	if err := w.a.CheckUpgrades(); err != nil {
		t.Fatalf("no upgrade applied: %v", err)
	}
	at := w.height() + testVotingPeriod + testTimelock + 6
	w.pass(t, w.root, w.erin, []*account{w.alice, w.erin}, upgradeMsg(name, at))
	for w.height() < at {
		w.step(t)
	}
	if err := w.a.CheckUpgrades(); err != nil {
		t.Fatalf("after the known upgrade %q: %v", name, err)
	}

	// A chain whose last applied upgrade this binary does not know.
	w2 := newGovWorld(t, func(g *app.GenesisState) {
		g.Governance.UpgradesDone = []governance.GenesisUpgrade{{Name: name, Height: 1}, {Name: "v9-unknown", Height: 1}}
	})
	if err := w2.a.CheckUpgrades(); !errors.Is(err, app.ErrUnknownUpgrade) || !strings.Contains(err.Error(), "v9-unknown") {
		t.Fatalf("unknown last upgrade: %v, want %v naming it", err, app.ErrUnknownUpgrade)
	}
}
