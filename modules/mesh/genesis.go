package mesh

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// Genesis is the mesh module's part of the genesis app state. The bond and
// job escrows are in the mana section (BondEscrowID, the job id).
type Genesis struct {
	Params    *meshv1.Params     `json:"params"`
	Executors []*meshv1.Executor `json:"executors"`
	Jobs      []*meshv1.Job      `json:"jobs"`
}

// DefaultGenesis has the default params and no executors or jobs.
func DefaultGenesis() Genesis {
	return Genesis{Params: DefaultParams(), Executors: []*meshv1.Executor{}, Jobs: []*meshv1.Job{}}
}

// Validate checks the params, that every executor and poster is a
// registered DID listed once, that each job's id is derived from its poster
// and spec, and that the executors' reservations and open counts are the
// sums over the bids of open and assigned jobs.
func (g Genesis) Validate(dids map[string]bool) error {
	if err := ValidateParams(g.Params); err != nil {
		return ErrInvalidGenesis.Wrapf("params: %v", err)
	}
	type held struct {
		reserved uint64
		open     uint32
	}
	executors := make(map[string]*meshv1.Executor, len(g.Executors))
	holds := make(map[string]*held, len(g.Executors))
	for i, e := range g.Executors {
		if e == nil || !dids[e.Did] {
			return ErrInvalidGenesis.Wrapf("executor %d is not a registered DID", i)
		}
		if executors[e.Did] != nil {
			return ErrInvalidGenesis.Wrapf("executor %s is listed twice", e.Did)
		}
		if err := ValidateCapabilities(e.Capabilities); err != nil {
			return ErrInvalidGenesis.Wrapf("executor %s: %v", e.Did, err)
		}
		if e.Status < statusActive || e.Status > statusLeft || e.Reserved > e.Bond || e.PriceFloor == 0 || e.LastGainHeight < 0 {
			return ErrInvalidGenesis.Wrapf("executor %s: bad status, floor or reservation", e.Did)
		}
		// Not max_reputation: a reputation gained before governance lowered
		// it is kept.
		if e.Reputation > ReputationCeiling || e.Status == statusLeft && (e.Bond != 0 || e.Open != 0) {
			return ErrInvalidGenesis.Wrapf("executor %s: reputation above %d, or a bond or bids after leaving", e.Did, ReputationCeiling)
		}
		executors[e.Did] = e
		holds[e.Did] = &held{}
	}
	ids := make(map[string]bool, len(g.Jobs))
	for i, j := range g.Jobs {
		if j == nil || j.Spec == nil || !dids[j.Poster] {
			return ErrInvalidGenesis.Wrapf("job %d: no spec, or poster not registered", i)
		}
		if err := ValidatePostJob(j.Spec); err != nil {
			return ErrInvalidGenesis.Wrapf("job %d: %v", i, err)
		}
		if !bytes.Equal(j.Id, JobID(j.Poster, j.Spec)) || ids[string(j.Id)] {
			return ErrInvalidGenesis.Wrapf("job %d: id is not derived from its poster and spec, or listed twice", i)
		}
		ids[string(j.Id)] = true
		if escrow, _ := EscrowAmount(j.Spec); escrow != j.Escrow || j.Agreement != Agreement(j.Spec) {
			return ErrInvalidGenesis.Wrapf("job %d: escrow or agreement do not follow from its spec", i)
		}
		if j.Status < jobOpen || j.Status > jobCancelled || len(j.Bids) > MaxBidsPerJob ||
			j.WindowClose < 1 || j.DeadlineHeight < j.WindowClose ||
			j.Status == jobAssigned && (j.CommitDeadline < j.WindowClose || j.CommitDeadline >= j.DeadlineHeight) {
			return ErrInvalidGenesis.Wrapf("job %d: bad status, bids or heights", i)
		}
		// A job without terms gets them at import (importedTerms).
		terms := j.Terms
		if terms == nil {
			terms = importedTerms(j, g.Params)
		}
		if err := validateTerms(j, terms); err != nil {
			return ErrInvalidGenesis.Wrapf("job %d: terms: %v", i, err)
		}
		seen := make(map[string]bool, len(j.Bids))
		for _, b := range j.Bids {
			if b == nil || executors[b.Executor] == nil || seen[b.Executor] {
				return ErrInvalidGenesis.Wrapf("job %d: a bid of an unknown executor, or twice", i)
			}
			seen[b.Executor] = true
			if len(b.Commitment) != 0 && (len(b.Commitment) != receipt.CommitmentLength || !b.Assigned) {
				return ErrInvalidGenesis.Wrapf("job %d: a commitment of %d bytes, or on a bid not assigned", i, len(b.Commitment))
			}
			if j.Status == jobOpen || j.Status == jobAssigned && b.Assigned {
				h := holds[b.Executor]
				h.reserved += b.Reserved
				h.open++
			}
		}
	}
	for _, e := range g.Executors {
		if h := holds[e.Did]; h.reserved != e.Reserved || h.open != e.Open {
			return ErrInvalidGenesis.Wrapf("executor %s: reserved %d in %d bids, its jobs hold %d in %d", e.Did, e.Reserved, e.Open, h.reserved, h.open)
		}
	}
	return nil
}

