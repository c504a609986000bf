package org

import (
	"strings"

	"github.com/intercooperative/icnd/modules"
)

// Event types keep the "icn.identity." namespace of the protobuf package,
// as the did module's do (see there).

// EventOrganizationCreated is emitted when an organization is founded.
type EventOrganizationCreated struct {
	Org     string
	Name    string
	Kind    string
	Parent  string
	Founder string
}

// Event implements modules.TypedEvent.
func (e EventOrganizationCreated) Event() modules.Event {
	return modules.Event{Type: "icn.identity.organization_created", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "name", Value: e.Name},
		{Key: "kind", Value: e.Kind},
		{Key: "parent", Value: e.Parent, Index: true},
		{Key: "founder", Value: e.Founder, Index: true},
	}}
}

// EventMemberInvited is emitted when a controller invites a DID.
type EventMemberInvited struct {
	Org    string
	Member string
	// Roles are the roles offered besides "member", sorted.
	Roles []string
	By    string
}

// Event implements modules.TypedEvent.
func (e EventMemberInvited) Event() modules.Event {
	return modules.Event{Type: "icn.identity.member_invited", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "member", Value: e.Member, Index: true},
		{Key: "roles", Value: strings.Join(e.Roles, ",")},
		{Key: "by", Value: e.By},
	}}
}

// EventMemberJoined is emitted when an invitee accepts, and for the founder
// when an organization is created.
type EventMemberJoined struct {
	Org    string
	Member string
	// Roles are the membership's roles, sorted.
	Roles []string
}

// Event implements modules.TypedEvent.
func (e EventMemberJoined) Event() modules.Event {
	return modules.Event{Type: "icn.identity.member_joined", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "member", Value: e.Member, Index: true},
		{Key: "roles", Value: strings.Join(e.Roles, ",")},
	}}
}

// EventMemberLeft is emitted when a member leaves of its own accord.
type EventMemberLeft struct {
	Org    string
	Member string
}

// Event implements modules.TypedEvent.
func (e EventMemberLeft) Event() modules.Event {
	return modules.Event{Type: "icn.identity.member_left", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "member", Value: e.Member, Index: true},
	}}
}

// EventMemberRemoved is emitted when a controller removes a member.
type EventMemberRemoved struct {
	Org    string
	Member string
	By     string
}

// Event implements modules.TypedEvent.
func (e EventMemberRemoved) Event() modules.Event {
	return modules.Event{Type: "icn.identity.member_removed", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "member", Value: e.Member, Index: true},
		{Key: "by", Value: e.By},
	}}
}

// EventRoleGranted is emitted when a member receives a role.
type EventRoleGranted struct {
	Org    string
	Member string
	Role   string
	By     string
}

// Event implements modules.TypedEvent.
func (e EventRoleGranted) Event() modules.Event {
	return modules.Event{Type: "icn.identity.role_granted", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "member", Value: e.Member, Index: true},
		{Key: "role", Value: e.Role},
		{Key: "by", Value: e.By},
	}}
}

// EventRoleRevoked is emitted when a member loses a role by a revocation,
// or the founder loses "founder" when control passes to the assembly.
type EventRoleRevoked struct {
	Org    string
	Member string
	Role   string
	By     string
}

// Event implements modules.TypedEvent.
func (e EventRoleRevoked) Event() modules.Event {
	return modules.Event{Type: "icn.identity.role_revoked", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "member", Value: e.Member, Index: true},
		{Key: "role", Value: e.Role},
		{Key: "by", Value: e.By},
	}}
}

// EventControlTransferred is emitted when control passes to the assembly.
type EventControlTransferred struct {
	Org     string
	Founder string
}

// Event implements modules.TypedEvent.
func (e EventControlTransferred) Event() modules.Event {
	return modules.Event{Type: "icn.identity.control_transferred", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "founder", Value: e.Founder},
		{Key: "control", Value: ControlAssembly},
	}}
}

// EventAccountFrozen is emitted when a compliance officer freezes an account.
type EventAccountFrozen struct {
	Org     string
	Account string
	Reason  string
	By      string
}

// Event implements modules.TypedEvent.
func (e EventAccountFrozen) Event() modules.Event {
	return modules.Event{Type: "icn.identity.account_frozen", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "account", Value: e.Account, Index: true},
		{Key: "reason", Value: e.Reason},
		{Key: "by", Value: e.By},
	}}
}

// EventAccountUnfrozen is emitted when a compliance officer lifts a freeze.
type EventAccountUnfrozen struct {
	Org     string
	Account string
	Reason  string
	By      string
}

// Event implements modules.TypedEvent.
func (e EventAccountUnfrozen) Event() modules.Event {
	return modules.Event{Type: "icn.identity.account_unfrozen", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "account", Value: e.Account, Index: true},
		{Key: "reason", Value: e.Reason},
		{Key: "by", Value: e.By},
	}}
}

// EventFreezeAppealed is emitted when a frozen account appeals. The
// statement is in the Freeze record and the transaction, not repeated here.
type EventFreezeAppealed struct {
	Org     string
	Account string
}

// Event implements modules.TypedEvent.
func (e EventFreezeAppealed) Event() modules.Event {
	return modules.Event{Type: "icn.identity.freeze_appealed", Attributes: []modules.Attribute{
		{Key: "org", Value: e.Org, Index: true},
		{Key: "account", Value: e.Account, Index: true},
	}}
}
