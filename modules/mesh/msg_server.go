package mesh

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/dag"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// KindReceipt is the dag kind under which receipts are anchored, reserved
// to the mesh: the anchor message may not use it.
const KindReceipt = dag.KindReceipt

var (
	statusActive  = meshv1.ExecutorStatus_EXECUTOR_STATUS_ACTIVE
	statusLeaving = meshv1.ExecutorStatus_EXECUTOR_STATUS_LEAVING
	statusLeft    = meshv1.ExecutorStatus_EXECUTOR_STATUS_LEFT

	jobOpen      = meshv1.JobStatus_JOB_STATUS_OPEN
	jobAssigned  = meshv1.JobStatus_JOB_STATUS_ASSIGNED
	jobCompleted = meshv1.JobStatus_JOB_STATUS_COMPLETED
	jobFailed    = meshv1.JobStatus_JOB_STATUS_FAILED
	jobCancelled = meshv1.JobStatus_JOB_STATUS_CANCELLED
)

// RegisterExecutor registers ctx.Authority as an executor with a bond
// locked from its mana. A DID that left registers again with the
// reputation it left with, and the height of its last gain, so that leaving
// does not restart reputation_gain_interval.
func (k *Keeper) RegisterExecutor(ctx modules.Context, m *meshv1.MsgRegisterExecutor) error {
	did := ctx.Authority
	p, err := k.Params(ctx)
	if err != nil {
		return err
	}
	rep, lastGain := NeutralReputation, int64(0)
	if old, err := k.Executor(ctx, did); err == nil {
		if old.Status != statusLeft {
			return ErrAlreadyRegistered.Wrapf("%s", did)
		}
		rep, lastGain = old.Reputation, old.LastGainHeight
	} else if !errors.Is(err, ErrNotExecutor) {
		return err
	}
	if m.Bond < p.MinBond {
		return ErrInvalidBond.Wrapf("bond %d is below min_bond %d", m.Bond, p.MinBond)
	}
	if err := k.mana.Lock(ctx, did, BondEscrowID(did), m.Bond); err != nil {
		return err
	}
	e := &meshv1.Executor{Did: did, Capabilities: m.Capabilities, PriceFloor: m.PriceFloor, Bond: m.Bond,
		Reputation: rep, Status: statusActive, RegisteredHeight: ctx.Height, LastGainHeight: lastGain}
	if err := k.setExecutor(ctx, e); err != nil {
		return err
	}
	ctx.Emit(EventExecutorRegistered{DID: did, Bond: m.Bond, PriceFloor: m.PriceFloor, Reputation: rep})
	return nil
}

// UpdateExecutor replaces ctx.Authority's capabilities, floor and bond. A
// larger bond locks the difference; a smaller one returns it, never below
// what open bids and assignments reserve.
func (k *Keeper) UpdateExecutor(ctx modules.Context, m *meshv1.MsgUpdateExecutor) error {
	e, err := k.activeExecutor(ctx, ctx.Authority)
	if err != nil {
		return err
	}
	p, err := k.Params(ctx)
	if err != nil {
		return err
	}
	if m.Bond < p.MinBond {
		return ErrInvalidBond.Wrapf("bond %d is below min_bond %d", m.Bond, p.MinBond)
	}
	if m.Bond < e.Reserved {
		return ErrBondHeld.Wrapf("open bids and assignments hold %d of the bond", e.Reserved)
	}
	id := BondEscrowID(e.Did)
	switch {
	case m.Bond > e.Bond && e.Bond == 0:
		// A bond slashed to nothing closed its escrow.
		err = k.mana.Lock(ctx, e.Did, id, m.Bond)
	case m.Bond > e.Bond:
		err = k.mana.LockMore(ctx, id, m.Bond-e.Bond)
	case m.Bond < e.Bond:
		_, err = k.mana.Pay(ctx, id, e.Did, e.Bond-m.Bond)
	}
	if err != nil {
		return err
	}
	e.Capabilities, e.PriceFloor, e.Bond = m.Capabilities, m.PriceFloor, m.Bond
	if err := k.setExecutor(ctx, e); err != nil {
		return err
	}
	ctx.Emit(EventExecutorUpdated{DID: e.Did, Bond: e.Bond, PriceFloor: e.PriceFloor})
	return nil
}

