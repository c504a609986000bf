package governance

import (
	"errors"
	"fmt"
	"testing"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/org"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// TestWithdrawAfterVotingEnd: once the voting period is over, a proposal
// whose tally the per-block bound deferred is no longer the proposer's to
// withdraw: the deposit's fate is its tally's (burned when quorum failed),
// not a refund.
func TestWithdrawAfterVotingEnd(t *testing.T) {
	e := newEnv(t, 3)
	id := e.submit(t, 1)
	end := e.proposal(t, id).VotingEndHeight
	err := e.k.WithdrawProposal(e.ctx(end+1, member(0)), &governancev1.MsgWithdrawProposal{ProposalId: id})
	if !errors.Is(err, ErrVotingClosed) {
		t.Fatalf("withdraw after the end: %v, want %v", err, ErrVotingClosed)
	}
	if e.mana.refunded != 0 {
		t.Fatalf("deposit refunded %d times", e.mana.refunded)
	}
	// At the last height of the period it is still allowed.
	if err := e.k.WithdrawProposal(e.ctx(end, member(0)), &governancev1.MsgWithdrawProposal{ProposalId: id}); err != nil {
		t.Fatalf("withdraw at the end: %v", err)
	}
}

// TestFrozenMemberCannotDelegate: a member frozen within the organization
// may not vote, so it may not hand its weight to a delegate either: a new
// delegation is refused, and a delegation standing when it was frozen does
// not carry its weight into a new proposal's snapshot.
func TestFrozenMemberCannotDelegate(t *testing.T) {
	e := newEnv(t, 3)
	e.orgs.frozen[member(1)] = true
	err := e.k.Delegate(e.ctx(1, member(1)), &governancev1.MsgDelegate{Org: testOrg, Delegate: member(0)})
	if !errors.Is(err, org.ErrFrozenInScope) {
		t.Fatalf("frozen delegator: %v, want %v", err, org.ErrFrozenInScope)
	}
	// member(2) delegates, then is frozen.
	if err := e.k.Delegate(e.ctx(1, member(2)), &governancev1.MsgDelegate{Org: testOrg, Delegate: member(0)}); err != nil {
		t.Fatal(err)
	}
	e.orgs.frozen[member(2)] = true
	id := e.submit(t, 2)
	if err := e.vote(t, 3, member(0), id, yes); err != nil {
		t.Fatal(err)
	}
	if tl := e.proposal(t, id).Tally; tl.Yes != 1 {
		t.Fatalf("yes %d: the frozen member's delegated weight counted", tl.Yes)
	}
}

// TestProposalKeepsNoWeights: a weighted policy's rows are read once, into
// the snapshot; the proposal's copy of the policy drops them, so that a
// vote, which rewrites the proposal, costs the same whatever the number of
// rows (up to 10,000).
func TestProposalKeepsNoWeights(t *testing.T) {
	e := newEnv(t, 3)
	ws := []*governancev1.Weight{{Member: member(0), Weight: 5}, {Member: member(1), Weight: 2}}
	for i := 0; i < 1000; i++ {
		ws = append(ws, &governancev1.Weight{Member: fmt.Sprintf("did:icn:zz%030d", i), Weight: 1})
	}
	p := DefaultPolicy()
	p.Electorate, p.Weights = governancev1.Electorate_ELECTORATE_WEIGHTED, ws
	p.VotingPeriod, p.Timelock = 10, 2
	if err := modules.Save(e.kv, PolicyKey(testOrg), p); err != nil {
		t.Fatal(err)
	}
	id := e.submit(t, 1)
	got := e.proposal(t, id)
	if len(got.Policy.Weights) != 0 {
		t.Fatalf("the proposal keeps %d weight rows", len(got.Policy.Weights))
	}
	if got.Policy.Electorate != governancev1.Electorate_ELECTORATE_WEIGHTED || got.TotalWeight != 7 || got.Voters != 2 {
		t.Fatalf("proposal %+v", got)
	}
	if err := e.vote(t, 2, member(0), id, yes); err != nil {
		t.Fatal(err)
	}
	if tl := e.proposal(t, id).Tally; tl.Yes != 5 {
		t.Fatalf("yes %d, want 5", tl.Yes)
	}
	// Genesis carries such a proposal as it is.
	if err := validateProposalPolicy(got.Policy); err != nil {
		t.Fatalf("genesis check of the proposal's policy: %v", err)
	}
}

// TestSelfDelegationCountsOnce: a delegation of a member to itself (which
// delegate refuses, and genesis too) carries nothing into a snapshot: the
// member's vote counts its weight once.
func TestSelfDelegationCountsOnce(t *testing.T) {
	e := newEnv(t, 3)
	d := &governancev1.Delegation{Org: testOrg, Delegator: member(0), Delegate: member(0), Height: 1}
	if err := modules.Save(e.kv, DelegationKey(member(0), testOrg), d); err != nil {
		t.Fatal(err)
	}
	id := e.submit(t, 2)
	if err := e.vote(t, 3, member(0), id, yes); err != nil {
		t.Fatal(err)
	}
	if tl := e.proposal(t, id).Tally; tl.Yes != 1 {
		t.Fatalf("yes %d, want 1", tl.Yes)
	}
}

// TestVetoNeedsATimelock: a veto is possible only during the timelock, and
// with a timelock of 0 blocks a passed proposal executes in the hook that
// tallies it: a policy naming veto holders must give them a timelock.
func TestVetoNeedsATimelock(t *testing.T) {
	for name, edit := range map[string]func(p *governancev1.Policy){
		"veto dids": func(p *governancev1.Policy) { p.VetoDids = []string{"did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} },
		"veto role": func(p *governancev1.Policy) { p.VetoRole = "guardian" },
	} {
		p := DefaultPolicy()
		p.Timelock = 0
		edit(p)
		if err := ValidatePolicy(p, nil); !errors.Is(err, ErrInvalidPolicy) {
			t.Errorf("%s with no timelock: %v, want %v", name, err, ErrInvalidPolicy)
		}
		p.Timelock = 1
		if err := ValidatePolicy(p, nil); err != nil {
			t.Errorf("%s with a timelock: %v", name, err)
		}
	}
}
