package mana

import (
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