// LeaveExecutor stops ctx.Authority from bidding. Its bond returns now if
// no bid or assignment is open, else when the last one closes.
func (k *Keeper) LeaveExecutor(ctx modules.Context, _ *meshv1.MsgLeaveExecutor) error {
	e, err := k.activeExecutor(ctx, ctx.Authority)
	if err != nil {
		return err
	}
	if e.Open == 0 {
		if err := k.returnBond(ctx, e); err != nil {
			return err
		}
	} else {
		e.Status = statusLeaving
		ctx.Emit(EventExecutorLeft{DID: e.Did, Status: "leaving"})
	}
	return k.setExecutor(ctx, e)
}

func (k *Keeper) activeExecutor(ctx modules.Context, did string) (*meshv1.Executor, error) {
	e, err := k.Executor(ctx, did)
	if err != nil {
		return nil, err
	}
	if e.Status != statusActive {
		return nil, ErrNotExecutor.Wrapf("%s is %s", did, e.Status)
	}
	return e, nil
}

// PostJob posts a job for ctx.Authority and escrows its worst-case cost
// (EscrowAmount) from the poster's mana; bids are taken until the end of
// block height + bid_window. The job records its terms (newTerms): later
// params changes leave its bid limit and slashes as they were.
func (k *Keeper) PostJob(ctx modules.Context, m *meshv1.MsgPostJob) error {
	poster := ctx.Authority
	p, err := k.Params(ctx)
	if err != nil {
		return err
	}
	if m.BidWindow > p.MaxBidWindow || m.Deadline > p.MaxDeadline {
		return ErrInvalidJob.Wrapf("bid_window %d and deadline %d: the params allow at most %d and %d blocks", m.BidWindow, m.Deadline, p.MaxBidWindow, p.MaxDeadline)
	}
	if uint64(m.Replication) > uint64(p.MaxBidsPerJob) {
		return ErrInvalidJob.Wrapf("replication %d exceeds max_bids_per_job %d", m.Replication, p.MaxBidsPerJob)
	}
	id := JobID(poster, m)
	if ctx.Store.Has(JobKey(id)) {
		return ErrJobExists.Wrapf("%s", JobCID(id))
	}
	escrow, _ := EscrowAmount(m) // ValidatePostJob checked the overflow
	if err := k.mana.Lock(ctx, poster, id, escrow); err != nil {
		return err
	}
	j := &meshv1.Job{
		Id: id, Poster: poster, Spec: m, Status: jobOpen, Escrow: escrow, PostedHeight: ctx.Height,
		WindowClose:    ctx.Height + int64(m.BidWindow),
		DeadlineHeight: ctx.Height + int64(m.BidWindow) + int64(m.Deadline),
		Agreement:      Agreement(m),
		Terms:          newTerms(p),
	}
	if err := k.setJob(ctx, j, meshv1.JobStatus_JOB_STATUS_UNSPECIFIED); err != nil {
		return err
	}
	ctx.Store.Set(JobByPosterKey(poster, id), []byte{indexPresent})
	if err := windowCloses.Add(ctx.Store, j.WindowClose, id, []byte{indexPresent}); err != nil {
		return err
	}
	module, _ := cid.Cast(m.Module)
	input, _ := cid.Cast(m.Input)
	ctx.Emit(EventJobPosted{Job: JobCID(id).String(), Poster: poster, Module: module.String(), Input: input.String(),
		Kind: m.Requirements.Kind, MemoryPages: m.Requirements.MemoryPages, FuelLimit: m.FuelLimit, MaxPrice: m.MaxPrice,
		Replication: m.Replication, Agreement: j.Agreement, Escrow: escrow, WindowClose: j.WindowClose,
		Deadline: j.DeadlineHeight, MinReputation: m.Requirements.MinReputation})
	return nil
}

