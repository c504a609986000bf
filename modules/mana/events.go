package mana

import (
	"encoding/hex"
	"strconv"

	"github.com/intercooperative/icnd/modules"
)

// EventCharged is emitted when a transaction's mana is charged.
type EventCharged struct {
	DID       string
	Amount    uint64
	Remaining uint64
}

// Event implements modules.TypedEvent.
func (e EventCharged) Event() modules.Event {
	return modules.Event{Type: "icn.mana.charged", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID},
		{Key: "amount", Value: strconv.FormatUint(e.Amount, 10)},
		{Key: "remaining", Value: strconv.FormatUint(e.Remaining, 10)},
	}}
}

// EventCapacityChanged is emitted when an account's derived capacity or rate
// changes (MembershipChanged).
type EventCapacityChanged struct {
	DID      string
	Capacity uint64
	Rate     uint64
	// Balance is the stored balance after the change.
	Balance uint64
}

// Event implements modules.TypedEvent.
func (e EventCapacityChanged) Event() modules.Event {
	return modules.Event{Type: "icn.mana.capacity_changed", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID, Index: true},
		{Key: "capacity", Value: strconv.FormatUint(e.Capacity, 10)},
		{Key: "rate", Value: strconv.FormatUint(e.Rate, 10)},
		{Key: "balance", Value: strconv.FormatUint(e.Balance, 10)},
	}}
}

// EventEscrowLocked is emitted when mana is locked in an escrow.
type EventEscrowLocked struct {
	ID     []byte
	Owner  string
	Amount uint64
}

// Event implements modules.TypedEvent.
func (e EventEscrowLocked) Event() modules.Event {
	return modules.Event{Type: "icn.mana.escrow_locked", Attributes: []modules.Attribute{
		{Key: "id", Value: hex.EncodeToString(e.ID), Index: true},
		{Key: "owner", Value: e.Owner},
		{Key: "amount", Value: strconv.FormatUint(e.Amount, 10)},
	}}
}

// EventEscrowClosed is emitted when an escrow is released to a DID or
// refunded to its owner.
type EventEscrowClosed struct {
	ID    []byte
	Owner string
	// To is the DID credited: the recipient of a release, or the owner of
	// a refund.
	To       string
	Refunded bool
	Amount   uint64
	// Credited is what To received; Burned = Amount - Credited is what did
	// not fit under To's ceiling and was destroyed.
	Credited uint64
	Burned   uint64
}

// Event implements modules.TypedEvent.
func (e EventEscrowClosed) Event() modules.Event {
	typ := "icn.mana.escrow_released"
	if e.Refunded {
		typ = "icn.mana.escrow_refunded"
	}
	return modules.Event{Type: typ, Attributes: []modules.Attribute{
		{Key: "id", Value: hex.EncodeToString(e.ID), Index: true},
		{Key: "owner", Value: e.Owner},
		{Key: "to", Value: e.To},
		{Key: "amount", Value: strconv.FormatUint(e.Amount, 10)},
		{Key: "credited", Value: strconv.FormatUint(e.Credited, 10)},
		{Key: "burned", Value: strconv.FormatUint(e.Burned, 10)},
	}}
}
