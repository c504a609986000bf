package governance

import (
	"encoding/binary"
	"fmt"

	"github.com/intercooperative/icnd/modules"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	"github.com/intercooperative/icnd/store"
)

// MaxTransitionsPerBlock bounds the tallies and the executions the hook
// runs per block (each); what is left waits for the next block, in order.
const MaxTransitionsPerBlock = 64

// EndBlock tallies the proposals whose voting ended at or before this
// height, then executes the passed ones whose timelock ended: each in
// height order, then by proposal id (modules.Schedule).
func (k *Keeper) EndBlock(ctx modules.Context) error {
	due, err := votingEnds.Drain(ctx.Store, ctx.Height, MaxTransitionsPerBlock)
	if err != nil {
		return err
	}
	for _, e := range due {
		if err := k.tally(ctx, idOf(e.ID)); err != nil {
			return err
		}
	}
	due, err = executions.Drain(ctx.Store, ctx.Height, MaxTransitionsPerBlock)
	if err != nil {
		return err
	}
	for _, e := range due {
		p, err := k.Proposal(ctx, idOf(e.ID))
		if err != nil {
			return err
		}
		if err := k.Execute(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

func idOf(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// tally decides proposal id at the end of its voting period.
func (k *Keeper) tally(ctx modules.Context, id uint64) error {
	p, err := k.Proposal(ctx, id)
	if err != nil {
		return err
	}
	if p.Status != governancev1.Status_STATUS_VOTING {
		return fmt.Errorf("governance: proposal %d scheduled for its tally is %s", id, StatusName(p.Status))
	}
	status := Outcome(p.Tally, p.TotalWeight, p.Policy)
	if p.Deposit > 0 {
		// The deposit is burned when quorum fails; otherwise it is
		// returned, unless the proposal passed: then it stays locked
		// through the timelock, to be burned by a veto or returned at
		// execution (whether the messages succeed or fail).
		switch status {
		case governancev1.Status_STATUS_EXPIRED:
			err = k.mana.BurnAll(ctx, EscrowID(id))
		case governancev1.Status_STATUS_REJECTED:
			err = k.mana.Refund(ctx, EscrowID(id))
		}
		if err != nil {
			return err
		}
	}
	if status != governancev1.Status_STATUS_TIMELOCKED {
		return k.finish(ctx, p, status, -1, nil)
	}
	p.ExecuteHeight = ctx.Height + p.Policy.Timelock
	if err := executions.Add(ctx.Store, p.ExecuteHeight, IDBytes(id), marker); err != nil {
		return err
	}
	// A timelock of 0 blocks makes ExecuteHeight this height: the
	// execution drain that follows in this hook runs it.
	p.Status = governancev1.Status_STATUS_TIMELOCKED
	if err := k.setProposal(ctx, p, governancev1.Status_STATUS_VOTING); err != nil {
		return err
	}
	ctx.Emit(EventStatus{ID: id, Org: p.Org, Status: StatusName(p.Status), Height: ctx.Height, Message: -1})
	return nil
}

// finish gives p its final status at ctx.Height and emits the transition;
// failed names the message index and its error for STATUS_FAILED.
func (k *Keeper) finish(ctx modules.Context, p *governancev1.Proposal, status governancev1.Status, msg int, failed error) error {
	old := p.Status
	p.Status, p.EndHeight = status, ctx.Height
	ev := EventStatus{ID: p.Id, Org: p.Org, Status: StatusName(status), Height: ctx.Height, Message: msg}
	if failed != nil {
		space, code := modules.ResultCode(failed)
		p.FailureCodespace, p.FailureCode, p.FailureLog = space, code, modules.Truncate(failed.Error())
		ev.Codespace, ev.Code, ev.Log = space, code, p.FailureLog
	}
	if err := k.setProposal(ctx, p, old); err != nil {
		return err
	}
	ctx.Emit(ev)
	return nil
}

// Execute runs a timelocked proposal's messages with its organization's
// authority and no signer, in one cache layer over ctx.Store: written
// through when every message succeeds (STATUS_EXECUTED), discarded at the
// first failure (STATUS_FAILED, recording the message's code; state is as
// if nothing ran). An organization frozen within its own scope (by itself
// or an organization above it, including the root federation) cannot act
// through governance: its proposal fails with ErrAuthorityFrozen. The
// deposit is returned either way. A proposal that is not timelocked is
// refused with ErrNotTimelocked, so a proposal executes exactly once. A
// returned error without a registered code is a broken invariant.
func (k *Keeper) Execute(ctx modules.Context, p *governancev1.Proposal) error {
	if p.Status != governancev1.Status_STATUS_TIMELOCKED {
		return ErrNotTimelocked.Wrapf("proposal %d is %s", p.Id, StatusName(p.Status))
	}
	if p.Deposit > 0 {
		if err := k.mana.Refund(ctx, EscrowID(p.Id)); err != nil {
			return err
		}
	}
	failedAt, runErr := k.run(ctx, p)
	if runErr != nil {
		if space, _ := modules.ResultCode(runErr); space == modules.CodespaceInternal {
			return fmt.Errorf("governance: proposal %d message %d: %w", p.Id, failedAt, runErr)
		}
		return k.finish(ctx, p, governancev1.Status_STATUS_FAILED, failedAt, runErr)
	}
	return k.finish(ctx, p, governancev1.Status_STATUS_EXECUTED, -1, nil)
}

// run executes p's messages in a cache layer written through only when all
// succeed; it returns the failing message's index and error.
func (k *Keeper) run(ctx modules.Context, p *governancev1.Proposal) (int, error) {
	cache := store.NewCache(ctx.Store)
	exec := ctx.WithStore(cache).WithAuthority(p.Org)
	if k.orgs.RootFrozen(exec, p.Org) {
		return -1, ErrAuthorityFrozen.Wrapf("the root federation froze %s", p.Org)
	}
	if err := k.orgs.RefuseFrozen(exec, p.Org, p.Org); err != nil {
		return -1, ErrAuthorityFrozen.Wrapf("%v", err)
	}
	for i, bz := range p.Messages {
		m, _, err := k.router.Decode(bz)
		if err != nil {
			// Checked at submission; a message that no longer decodes
			// (a later binary dropped its case) fails the proposal.
			return i, err
		}
		if err := k.router.Run(exec, m); err != nil {
			return i, err
		}
	}
	cache.Write()
	ctx.EmitEvents(exec.Events())
	return -1, nil
}