// CancelJob cancels an open job of ctx.Authority: its bids' reservations
// are freed and its escrow refunded.
func (k *Keeper) CancelJob(ctx modules.Context, m *meshv1.MsgCancelJob) error {
	j, err := k.Job(ctx, m.Job)
	if err != nil {
		return err
	}
	if j.Poster != ctx.Authority {
		return ErrUnauthorized.Wrapf("%s posted the job, not %s", j.Poster, ctx.Authority)
	}
	if j.Status != jobOpen {
		return ErrJobNotOpen.Wrapf("%s is %s", JobCID(j.Id), j.Status)
	}
	if ctx.Height > j.WindowClose {
		// Selection is due (the per-block bound deferred it): the job is
		// as good as assigned.
		return ErrJobNotOpen.Wrapf("%s: its window closed at height %d", JobCID(j.Id), j.WindowClose)
	}
	for _, b := range j.Bids {
		if _, err := k.release(ctx, b, 0); err != nil {
			return err
		}
	}
	if _, err := k.mana.Pay(ctx, j.Id, j.Poster, j.Escrow); err != nil {
		return fmt.Errorf("mesh: refund job %x: %w", j.Id, err)
	}
	if err := windowCloses.Remove(ctx.Store, j.WindowClose, j.Id); err != nil {
		return err
	}
	j.Status, j.Refunded, j.ClosedHeight, j.Reason = jobCancelled, j.Escrow, ctx.Height, "cancelled"
	if err := k.setJob(ctx, j, jobOpen); err != nil {
		return err
	}
	ctx.Emit(EventJobCancelled{Job: JobCID(j.Id).String(), Poster: j.Poster, Refunded: j.Escrow})
	return nil
}

// Bid records ctx.Authority's bid on an open job and reserves its bond:
// price × fuel_limit (at least 1), the most the bid can earn.
func (k *Keeper) Bid(ctx modules.Context, m *meshv1.MsgBid) error {
	j, err := k.Job(ctx, m.Job)
	if err != nil {
		return err
	}
	if j.Status != jobOpen {
		return ErrJobNotOpen.Wrapf("%s is %s", JobCID(j.Id), j.Status)
	}
	if ctx.Height > j.WindowClose {
		return ErrBidWindowClosed.Wrapf("the window closed at height %d", j.WindowClose)
	}
	e, err := k.activeExecutor(ctx, ctx.Authority)
	if err != nil {
		return err
	}
	if e.Did == j.Poster {
		// Paying oneself from one's own escrow would farm reputation, and
		// with it mana capacity, for the price of a few fees.
		return ErrSelfDealing.Wrapf("%s posted %s", e.Did, JobCID(j.Id))
	}
	p, err := k.Params(ctx)
	if err != nil {
		return err
	}
	for _, b := range j.Bids {
		if b.Executor == e.Did {
			return ErrAlreadyBid.Wrapf("%s on %s", e.Did, JobCID(j.Id))
		}
	}
	if len(j.Bids) >= int(termsOf(j, p).MaxBids) {
		// A full job takes a bid that ranks strictly before its worst one,
		// which it replaces: the first bidders cannot lock the market out
		// by filling the job's bids. Writes here are discarded if a later
		// check refuses the bid.
		if err := k.evictWorst(ctx, j, Candidate{Executor: e.Did, Price: m.Price, Reputation: e.Reputation}); err != nil {
			return err
		}
	}
	spec := j.Spec
	if m.Price > spec.MaxPrice {
		return ErrPriceAboveMax.Wrapf("price %d, max_price %d", m.Price, spec.MaxPrice)
	}
	if m.Price < e.PriceFloor {
		return ErrPriceBelowFloor.Wrapf("price %d, price floor %d", m.Price, e.PriceFloor)
	}
	if err := meetsRequirements(e, spec); err != nil {
		return err
	}
	reserve := m.Price * spec.FuelLimit // <= max_price × fuel_limit, which fits (EscrowAmount)
	if e.Bond-e.Reserved < reserve || e.Open == math.MaxUint32 {
		return ErrInsufficientBond.Wrapf("the bid reserves %d, %s has %d of its bond %d free", reserve, e.Did, e.Bond-e.Reserved, e.Bond)
	}
	e.Reserved += reserve
	e.Open++
	if err := k.setExecutor(ctx, e); err != nil {
		return err
	}
	j.Bids = append(j.Bids, &meshv1.Bid{Executor: e.Did, Price: m.Price, Reserved: reserve, Height: ctx.Height})
	if err := k.setJob(ctx, j, j.Status); err != nil {
		return err
	}
	ctx.Emit(EventBid{Job: JobCID(j.Id).String(), Executor: e.Did, Price: m.Price, Reserved: reserve})
	return nil
}

