package client

import (
	"context"
	"fmt"

	didmod "github.com/intercooperative/icnd/modules/did"
	orgmod "github.com/intercooperative/icnd/modules/org"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// DefaultScanLimit bounds the entries a listing query reads unless told
// otherwise.
const DefaultScanLimit = 1000

// CreateOrganization returns a MsgCreateOrganization for name of kind
// ("community", "cooperative" or "federation") under parent, checked as the
// chain will check it, and the DID the organization will have.
func CreateOrganization(name, kind, parent string) (*txv1.Msg, string, error) {
	k, err := orgmod.ParseOrgKind(kind)
	if err != nil {
		return nil, "", err
	}
	m := &identityv1.MsgCreateOrganization{Name: name, Kind: k, Parent: parent}
	if err := orgmod.ValidateCreateOrganization(m); err != nil {
		return nil, "", err
	}
	return &txv1.Msg{Sum: &txv1.Msg_CreateOrganization{CreateOrganization: m}}, orgmod.DeriveOrgDID(parent, name), nil
}

// InviteMember returns a checked MsgInviteMember offering member roles
// besides "member" in org.
func InviteMember(org, member string, roles []string) (*txv1.Msg, error) {
	m := &identityv1.MsgInviteMember{Org: org, Member: member, Roles: roles}
	return checked(orgmod.ValidateInviteMember(m), &txv1.Msg{Sum: &txv1.Msg_InviteMember{InviteMember: m}})
}

// AcceptInvitation returns a checked MsgAcceptInvitation for org.
func AcceptInvitation(org string) (*txv1.Msg, error) {
	m := &identityv1.MsgAcceptInvitation{Org: org}
	return checked(orgmod.ValidateAcceptInvitation(m), &txv1.Msg{Sum: &txv1.Msg_AcceptInvitation{AcceptInvitation: m}})
}

// LeaveOrganization returns a checked MsgLeaveOrganization for org.
func LeaveOrganization(org string) (*txv1.Msg, error) {
	m := &identityv1.MsgLeaveOrganization{Org: org}
	return checked(orgmod.ValidateLeaveOrganization(m), &txv1.Msg{Sum: &txv1.Msg_LeaveOrganization{LeaveOrganization: m}})
}

// RemoveMember returns a checked MsgRemoveMember.
func RemoveMember(org, member string) (*txv1.Msg, error) {
	m := &identityv1.MsgRemoveMember{Org: org, Member: member}
	return checked(orgmod.ValidateRemoveMember(m), &txv1.Msg{Sum: &txv1.Msg_RemoveMember{RemoveMember: m}})
}

// GrantRole returns a checked MsgGrantRole.
func GrantRole(org, member, role string) (*txv1.Msg, error) {
	m := &identityv1.MsgGrantRole{Org: org, Member: member, Role: role}
	return checked(orgmod.ValidateGrantRole(m), &txv1.Msg{Sum: &txv1.Msg_GrantRole{GrantRole: m}})
}

// RevokeRole returns a checked MsgRevokeRole.
func RevokeRole(org, member, role string) (*txv1.Msg, error) {
	m := &identityv1.MsgRevokeRole{Org: org, Member: member, Role: role}
	return checked(orgmod.ValidateRevokeRole(m), &txv1.Msg{Sum: &txv1.Msg_RevokeRole{RevokeRole: m}})
}

// TransferControl returns a checked MsgTransferControl for org.
func TransferControl(org string) (*txv1.Msg, error) {
	m := &identityv1.MsgTransferControl{Org: org}
	return checked(orgmod.ValidateTransferControl(m), &txv1.Msg{Sum: &txv1.Msg_TransferControl{TransferControl: m}})
}

// SetSeats returns a checked MsgSetSeats setting org's bonus seats to
// seats. Only the controller of org's parent federation may send it.
func SetSeats(org string, seats uint32) (*txv1.Msg, error) {
	m := &identityv1.MsgSetSeats{Org: org, Seats: seats}
	return checked(orgmod.ValidateSetSeats(m), &txv1.Msg{Sum: &txv1.Msg_SetSeats{SetSeats: m}})
}

// FreezeAccount returns a checked MsgFreezeAccount.
func FreezeAccount(org, account, reason string) (*txv1.Msg, error) {
	m := &identityv1.MsgFreezeAccount{Org: org, Account: account, Reason: reason}
	return checked(orgmod.ValidateFreezeAccount(m), &txv1.Msg{Sum: &txv1.Msg_FreezeAccount{FreezeAccount: m}})
}

// UnfreezeAccount returns a checked MsgUnfreezeAccount.
func UnfreezeAccount(org, account, reason string) (*txv1.Msg, error) {
	m := &identityv1.MsgUnfreezeAccount{Org: org, Account: account, Reason: reason}
	return checked(orgmod.ValidateUnfreezeAccount(m), &txv1.Msg{Sum: &txv1.Msg_UnfreezeAccount{UnfreezeAccount: m}})
}

// AppealFreeze returns a checked MsgAppealFreeze.
func AppealFreeze(org, statement string) (*txv1.Msg, error) {
	m := &identityv1.MsgAppealFreeze{Org: org, Statement: statement}
	return checked(orgmod.ValidateAppealFreeze(m), &txv1.Msg{Sum: &txv1.Msg_AppealFreeze{AppealFreeze: m}})
}

func checked(err error, msg *txv1.Msg) (*txv1.Msg, error) {
	if err != nil {
		return nil, err
	}
	return msg, nil
}

// OrganizationView is an organization with its kind and control by name.
type OrganizationView struct {
	DID                      string `json:"did"`
	Name                     string `json:"name"`
	Kind                     string `json:"kind"`
	Parent                   string `json:"parent,omitempty"`
	Founder                  string `json:"founder"`
	Control                  string `json:"control"`
	CreatedHeight            int64  `json:"created_height"`
	ControlTransferredHeight int64  `json:"control_transferred_height,omitempty"`
	// BonusSeats are the seats the organization holds, for its members and
	// to pass down; SeatsUsed of them are held by its members.
	BonusSeats uint32 `json:"bonus_seats"`
	SeatsUsed  uint32 `json:"seats_used"`
}

// NewOrganizationView renders o.
func NewOrganizationView(o *identityv1.Organization) *OrganizationView {
	return &OrganizationView{
		DID:                      o.Did,
		Name:                     o.Name,
		Kind:                     orgmod.KindName(o.Kind),
		Parent:                   o.Parent,
		Founder:                  o.Founder,
		Control:                  orgmod.ControlName(o.Control),
		CreatedHeight:            o.CreatedHeight,
		ControlTransferredHeight: o.ControlTransferredHeight,
		BonusSeats:               o.BonusSeats,
		SeatsUsed:                o.SeatsUsed,
	}
}

// Organization reads org's record. When there is none the error wraps
// ErrNotFound and the result is still returned.
func (q *Querier) Organization(ctx context.Context, org string, height int64) (*OrganizationView, *QueryResult, error) {
	if err := didmod.ParseDID(org); err != nil {
		return nil, nil, err
	}
	res, err := q.Get(ctx, orgmod.OrganizationKey(org), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: no organization %s at height %d", ErrNotFound, org, res.Height)
	}
	o := new(identityv1.Organization)
	if err := o.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode organization %s: %w", org, err)
	}
	return NewOrganizationView(o), res, nil
}

