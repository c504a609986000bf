package mesh

import (
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// Reasons a job fails, as its record and EventJobFailed give them.
const (
	ReasonTooFewBids  = "too few bids"
	ReasonNoAgreement = "no agreement by the deadline"
)

// EndBlock implements modules.EndBlocker. It drains, each up to
// max_jobs_per_block and in this order: the settlements that receipts
// scheduled this block, the bid windows that close, and the deadlines that
// pass. A job whose entry is left over waits for the next block; the
// handlers refuse what comes late by height, not by the job's status, and
// a deadline settles a job whose receipts agreed in time (passDeadline),
// so the wait changes no outcome. Params that set_mesh_params changed in
// this block apply last (applyPendingParams), for the next block.
func (k *Keeper) EndBlock(ctx modules.Context) error {
	p, err := k.Params(ctx)
	if err != nil {
		return err
	}
	limit := int(p.MaxJobsPerBlock)
	steps := []struct {
		s  modules.Schedule
		fn func(modules.Context, *meshv1.Params, *meshv1.Job) error
	}{
		{settlements, k.settle},
		{windowCloses, k.closeWindow},
		{deadlines, k.passDeadline},
	}
	for _, step := range steps {
		due, err := step.s.Drain(ctx.Store, ctx.Height, limit)
		if err != nil {
			return err
		}
		for _, d := range due {
			j, err := k.Job(ctx, d.ID)
			if err != nil {
				return fmt.Errorf("mesh: scheduled job %x: %w", d.ID, err)
			}
			if err := step.fn(ctx, p, j); err != nil {
				return err
			}
		}
	}
	return k.applyPendingParams(ctx)
}

// closeWindow runs selection for an open job at the end of its window:
// the top r bids are assigned, the others' reservations freed; with fewer
// than k bids the job fails and its escrow is refunded. A selection that
// the per-block bound deferred moves the deadline by as many blocks, so
// the assigned executors keep the whole deadline the poster gave them.
func (k *Keeper) closeWindow(ctx modules.Context, p *meshv1.Params, j *meshv1.Job) error {
	if j.Status != jobOpen {
		return nil
	}
	// An executor that left since it bid is not selected: it said it will
	// take no more work. Its bid stays in the record, unassigned, and is
	// released below.
	cs := make([]Candidate, 0, len(j.Bids))
	for _, b := range j.Bids {
		e, err := k.Executor(ctx, b.Executor)
		if err != nil {
			return fmt.Errorf("mesh: bid of a missing executor: %w", err)
		}
		if e.Status != statusActive {
			continue
		}
		cs = append(cs, Candidate{Executor: b.Executor, Price: b.Price, Reputation: e.Reputation})
	}
	if len(cs) < int(j.Agreement) {
		return k.fail(ctx, j, ReasonTooFewBids, nil)
	}
	chosen := Select(j.Id, cs, int(j.Spec.Replication))
	picked := make(map[string]bool, len(chosen))
	names := make([]string, len(chosen))
	for i, c := range chosen {
		picked[c.Executor] = true
		names[i] = c.Executor
	}
	for _, b := range j.Bids {
		if picked[b.Executor] {
			b.Assigned = true
			continue
		}
		if _, err := k.release(ctx, b, 0); err != nil {
			return err
		}
	}
	if late := ctx.Height - j.WindowClose; late > 0 {
		// Deferred selection: without this, whoever floods a block's window
		// closes made the executors of the jobs left over lose reputation as
		// absent for receipts they had no time to send.
		j.DeadlineHeight += late
	}
	j.CommitDeadline = j.DeadlineHeight - RevealBlocks(j.Spec.Deadline)
	j.Status = jobAssigned
	if err := k.setJob(ctx, j, jobOpen); err != nil {
		return err
	}
	if err := deadlines.Add(ctx.Store, j.DeadlineHeight, j.Id, []byte{indexPresent}); err != nil {
		return err
	}
	ctx.Emit(EventJobAssigned{Job: JobCID(j.Id).String(), Executors: names, Deadline: j.DeadlineHeight, CommitDeadline: j.CommitDeadline})
	return nil
}

// settle completes an assigned job whose receipts agree: each agreeing
// executor is paid its bid price × the agreed fuel from the escrow and
// gains reputation, unless it gained some less than
// reputation_gain_interval blocks ago; a disagreeing one has slash_bps of its bid's
// reservation burned from its bond and loses reputation; an absent one (no
// receipt revealed, committed or not) has slash_absent_bps of it burned and
// loses reputation. The rest of the escrow is refunded to the poster. The
// slashes are the job's terms (termsOf); the reputation changes follow the
// params in force.
func (k *Keeper) settle(ctx modules.Context, p *meshv1.Params, j *meshv1.Job) error {
	if j.Status != jobAssigned {
		return nil
	}
	win, n := agreed(j)
	if n < int(j.Agreement) {
		return fmt.Errorf("mesh: job %x scheduled for settlement with %d of %d agreeing receipts", j.Id, n, j.Agreement)
	}
	terms := termsOf(j, p)
	var paid uint64
	for _, b := range j.Bids {
		if !b.Assigned {
			continue
		}
		var outcome string
		var slash, rep uint64
		gain := false
		e, err := k.Executor(ctx, b.Executor)
		if err != nil {
			return fmt.Errorf("mesh: assigned executor: %w", err)
		}
		switch {
		case len(b.Receipt) != 0 && sameResult(b, win):
			outcome = "agreed"
			b.Paid = b.Price * win.Fuel // <= max_price × fuel_limit: fits
			rep = e.Reputation
			// A height plus at most 10^6 (ValidateParams): no overflow.
			if gain = e.LastGainHeight == 0 || ctx.Height >= e.LastGainHeight+int64(p.ReputationGainInterval); gain {
				// max: a reputation above a since lowered max_reputation is
				// kept; an agreeing receipt never lowers it.
				rep = max(e.Reputation, min(satAdd(e.Reputation, p.ReputationGain), p.MaxReputation))
			}
		case len(b.Receipt) != 0:
			outcome = "disagreed"
			slash = mulBps(b.Reserved, terms.SlashBps)
			rep = e.Reputation - min(e.Reputation, p.ReputationLossDisagree)
		default:
			outcome = "absent"
			slash = mulBps(b.Reserved, terms.SlashAbsentBps)
			rep = e.Reputation - min(e.Reputation, p.ReputationLossAbsent)
		}
		if b.Paid > 0 {
			if _, err := k.mana.Pay(ctx, j.Id, b.Executor, b.Paid); err != nil {
				return fmt.Errorf("mesh: pay %s for job %x: %w", b.Executor, j.Id, err)
			}
			paid += b.Paid
		}
		b.Slashed = slash
		if e, err = k.release(ctx, b, slash); err != nil {
			return err
		}
		if gain {
			e.LastGainHeight = ctx.Height
			if err := k.setExecutor(ctx, e); err != nil {
				return err
			}
		}
		if err := k.setReputation(ctx, e, rep); err != nil {
			return err
		}
		ctx.Emit(EventExecutorSettled{Job: JobCID(j.Id).String(), Executor: b.Executor, Outcome: outcome, Paid: b.Paid, Slashed: slash, Reputation: rep})
	}
	if paid > j.Escrow {
		return fmt.Errorf("mesh: job %x paid %d out of an escrow of %d", j.Id, paid, j.Escrow)
	}
	refund := j.Escrow - paid
	if refund > 0 {
		if _, err := k.mana.Pay(ctx, j.Id, j.Poster, refund); err != nil {
			return fmt.Errorf("mesh: refund job %x: %w", j.Id, err)
		}
	}
	if err := deadlines.Remove(ctx.Store, j.DeadlineHeight, j.Id); err != nil {
		return err
	}
	j.Status, j.Output, j.Fuel, j.Exit, j.Refunded, j.ClosedHeight = jobCompleted, win.Output, win.Fuel, win.Exit, refund, ctx.Height
	if err := k.setJob(ctx, j, jobAssigned); err != nil {
		return err
	}
	out, _ := cid.Cast(win.Output)
	ctx.Emit(EventJobCompleted{Job: JobCID(j.Id).String(), Output: out.String(), Fuel: win.Fuel, Exit: win.Exit, Paid: paid, Refunded: refund})
	return nil
}

// passDeadline fails an assigned job whose deadline passed without k
// agreeing receipts: the escrow is refunded; executors that never revealed
// a receipt lose reputation and slash_absent_bps of their bid's
// reservation; those that did keep theirs and their bond, since
// without an agreed result nobody can tell which of them was wrong. A job
// whose k receipts agree settles here instead: one that waited for an
// executor that never answered (SubmitReceipt settles at once only when
// all have), or whose settlement the per-block bound deferred (whoever
// fills a block's settlements must not turn another job's agreement into a
// failure).
func (k *Keeper) passDeadline(ctx modules.Context, p *meshv1.Params, j *meshv1.Job) error {
	if j.Status != jobAssigned {
		return nil
	}
	if _, n := agreed(j); n >= int(j.Agreement) {
		return k.settle(ctx, p, j)
	}
	return k.fail(ctx, j, ReasonNoAgreement, func(b *meshv1.Bid) penalty {
		if len(b.Receipt) != 0 {
			return penalty{outcome: "unresolved"}
		}
		return penalty{outcome: "absent", loss: p.ReputationLossAbsent, slash: mulBps(b.Reserved, termsOf(j, p).SlashAbsentBps)}
	})
}

// penalty is what a failed job costs one assigned executor: its outcome as
// EventExecutorSettled names it, the reputation it loses and the part of
// its bid's reservation burned from its bond.
type penalty struct {
	outcome     string
	loss, slash uint64
}

// fail closes j as failed: the bids that still hold bond are freed (every
// bid of an open job; the assigned ones of an assigned job, since
// selection freed the others), assigned executors pay what penaltyOf says
// (nil for an open job, which has none assigned), and the whole escrow is
// refunded.
func (k *Keeper) fail(ctx modules.Context, j *meshv1.Job, reason string, penaltyOf func(*meshv1.Bid) penalty) error {
	old := j.Status
	for _, b := range j.Bids {
		if old == jobAssigned && !b.Assigned {
			continue
		}
		if !b.Assigned {
			if _, err := k.release(ctx, b, 0); err != nil {
				return err
			}
			continue
		}
		pen := penaltyOf(b)
		b.Slashed = pen.slash
		e, err := k.release(ctx, b, pen.slash)
		if err != nil {
			return err
		}
		rep := e.Reputation - min(e.Reputation, pen.loss)
		if err := k.setReputation(ctx, e, rep); err != nil {
			return err
		}
		ctx.Emit(EventExecutorSettled{Job: JobCID(j.Id).String(), Executor: b.Executor, Outcome: pen.outcome, Slashed: pen.slash, Reputation: rep})
	}
	if _, err := k.mana.Pay(ctx, j.Id, j.Poster, j.Escrow); err != nil {
		return fmt.Errorf("mesh: refund job %x: %w", j.Id, err)
	}
	j.Status, j.Refunded, j.Reason, j.ClosedHeight = jobFailed, j.Escrow, reason, ctx.Height
	if err := k.setJob(ctx, j, old); err != nil {
		return err
	}
	ctx.Emit(EventJobFailed{Job: JobCID(j.Id).String(), Reason: reason, Refunded: j.Escrow})
	return nil
}
