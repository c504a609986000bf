package did

import "github.com/intercooperative/icnd/modules"

// Event types keep the "icn.identity." namespace of the protobuf package
// (icn.identity.v1) that every DID, organization, credential and profile
// message belongs to, so subscriptions and tx_search queries do not depend
// on how the node's modules are cut.

// EventDIDRegistered is emitted when a DID is registered.
type EventDIDRegistered struct {
	DID string
	// RegisteredBy is the authority that registered it.
	RegisteredBy string
}

// Event implements modules.TypedEvent.
func (e EventDIDRegistered) Event() modules.Event {
	return modules.Event{Type: "icn.identity.did_registered", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID, Index: true},
		{Key: "registered_by", Value: e.RegisteredBy, Index: true},
	}}
}

// EventKeyAdded is emitted when MsgAddKey adds a key to a document.
type EventKeyAdded struct {
	DID   string
	KeyID string
	// By is the controller that made the change (the message's authority).
	By string
}

// Event implements modules.TypedEvent.
func (e EventKeyAdded) Event() modules.Event {
	return modules.Event{Type: "icn.identity.key_added", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID, Index: true},
		{Key: "key_id", Value: e.KeyID},
		{Key: "by", Value: e.By},
	}}
}

// EventKeyRotated is emitted when MsgRotateKey replaces a key.
type EventKeyRotated struct {
	DID      string
	KeyID    string
	NewKeyID string
	By       string
}

// Event implements modules.TypedEvent.
func (e EventKeyRotated) Event() modules.Event {
	return modules.Event{Type: "icn.identity.key_rotated", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID, Index: true},
		{Key: "key_id", Value: e.KeyID},
		{Key: "new_key_id", Value: e.NewKeyID},
		{Key: "by", Value: e.By},
	}}
}

// EventKeyRevoked is emitted when MsgRevokeKey revokes a key.
type EventKeyRevoked struct {
	DID   string
	KeyID string
	By    string
}

// Event implements modules.TypedEvent.
func (e EventKeyRevoked) Event() modules.Event {
	return modules.Event{Type: "icn.identity.key_revoked", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID, Index: true},
		{Key: "key_id", Value: e.KeyID},
		{Key: "by", Value: e.By},
	}}
}

// EventDIDDeactivated is emitted when a DID is deactivated.
type EventDIDDeactivated struct {
	DID string
	By  string
}

// Event implements modules.TypedEvent.
func (e EventDIDDeactivated) Event() modules.Event {
	return modules.Event{Type: "icn.identity.did_deactivated", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID, Index: true},
		{Key: "by", Value: e.By},
	}}
}
