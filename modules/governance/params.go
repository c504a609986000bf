package governance

import (
	"sort"

	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/org"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// Bounds on policies and params.
const (
	// MaxFractionDenominator bounds a fraction's denominator, so that
	// weight x denominator never overflows (MaxTotalWeight).
	MaxFractionDenominator = 1_000_000
	// MaxWeight bounds one member's weight and MaxTotalWeight the sum of a
	// snapshot: MaxTotalWeight x MaxFractionDenominator < 2^64.
	MaxWeight      = 1_000_000_000
	MaxTotalWeight = 1_000_000_000_000
	// MaxWeights bounds a weighted policy's rows.
	MaxWeights = 10_000
	// MaxVetoDIDs bounds a policy's named veto holders.
	MaxVetoDIDs = 16
	// MaxPeriod bounds max_voting_period and max_timelock: about a year of
	// one-second blocks.
	MaxPeriod = 40_000_000
	// MaxElectorateLimit bounds Params.max_electorate.
	MaxElectorateLimit = 100_000
	// MaxSnapshotCostPerVoter bounds Params.snapshot_cost_per_voter, so
	// that the cost of a snapshot (at most MaxElectorateLimit voters)
	// never overflows.
	MaxSnapshotCostPerVoter = 1_000_000
)

// DefaultPolicy is a new chain's default policy: one member one vote, a
// third of the members must vote, a simple majority of yes over no
// passes, a day of voting and an hour of timelock at one-second blocks, no
// veto holders, a deposit of 100 mana.
func DefaultPolicy() *governancev1.Policy {
	return &governancev1.Policy{
		Electorate:   governancev1.Electorate_ELECTORATE_ONE_MEMBER_ONE_VOTE,
		Quorum:       &governancev1.Fraction{Num: 1, Den: 3},
		Threshold:    &governancev1.Fraction{Num: 1, Den: 2},
		VotingPeriod: 86_400,
		Timelock:     3_600,
		Deposit:      100,
	}
}

// DefaultParams are a new chain's governance params.
func DefaultParams() *governancev1.Params {
	return &governancev1.Params{
		DefaultPolicy:   DefaultPolicy(),
		MaxVotingPeriod: 1_000_000,
		MaxTimelock:     1_000_000,
		MaxElectorate:   20_000,
		// A proposal in a 1,000-member organization costs 1,000 mana more
		// than in a tiny one: what its 1,000 snapshot records cost the
		// chain to write and keep.
		SnapshotCostPerVoter: 1,
	}
}

// ValidateParams checks p and its default policy.
func ValidateParams(p *governancev1.Params) error {
	if p == nil {
		return ErrInvalidParams.Wrapf("params are missing")
	}
	if p.MaxVotingPeriod < 1 || p.MaxVotingPeriod > MaxPeriod || p.MaxTimelock < 0 || p.MaxTimelock > MaxPeriod {
		return ErrInvalidParams.Wrapf("max_voting_period must be 1 to %d and max_timelock 0 to %d", MaxPeriod, MaxPeriod)
	}
	if p.MaxElectorate < 1 || p.MaxElectorate > MaxElectorateLimit {
		return ErrInvalidParams.Wrapf("max_electorate must be 1 to %d, is %d", MaxElectorateLimit, p.MaxElectorate)
	}
	if p.DefaultPolicy == nil {
		return ErrInvalidParams.Wrapf("default_policy is missing")
	}
	if p.SnapshotCostPerVoter > MaxSnapshotCostPerVoter {
		return ErrInvalidParams.Wrapf("snapshot_cost_per_voter %d, max %d", p.SnapshotCostPerVoter, MaxSnapshotCostPerVoter)
	}
	if p.DefaultPolicy.Electorate == governancev1.Electorate_ELECTORATE_WEIGHTED {
		return ErrInvalidParams.Wrapf("the default policy cannot be weighted: weights belong to one organization")
	}
	if err := ValidatePolicy(p.DefaultPolicy, p); err != nil {
		return ErrInvalidParams.Wrapf("default_policy: %v", err)
	}
	return nil
}

// ValidatePolicy checks p on its own (fractions, weights, veto holders)
// and against the params' bounds on periods; params may be nil for the
// stateless part only.
func ValidatePolicy(p *governancev1.Policy, params *governancev1.Params) error {
	if p == nil {
		return ErrInvalidPolicy.Wrapf("policy is missing")
	}
	switch p.Electorate {
	case governancev1.Electorate_ELECTORATE_ONE_MEMBER_ONE_VOTE:
		if len(p.Weights) != 0 {
			return ErrInvalidPolicy.Wrapf("one member one vote takes no weights")
		}
	case governancev1.Electorate_ELECTORATE_WEIGHTED:
		if err := validateWeights(p.Weights); err != nil {
			return err
		}
	default:
		return ErrInvalidPolicy.Wrapf("unknown electorate %d", p.Electorate)
	}
	q, t := p.Quorum, p.Threshold
	if q == nil || q.Den == 0 || q.Den > MaxFractionDenominator || q.Num == 0 || q.Num > q.Den {
		return ErrInvalidPolicy.Wrapf("quorum must be a fraction with 0 < quorum <= 1 and a denominator of at most %d", MaxFractionDenominator)
	}
	if t == nil || t.Den == 0 || t.Den > MaxFractionDenominator || t.Num > t.Den || 2*t.Num < t.Den {
		return ErrInvalidPolicy.Wrapf("threshold must be a fraction with 1/2 <= threshold <= 1 and a denominator of at most %d", MaxFractionDenominator)
	}
	if p.VotingPeriod < 1 || p.Timelock < 0 {
		return ErrInvalidPolicy.Wrapf("voting_period must be at least 1 and timelock at least 0")
	}
	if params != nil && (p.VotingPeriod > params.MaxVotingPeriod || p.Timelock > params.MaxTimelock) {
		return ErrInvalidPolicy.Wrapf("voting_period %d and timelock %d must be at most %d and %d", p.VotingPeriod, p.Timelock, params.MaxVotingPeriod, params.MaxTimelock)
	}
	if len(p.VetoDids) > MaxVetoDIDs {
		return ErrInvalidPolicy.Wrapf("%d veto holders, max %d", len(p.VetoDids), MaxVetoDIDs)
	}
	for i, d := range p.VetoDids {
		if err := did.ParseDID(d); err != nil {
			return ErrInvalidPolicy.Wrapf("veto holder %d: %v", i, err)
		}
		if i > 0 && p.VetoDids[i-1] >= d {
			return ErrInvalidPolicy.Wrapf("veto holders must be sorted and unique")
		}
	}
	if p.VetoRole != "" {
		if err := org.ValidateRole(p.VetoRole); err != nil {
			return ErrInvalidPolicy.Wrapf("veto role: %v", err)
		}
	}
	// A veto is possible only during the timelock; with none, a passed
	// proposal executes in the hook that tallies it.
	if p.Timelock == 0 && (len(p.VetoDids) > 0 || p.VetoRole != "") {
		return ErrInvalidPolicy.Wrapf("veto holders need a timelock of at least 1 block")
	}
	return nil
}

func validateWeights(ws []*governancev1.Weight) error {
	if len(ws) == 0 || len(ws) > MaxWeights {
		return ErrInvalidPolicy.Wrapf("a weighted policy needs 1 to %d weights, has %d", MaxWeights, len(ws))
	}
	var total uint64
	for i, w := range ws {
		if w == nil {
			return ErrInvalidPolicy.Wrapf("weight %d is null", i)
		}
		if err := did.ParseDID(w.Member); err != nil {
			return ErrInvalidPolicy.Wrapf("weight %d: %v", i, err)
		}
		if i > 0 && ws[i-1].Member >= w.Member {
			return ErrInvalidPolicy.Wrapf("weights must be sorted by member and unique")
		}
		if w.Weight == 0 || w.Weight > MaxWeight {
			return ErrInvalidPolicy.Wrapf("weight of %s must be 1 to %d", w.Member, MaxWeight)
		}
		total += w.Weight // MaxWeights x MaxWeight < 2^64
	}
	if total > MaxTotalWeight {
		return ErrInvalidPolicy.Wrapf("weights sum to %d, max %d", total, MaxTotalWeight)
	}
	return nil
}

// weightOf returns member's weight under p: 1, its row, or 0.
func weightOf(p *governancev1.Policy, member string) uint64 {
	if p.Electorate != governancev1.Electorate_ELECTORATE_WEIGHTED {
		return 1
	}
	i := sort.Search(len(p.Weights), func(i int) bool { return p.Weights[i].Member >= member })
	if i < len(p.Weights) && p.Weights[i].Member == member {
		return p.Weights[i].Weight
	}
	return 0
}
