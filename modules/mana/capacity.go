package mana

import (
	"math/bits"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// Organization kinds that Params.membership_bonuses may name. They are the
// strings Memberships.SeatedKinds returns.
const (
	KindCommunity   = "community"
	KindCooperative = "cooperative"
	KindFederation  = "federation"
)

// knownKinds lists the organization kinds, sorted.
var knownKinds = []string{KindCommunity, KindCooperative, KindFederation}

// NeutralReputation is the reputation, in basis points, that leaves the
// membership bonuses as they are.
const NeutralReputation uint64 = 10_000

// Derive computes an account's capacity and rate from its base grant, the
// kinds of the organizations in which it holds a bonus seat (one entry per
// seated membership) and its reputation in basis points:
//
//	bonus    = Σ over seated memberships m of the membership_bonuses row of kind(m)
//	scaled   = bonus × min(reputation, max_reputation_bps) / 10000   (rounded down)
//	capacity = min(max_capacity, base_capacity + scaled capacity bonus)
//	rate     = min(max_rate,     base_rate     + scaled rate bonus)
//
// A kind without a row adds nothing. Every sum and product saturates at
// 2^64-1 before the final cap, so no input overflows and the result never
// exceeds the caps. It is a pure function of its arguments.
//
// Only seated memberships count: an organization's seats come down the
// federation tree from the root federation's genesis seats, divided and
// never multiplied (org: seats.go), so the bonuses all accounts hold
// together are bounded by the seats genesis created, and no party can
// raise its own by founding organizations or admitting DIDs it created.
// max_capacity and max_rate bound what one DID may gather.
func Derive(p *manav1.Params, baseCapacity, baseRate uint64, kinds []string, reputation uint64) (capacity, rate uint64) {
	var bonusCapacity, bonusRate uint64
	for _, kind := range kinds {
		if row := membershipBonus(p, kind); row != nil {
			bonusCapacity = satAdd(bonusCapacity, row.Capacity)
			bonusRate = satAdd(bonusRate, row.Rate)
		}
	}
	reputation = min(reputation, p.MaxReputationBps)
	capacity = min(p.MaxCapacity, satAdd(baseCapacity, scaleBps(bonusCapacity, reputation)))
	rate = min(p.MaxRate, satAdd(baseRate, scaleBps(bonusRate, reputation)))
	return capacity, rate
}

// scaleBps returns x × bps / 10000 rounded down, saturating at 2^64-1.
func scaleBps(x, bps uint64) uint64 {
	hi, lo := bits.Mul64(x, bps)
	if hi >= NeutralReputation {
		// The quotient would not fit in 64 bits (and Div64 would panic).
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, NeutralReputation)
	return q
}

func membershipBonus(p *manav1.Params, kind string) *manav1.MembershipBonus {
	// At most one row per known kind: a scan is all it takes.
	for _, row := range p.MembershipBonuses {
		if row.Kind == kind {
			return row
		}
	}
	return nil
}

// derive computes did's capacity and rate from acc's base grant, did's
// seated memberships and its reputation, under p.
func (k *Keeper) derive(ctx modules.Context, p *manav1.Params, did string, acc *manav1.Account) (capacity, rate uint64, err error) {
	kinds, err := k.memberships.SeatedKinds(ctx, did)
	if err != nil {
		return 0, 0, err
	}
	reputation, err := k.reputation.Reputation(ctx, did)
	if err != nil {
		return 0, 0, err
	}
	capacity, rate = Derive(p, acc.BaseCapacity, acc.BaseRate, kinds, reputation)
	return capacity, rate, nil
}

// MembershipChanged recomputes did's capacity and rate (Derive) after an
// input of the formula changed: the org module calls it whenever the set
// of organizations in which did holds a bonus seat changes (did joins
// seated, is seated, or leaves or is removed from a seat; through its
// expected.go), and the mesh module will call it when did's reputation
// changes.
//
// The balance is first regenerated to ctx.Height under the old capacity and
// rate, so that the change never applies to blocks before it; the new
// capacity and rate apply from ctx.Height on, and the balance is cut to the
// new ceiling (capacity less escrow) if it is above it. When neither
// capacity nor rate changes nothing is written and no event is emitted.
// Errors: ErrNoAccount when did has none; a plain error on broken state.
func (k *Keeper) MembershipChanged(ctx modules.Context, did string) error {
	p, err := k.Params(ctx)
	if err != nil {
		return err
	}
	acc, err := k.Account(ctx, did)
	if err != nil {
		return err
	}
	capacity, rate, err := k.derive(ctx, p, did, acc)
	if err != nil {
		return err
	}
	if capacity == acc.Capacity && rate == acc.Rate {
		return nil
	}
	settle(acc, ctx.Height)
	acc.Capacity, acc.Rate = capacity, rate
	acc.Balance = min(acc.Balance, Ceiling(acc))
	if err := k.setAccount(ctx, did, acc); err != nil {
		return err
	}
	ctx.Emit(EventCapacityChanged{DID: did, Capacity: capacity, Rate: rate, Balance: acc.Balance})
	return nil
}

// ReputationChanged recomputes did's capacity and rate after its
// reputation changed; the mesh module calls it whenever it changes an
// executor's reputation. It is MembershipChanged under the name of its
// other cause: Derive reads memberships and reputation together, so one
// recompute serves both.
func (k *Keeper) ReputationChanged(ctx modules.Context, did string) error {
	return k.MembershipChanged(ctx, did)
}
