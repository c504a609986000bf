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

// ValidateParams checks p's ranges.
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
	case p.MaxReputation < NeutralReputation || p.MaxReputation > 1_000_000:
		return fmt.Errorf("max_reputation %d: want %d to 1000000", p.MaxReputation, NeutralReputation)
	case p.ReputationGain > p.MaxReputation || p.ReputationLossDisagree > p.MaxReputation || p.ReputationLossAbsent > p.MaxReputation:
		return fmt.Errorf("reputation deltas must be at most max_reputation")
	case p.MaxBidWindow < 1 || p.MaxDeadline < 1 || p.MaxBidWindow > 1_000_000 || p.MaxDeadline > 1_000_000:
		return fmt.Errorf("max_bid_window and max_deadline: want 1 to 1000000")
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
