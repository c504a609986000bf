package did

import "github.com/intercooperative/icnd/modules"

// Event types of this package, as CometBFT and clients see them.
const (
	EventTypeDIDRegistered  = "icn.did.did_registered"
	EventTypeKeyAdded       = "icn.did.key_added"
	EventTypeKeyRotated     = "icn.did.key_rotated"
	EventTypeKeyRevoked     = "icn.did.key_revoked"
	EventTypeDIDDeactivated = "icn.did.did_deactivated"
)

func init() {
	modules.RegisterEvent(EventDIDRegistered{})
	modules.RegisterEvent(EventKeyAdded{})
	modules.RegisterEvent(EventKeyRotated{})
	modules.RegisterEvent(EventKeyRevoked{})
	modules.RegisterEvent(EventDIDDeactivated{})
}

// EventDIDRegistered is emitted when a DID is registered.
type EventDIDRegistered struct {
	DID string `event:"did,index"`
	// RegisteredBy is the authority that registered it.
	RegisteredBy string `event:"registered_by,index"`
}

// EventType implements modules.TypedEvent.
func (EventDIDRegistered) EventType() string { return EventTypeDIDRegistered }

// EventKeyAdded is emitted when MsgAddKey adds a key to a document.
type EventKeyAdded struct {
	DID   string `event:"did,index"`
	KeyID string `event:"key_id"`
	// By is the controller that made the change (the message's authority).
	By string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventKeyAdded) EventType() string { return EventTypeKeyAdded }

// EventKeyRotated is emitted when MsgRotateKey replaces a key.
type EventKeyRotated struct {
	DID      string `event:"did,index"`
	KeyID    string `event:"key_id"`
	NewKeyID string `event:"new_key_id"`
	By       string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventKeyRotated) EventType() string { return EventTypeKeyRotated }

// EventKeyRevoked is emitted when MsgRevokeKey revokes a key.
type EventKeyRevoked struct {
	DID   string `event:"did,index"`
	KeyID string `event:"key_id"`
	By    string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventKeyRevoked) EventType() string { return EventTypeKeyRevoked }

// EventDIDDeactivated is emitted when a DID is deactivated.
type EventDIDDeactivated struct {
	DID string `event:"did,index"`
	By  string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventDIDDeactivated) EventType() string { return EventTypeDIDDeactivated }