// Members lists the memberships of org, by member DID, reading at most
// limit. An unknown organization is an error wrapping ErrNotFound, with the
// result of the read that found nothing. With a Prover both the
// organization and the complete list are proven.
func (q *Querier) Members(ctx context.Context, org string, height int64, limit int) ([]*identityv1.Membership, *QueryResult, error) {
	_, res, err := q.Organization(ctx, org, height)
	if err != nil {
		return nil, res, err
	}
	entries, res, err := q.Scan(ctx, orgmod.MembersPrefix(org), res.Height, limit)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*identityv1.Membership, 0, len(entries))
	for _, e := range entries {
		m := new(identityv1.Membership)
		if err := m.Unmarshal(e.Value); err != nil {
			return nil, res, fmt.Errorf("decode membership under key %X: %w", e.Key, err)
		}
		out = append(out, m)
	}
	return out, res, nil
}

// OrganizationsOf lists the organizations did is a member of, by
// organization DID, reading at most limit. With a Prover the list is
// proven complete and each organization proven.
func (q *Querier) OrganizationsOf(ctx context.Context, did string, height int64, limit int) ([]*OrganizationView, *QueryResult, error) {
	if err := didmod.ParseDID(did); err != nil {
		return nil, nil, err
	}
	prefix := orgmod.MemberOfPrefix(did)
	entries, res, err := q.Scan(ctx, prefix, height, limit)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*OrganizationView, 0, len(entries))
	for _, e := range entries {
		org := string(e.Key[len(prefix):])
		if len(org) != didmod.DIDLength+1 || int(org[0]) != didmod.DIDLength {
			return nil, res, fmt.Errorf("malformed member-of key %X", e.Key)
		}
		o, _, err := q.Organization(ctx, org[1:], res.Height)
		if err != nil {
			return nil, res, fmt.Errorf("%s is listed as a member of %s: %w", did, org[1:], err)
		}
		out = append(out, o)
	}
	return out, res, nil
}

// Freezes lists the freezes in force on account, by organization DID,
// reading at most limit. None means the account is not frozen.
func (q *Querier) Freezes(ctx context.Context, account string, height int64, limit int) ([]*identityv1.Freeze, *QueryResult, error) {
	if err := didmod.ParseDID(account); err != nil {
		return nil, nil, err
	}
	entries, res, err := q.Scan(ctx, orgmod.FreezesPrefix(account), height, limit)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*identityv1.Freeze, 0, len(entries))
	for _, e := range entries {
		f := new(identityv1.Freeze)
		if err := f.Unmarshal(e.Value); err != nil {
			return nil, res, fmt.Errorf("decode freeze under key %X: %w", e.Key, err)
		}
		out = append(out, f)
	}
	return out, res, nil
}

// Membership reads member's membership of org. When there is none the
// error wraps ErrNotFound and the result is still returned.
func (q *Querier) Membership(ctx context.Context, org, member string, height int64) (*identityv1.Membership, *QueryResult, error) {
	res, err := q.Get(ctx, orgmod.MembershipKey(org, member), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: %s is not a member of %s at height %d", ErrNotFound, member, org, res.Height)
	}
	m := new(identityv1.Membership)
	if err := m.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode the membership of %s in %s: %w", member, org, err)
	}
	return m, res, nil
}
