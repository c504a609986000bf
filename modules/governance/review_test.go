package governance

import (
	"errors"
	"testing"

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
