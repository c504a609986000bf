package org

import (
	"github.com/intercooperative/icnd/modules"
)

// Event types of this package, as CometBFT and clients see them.
const (
	EventTypeOrganizationCreated = "icn.org.organization_created"
	EventTypeMemberInvited       = "icn.org.member_invited"
	EventTypeMemberJoined        = "icn.org.member_joined"
	EventTypeMemberLeft          = "icn.org.member_left"
	EventTypeMemberRemoved       = "icn.org.member_removed"
	EventTypeRoleGranted         = "icn.org.role_granted"
	EventTypeRoleRevoked         = "icn.org.role_revoked"
	EventTypeControlTransferred  = "icn.org.control_transferred"
	EventTypeAccountFrozen       = "icn.org.account_frozen"
	EventTypeAccountUnfrozen     = "icn.org.account_unfrozen"
	EventTypeFreezeAppealed      = "icn.org.freeze_appealed"
	EventTypeSeatsSet            = "icn.org.seats_set"
	EventTypeMemberSeated        = "icn.org.member_seated"
)

func init() {
	modules.RegisterEvent(EventOrganizationCreated{})
	modules.RegisterEvent(EventMemberInvited{})
	modules.RegisterEvent(EventMemberJoined{})
	modules.RegisterEvent(EventMemberLeft{})
	modules.RegisterEvent(EventMemberRemoved{})
	modules.RegisterEvent(EventRoleGranted{})
	modules.RegisterEvent(EventRoleRevoked{})
	modules.RegisterEvent(EventControlTransferred{})
	modules.RegisterEvent(EventAccountFrozen{})
	modules.RegisterEvent(EventAccountUnfrozen{})
	modules.RegisterEvent(EventFreezeAppealed{})
	modules.RegisterEvent(EventSeatsSet{})
	modules.RegisterEvent(EventMemberSeated{})
}

// EventOrganizationCreated is emitted when an organization is founded.
type EventOrganizationCreated struct {
	Org     string `event:"org,index"`
	Name    string `event:"name"`
	Kind    string `event:"kind"`
	Parent  string `event:"parent,index"`
	Founder string `event:"founder,index"`
}

// EventType implements modules.TypedEvent.
func (EventOrganizationCreated) EventType() string { return EventTypeOrganizationCreated }

// EventMemberInvited is emitted when a controller invites a DID.
type EventMemberInvited struct {
	Org    string `event:"org,index"`
	Member string `event:"member,index"`
	// Roles are the roles offered besides "member", sorted.
	Roles []string `event:"roles"`
	By    string   `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventMemberInvited) EventType() string { return EventTypeMemberInvited }

// EventMemberJoined is emitted when an invitee accepts, and for the founder
// when an organization is created.
type EventMemberJoined struct {
	Org    string `event:"org,index"`
	Member string `event:"member,index"`
	// Roles are the membership's roles, sorted.
	Roles []string `event:"roles"`
	// Seated says the member took a free bonus seat; otherwise it waits
	// for one (EventMemberSeated).
	Seated bool `event:"seated"`
}

// EventType implements modules.TypedEvent.
func (EventMemberJoined) EventType() string { return EventTypeMemberJoined }

// EventMemberLeft is emitted when a member leaves of its own accord.
type EventMemberLeft struct {
	Org    string `event:"org,index"`
	Member string `event:"member,index"`
}

// EventType implements modules.TypedEvent.
func (EventMemberLeft) EventType() string { return EventTypeMemberLeft }

// EventMemberRemoved is emitted when a controller removes a member.
type EventMemberRemoved struct {
	Org    string `event:"org,index"`
	Member string `event:"member,index"`
	By     string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventMemberRemoved) EventType() string { return EventTypeMemberRemoved }

// EventRoleGranted is emitted when a member receives a role.
type EventRoleGranted struct {
	Org    string `event:"org,index"`
	Member string `event:"member,index"`
	Role   string `event:"role"`
	By     string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventRoleGranted) EventType() string { return EventTypeRoleGranted }

// EventRoleRevoked is emitted when a member loses a role by a revocation,
// or the founder loses "founder" when control passes to the assembly.
type EventRoleRevoked struct {
	Org    string `event:"org,index"`
	Member string `event:"member,index"`
	Role   string `event:"role"`
	By     string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventRoleRevoked) EventType() string { return EventTypeRoleRevoked }

// EventControlTransferred is emitted when control passes to the assembly.
type EventControlTransferred struct {
	Org     string `event:"org,index"`
	Founder string `event:"founder"`
	// Control is who controls the organization now: always ControlAssembly.
	Control string `event:"control"`
}

// EventType implements modules.TypedEvent.
func (EventControlTransferred) EventType() string { return EventTypeControlTransferred }

// EventAccountFrozen is emitted when a compliance officer freezes an account.
type EventAccountFrozen struct {
	Org     string `event:"org,index"`
	Account string `event:"account,index"`
	Reason  string `event:"reason"`
	By      string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventAccountFrozen) EventType() string { return EventTypeAccountFrozen }

// EventAccountUnfrozen is emitted when a compliance officer lifts a freeze.
type EventAccountUnfrozen struct {
	Org     string `event:"org,index"`
	Account string `event:"account,index"`
	Reason  string `event:"reason"`
	By      string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventAccountUnfrozen) EventType() string { return EventTypeAccountUnfrozen }

// EventFreezeAppealed is emitted when a frozen account appeals. The
// statement is in the Freeze record and the transaction, not repeated here.
type EventFreezeAppealed struct {
	Org     string `event:"org,index"`
	Account string `event:"account,index"`
}

// EventType implements modules.TypedEvent.
func (EventFreezeAppealed) EventType() string { return EventTypeFreezeAppealed }

// EventSeatsSet is emitted when an organization's bonus seats are set
// (MsgSetSeats). Seats and ParentSeats are the counts the organization and
// its parent hold afterwards; their sum is what it was before.
type EventSeatsSet struct {
	Org         string `event:"org,index"`
	Seats       uint32 `event:"seats"`
	Parent      string `event:"parent,index"`
	ParentSeats uint32 `event:"parent_seats"`
	By          string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventSeatsSet) EventType() string { return EventTypeSeatsSet }

// EventMemberSeated is emitted when a member who waited for a bonus seat
// gets one: when its organization's seats are raised, or when a seated
// member leaves.
type EventMemberSeated struct {
	Org    string `event:"org,index"`
	Member string `event:"member,index"`
}

// EventType implements modules.TypedEvent.
func (EventMemberSeated) EventType() string { return EventTypeMemberSeated }