// InitGenesis stores params, executors and jobs (in key order), refreshes
// the mana capacity of executors whose reputation is not neutral (the
// mana section is initialised first, with neutral reputations), rebuilds
// the job indexes and schedules each open job's window close, each
// assigned job's deadline and, when its receipts already agree and every
// assigned executor answered, its settlement. A job without terms gets
// those of the genesis params (importedTerms). The caller has validated g. The mana section, initialised
// first, must hold each executor's bond and each open or assigned job's
// escrow (ErrInvalidGenesis): a payment out of a missing escrow at a later
// block's end would stop the chain.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	if err := k.checkEscrows(ctx, g); err != nil {
		return err
	}
	if err := modules.Save(ctx.Store, ParamsKey(), g.Params); err != nil {
		return fmt.Errorf("mesh: genesis params: %w", err)
	}
	executors := append([]*meshv1.Executor(nil), g.Executors...)
	sort.Slice(executors, func(a, b int) bool { return executors[a].Did < executors[b].Did })
	for _, e := range executors {
		if err := k.setExecutor(ctx, e); err != nil {
			return err
		}
	}
	// The mana section, initialised before this one, derived every
	// capacity with the neutral reputation: recompute the executors' whose
	// reputation is not.
	for _, e := range executors {
		if e.Reputation == NeutralReputation {
			continue
		}
		if err := k.mana.ReputationChanged(ctx, e.Did); err != nil {
			return fmt.Errorf("mesh: genesis reputation of %s: %w", e.Did, err)
		}
	}
	jobs := append([]*meshv1.Job(nil), g.Jobs...)
	sort.Slice(jobs, func(a, b int) bool { return bytes.Compare(jobs[a].Id, jobs[b].Id) < 0 })
	for i, j := range jobs {
		if j.Terms == nil {
			// Recorded before jobs carried terms: the job keeps those it
			// was posted under from now on, like any other, so that a
			// params change cannot raise the slash on a bond its bids
			// reserved. A copy: the caller's genesis stays as it was.
			j = proto.Clone(j).(*meshv1.Job)
			j.Terms = importedTerms(j, g.Params)
			jobs[i] = j
		}
		if err := k.setJob(ctx, j, meshv1.JobStatus_JOB_STATUS_UNSPECIFIED); err != nil {
			return err
		}
		ctx.Store.Set(JobByPosterKey(j.Poster, j.Id), []byte{indexPresent})
		var err error
		switch j.Status {
		case jobOpen:
			err = windowCloses.Add(ctx.Store, j.WindowClose, j.Id, []byte{indexPresent})
		case jobAssigned:
			err = deadlines.Add(ctx.Store, j.DeadlineHeight, j.Id, []byte{indexPresent})
			if _, n := agreed(j); err == nil && n >= int(j.Agreement) && allAnswered(j) {
				err = settlements.Add(ctx.Store, max(ctx.Height, 1), j.Id, []byte{indexPresent})
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// checkEscrows checks that the mana escrows hold what g's executors and
// jobs say they hold, owned by the right DIDs.
func (k *Keeper) checkEscrows(ctx modules.Context, g Genesis) error {
	holds := func(id []byte, owner string, amount uint64) error {
		esc, err := k.mana.Escrow(ctx, id)
		if err != nil {
			return fmt.Errorf("escrow %x: %v", id, err)
		}
		if esc.Owner != owner || esc.Amount != amount {
			return fmt.Errorf("escrow %x holds %d of %s, want %d of %s", id, esc.Amount, esc.Owner, amount, owner)
		}
		return nil
	}
	for _, e := range g.Executors {
		if e.Bond == 0 {
			continue
		}
		if err := holds(BondEscrowID(e.Did), e.Did, e.Bond); err != nil {
			return ErrInvalidGenesis.Wrapf("bond of %s: %v", e.Did, err)
		}
	}
	for _, j := range g.Jobs {
		if j.Status != jobOpen && j.Status != jobAssigned {
			continue
		}
		if err := holds(j.Id, j.Poster, j.Escrow); err != nil {
			return ErrInvalidGenesis.Wrapf("job %s: %v", JobCID(j.Id), err)
		}
	}
	return nil
}

// ExportGenesis returns params, executors (by DID) and jobs (by id).
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	p, err := k.Params(ctx)
	if err != nil {
		return Genesis{}, err
	}
	g := Genesis{Params: p, Executors: []*meshv1.Executor{}, Jobs: []*meshv1.Job{}}
	err = modules.Walk(ctx.Store, ExecutorsPrefix(), func(key []byte, e *meshv1.Executor) (bool, error) {
		g.Executors = append(g.Executors, e)
		return false, nil
	})
	if err != nil {
		return Genesis{}, err
	}
	err = modules.Walk(ctx.Store, JobsPrefix(), func(key []byte, j *meshv1.Job) (bool, error) {
		g.Jobs = append(g.Jobs, j)
		return false, nil
	})
	if err != nil {
		return Genesis{}, err
	}
	return g, nil
}
