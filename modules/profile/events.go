package profile

import (
	"strconv"

	"github.com/intercooperative/icnd/modules"
)

// Event types keep the "icn.identity." namespace of the protobuf package,
// as the did module's do (see there).

// EventProfileSet is emitted when MsgSetProfile replaces a profile. It
// carries no field names or contents, only their number.
type EventProfileSet struct {
	DID    string
	Fields int
	// EmailIndexed reports whether the profile carries an email hash.
	EmailIndexed bool
}

// Event implements modules.TypedEvent.
func (e EventProfileSet) Event() modules.Event {
	return modules.Event{Type: "icn.identity.profile_set", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID, Index: true},
		{Key: "fields", Value: strconv.Itoa(e.Fields)},
		{Key: "email_indexed", Value: strconv.FormatBool(e.EmailIndexed)},
	}}
}

// EventProfileErased is emitted when MsgEraseProfile deletes a profile.
type EventProfileErased struct {
	DID string
}

// Event implements modules.TypedEvent.
func (e EventProfileErased) Event() modules.Event {
	return modules.Event{Type: "icn.identity.profile_erased", Attributes: []modules.Attribute{
		{Key: "did", Value: e.DID, Index: true},
	}}
}