// evictWorst removes j's worst bid and releases its hold: the first bid of
// an executor that left since it bid (selection would skip it), else the
// last in selection order, by the bidders' current reputation, if c ranks
// strictly before it; else the bid is ErrTooManyBids. The caller stores j.
func (k *Keeper) evictWorst(ctx modules.Context, j *meshv1.Job, c Candidate) error {
	cs := make([]Candidate, len(j.Bids))
	var gone *Candidate
	for i, b := range j.Bids {
		e, err := k.Executor(ctx, b.Executor)
		if err != nil {
			return fmt.Errorf("mesh: bid of a missing executor: %w", err)
		}
		cs[i] = Candidate{Executor: b.Executor, Price: b.Price, Reputation: e.Reputation}
		if gone == nil && e.Status != statusActive {
			gone = &cs[i]
		}
	}
	var worst Candidate
	if gone != nil {
		worst = *gone
	} else {
		ranked := Select(j.Id, cs, len(cs))
		worst = ranked[len(ranked)-1]
		if compareRank(c, worst) >= 0 {
			return ErrTooManyBids.Wrapf("%s has %d bids, and this one does not rank before the worst (%s at %d)", JobCID(j.Id), len(j.Bids), worst.Executor, worst.Price)
		}
	}
	for i, b := range j.Bids {
		if b.Executor != worst.Executor {
			continue
		}
		if _, err := k.release(ctx, b, 0); err != nil {
			return err
		}
		j.Bids = append(j.Bids[:i], j.Bids[i+1:]...)
		ctx.Emit(EventBidEvicted{Job: JobCID(j.Id).String(), Executor: worst.Executor, By: c.Executor})
		return nil
	}
	return fmt.Errorf("mesh: job %x: selection returned %s, which has no bid", j.Id, worst.Executor)
}

func meetsRequirements(e *meshv1.Executor, spec *meshv1.MsgPostJob) error {
	req := spec.Requirements
	c := e.Capabilities
	hasKind := false
	for _, k := range c.Kinds {
		hasKind = hasKind || k == req.Kind
	}
	switch {
	case !hasKind:
		return ErrRequirementsNotMet.Wrapf("%s does not run kind %q", e.Did, req.Kind)
	case c.MaxFuel < spec.FuelLimit:
		return ErrRequirementsNotMet.Wrapf("%s runs at most %d fuel, the job needs %d", e.Did, c.MaxFuel, spec.FuelLimit)
	case c.MemoryPages < req.MemoryPages:
		return ErrRequirementsNotMet.Wrapf("%s grants %d memory pages, the job needs %d", e.Did, c.MemoryPages, req.MemoryPages)
	case e.Reputation < req.MinReputation:
		return ErrRequirementsNotMet.Wrapf("%s has reputation %d, the job needs %d", e.Did, e.Reputation, req.MinReputation)
	}
	return nil
}

