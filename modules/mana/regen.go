package mana

import (
	"math/bits"

	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// Ceiling is the most acc's balance can hold: its capacity less the mana it
// has in escrow, or 0 when the escrow exceeds the capacity (which happens
// only when the capacity shrank after the lock). Escrowed mana counts
// against the capacity, so the account does not regenerate it.
func Ceiling(acc *manav1.Account) uint64 {
	if acc.Escrowed >= acc.Capacity {
		return 0
	}
	return acc.Capacity - acc.Escrowed
}

// Effective returns acc's balance at height: the stored balance plus what
// regenerated since last_height, capped at the ceiling (Ceiling). A height
// at or below last_height regenerates nothing. All arithmetic is in uint64
// with overflow checks; an overflow can only mean "more than the ceiling".
func Effective(acc *manav1.Account, height int64) uint64 {
	ceiling := Ceiling(acc)
	balance := min(acc.Balance, ceiling)
	if height <= acc.LastHeight || acc.Rate == 0 {
		return balance
	}
	blocks := uint64(height - acc.LastHeight)
	hi, regen := bits.Mul64(acc.Rate, blocks)
	if hi != 0 {
		return ceiling
	}
	sum, carry := bits.Add64(balance, regen, 0)
	if carry != 0 || sum > ceiling {
		return ceiling
	}
	return sum
}

// settle brings acc to height: its balance becomes the effective balance
// there and last_height moves up to height (it never decreases). Every
// write of an account settles it first, so that a change of capacity, rate
// or escrow applies only from the height it happens at.
func settle(acc *manav1.Account, height int64) {
	acc.Balance = Effective(acc, height)
	if height > acc.LastHeight {
		acc.LastHeight = height
	}
}

// BlocksUntilFull returns how many blocks after height acc needs to reach
// its ceiling: 0 when full, and ok=false when it never will (rate 0).
func BlocksUntilFull(acc *manav1.Account, height int64) (blocks uint64, ok bool) {
	have := Effective(acc, height)
	ceiling := Ceiling(acc)
	if have >= ceiling {
		return 0, true
	}
	if acc.Rate == 0 {
		return 0, false
	}
	missing := ceiling - have
	blocks = missing / acc.Rate
	if missing%acc.Rate != 0 {
		blocks++
	}
	return blocks, true
}
