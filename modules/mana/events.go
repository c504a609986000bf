package mana

import (
	"github.com/intercooperative/icnd/modules"
)

// Event types of this package, as CometBFT and clients see them.
const (
	EventTypeCharged         = "icn.mana.charged"
	EventTypeCapacityChanged = "icn.mana.capacity_changed"
	EventTypeEscrowLocked    = "icn.mana.escrow_locked"
	EventTypeEscrowReleased  = "icn.mana.escrow_released"
	EventTypeEscrowRefunded  = "icn.mana.escrow_refunded"
)

func init() {
	modules.RegisterEvent(EventCharged{})
	modules.RegisterEvent(EventCapacityChanged{})
	modules.RegisterEvent(EventEscrowLocked{})
	modules.RegisterEvent(EventEscrowReleased{})
	modules.RegisterEvent(EventEscrowRefunded{})
}

// EventCharged is emitted when a transaction's mana is charged.
type EventCharged struct {
	DID       string `event:"did"`
	Amount    uint64 `event:"amount"`
	Remaining uint64 `event:"remaining"`
}

// EventType implements modules.TypedEvent.
func (EventCharged) EventType() string { return EventTypeCharged }

// EventCapacityChanged is emitted when an account's derived capacity or rate
// changes (MembershipChanged).
type EventCapacityChanged struct {
	DID      string `event:"did,index"`
	Capacity uint64 `event:"capacity"`
	Rate     uint64 `event:"rate"`
	// Balance is the stored balance after the change.
	Balance uint64 `event:"balance"`
}

// EventType implements modules.TypedEvent.
func (EventCapacityChanged) EventType() string { return EventTypeCapacityChanged }

// EventEscrowLocked is emitted when mana is locked in an escrow.
type EventEscrowLocked struct {
	ID     []byte `event:"id,index"`
	Owner  string `event:"owner"`
	Amount uint64 `event:"amount"`
}

// EventType implements modules.TypedEvent.
func (EventEscrowLocked) EventType() string { return EventTypeEscrowLocked }

// EscrowClosed is what a closed escrow's events carry.
type EscrowClosed struct {
	ID    []byte `event:"id,index"`
	Owner string `event:"owner"`
	// To is the DID credited: the recipient of a release, or the owner of
	// a refund.
	To     string `event:"to"`
	Amount uint64 `event:"amount"`
	// Credited is what To received; Burned = Amount - Credited is what did
	// not fit under To's ceiling and was destroyed.
	Credited uint64 `event:"credited"`
	Burned   uint64 `event:"burned"`
}

// EventEscrowReleased is emitted when an escrow is released to a DID.
type EventEscrowReleased EscrowClosed

// EventType implements modules.TypedEvent.
func (EventEscrowReleased) EventType() string { return EventTypeEscrowReleased }

// EventEscrowRefunded is emitted when an escrow is refunded to its owner.
type EventEscrowRefunded EscrowClosed

// EventType implements modules.TypedEvent.
func (EventEscrowRefunded) EventType() string { return EventTypeEscrowRefunded }
