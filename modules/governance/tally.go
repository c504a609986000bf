package governance

import (
	"fmt"
	"math/bits"

	"github.com/intercooperative/icnd/modules"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// The tally is kept as running totals in the proposal (Proposal.tally), so
// that deciding a proposal reads one record whatever the electorate's size.
//
// A voter's weight counts in the tally only while the voter has voted. A
// voter who has voted counts with its own weight plus Voter.delegated: the
// weight of the members who delegated to it in the snapshot and have not
// voted themselves. So:
//   - a voter's first vote adds weight + delegated to its option; if it
//     had delegated, its weight leaves its delegate: subtracted from the
//     delegate's option when the delegate has voted, and from the
//     delegate's delegated in any case (the delegator's own vote
//     overrides its delegate's for this proposal, now and later);
//   - a changed vote moves weight + delegated from the old option to the
//     new one;
//   - a delegate's weight delegated to it before it votes simply counts
//     from its first vote.
// Each vote touches at most two snapshot records and the proposal.

func addTo(t *governancev1.Tally, o governancev1.VoteOption, w uint64, sub bool) error {
	var f *uint64
	switch o {
	case governancev1.VoteOption_VOTE_OPTION_YES:
		f = &t.Yes
	case governancev1.VoteOption_VOTE_OPTION_NO:
		f = &t.No
	case governancev1.VoteOption_VOTE_OPTION_ABSTAIN:
		f = &t.Abstain
	default:
		return fmt.Errorf("governance: tally of option %d", o)
	}
	if sub {
		if *f < w {
			return fmt.Errorf("governance: tally of %s would go below 0", OptionName(o))
		}
		*f -= w
		return nil
	}
	// Sums are bounded by the snapshot's total weight (MaxTotalWeight).
	*f += w
	return nil
}

// castVote applies voter v's vote for option to p's tally and stores v
// (and its delegate's entry). p is stored by the caller.
func (k *Keeper) castVote(ctx modules.Context, p *governancev1.Proposal, voter string, v *governancev1.Voter, option governancev1.VoteOption) error {
	own := v.Weight + v.Delegated // both bounded by the total weight
	if v.Option == governancev1.VoteOption_VOTE_OPTION_UNSPECIFIED {
		if v.Delegate != "" {
			d, err := k.Voter(ctx, p.Id, v.Delegate)
			if err != nil {
				return fmt.Errorf("governance: %s delegates to %s, who is not in the snapshot of %d: %w", voter, v.Delegate, p.Id, err)
			}
			if d.Delegated < v.Weight {
				return fmt.Errorf("governance: %s holds %d delegated weight, less than %s's %d", v.Delegate, d.Delegated, voter, v.Weight)
			}
			d.Delegated -= v.Weight
			if d.Option != governancev1.VoteOption_VOTE_OPTION_UNSPECIFIED {
				if err := addTo(p.Tally, d.Option, v.Weight, true); err != nil {
					return err
				}
			}
			if err := modules.Save(ctx.Store, VoterKey(p.Id, v.Delegate), d); err != nil {
				return err
			}
		}
	} else if err := addTo(p.Tally, v.Option, own, true); err != nil {
		return err
	}
	if err := addTo(p.Tally, option, own, false); err != nil {
		return err
	}
	v.Option, v.Height = option, ctx.Height
	return modules.Save(ctx.Store, VoterKey(p.Id, voter), v)
}

// mulLE reports whether a*b <= c*d, exactly.
func mulLE(a, b, c, d uint64) bool {
	h1, l1 := bits.Mul64(a, b)
	h2, l2 := bits.Mul64(c, d)
	return h1 < h2 || (h1 == h2 && l1 <= l2)
}

// Outcome decides a tally of a snapshot of total weight under policy:
// STATUS_EXPIRED when the votes cast (yes, no and abstain) are less than
// quorum x total; otherwise STATUS_TIMELOCKED (passed) when yes exceeds
// no and yes >= threshold x (yes + no), and STATUS_REJECTED if not.
// Abstentions count toward the quorum, never toward the threshold.
func Outcome(t *governancev1.Tally, total uint64, policy *governancev1.Policy) governancev1.Status {
	cast := t.Yes + t.No + t.Abstain
	// quorum: cast / total >= num / den  <=>  num * total <= cast * den
	if total == 0 || !mulLE(policy.Quorum.Num, total, cast, policy.Quorum.Den) {
		return governancev1.Status_STATUS_EXPIRED
	}
	// threshold: yes / (yes + no) >= num / den, and yes > no.
	if t.Yes > t.No && mulLE(policy.Threshold.Num, t.Yes+t.No, t.Yes, policy.Threshold.Den) {
		return governancev1.Status_STATUS_TIMELOCKED
	}
	return governancev1.Status_STATUS_REJECTED
}
