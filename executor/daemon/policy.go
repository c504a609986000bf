package daemon

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/executor"
)

// Policy is the daemon's bidding policy. The executor's registered record
// (capabilities, price floor, bond) bounds it; the policy may only narrow
// it.
type Policy struct {
	// Price is the price per unit of fuel bid (0: the registered floor).
	Price uint64
	// MaxFuel is the largest fuel limit bid on (0: the registered max_fuel).
	MaxFuel uint64
	// MemoryPages is the most memory (64 KiB pages) a job may need (0: the
	// registered memory_pages).
	MemoryPages uint64
	// Kinds are the module kinds bid on (empty: the registered kinds).
	Kinds []string
}

// JobTerms are what the policy looks at: the job's requirements and price.
type JobTerms struct {
	Poster        string
	Kind          string
	MemoryPages   uint64
	MinReputation uint64
	FuelLimit     uint64
	MaxPrice      uint64
}

func termsOf(j *client.JobView) JobTerms {
	return JobTerms{Poster: j.Poster, Kind: j.Kind, MemoryPages: j.MemoryPages, MinReputation: j.MinReputation,
		FuelLimit: j.FuelLimit, MaxPrice: j.MaxPrice}
}

// Check refuses a policy the registered record makes useless: a price
// below the floor.
func (p Policy) Check(me *client.ExecutorView) error {
	if p.Price != 0 && p.Price < me.PriceFloor {
		return fmt.Errorf("the bid price %d is below %s's registered price floor %d (the chain would refuse every bid)",
			p.Price, me.DID, me.PriceFloor)
	}
	return nil
}

// Decide returns the price to bid on a job with terms t, or the reason not
// to bid.
func (p Policy) Decide(me *client.ExecutorView, t JobTerms) (price uint64, reason string) {
	maxFuel, pages := me.MaxFuel, me.MemoryPages
	if p.MaxFuel != 0 {
		maxFuel = min(maxFuel, p.MaxFuel)
	}
	if p.MemoryPages != 0 {
		pages = min(pages, p.MemoryPages)
	}
	price = me.PriceFloor
	if p.Price != 0 {
		price = max(p.Price, me.PriceFloor)
	}
	switch {
	case me.Status != "active":
		return 0, fmt.Sprintf("the executor is %s", me.Status)
	case t.Poster == me.DID:
		return 0, "the executor posted the job"
	case !slices.Contains(me.Kinds, t.Kind) || (len(p.Kinds) > 0 && !slices.Contains(p.Kinds, t.Kind)):
		return 0, fmt.Sprintf("module kind %q is not run", t.Kind)
	case t.MemoryPages < 1 || t.MemoryPages > executor.MaxMemoryPages:
		// The chain refuses such jobs (mesh/6); one posted before it did
		// runs nowhere, and an assigned executor would be slashed.
		return 0, fmt.Sprintf("the job asks for %d memory pages, a run needs 1 to %d", t.MemoryPages, executor.MaxMemoryPages)
	case t.FuelLimit > executor.MaxFuel:
		return 0, fmt.Sprintf("fuel limit %d is over the runtime's maximum %d", t.FuelLimit, uint64(executor.MaxFuel))
	case t.MemoryPages > pages:
		return 0, fmt.Sprintf("the job needs %d memory pages, at most %d are granted", t.MemoryPages, pages)
	case t.FuelLimit > maxFuel:
		return 0, fmt.Sprintf("fuel limit %d is over the maximum %d", t.FuelLimit, maxFuel)
	case t.MinReputation > me.Reputation:
		return 0, fmt.Sprintf("the job wants reputation %d, the executor has %d", t.MinReputation, me.Reputation)
	case t.MaxPrice < price:
		return 0, fmt.Sprintf("max price %d is below the bid price %d", t.MaxPrice, price)
	}
	hi, hold := bits.Mul64(price, t.FuelLimit)
	if free := me.Bond - min(me.Reserved, me.Bond); hi != 0 || hold > free {
		return 0, fmt.Sprintf("the bid would hold %d×%d of the bond, %d is free", price, t.FuelLimit, free)
	}
	return price, ""
}
