package org

import (
	"unicode/utf8"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Roles with a meaning to the chain. Any other valid role name is a custom
// role: recorded, granted and revoked like these, and given meaning by the
// organization (and, later, by its governance policies).
const (
	// RoleMember is held by every member, from joining until leaving or
	// removal; it is never granted, offered or revoked on its own.
	RoleMember = "member"
	// RoleFounder is held by the founder while it controls the
	// organization. It is set at creation, dropped when control passes to
	// the assembly, and never granted, offered or revoked by a message.
	RoleFounder = "founder"
	// RoleComplianceOfficer may freeze and unfreeze the accounts of the
	// organization's members, and nothing more.
	RoleComplianceOfficer = "compliance-officer"
)

// Bounds of organization messages, checked before execution.
const (
	// MaxRoleLength bounds a role name.
	MaxRoleLength = 32
	// MaxRoles bounds the roles of one membership, "member" included, and
	// so the roles one invitation may offer besides "member".
	MaxRoles = 8
	// MaxReasonLength bounds the reason of a freeze or an unfreeze.
	MaxReasonLength = 512
	// MaxStatementLength bounds an appeal statement.
	MaxStatementLength = 2048
)

// ValidateRole checks a role name: 1 to MaxRoleLength characters of
// [a-z0-9-], neither starting nor ending with '-'.
func ValidateRole(role string) error {
	if !isSlug(role, MaxRoleLength) {
		return ErrInvalidRole.Wrapf("%q: want 1 to %d characters of a-z, 0-9 and '-', not starting or ending with '-'", modules.Truncate(role), MaxRoleLength)
	}
	return nil
}

// validateAssignableRole checks a role that a message grants or offers:
// well formed, not "member" (it comes with the membership) and not
// "founder" (an organization has one founder, from its creation).
func validateAssignableRole(role string) error {
	if err := ValidateRole(role); err != nil {
		return err
	}
	switch role {
	case RoleFounder:
		return ErrSecondFounder.Wrapf("the %q role belongs to the organization's creator and cannot be given", RoleFounder)
	case RoleMember:
		return ErrInvalidRole.Wrapf("%q comes with membership; it is not granted on its own", RoleMember)
	}
	return nil
}

// validateText checks a reason or statement: 1 to max bytes of UTF-8.
func validateText(what, s string, max int) error {
	if s == "" || len(s) > max || !utf8.ValidString(s) {
		return ErrInvalidReason.Wrapf("%s must be UTF-8 of 1 to %d bytes, has %d bytes", what, max, len(s))
	}
	return nil
}

// validateDIDs checks that each of dids is a canonical did:icn.
func validateDIDs(dids ...string) error {
	for _, d := range dids {
		if err := did.ParseDID(d); err != nil {
			return err
		}
	}
	return nil
}

// ValidateCreateOrganization is the stateless check of MsgCreateOrganization.
func ValidateCreateOrganization(m *identityv1.MsgCreateOrganization) error {
	if err := ValidateOrgName(m.Name); err != nil {
		return err
	}
	if KindName(m.Kind) == "" {
		return ErrInvalidOrgKind.Wrapf("kind %d: want community, cooperative or federation", int32(m.Kind))
	}
	if m.Parent == "" {
		return ErrOrphanOrg.Wrapf("a parent federation is required; only the genesis root federation has none")
	}
	return did.ParseDID(m.Parent)
}

// ValidateInviteMember is the stateless check of MsgInviteMember: canonical
// DIDs, at most MaxRoles-1 distinct assignable roles.
func ValidateInviteMember(m *identityv1.MsgInviteMember) error {
	if err := validateDIDs(m.Org, m.Member); err != nil {
		return err
	}
	if len(m.Roles) > MaxRoles-1 {
		return ErrTooManyRoles.Wrapf("%d roles offered besides %q, max %d", len(m.Roles), RoleMember, MaxRoles-1)
	}
	for i, r := range m.Roles {
		if err := validateAssignableRole(r); err != nil {
			return err
		}
		for _, prev := range m.Roles[:i] {
			if prev == r {
				return ErrInvalidRole.Wrapf("%q is offered twice", r)
			}
		}
	}
	return nil
}

// ValidateAcceptInvitation is the stateless check of MsgAcceptInvitation.
func ValidateAcceptInvitation(m *identityv1.MsgAcceptInvitation) error {
	return did.ParseDID(m.Org)
}

// ValidateLeaveOrganization is the stateless check of MsgLeaveOrganization.
func ValidateLeaveOrganization(m *identityv1.MsgLeaveOrganization) error {
	return did.ParseDID(m.Org)
}

// ValidateRemoveMember is the stateless check of MsgRemoveMember.
func ValidateRemoveMember(m *identityv1.MsgRemoveMember) error {
	return validateDIDs(m.Org, m.Member)
}

// ValidateGrantRole is the stateless check of MsgGrantRole.
func ValidateGrantRole(m *identityv1.MsgGrantRole) error {
	if err := validateDIDs(m.Org, m.Member); err != nil {
		return err
	}
	return validateAssignableRole(m.Role)
}

// ValidateRevokeRole is the stateless check of MsgRevokeRole: "member" ends
// with the membership and "founder" with the transfer of control, so
// neither is revoked on its own.
func ValidateRevokeRole(m *identityv1.MsgRevokeRole) error {
	if err := validateDIDs(m.Org, m.Member); err != nil {
		return err
	}
	if err := ValidateRole(m.Role); err != nil {
		return err
	}
	switch m.Role {
	case RoleMember:
		return ErrInvalidRole.Wrapf("%q ends with the membership: remove the member instead", RoleMember)
	case RoleFounder:
		return ErrInvalidRole.Wrapf("%q ends when control passes to the assembly", RoleFounder)
	}
	return nil
}

// ValidateTransferControl is the stateless check of MsgTransferControl.
func ValidateTransferControl(m *identityv1.MsgTransferControl) error {
	return did.ParseDID(m.Org)
}

// ValidateSetSeats is the stateless check of MsgSetSeats: a canonical
// organization DID and at most MaxSeats seats.
func ValidateSetSeats(m *identityv1.MsgSetSeats) error {
	if err := did.ParseDID(m.Org); err != nil {
		return err
	}
	if m.Seats > MaxSeats {
		return ErrInvalidSeats.Wrapf("%d seats, more than the %d there can be", m.Seats, MaxSeats)
	}
	return nil
}

// ValidateFreezeAccount is the stateless check of MsgFreezeAccount.
func ValidateFreezeAccount(m *identityv1.MsgFreezeAccount) error {
	if err := validateDIDs(m.Org, m.Account); err != nil {
		return err
	}
	return validateText("reason", m.Reason, MaxReasonLength)
}

// ValidateUnfreezeAccount is the stateless check of MsgUnfreezeAccount.
func ValidateUnfreezeAccount(m *identityv1.MsgUnfreezeAccount) error {
	if err := validateDIDs(m.Org, m.Account); err != nil {
		return err
	}
	return validateText("reason", m.Reason, MaxReasonLength)
}

// ValidateAppealFreeze is the stateless check of MsgAppealFreeze.
func ValidateAppealFreeze(m *identityv1.MsgAppealFreeze) error {
	if err := did.ParseDID(m.Org); err != nil {
		return err
	}
	return validateText("statement", m.Statement, MaxStatementLength)
}
