package governance

import (
	"errors"
	"fmt"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/org"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// SubmitProposal opens a proposal of m.Org by the authority, which must be
// a member not frozen within m.Org's scope. Root-only messages are refused
// unless m.Org is the root federation. The electorate and its weights are
// snapshotted now (one record per voter, O(members) once, bounded by
// Params.max_electorate), with the delegations standing now; the
// proposer pays Params.snapshot_cost_per_voter for each voter and its
// deposit is locked in a mana escrow. Errors: ErrNotMember,
// org's ErrFrozenInScope, ErrRootOnly, ErrElectorateTooLarge, mana's
// ErrInsufficientMana, and those of DecodeMessages.
func (k *Keeper) SubmitProposal(ctx modules.Context, m *governancev1.MsgSubmitProposal) error {
	proposer := ctx.Authority
	if _, err := k.orgs.Organization(ctx, m.Org); err != nil {
		return err
	}
	if !k.orgs.IsMember(ctx, m.Org, proposer) {
		return ErrNotMember.Wrapf("%s is not a member of %s", proposer, m.Org)
	}
	if err := k.orgs.RefuseFrozen(ctx, proposer, m.Org); err != nil {
		return err
	}
	_, specs, err := DecodeMessages(k.router, m.Messages)
	if err != nil {
		return err
	}
	root, err := k.orgs.IsRoot(ctx, m.Org)
	if err != nil {
		return err
	}
	for i, s := range specs {
		if s.Governance == modules.GovernanceRoot && !root {
			return ErrRootOnly.Wrapf("message %d (%s): %s is not the root federation", i, s.Name, m.Org)
		}
	}
	params, err := k.Params(ctx)
	if err != nil {
		return err
	}
	policy, err := k.Policy(ctx, m.Org)
	if err != nil {
		return err
	}
	id, err := k.nextID(ctx)
	if err != nil {
		return err
	}
	p := &governancev1.Proposal{
		Id: id, Org: m.Org, Proposer: proposer, Title: m.Title, Summary: m.Summary,
		SummaryCid: m.SummaryCid, Messages: m.Messages, Status: governancev1.Status_STATUS_VOTING,
		SubmitHeight: ctx.Height, VotingEndHeight: ctx.Height + policy.VotingPeriod,
		Policy: policy, Tally: &governancev1.Tally{}, Deposit: policy.Deposit,
	}
	if err := k.snapshot(ctx, p, int(params.MaxElectorate)); err != nil {
		return err
	}
	// The weights live on in the snapshot; the proposal's copy of the
	// policy drops them, so that a vote, which rewrites the proposal,
	// costs the same whatever the number of weight rows.
	p.Policy.Weights = nil
	// Bounded: MaxElectorateLimit x MaxSnapshotCostPerVoter < 2^64.
	if cost := uint64(p.Voters) * params.SnapshotCostPerVoter; cost > 0 {
		if err := k.mana.Charge(ctx, proposer, cost); err != nil {
			return err
		}
	}
	if p.Deposit > 0 {
		if err := k.mana.Lock(ctx, proposer, EscrowID(id), p.Deposit); err != nil {
			return err
		}
	}
	if err := k.setProposal(ctx, p, governancev1.Status_STATUS_UNSPECIFIED); err != nil {
		return err
	}
	if err := votingEnds.Add(ctx.Store, p.VotingEndHeight, IDBytes(id), marker); err != nil {
		return err
	}
	ctx.Emit(EventSubmitted{ID: id, Org: m.Org, Proposer: proposer, Messages: len(m.Messages), VotingEnd: p.VotingEndHeight,
		Voters: p.Voters, TotalWeight: p.TotalWeight, Deposit: p.Deposit})
	return nil
}

// snapshot writes p's electorate: every member of p.Org with a weight
// under p.Policy, with the delegation it has standing now if its delegate
// is in the electorate too and it is not frozen within p.Org; each
// delegate's entry carries the weight
// delegated to it. It refuses an organization of more than limit members.
func (k *Keeper) snapshot(ctx modules.Context, p *governancev1.Proposal, limit int) error {
	members, more, err := k.orgs.MembersUpTo(ctx, p.Org, limit)
	if err != nil {
		return err
	}
	if more {
		return ErrElectorateTooLarge.Wrapf("%s has more than %d members", p.Org, limit)
	}
	voters := make(map[string]*governancev1.Voter, len(members))
	for _, ms := range members {
		w := weightOf(p.Policy, ms.Member)
		if w == 0 {
			continue
		}
		voters[ms.Member] = &governancev1.Voter{Weight: w, InSnapshot: true}
		p.TotalWeight += w // bounded: MaxTotalWeight, or one per member
		p.Voters++
	}
	// members is sorted: the writes below happen in member order.
	for _, ms := range members {
		v := voters[ms.Member]
		if v == nil {
			continue
		}
		d, found, err := k.Delegation(ctx, ms.Member, p.Org)
		if err != nil {
			return err
		}
		if found {
			// A member frozen within the organization cannot vote, so
			// its weight does not pass to its delegate either: it stays
			// in the snapshot, uncast unless the freeze ends in time.
			switch err := k.orgs.RefuseFrozen(ctx, ms.Member, p.Org); {
			case errors.Is(err, org.ErrFrozenInScope):
				found = false
			case err != nil:
				return err
			}
		}
		if found && d.Delegate != ms.Member {
			if to := voters[d.Delegate]; to != nil {
				v.Delegate = d.Delegate
				to.Delegated += v.Weight
			}
		}
	}
	for _, ms := range members {
		if v := voters[ms.Member]; v != nil {
			if err := modules.Save(ctx.Store, VoterKey(p.Id, ms.Member), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Vote records the authority's vote on m.ProposalId, replacing its earlier
// one, and updates the running tally (tally.go). Errors: ErrUnknownProposal,
// ErrVotingClosed after the voting period or once the proposal left
// voting, ErrNotInElectorate, org's ErrFrozenInScope.
func (k *Keeper) Vote(ctx modules.Context, m *governancev1.MsgVote) error {
	p, err := k.Proposal(ctx, m.ProposalId)
	if err != nil {
		return err
	}
	if p.Status != governancev1.Status_STATUS_VOTING || ctx.Height > p.VotingEndHeight {
		return ErrVotingClosed.Wrapf("proposal %d is %s; voting ended at height %d", p.Id, StatusName(p.Status), p.VotingEndHeight)
	}
	voter := ctx.Authority
	v, err := k.Voter(ctx, p.Id, voter)
	if err != nil {
		return err
	}
	if err := k.orgs.RefuseFrozen(ctx, voter, p.Org); err != nil {
		return err
	}
	if err := k.castVote(ctx, p, voter, v, m.Option); err != nil {
		return err
	}
	p.VotesCast++
	if err := k.setProposal(ctx, p, p.Status); err != nil {
		return err
	}
	ctx.Emit(EventVoted{ID: p.Id, Voter: voter, Option: OptionName(m.Option), Yes: p.Tally.Yes, No: p.Tally.No, Abstain: p.Tally.Abstain})
	return nil
}

// WithdrawProposal withdraws m.ProposalId, which must be voting, within
// its voting period, and have no vote yet, for its proposer; the deposit
// is returned. After the period the deposit's fate is the tally's, even
// when the per-block bound deferred the tally. Errors:
// ErrUnknownProposal, ErrNotProposer, ErrVotingClosed, ErrAlreadyVoted.
func (k *Keeper) WithdrawProposal(ctx modules.Context, m *governancev1.MsgWithdrawProposal) error {
	p, err := k.Proposal(ctx, m.ProposalId)
	if err != nil {
		return err
	}
	if p.Proposer != ctx.Authority {
		return ErrNotProposer.Wrapf("%s proposed %d", p.Proposer, p.Id)
	}
	if p.Status != governancev1.Status_STATUS_VOTING || ctx.Height > p.VotingEndHeight {
		return ErrVotingClosed.Wrapf("proposal %d is %s; voting ended at height %d", p.Id, StatusName(p.Status), p.VotingEndHeight)
	}
	if p.VotesCast > 0 {
		return ErrAlreadyVoted.Wrapf("proposal %d has %d votes", p.Id, p.VotesCast)
	}
	if err := votingEnds.Remove(ctx.Store, p.VotingEndHeight, IDBytes(p.Id)); err != nil {
		return err
	}
	if p.Deposit > 0 {
		if err := k.mana.Refund(ctx, EscrowID(p.Id)); err != nil {
			return err
		}
	}
	p.Status, p.EndHeight = governancev1.Status_STATUS_WITHDRAWN, ctx.Height
	if err := k.setProposal(ctx, p, governancev1.Status_STATUS_VOTING); err != nil {
		return err
	}
	ctx.Emit(EventWithdrawn{ID: p.Id, Org: p.Org})
	return nil
}

// Veto vetoes m.ProposalId during its timelock (up to and including its
// execution height, whose transactions run before the end of the block).
// The authority must be a veto DID of the proposal's policy or hold its
// veto role in the organization. The deposit is burned. Errors:
// ErrUnknownProposal, ErrNotTimelocked, ErrNotVetoHolder.
func (k *Keeper) Veto(ctx modules.Context, m *governancev1.MsgVeto) error {
	p, err := k.Proposal(ctx, m.ProposalId)
	if err != nil {
		return err
	}
	if p.Status != governancev1.Status_STATUS_TIMELOCKED {
		return ErrNotTimelocked.Wrapf("proposal %d is %s", p.Id, StatusName(p.Status))
	}
	holder, err := k.isVetoHolder(ctx, p, ctx.Authority)
	if err != nil {
		return err
	}
	if !holder {
		return ErrNotVetoHolder.Wrapf("%s may not veto proposal %d", ctx.Authority, p.Id)
	}
	if err := k.orgs.RefuseFrozen(ctx, ctx.Authority, p.Org); err != nil {
		return err
	}
	if err := executions.Remove(ctx.Store, p.ExecuteHeight, IDBytes(p.Id)); err != nil {
		return err
	}
	if p.Deposit > 0 {
		if err := k.mana.BurnAll(ctx, EscrowID(p.Id)); err != nil {
			return err
		}
	}
	return k.finish(ctx, p, governancev1.Status_STATUS_VETOED, -1, nil)
}

func (k *Keeper) isVetoHolder(ctx modules.Context, p *governancev1.Proposal, who string) (bool, error) {
	for _, d := range p.Policy.VetoDids {
		if d == who {
			return true, nil
		}
	}
	if p.Policy.VetoRole == "" {
		return false, nil
	}
	return k.orgs.HasRole(ctx, p.Org, who, p.Policy.VetoRole)
}

// Delegate records that the authority, a member of m.Org, delegates its
// vote there to m.Delegate, another member, replacing a delegation it had.
// Delegation is one hop: the delegate's own delegation does not carry it
// further. It applies to proposals submitted from now on (each proposal
// snapshots the delegations standing at its submission). A member frozen
// within m.Org may not delegate there. Errors: ErrInvalidDelegation,
// ErrNotMember, org's ErrFrozenInScope.
func (k *Keeper) Delegate(ctx modules.Context, m *governancev1.MsgDelegate) error {
	if m.Delegate == ctx.Authority {
		return ErrInvalidDelegation.Wrapf("%s cannot delegate to itself", m.Delegate)
	}
	if !k.orgs.IsMember(ctx, m.Org, ctx.Authority) {
		return ErrNotMember.Wrapf("%s is not a member of %s", ctx.Authority, m.Org)
	}
	if err := k.orgs.RefuseFrozen(ctx, ctx.Authority, m.Org); err != nil {
		return err
	}
	if !k.orgs.IsMember(ctx, m.Org, m.Delegate) {
		return ErrInvalidDelegation.Wrapf("%s is not a member of %s", m.Delegate, m.Org)
	}
	d := &governancev1.Delegation{Org: m.Org, Delegator: ctx.Authority, Delegate: m.Delegate, Height: ctx.Height}
	if err := modules.Save(ctx.Store, DelegationKey(ctx.Authority, m.Org), d); err != nil {
		return err
	}
	ctx.Emit(EventDelegated{Org: m.Org, Delegator: ctx.Authority, Delegate: m.Delegate})
	return nil
}

// Undelegate ends the authority's delegation in m.Org. Errors:
// ErrInvalidDelegation when there is none.
func (k *Keeper) Undelegate(ctx modules.Context, m *governancev1.MsgUndelegate) error {
	key := DelegationKey(ctx.Authority, m.Org)
	if !ctx.Store.Has(key) {
		return ErrInvalidDelegation.Wrapf("%s has no delegation in %s", ctx.Authority, m.Org)
	}
	ctx.Store.Delete(key)
	ctx.Emit(EventUndelegated{Org: m.Org, Delegator: ctx.Authority})
	return nil
}

// SetPolicy sets m.Org's policy. Only m.Org's own authority, which only a
// passed proposal of its governance carries, may send it. Errors:
// ErrNotOrgAuthority, ErrInvalidPolicy (periods beyond the params).
func (k *Keeper) SetPolicy(ctx modules.Context, m *governancev1.MsgSetPolicy) error {
	if ctx.Authority != m.Org {
		return ErrNotOrgAuthority.Wrapf("%s cannot set the policy of %s", ctx.Authority, m.Org)
	}
	if _, err := k.orgs.Organization(ctx, m.Org); err != nil {
		return err
	}
	params, err := k.Params(ctx)
	if err != nil {
		return err
	}
	if err := ValidatePolicy(m.Policy, params); err != nil {
		return err
	}
	if err := modules.Save(ctx.Store, PolicyKey(m.Org), m.Policy); err != nil {
		return err
	}
	ctx.Emit(EventPolicySet{Org: m.Org})
	return nil
}

// authorizeRoot refuses an authority other than the root federation's.
func (k *Keeper) authorizeRoot(ctx modules.Context) error {
	root, err := k.orgs.IsRoot(ctx, ctx.Authority)
	if err != nil {
		return err
	}
	if !root {
		return ErrNotOrgAuthority.Wrapf("%s is not the root federation", modules.Truncate(ctx.Authority))
	}
	return nil
}

// SetParams replaces the governance params (root federation only).
func (k *Keeper) SetParams(ctx modules.Context, m *governancev1.MsgSetGovernanceParams) error {
	if err := k.authorizeRoot(ctx); err != nil {
		return err
	}
	if err := k.setParams(ctx, m.Params); err != nil {
		return fmt.Errorf("governance: params: %w", err)
	}
	ctx.Emit(EventParamsSet{By: ctx.Authority})
	return nil
}
