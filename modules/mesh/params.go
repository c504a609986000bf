package mesh

import (
	"fmt"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mana"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// Hard bounds that params may not exceed.
const (
	// MaxBidsPerJob bounds params.max_bids_per_job: a job record holds its
	// bids.
	MaxBidsPerJob = 64
	// MaxJobsPerBlock bounds params.max_jobs_per_block.
	MaxJobsPerBlock = 1000
	// MaxReplication is the largest replication r.
	MaxReplication = 5
	// ReputationCeiling bounds params.max_reputation, and so every
	// executor's reputation: one recorded under a higher max_reputation
	// than the current one keeps it (settle never lowers a reputation on
	// an agreeing receipt).
	ReputationCeiling = 1_000_000
)

// NeutralReputation is a new executor's reputation, in basis points: the
// reputation that leaves its mana capacity as its memberships give it
// (mana.NeutralReputation).
const NeutralReputation = mana.NeutralReputation

// DefaultParams are the mesh params of a new chain.
func DefaultParams() *meshv1.Params {
	return &meshv1.Params{
		MaxBidsPerJob:          16,
		MaxJobsPerBlock:        100,
		MinBond:                100,
		SlashBps:               5000,
		ReputationGain:         100,
		ReputationLossDisagree: 1000,
		ReputationLossAbsent:   500,
		MaxReputation:          20_000,
		MaxBidWindow:           1000,
		MaxDeadline:            10_000,
		ReputationGainInterval: 100,
		SlashAbsentBps:         2000,
	}
}

// ValidateParams checks p's ranges: the check of the genesis params and of
// every set_mesh_params.
func ValidateParams(p *meshv1.Params) error {
	switch {
	case p == nil:
		return fmt.Errorf("params are missing")
	case p.MaxBidsPerJob < 1 || p.MaxBidsPerJob > MaxBidsPerJob:
		return fmt.Errorf("max_bids_per_job %d: want 1 to %d", p.MaxBidsPerJob, MaxBidsPerJob)
	case p.MaxJobsPerBlock < 1 || p.MaxJobsPerBlock > MaxJobsPerBlock:
		return fmt.Errorf("max_jobs_per_block %d: want 1 to %d", p.MaxJobsPerBlock, MaxJobsPerBlock)
	case p.MinBond < 1:
		return fmt.Errorf("min_bond must be at least 1")
	case p.SlashBps > 10_000:
		return fmt.Errorf("slash_bps %d: want at most 10000", p.SlashBps)
	case p.SlashAbsentBps > 10_000:
		return fmt.Errorf("slash_absent_bps %d: want at most 10000", p.SlashAbsentBps)
	case p.MaxReputation < NeutralReputation || p.MaxReputation > ReputationCeiling:
		return fmt.Errorf("max_reputation %d: want %d to %d", p.MaxReputation, NeutralReputation, ReputationCeiling)
	case p.ReputationGain > p.MaxReputation || p.ReputationLossDisagree > p.MaxReputation || p.ReputationLossAbsent > p.MaxReputation:
		return fmt.Errorf("reputation deltas must be at most max_reputation")
	case p.MaxBidWindow < 1 || p.MaxBidWindow > 1_000_000:
		return fmt.Errorf("max_bid_window %d: want 1 to 1000000", p.MaxBidWindow)
	case p.MaxDeadline < MinDeadline || p.MaxDeadline > 1_000_000:
		// Below MinDeadline, post_job's shortest deadline, no job could be
		// posted.
		return fmt.Errorf("max_deadline %d: want %d to 1000000", p.MaxDeadline, MinDeadline)
	case p.ReputationGainInterval > 1_000_000:
		return fmt.Errorf("reputation_gain_interval %d: want at most 1000000", p.ReputationGainInterval)
	}
	return nil
}

// Params loads the module params, written at genesis: their absence is a
// broken invariant. The caller owns the result.
func (k *Keeper) Params(ctx modules.Context) (*meshv1.Params, error) {
	p, ok, err := modules.Load[meshv1.Params](ctx.Store, ParamsKey())
	if err != nil {
		return nil, fmt.Errorf("mesh: params: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("mesh: params are missing from state")
	}
	return p, nil
}

// ValidateSetMeshParams is the stateless check of MsgSetMeshParams: the
// params pass ValidateParams, so that a proposal carrying params the
// module cannot run with is refused when it is submitted.
func ValidateSetMeshParams(m *meshv1.MsgSetMeshParams) error {
	if err := ValidateParams(m.Params); err != nil {
		return ErrInvalidParams.Wrapf("%v", err)
	}
	return nil
}

// SetMeshParams replaces the params from the next block on: they wait
// under PendingParamsKey until this block's mesh end-of-block hook has run
// with the old ones (applyPendingParams), so that the transactions and the
// hook of one block see one set of params. A job keeps the terms it was
// posted under (JobTerms). A second change in the same block replaces the
// first. Errors: ErrNotRoot unless the authority is the root federation
// (only its governance carries that authority), ErrInvalidParams.
func (k *Keeper) SetMeshParams(ctx modules.Context, m *meshv1.MsgSetMeshParams) error {
	root, err := k.orgs.IsRoot(ctx, ctx.Authority)
	if err != nil {
		return err
	}
	if !root {
		return ErrNotRoot.Wrapf("%s is not the root federation", modules.Truncate(ctx.Authority))
	}
	if err := ValidateParams(m.Params); err != nil {
		return ErrInvalidParams.Wrapf("%v", err)
	}
	if err := modules.Save(ctx.Store, PendingParamsKey(), m.Params); err != nil {
		return fmt.Errorf("mesh: pending params: %w", err)
	}
	ctx.Emit(EventParamsSet{By: ctx.Authority})
	return nil
}

// applyPendingParams makes the params set_mesh_params wrote this block the
// module's params. It runs last in the end-of-block hook.
func (k *Keeper) applyPendingParams(ctx modules.Context) error {
	p, ok, err := modules.Load[meshv1.Params](ctx.Store, PendingParamsKey())
	if err != nil {
		return fmt.Errorf("mesh: pending params: %w", err)
	}
	if !ok {
		return nil
	}
	if err := modules.Save(ctx.Store, ParamsKey(), p); err != nil {
		return fmt.Errorf("mesh: params: %w", err)
	}
	ctx.Store.Delete(PendingParamsKey())
	return nil
}

// newTerms are the terms of a job posted under p.
func newTerms(p *meshv1.Params) *meshv1.JobTerms {
	return &meshv1.JobTerms{MaxBids: p.MaxBidsPerJob, SlashBps: p.SlashBps, SlashAbsentBps: p.SlashAbsentBps}
}

// termsOf returns the terms j was posted under. InitGenesis gives every
// job terms (importedTerms); p, the params in force, stands in only for a
// record without them, which no stored job is.
func termsOf(j *meshv1.Job, p *meshv1.Params) *meshv1.JobTerms {
	if j.Terms != nil {
		return j.Terms
	}
	return newTerms(p)
}

// importedTerms are the terms InitGenesis gives a job recorded before jobs
// carried terms (a genesis written by an older release): those of the
// genesis params g, which the job was posted under, since no older release
// could change the params. Its bid limit also holds the job's bids and
// replication, should an operator have lowered max_bids_per_job in the
// file: the terms must keep the job able to close as it could.
func importedTerms(j *meshv1.Job, g *meshv1.Params) *meshv1.JobTerms {
	t := newTerms(g)
	// len(j.Bids) <= MaxBidsPerJob: Validate checks it first.
	t.MaxBids = max(t.MaxBids, j.Spec.Replication, uint32(len(j.Bids)))
	return t
}

// validateTerms checks a job's terms t as ValidateParams checks the
// params they come from, and that they let the job hold the bids it has
// and the executors it needs.
func validateTerms(j *meshv1.Job, t *meshv1.JobTerms) error {
	switch {
	case t.MaxBids < 1 || t.MaxBids > MaxBidsPerJob:
		return fmt.Errorf("max_bids %d: want 1 to %d", t.MaxBids, MaxBidsPerJob)
	case t.MaxBids < j.Spec.Replication || len(j.Bids) > int(t.MaxBids):
		return fmt.Errorf("max_bids %d: below the replication %d or the %d bids", t.MaxBids, j.Spec.Replication, len(j.Bids))
	case t.SlashBps > 10_000 || t.SlashAbsentBps > 10_000:
		return fmt.Errorf("slash_bps %d, slash_absent_bps %d: want at most 10000", t.SlashBps, t.SlashAbsentBps)
	}
	return nil
}
