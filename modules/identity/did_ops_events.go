package identity

import "github.com/intercooperative/icnd/modules"

// EventKeyAdded is emitted when MsgAddKey adds a key to a document.
type EventKeyAdded struct {
	DID   string
	KeyID string
	// By is the controller that signed the change.
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
