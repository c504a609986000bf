package mana

import (
	"slices"
	"sort"

	"github.com/intercooperative/icnd/modules"

	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// DefaultParams are the params a new genesis starts with, for the app's
// messages msgs (the message table's specs). New accounts get no capacity:
// mana follows membership, so a freshly registered DID that belongs to
// nothing cannot spend the chain's capacity.
func DefaultParams(msgs []modules.MsgSpec) *manav1.Params {
	return &manav1.Params{
		BaseTxCost:  10,
		CostPerByte: 1,
		MsgCosts:    DefaultCosts(msgs),

		NewAccountCapacity: 0,
		NewAccountRate:     0,
		// One membership pays for a few dozen transactions at once and a
		// typical one every few blocks. A federation's members are mostly
		// organizations, whose treasuries sponsor their own members.
		MembershipBonuses: []*manav1.MembershipBonus{
			{Kind: KindCommunity, Capacity: 10_000, Rate: 20},
			{Kind: KindCooperative, Capacity: 20_000, Rate: 50},
			{Kind: KindFederation, Capacity: 50_000, Rate: 100},
		},
		MaxReputationBps: 2 * NeutralReputation,
		// One DID holds at most five federation bonuses' worth, however
		// many seats it is given: a member of a federation, a cooperative
		// and a community holds 80,000 and rate 170, so the caps leave room
		// for an active organizer (and a doubled reputation) while keeping
		// any one DID to a few hundred transactions at once and a couple a
		// block. Seats bound what all DIDs hold together; these caps bound
		// how much of it one DID may gather. A genesis with larger grants
		// sets its own caps (node/testnet does).
		MaxCapacity: 250_000,
		MaxRate:     500,
	}
}

// DefaultCosts is the cost table of msgs' default costs, sorted by name.
func DefaultCosts(msgs []modules.MsgSpec) []*manav1.MsgCost {
	out := make([]*manav1.MsgCost, len(msgs))
	for i, m := range msgs {
		out[i] = &manav1.MsgCost{Msg: m.Name, Cost: m.Cost}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Msg < out[j].Msg })
	return out
}

// ValidateParams checks that every transaction costs something, that the
// caps are usable (max_capacity and max_rate at least 1, max_reputation_bps
// at least neutral), that the membership bonus table names known kinds,
// sorted and unique, and that the cost table is sorted by message name,
// without duplicates, with exactly one row of a non-zero cost for each
// message of msgs (the app's message table): a message without a row would
// cost only the base.
func ValidateParams(p *manav1.Params, msgs []modules.MsgSpec) error {
	if p == nil {
		return ErrInvalidParams.Wrapf("params are missing")
	}
	if p.BaseTxCost == 0 {
		// Every transaction costs mana (DESIGN); this also keeps the
		// stored params from ever encoding to zero bytes.
		return ErrInvalidParams.Wrapf("base_tx_cost must be at least 1")
	}
	if p.MaxCapacity == 0 || p.MaxRate == 0 {
		return ErrInvalidParams.Wrapf("max_capacity and max_rate must be at least 1")
	}
	if p.MaxReputationBps < NeutralReputation {
		return ErrInvalidParams.Wrapf("max_reputation_bps is %d, must be at least %d (neutral)", p.MaxReputationBps, NeutralReputation)
	}
	if err := validateBonuses(p.MembershipBonuses); err != nil {
		return err
	}
	known := make(map[string]bool, len(msgs))
	for _, m := range msgs {
		known[m.Name] = true
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
		if row.Cost == 0 {
			return ErrInvalidParams.Wrapf("message %q costs 0: every message costs something", row.Msg)
		}
	}
	// Sorted, unique and known: one row each exactly when the counts agree.
	if len(p.MsgCosts) != len(known) {
		for _, m := range msgs {
			if msgCostRow(p, m.Name) == nil {
				return ErrInvalidParams.Wrapf("message %q has no cost row", m.Name)
			}
		}
	}
	return nil
}

// validateBonuses checks that the membership bonus table names only known
// organization kinds, sorted and unique.
func validateBonuses(rows []*manav1.MembershipBonus) error {
	for i, row := range rows {
		if row == nil {
			return ErrInvalidParams.Wrapf("membership bonus row %d is null", i)
		}
		if !slices.Contains(knownKinds, row.Kind) {
			return ErrInvalidParams.Wrapf("membership bonus row %d names unknown kind %q, want one of %v", i, row.Kind, knownKinds)
		}
		if i > 0 && rows[i-1].Kind >= row.Kind {
			return ErrInvalidParams.Wrapf("membership bonus rows must be sorted by kind and unique: %q after %q", row.Kind, rows[i-1].Kind)
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
	if row := msgCostRow(p, name); row != nil {
		return row.Cost
	}
	return 0
}

// msgCostRow returns name's row of p's cost table, or nil.
func msgCostRow(p *manav1.Params, name string) *manav1.MsgCost {
	// The table is short and sorted; a linear scan beats a map here and
	// keeps params a plain message.
	for _, row := range p.MsgCosts {
		if row.Msg == name {
			return row
		}
	}
	return nil
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
