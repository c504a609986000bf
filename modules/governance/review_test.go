package governance

import (
	"errors"
	"testing"

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