// CommitReceipt records an assigned executor's commitment to its receipt
// (receipt.Commitment) during the job's commit phase: from assignment to
// commit_deadline, or until every assigned executor has committed. A
// receipt is revealed (SubmitReceipt) only after the phase closes, so no
// executor can copy a result it has seen: by then it is bound to its own.
func (k *Keeper) CommitReceipt(ctx modules.Context, m *meshv1.MsgCommitReceipt) error {
	j, err := k.Job(ctx, m.Job)
	if err != nil {
		return err
	}
	if j.Status != jobAssigned {
		return ErrJobClosed.Wrapf("%s is %s", JobCID(j.Id), j.Status)
	}
	bid := assignedBid(j, ctx.Authority)
	if bid == nil {
		return ErrNotAssigned.Wrapf("%s is not assigned to %s", ctx.Authority, JobCID(j.Id))
	}
	if len(bid.Commitment) != 0 {
		return ErrAlreadyCommitted.Wrapf("%s committed %x", ctx.Authority, bid.Commitment)
	}
	if ctx.Height > j.CommitDeadline {
		return ErrCommitClosed.Wrapf("the commit deadline was height %d", j.CommitDeadline)
	}
	bid.Commitment = m.Commitment
	if err := k.setJob(ctx, j, j.Status); err != nil {
		return err
	}
	ctx.Emit(EventReceiptCommitted{Job: JobCID(j.Id).String(), Executor: bid.Executor, Commitment: bid.Commitment, Closed: allCommitted(j)})
	return nil
}

// assignedBid returns did's assigned bid on j, or nil.
func assignedBid(j *meshv1.Job, did string) *meshv1.Bid {
	for _, b := range j.Bids {
		if b.Executor == did && b.Assigned {
			return b
		}
	}
	return nil
}

// allCommitted reports whether every assigned executor of j has committed.
func allCommitted(j *meshv1.Job) bool {
	for _, b := range j.Bids {
		if b.Assigned && len(b.Commitment) == 0 {
			return false
		}
	}
	return true
}

// commitPhaseOpen reports whether j still takes commitments at height: up
// to its commit deadline, unless every assigned executor has committed.
func commitPhaseOpen(j *meshv1.Job, height int64) bool {
	return height <= j.CommitDeadline && !allCommitted(j)
}

