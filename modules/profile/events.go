package profile

import (
	"github.com/intercooperative/icnd/modules"
)

// Event types of this package, as CometBFT and clients see them.
const (
	EventTypeProfileSet    = "icn.profile.profile_set"
	EventTypeProfileErased = "icn.profile.profile_erased"
)

func init() {
	modules.RegisterEvent(EventProfileSet{})
	modules.RegisterEvent(EventProfileErased{})
}

// EventProfileSet is emitted when MsgSetProfile replaces a profile. It
// carries no field names or contents, only their number.
type EventProfileSet struct {
	DID    string `event:"did,index"`
	Fields int    `event:"fields"`
	// EmailIndexed reports whether the profile carries an email hash.
	EmailIndexed bool `event:"email_indexed"`
}

// EventType implements modules.TypedEvent.
func (EventProfileSet) EventType() string { return EventTypeProfileSet }

// EventProfileErased is emitted when MsgEraseProfile deletes a profile.
type EventProfileErased struct {
	DID string `event:"did,index"`
}

// EventType implements modules.TypedEvent.
func (EventProfileErased) EventType() string { return EventTypeProfileErased }
