package identity

import "github.com/intercooperative/icnd/modules"

// EventDIDRegistered is emitted when a DID is registered.
type EventDIDRegistered struct {
	DID          string
	RegisteredBy string
}

// Event implements modules.TypedEvent.
func (e EventDIDRegistered) Event() modules.Event {
	return modules.Event{Type: "icn.identity.did_registered", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID, Index: true},
		{Key: "registered_by", Value: e.RegisteredBy, Index: true},
	}}
}
