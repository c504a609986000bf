package mesh

import (
	"fmt"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// Keeper reads and writes mesh state. It holds no state of its own.
type Keeper struct {
	mana Mana
	keys Keys
	dag  DAG
	orgs Orgs
}

// NewKeeper returns a mesh Keeper over the mana escrows, the DID keys, the
// dag module and the organizations (who the root federation is).
func NewKeeper(mana Mana, keys Keys, dag DAG, orgs Orgs) *Keeper {
	return &Keeper{mana: mana, keys: keys, dag: dag, orgs: orgs}
}

// Reputation implements mana.Reputation: an executor's reputation, kept
// after it leaves; NeutralReputation for a DID that never registered.
func (k *Keeper) Reputation(ctx modules.Context, did string) (uint64, error) {
	if len(did) == 0 || len(did) > modules.MaxKeyPart {
		return NeutralReputation, nil
	}
	e, ok, err := modules.Load[meshv1.Executor](ctx.Store, ExecutorKey(did))
	if err != nil {
		return 0, fmt.Errorf("mesh: executor %s: %w", did, err)
	}
	if !ok {
		return NeutralReputation, nil
	}
	return e.Reputation, nil
}

// Executor loads did's executor record, or ErrNotExecutor. The caller owns
// the result.
func (k *Keeper) Executor(ctx modules.Context, did string) (*meshv1.Executor, error) {
	if len(did) == 0 || len(did) > modules.MaxKeyPart {
		return nil, ErrNotExecutor.Wrapf("%d-byte DID", len(did))
	}
	e, ok, err := modules.Load[meshv1.Executor](ctx.Store, ExecutorKey(did))
	if err != nil {
		return nil, fmt.Errorf("mesh: executor %s: %w", did, err)
	}
	if !ok {
		return nil, ErrNotExecutor.Wrapf("%s never registered", did)
	}
	return e, nil
}

func (k *Keeper) setExecutor(ctx modules.Context, e *meshv1.Executor) error {
	if err := modules.Save(ctx.Store, ExecutorKey(e.Did), e); err != nil {
		return fmt.Errorf("mesh: executor %s: %w", e.Did, err)
	}
	return nil
}

// Job loads the job with id, or ErrJobNotFound. The caller owns the result.
func (k *Keeper) Job(ctx modules.Context, id []byte) (*meshv1.Job, error) {
	if err := ValidateJobID(id); err != nil {
		return nil, err
	}
	j, ok, err := modules.Load[meshv1.Job](ctx.Store, JobKey(id))
	if err != nil {
		return nil, fmt.Errorf("mesh: job %x: %w", id, err)
	}
	if !ok {
		return nil, ErrJobNotFound.Wrapf("%s", JobCID(id))
	}
	return j, nil
}

// setJob stores j and moves its status index entry from old to j.Status
// (old is UNSPECIFIED for a new job).
func (k *Keeper) setJob(ctx modules.Context, j *meshv1.Job, old meshv1.JobStatus) error {
	if err := modules.Save(ctx.Store, JobKey(j.Id), j); err != nil {
		return fmt.Errorf("mesh: job %x: %w", j.Id, err)
	}
	if old != j.Status {
		if old != meshv1.JobStatus_JOB_STATUS_UNSPECIFIED {
			ctx.Store.Delete(JobByStatusKey(old, j.Id))
		}
		ctx.Store.Set(JobByStatusKey(j.Status, j.Id), []byte{indexPresent})
	}
	return nil
}

// setReputation sets e's reputation and refreshes its mana capacity, which
// the reputation scales.
func (k *Keeper) setReputation(ctx modules.Context, e *meshv1.Executor, rep uint64) error {
	if rep == e.Reputation {
		return nil
	}
	e.Reputation = rep
	if err := k.setExecutor(ctx, e); err != nil {
		return err
	}
	return k.mana.ReputationChanged(ctx, e.Did)
}

// release frees a bid's reservation on its executor's bond and closes the
// executor's open count; a leaving executor whose last bid closes gets its
// bond back. slash (at most the reservation) is burned from the bond
// first. It returns the executor record as stored.
func (k *Keeper) release(ctx modules.Context, b *meshv1.Bid, slash uint64) (*meshv1.Executor, error) {
	e, err := k.Executor(ctx, b.Executor)
	if err != nil {
		return nil, fmt.Errorf("mesh: bid of a missing executor: %w", err)
	}
	if e.Reserved < b.Reserved || e.Open == 0 || slash > b.Reserved || e.Bond < e.Reserved {
		return nil, fmt.Errorf("mesh: executor %s holds %d reserved in %d bids, bond %d; cannot release %d (slash %d)", e.Did, e.Reserved, e.Open, e.Bond, b.Reserved, slash)
	}
	e.Reserved -= b.Reserved
	e.Open--
	if slash > 0 {
		if err := k.mana.Burn(ctx, BondEscrowID(e.Did), slash); err != nil {
			return nil, fmt.Errorf("mesh: slash %s: %w", e.Did, err)
		}
		e.Bond -= slash
	}
	if e.Status == meshv1.ExecutorStatus_EXECUTOR_STATUS_LEAVING && e.Open == 0 {
		if err := k.returnBond(ctx, e); err != nil {
			return nil, err
		}
	}
	if err := k.setExecutor(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// returnBond refunds e's whole bond and marks it left. The caller stores e.
func (k *Keeper) returnBond(ctx modules.Context, e *meshv1.Executor) error {
	returned := e.Bond
	if returned > 0 {
		if _, err := k.mana.Pay(ctx, BondEscrowID(e.Did), e.Did, returned); err != nil {
			return fmt.Errorf("mesh: return the bond of %s: %w", e.Did, err)
		}
	}
	e.Bond = 0
	e.Status = meshv1.ExecutorStatus_EXECUTOR_STATUS_LEFT
	ctx.Emit(EventExecutorLeft{DID: e.Did, Status: "left", Returned: returned})
	return nil
}