// SubmitReceipt reveals an assigned executor's receipt: it is taken after
// the job's commit phase closed, and only if it opens the executor's
// commitment. It checks the receipt, anchors it in the dag with links to
// the job, module, input and output, records its result and, once k
// receipts agree on (output, fuel, exit) and every assigned executor has
// answered (allAnswered), schedules the job's settlement at the end of this
// block. With k agreeing but an executor yet to answer, the job settles at
// its deadline (passDeadline): settling at once would count an executor
// that is still within its deadline as absent.
func (k *Keeper) SubmitReceipt(ctx modules.Context, m *meshv1.MsgSubmitReceipt) error {
	r, err := decodeReceipt(m.Receipt)
	if err != nil {
		return err
	}
	if r.Executor != ctx.Authority {
		return ErrUnauthorized.Wrapf("the receipt is %s's, the sender is %s", r.Executor, ctx.Authority)
	}
	if r.ChainID != ctx.ChainID {
		return ErrReceiptMismatch.Wrapf("the receipt is for chain %q", r.ChainID)
	}
	id, err := JobIDFromCID(r.Job)
	if err != nil {
		return err
	}
	j, err := k.Job(ctx, id)
	if err != nil {
		return err
	}
	if j.Status != jobAssigned {
		return ErrJobClosed.Wrapf("%s is %s", r.Job, j.Status)
	}
	bid := assignedBid(j, r.Executor)
	if bid == nil {
		return ErrNotAssigned.Wrapf("%s is not assigned to %s", r.Executor, r.Job)
	}
	if len(bid.Receipt) != 0 {
		return ErrDuplicateReceipt.Wrapf("%s already submitted %s", r.Executor, cidString(bid.Receipt))
	}
	if ctx.Height > j.DeadlineHeight {
		return ErrAfterDeadline.Wrapf("the deadline was height %d", j.DeadlineHeight)
	}
	if r.Fuel > j.Spec.FuelLimit {
		return ErrFuelOverLimit.Wrapf("fuel %d, limit %d", r.Fuel, j.Spec.FuelLimit)
	}
	if !bytes.Equal(r.Module.Bytes(), j.Spec.Module) || !bytes.Equal(r.Input.Bytes(), j.Spec.Input) {
		return ErrReceiptMismatch.Wrapf("the receipt names module %s and input %s, the job %s and %s", r.Module, r.Input, cidString(j.Spec.Module), cidString(j.Spec.Input))
	}
	pub, err := k.keys.VerificationKey(ctx, r.Executor, r.KeyID)
	if err != nil {
		return ErrForgedReceipt.Wrapf("key %s#%s: %v", r.Executor, r.KeyID, err)
	}
	if !r.Verify(pub) {
		return ErrForgedReceipt.Wrapf("the signature does not verify under %s#%s", r.Executor, r.KeyID)
	}
	if len(bid.Commitment) == 0 {
		return ErrNoCommitment.Wrapf("%s did not commit to a receipt for %s", r.Executor, r.Job)
	}
	if commitPhaseOpen(j, ctx.Height) {
		return ErrRevealTooEarly.Wrapf("the commit phase of %s is open until height %d or until every executor commits", r.Job, j.CommitDeadline)
	}
	rc := receipt.CID(m.Receipt)
	if !bytes.Equal(receipt.Commitment(j.Id, r.Executor, rc), bid.Commitment) {
		return ErrCommitmentMismatch.Wrapf("receipt %s does not open %s's commitment %x", rc, r.Executor, bid.Commitment)
	}
	if err := k.dag.AnchorLinked(ctx, r.Executor, rc, KindReceipt, []cid.Cid{r.Job, r.Module, r.Input, r.Output}); err != nil {
		return err
	}
	bid.Receipt, bid.Output, bid.Fuel, bid.Exit = rc.Bytes(), r.Output.Bytes(), r.Fuel, r.Exit
	if err := k.setJob(ctx, j, j.Status); err != nil {
		return err
	}
	ctx.Emit(EventReceiptAccepted{Job: r.Job.String(), Executor: r.Executor, Receipt: rc.String(), Output: r.Output.String(), Fuel: r.Fuel, Exit: r.Exit})
	if _, n := agreed(j); n >= int(j.Agreement) && allAnswered(j) {
		return settlements.Add(ctx.Store, ctx.Height, j.Id, []byte{indexPresent})
	}
	return nil
}

// allAnswered reports whether every assigned executor of j that can still
// answer has: called when the commit phase is closed, it asks that every
// executor that committed has revealed. One that did not commit in time
// can never reveal, and is absent.
func allAnswered(j *meshv1.Job) bool {
	for _, b := range j.Bids {
		if b.Assigned && len(b.Commitment) != 0 && len(b.Receipt) == 0 {
			return false
		}
	}
	return true
}

func cidString(b []byte) string {
	c, err := cid.Cast(b)
	if err != nil {
		return fmt.Sprintf("%x", b)
	}
	return c.String()
}

// agreed returns the bid whose result (output, fuel, exit) the most
// receipts share, the first such in bid order, and how many share it.
// Agreement is a strict majority of replication, so a result that reaches
// it is the only one that can.
func agreed(j *meshv1.Job) (*meshv1.Bid, int) {
	var best *meshv1.Bid
	bestN := 0
	for i, a := range j.Bids {
		if len(a.Receipt) == 0 {
			continue
		}
		n := 0
		for _, b := range j.Bids[i:] {
			if len(b.Receipt) != 0 && sameResult(a, b) {
				n++
			}
		}
		if n > bestN {
			best, bestN = a, n
		}
	}
	return best, bestN
}

func sameResult(a, b *meshv1.Bid) bool {
	return bytes.Equal(a.Output, b.Output) && a.Fuel == b.Fuel && a.Exit == b.Exit
}

// mulBps returns x × bps / 10000, rounded down, for bps <= 10000.
func mulBps(x, bps uint64) uint64 {
	hi, lo := bits.Mul64(x, bps)
	q, _ := bits.Div64(hi, lo, 10_000)
	return q
}
