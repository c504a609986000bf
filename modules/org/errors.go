package org

import "github.com/intercooperative/icnd/modules"

// Codespace is the org module's result codespace.
const Codespace = "org"

// Result codes of organizations, membership, roles, control and compliance
// freezes. Stable: never renumber or reuse a code. The numbers are those
// these errors had in the identity codespace before that module was split;
// 1 to 19 and 40 to 47 are unused. The codes of seat accounting start at
// 60. An authority that is not an
// organization's controller gets did.ErrNotController (did/10), and an
// unregistered invitee did.ErrUnknownDID (did/3), the codes any DID
// document uses: an organization's controllers are those of its DID
// document.
var (
	// ErrInvalidOrgName: the name is empty, longer than MaxOrgNameLength,
	// has characters outside [a-z0-9-], or starts or ends with '-'.
	ErrInvalidOrgName = modules.Register(Codespace, 20, "invalid organization name")
	// ErrInvalidOrgKind: the kind is not community, cooperative or federation.
	ErrInvalidOrgKind = modules.Register(Codespace, 21, "invalid organization kind")
	// ErrSecondFounder: the organization already exists and has its founder
	// (its DID is taken), or a message tries to give the founder role to
	// somebody; an organization has exactly one founder, set at creation.
	ErrSecondFounder = modules.Register(Codespace, 22, "organization already has a founder")
	// ErrUnknownOrg: no organization has that DID.
	ErrUnknownOrg = modules.Register(Codespace, 23, "unknown organization")
	// ErrOrphanOrg: the parent is missing, is not a federation, or is empty
	// (only the genesis root federation has no parent).
	ErrOrphanOrg = modules.Register(Codespace, 24, "parent is not a registered federation")
	// ErrAssemblyControlled: the organization is controlled by its
	// assembly, so no single signer may send it privileged messages; only
	// governance outcomes act for it.
	ErrAssemblyControlled = modules.Register(Codespace, 25, "organization is controlled by its assembly")
	// ErrInvalidRole: the role name is malformed, or the role cannot be
	// granted, offered or revoked by that message ("member" comes and goes
	// with the membership itself).
	ErrInvalidRole = modules.Register(Codespace, 26, "invalid role")
	// ErrTooManyRoles: a message or a membership would carry more than
	// MaxRoles roles.
	ErrTooManyRoles = modules.Register(Codespace, 27, "too many roles")
	// ErrAlreadyMember: the DID is already a member of the organization.
	ErrAlreadyMember = modules.Register(Codespace, 28, "already a member")
	// ErrNotMember: the DID is not a member of the organization.
	ErrNotMember = modules.Register(Codespace, 29, "not a member")
	// ErrNoInvitation: the signer has no pending invitation to the organization.
	ErrNoInvitation = modules.Register(Codespace, 30, "no pending invitation")
	// ErrRoleHeld: the member already holds the role.
	ErrRoleHeld = modules.Register(Codespace, 31, "role already held")
	// ErrRoleNotHeld: the member does not hold the role.
	ErrRoleNotHeld = modules.Register(Codespace, 32, "role not held")
	// ErrNotOfficer: the signer does not hold the organization's
	// compliance-officer role.
	ErrNotOfficer = modules.Register(Codespace, 33, "signer is not a compliance officer of the organization")
	// ErrAlreadyFrozen: the organization has already frozen the account.
	ErrAlreadyFrozen = modules.Register(Codespace, 34, "account already frozen by the organization")
	// ErrNotFrozen: the organization has not frozen the account.
	ErrNotFrozen = modules.Register(Codespace, 35, "account not frozen by the organization")
	// ErrInvalidReason: a freeze reason or an appeal statement is empty,
	// too long or not UTF-8.
	ErrInvalidReason = modules.Register(Codespace, 36, "invalid reason or statement")
	// ErrFounderInControl: the founder cannot leave or be removed while it
	// controls the organization; control must pass to the assembly first.
	ErrFounderInControl = modules.Register(Codespace, 37, "founder controls the organization")
	// ErrAlreadyAppealed: the freeze has already been appealed.
	ErrAlreadyAppealed = modules.Register(Codespace, 38, "freeze already appealed")
	// ErrNotMemberOfParent: only a member of a federation may found an
	// organization under it, so that the federation vouches (through its
	// admissions) for everything below it.
	ErrNotMemberOfParent = modules.Register(Codespace, 39, "founder is not a member of the parent federation")
	// ErrTooManyMemberships: the DID already belongs to MaxMembershipsPerDID organizations.
	ErrTooManyMemberships = modules.Register(Codespace, 48, "too many memberships")
	// ErrOfficerScope: an officer may not freeze the organization's controller or a fellow officer.
	ErrOfficerScope = modules.Register(Codespace, 49, "account outside the officer's scope")
	// ErrInvalidGenesis: the org genesis state is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 50, "invalid org genesis")
	// ErrFrozenInScope: an organization whose scope holds the target
	// organization (the organization itself or one above it in the
	// federation tree) has frozen the authority, so the authority may not
	// act within it; see doc.go.
	ErrFrozenInScope = modules.Register(Codespace, 51, "account is frozen within the organization's scope")
	// ErrTooDeep: the new organization would lie more than MaxDepth levels
	// below the root federation.
	ErrTooDeep = modules.Register(Codespace, 52, "organization would lie too deep in the federation tree")
	// ErrInvalidSeats: a seat count above MaxSeats, more seats than exist.
	ErrInvalidSeats = modules.Register(Codespace, 60, "invalid number of seats")
	// ErrRootSeats: the root federation's seats come from genesis; having no
	// parent, it has nobody to take seats from or give them back to.
	ErrRootSeats = modules.Register(Codespace, 61, "the root federation's seats are set by genesis")
	// ErrNotEnoughSeats: the parent federation has fewer free seats than
	// the raise asks for; seats are divided down the tree, never created.
	ErrNotEnoughSeats = modules.Register(Codespace, 62, "not enough free seats in the parent federation")
	// ErrSeatsInUse: the organization's members hold more seats than the
	// new count; members are never unseated by a change of seats, so they
	// must leave (or be removed) first.
	ErrSeatsInUse = modules.Register(Codespace, 63, "seats in use")
)
