package mana

import (
	"math/bits"

	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// Effective returns acc's balance at height: the stored balance plus what
// regenerated since last_height, capped at capacity. A height at or below
// last_height regenerates nothing. All arithmetic is in uint64 with
// overflow checks; an overflow can only mean "more than capacity".
func Effective(acc *manav1.Account, height int64) uint64 {
	balance := min(acc.Balance, acc.Capacity)
	if height <= acc.LastHeight || acc.Rate == 0 {
		return balance
	}
	blocks := uint64(height - acc.LastHeight)
	hi, regen := bits.Mul64(acc.Rate, blocks)
	if hi != 0 {
		return acc.Capacity
	}
	sum, carry := bits.Add64(balance, regen, 0)
	if carry != 0 || sum > acc.Capacity {
		return acc.Capacity
	}
	return sum
}

// BlocksUntilFull returns how many blocks after height acc needs to reach
// capacity: 0 when full, and ok=false when it never will (rate 0).
func BlocksUntilFull(acc *manav1.Account, height int64) (blocks uint64, ok bool) {
	have := Effective(acc, height)
	if have >= acc.Capacity {
		return 0, true
	}
	if acc.Rate == 0 {
		return 0, false
	}
	missing := acc.Capacity - have
	blocks = missing / acc.Rate
	if missing%acc.Rate != 0 {
		blocks++
	}
	return blocks, true
}
