package mana

import (
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// DefaultParams are the params a new genesis starts with. New accounts get
// no capacity: mana follows membership, so a freshly registered DID that
// belongs to nothing cannot spend the chain's capacity.
func DefaultParams() *manav1.Params {
	return &manav1.Params{
		BaseTxCost:  10,
		CostPerByte: 1,
		MsgCosts: []*manav1.MsgCost{
			{Msg: "anchor", Cost: 10},
			{Msg: "register_did", Cost: 100},
		},
		NewAccountCapacity: 0,
		NewAccountRate:     0,
	}
}

// ValidateParams checks that every transaction costs something and that the cost table is sorted by message name,
// without duplicates, and names only messages in known.
func ValidateParams(p *manav1.Params, known map[string]bool) error {
	if p == nil {
		return ErrInvalidParams.Wrapf("params are missing")
	}
	if p.BaseTxCost == 0 {
		// Every transaction costs mana (DESIGN); this also keeps the
		// stored params from ever encoding to zero bytes.
		return ErrInvalidParams.Wrapf("base_tx_cost must be at least 1")
	}
	for i, row := range p.MsgCosts {
		if row == nil {
			return ErrInvalidParams.Wrapf("cost row %d is null", i)
		}
		if !known[row.Msg] {
			return ErrInvalidParams.Wrapf("cost row %d names unknown message %q", i, row.Msg)
		}
		if i > 0 && p.MsgCosts[i-1].Msg >= row.Msg {
			return ErrInvalidParams.Wrapf("cost rows must be sorted by message and unique: %q after %q", row.Msg, p.MsgCosts[i-1].Msg)
		}
	}
	return nil
}

// TxCost is the mana a transaction of txBytes bytes carrying msgs (message
// names) costs under p: base + per_byte * bytes + the cost of each message.
// An unknown message costs nothing extra. The sum saturates instead of
// wrapping, so an absurd cost is simply unaffordable.
func TxCost(p *manav1.Params, txBytes int, msgs []string) uint64 {
	cost := satAdd(p.BaseTxCost, satMul(p.CostPerByte, uint64(txBytes)))
	for _, name := range msgs {
		cost = satAdd(cost, msgCost(p, name))
	}
	return cost
}

func msgCost(p *manav1.Params, name string) uint64 {
	// The table is short and sorted; a linear scan beats a map here and
	// keeps params a plain message.
	for _, row := range p.MsgCosts {
		if row.Msg == name {
			return row.Cost
		}
	}
	return 0
}

func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return ^uint64(0)
}

func satMul(a, b uint64) uint64 {
	if a == 0 || b == 0 {
		return 0
	}
	if p := a * b; p/b == a {
		return p
	}
	return ^uint64(0)
}
