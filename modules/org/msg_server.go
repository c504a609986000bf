package org

import (
	"errors"
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Handlers of the organization messages. Each message must have passed its
// Validate function (msgs.go); ctx.Authority is the DID on whose behalf it
// runs: the signer of a plain transaction, or an organization whose
// governance executes it.
//
// Privileged messages (invite, remove, grant and revoke a role, transfer
// control; and set seats, which the parent's controller sends) are
// authorized by the organization's DID document: the authority
// must control it (DIDs.Controls). While the founder controls the
// organization its document lists the founder as sole controller. After
// the transfer the list is empty, so only the organization's own authority
// passes — a governance outcome executing for the organization, which no
// key can produce, since an organization's document has no keys — and
// every signer is refused with ErrAssemblyControlled.

// CreateOrganization founds the organization m.Name under the federation
// m.Parent, with the authority as founder, first member and controller, and
// returns its DID. It writes the record, with no bonus seats, a DID
// document without keys whose controller is the founder, the treasury's
// mana account and the founder's membership with the roles "founder" and
// "member", waiting for a seat. Errors: ErrOrphanOrg, ErrTooDeep,
// ErrSecondFounder, ErrFrozenInScope (the authority may not act within the
// parent), ErrNotMemberOfParent, ErrTooManyMemberships.
func (k *Keeper) CreateOrganization(ctx modules.Context, m *identityv1.MsgCreateOrganization) (string, error) {
	orgDID := DeriveOrgDID(m.Parent, m.Name)
	parent, err := k.Organization(ctx, m.Parent)
	switch {
	case errors.Is(err, ErrUnknownOrg):
		return "", ErrOrphanOrg.Wrapf("parent %s is not an organization", m.Parent)
	case err != nil:
		return "", err
	}
	if parent.Kind != identityv1.OrgKind_ORG_KIND_FEDERATION {
		return "", ErrOrphanOrg.Wrapf("parent %s is a %s, not a federation", m.Parent, KindName(parent.Kind))
	}
	// Bounding the depth bounds the walk up the tree that every scoped
	// freeze check may take (refuseFrozenWithin).
	if d, err := k.depth(ctx, parent); err != nil {
		return "", err
	} else if d >= MaxDepth {
		return "", ErrTooDeep.Wrapf("%s lies %d levels below the root federation; an organization lies at most %d", m.Parent, d, MaxDepth)
	}
	if k.dids.Exists(ctx, orgDID) {
		return "", ErrSecondFounder.Wrapf("%q under %s exists as %s", m.Name, m.Parent, orgDID)
	}
	if err := k.refuseAuthorityFrozen(ctx, parent); err != nil {
		return "", err
	}
	founder := ctx.Authority
	if !k.IsMember(ctx, m.Parent, founder) {
		return "", ErrNotMemberOfParent.Wrapf("%s is not a member of %s", founder, m.Parent)
	}
	if err := k.checkMembershipRoom(ctx, founder); err != nil {
		return "", err
	}
	o := &identityv1.Organization{
		Did:           orgDID,
		Name:          m.Name,
		Kind:          m.Kind,
		Parent:        m.Parent,
		Founder:       founder,
		Control:       identityv1.Control_CONTROL_FOUNDER,
		CreatedHeight: ctx.Height,
	}
	if err := k.createOrganization(ctx, o); err != nil {
		return "", err
	}
	if err := k.mana.CreateAccount(ctx, orgDID); err != nil {
		return "", err
	}
	// A new organization holds no seats, so its founder joins waiting for
	// one: founding earns no bonus until the parent grants seats.
	founderRoles := []string{RoleFounder, RoleMember}
	ms := &identityv1.Membership{Org: orgDID, Member: founder, Roles: founderRoles, JoinedHeight: ctx.Height}
	if err := k.admit(ctx, o, ms); err != nil {
		return "", err
	}
	ctx.Emit(EventOrganizationCreated{Org: orgDID, Name: m.Name, Kind: KindName(m.Kind), Parent: m.Parent, Founder: founder})
	ctx.Emit(EventMemberJoined{Org: orgDID, Member: founder, Roles: founderRoles, Seated: ms.Seated})
	return orgDID, nil
}

// createOrganization writes o and its DID document: no keys, registered by
// the founder, controlled by the founder while o.Control is founder and by
// nobody else afterwards. Genesis rebuilds documents with it too.
func (k *Keeper) createOrganization(ctx modules.Context, o *identityv1.Organization) error {
	if err := k.setOrganization(ctx, o); err != nil {
		return err
	}
	doc := &identityv1.DIDDocument{
		Did:           o.Did,
		RegisteredBy:  o.Founder,
		CreatedHeight: o.CreatedHeight,
		UpdatedHeight: o.ControlTransferredHeight,
	}
	if o.Control == identityv1.Control_CONTROL_FOUNDER {
		doc.Controllers = []string{o.Founder}
	}
	return k.dids.RegisterKeyless(ctx, doc)
}

// authorizeControl loads org for a privileged message and checks that the
// authority controls it and is not frozen within its scope. The
// organization's own authority always controls it: only a passed proposal
// of its governance carries it (the organization's DID has no keys), so an
// assembly may act for its organization while the founder still holds
// control too, which is how it takes control (transfer_control by
// proposal). Errors: ErrUnknownOrg, ErrAssemblyControlled when the assembly
// controls org, did.ErrNotController when the authority does not,
// ErrFrozenInScope.
func (k *Keeper) authorizeControl(ctx modules.Context, org string) (*identityv1.Organization, error) {
	o, err := k.Organization(ctx, org)
	if err != nil {
		return nil, err
	}
	ok := ctx.Authority == org
	if !ok {
		if ok, err = k.dids.Controls(ctx, ctx.Authority, org); err != nil {
			return nil, err
		}
	}
	if ok {
		return o, k.refuseAuthorityFrozen(ctx, o)
	}
	if o.Control == identityv1.Control_CONTROL_ASSEMBLY {
		return nil, ErrAssemblyControlled.Wrapf("%s since height %d: only its governance acts for it", org, o.ControlTransferredHeight)
	}
	return nil, did.ErrNotController.Wrapf("%s does not control %s", ctx.Authority, org)
}

// InviteMember records an invitation of m.Member to m.Org with m.Roles,
// replacing a pending one. Errors: those of authorizeControl,
// did.ErrUnknownDID for an unregistered invitee, ErrAlreadyMember.
func (k *Keeper) InviteMember(ctx modules.Context, m *identityv1.MsgInviteMember) error {
	if _, err := k.authorizeControl(ctx, m.Org); err != nil {
		return err
	}
	if !k.dids.Exists(ctx, m.Member) {
		return did.ErrUnknownDID.Wrapf("invitee %s", m.Member)
	}
	if k.IsMember(ctx, m.Org, m.Member) {
		return ErrAlreadyMember.Wrapf("%s is a member of %s", m.Member, m.Org)
	}
	roles := append([]string(nil), m.Roles...)
	sort.Strings(roles)
	if err := k.setInvitation(ctx, &identityv1.Invitation{Org: m.Org, Member: m.Member, Roles: roles, InvitedBy: ctx.Authority, Height: ctx.Height}); err != nil {
		return err
	}
	ctx.Emit(EventMemberInvited{Org: m.Org, Member: m.Member, Roles: roles, By: ctx.Authority})
	return nil
}

// AcceptInvitation makes the authority a member of m.Org with "member" and the
// invitation's roles, seated if m.Org has a free seat and waiting for one
// otherwise, and consumes the invitation. Errors: ErrUnknownOrg,
// ErrFrozenInScope, ErrNoInvitation, ErrAssemblyControlled,
// ErrTooManyMemberships.
func (k *Keeper) AcceptInvitation(ctx modules.Context, m *identityv1.MsgAcceptInvitation) error {
	o, err := k.Organization(ctx, m.Org)
	if err != nil {
		return err
	}
	if err := k.refuseAuthorityFrozen(ctx, o); err != nil {
		return err
	}
	inv, err := k.Invitation(ctx, m.Org, ctx.Authority)
	if err != nil {
		return err
	}
	if k.IsMember(ctx, m.Org, ctx.Authority) {
		// No invitation names a member (doc.go); admitting one twice would
		// overwrite its membership and count its seat twice.
		return fmt.Errorf("org: %s holds an invitation to %s while a member", ctx.Authority, m.Org)
	}
	if o.Control == identityv1.Control_CONTROL_ASSEMBLY && inv.Height <= o.ControlTransferredHeight {
		// The founder's invitations lapse with the founder's control:
		// otherwise a founder could seat members (and officers) after
		// handing the organization to its assembly.
		return ErrAssemblyControlled.Wrapf("the invitation to %s dates from height %d, before control passed to the assembly at %d", m.Org, inv.Height, o.ControlTransferredHeight)
	}
	if err := k.checkMembershipRoom(ctx, ctx.Authority); err != nil {
		return err
	}
	roles := withRole(inv.Roles, RoleMember)
	ctx.Store.Delete(InvitationKey(m.Org, ctx.Authority))
	ms := &identityv1.Membership{Org: m.Org, Member: ctx.Authority, Roles: roles, JoinedHeight: ctx.Height}
	if err := k.admit(ctx, o, ms); err != nil {
		return err
	}
	if ms.Seated {
		if err := k.mana.MembershipChanged(ctx, ctx.Authority); err != nil {
			return err
		}
	}
	ctx.Emit(EventMemberJoined{Org: m.Org, Member: ctx.Authority, Roles: roles, Seated: ms.Seated})
	return nil
}

// LeaveOrganization ends the authority's membership of m.Org; a seat it
// held passes to the first member waiting for one (release). A freeze does
// not stand in the way: anyone may leave, and a freeze outlives the
// membership. Errors: ErrUnknownOrg, ErrNotMember, ErrFounderInControl.
func (k *Keeper) LeaveOrganization(ctx modules.Context, m *identityv1.MsgLeaveOrganization) error {
	o, err := k.Organization(ctx, m.Org)
	if err != nil {
		return err
	}
	ms, err := k.Membership(ctx, m.Org, ctx.Authority)
	if err != nil {
		return err
	}
	if err := founderMayGo(o, ctx.Authority); err != nil {
		return err
	}
	if err := k.release(ctx, o, ms); err != nil {
		return err
	}
	if ms.Seated {
		if err := k.mana.MembershipChanged(ctx, ctx.Authority); err != nil {
			return err
		}
	}
	ctx.Emit(EventMemberLeft{Org: m.Org, Member: ctx.Authority})
	return nil
}

// RemoveMember ends m.Member's membership of m.Org; a seat it held passes
// on as in LeaveOrganization. A freeze the organization placed on the
// account stays until an officer lifts it.
// Errors: those of authorizeControl, ErrNotMember, ErrFounderInControl.
func (k *Keeper) RemoveMember(ctx modules.Context, m *identityv1.MsgRemoveMember) error {
	o, err := k.authorizeControl(ctx, m.Org)
	if err != nil {
		return err
	}
	ms, err := k.Membership(ctx, m.Org, m.Member)
	if err != nil {
		return err
	}
	if err := founderMayGo(o, m.Member); err != nil {
		return err
	}
	if err := k.release(ctx, o, ms); err != nil {
		return err
	}
	if ms.Seated {
		if err := k.mana.MembershipChanged(ctx, m.Member); err != nil {
			return err
		}
	}
	ctx.Emit(EventMemberRemoved{Org: m.Org, Member: m.Member, By: ctx.Authority})
	return nil
}

// founderMayGo refuses the departure of o's founder while it controls o: an
// organization is never left with a controller that is not a member.
func founderMayGo(o *identityv1.Organization, member string) error {
	if o.Control == identityv1.Control_CONTROL_FOUNDER && member == o.Founder {
		return ErrFounderInControl.Wrapf("%s founded and controls %s; transfer control to the assembly first", member, o.Did)
	}
	return nil
}

// GrantRole gives m.Member of m.Org the role m.Role. Errors: those of
// authorizeControl, ErrNotMember, ErrRoleHeld, ErrTooManyRoles.
func (k *Keeper) GrantRole(ctx modules.Context, m *identityv1.MsgGrantRole) error {
	if _, err := k.authorizeControl(ctx, m.Org); err != nil {
		return err
	}
	ms, err := k.Membership(ctx, m.Org, m.Member)
	if err != nil {
		return err
	}
	if hasRole(ms.Roles, m.Role) {
		return ErrRoleHeld.Wrapf("%s already holds %q in %s", m.Member, m.Role, m.Org)
	}
	if len(ms.Roles) >= MaxRoles {
		return ErrTooManyRoles.Wrapf("%s holds %d roles in %s, max %d", m.Member, len(ms.Roles), m.Org, MaxRoles)
	}
	ms.Roles = withRole(ms.Roles, m.Role)
	if err := k.setMembership(ctx, ms); err != nil {
		return err
	}
	ctx.Emit(EventRoleGranted{Org: m.Org, Member: m.Member, Role: m.Role, By: ctx.Authority})
	return nil
}

// RevokeRole takes the role m.Role from m.Member of m.Org. Errors: those of
// authorizeControl, ErrNotMember, ErrRoleNotHeld.
func (k *Keeper) RevokeRole(ctx modules.Context, m *identityv1.MsgRevokeRole) error {
	if _, err := k.authorizeControl(ctx, m.Org); err != nil {
		return err
	}
	ms, err := k.Membership(ctx, m.Org, m.Member)
	if err != nil {
		return err
	}
	if !hasRole(ms.Roles, m.Role) {
		return ErrRoleNotHeld.Wrapf("%s does not hold %q in %s", m.Member, m.Role, m.Org)
	}
	ms.Roles = withoutRole(ms.Roles, m.Role)
	if err := k.setMembership(ctx, ms); err != nil {
		return err
	}
	ctx.Emit(EventRoleRevoked{Org: m.Org, Member: m.Member, Role: m.Role, By: ctx.Authority})
	return nil
}

// TransferControl hands m.Org to its assembly, for good: the record's
// control becomes assembly, the DID document's controller list becomes
// empty, and the founder, who stays a member, loses the "founder" role (the
// record keeps who founded the organization). Errors: those of
// authorizeControl; ErrAssemblyControlled for a second transfer.
func (k *Keeper) TransferControl(ctx modules.Context, m *identityv1.MsgTransferControl) error {
	o, err := k.authorizeControl(ctx, m.Org)
	if err != nil {
		return err
	}
	if o.Control == identityv1.Control_CONTROL_ASSEMBLY {
		return ErrAssemblyControlled.Wrapf("%s: control passed to the assembly at height %d", m.Org, o.ControlTransferredHeight)
	}
	founder, err := k.Membership(ctx, m.Org, o.Founder)
	if err != nil {
		return err
	}
	o.Control = identityv1.Control_CONTROL_ASSEMBLY
	o.ControlTransferredHeight = ctx.Height
	if err := k.setOrganization(ctx, o); err != nil {
		return err
	}
	if err := k.dids.SetControllers(ctx, m.Org, nil); err != nil {
		return err
	}
	founder.Roles = withoutRole(founder.Roles, RoleFounder)
	if err := k.setMembership(ctx, founder); err != nil {
		return err
	}
	ctx.Emit(EventRoleRevoked{Org: m.Org, Member: o.Founder, Role: RoleFounder, By: ctx.Authority})
	ctx.Emit(EventControlTransferred{Org: m.Org, Founder: o.Founder, Control: ControlAssembly})
	return nil
}

// SetSeats sets m.Org's bonus seats to m.Seats, moving the difference from
// or back to the free seats of its parent federation, and then gives free
// seats to m.Org's members waiting for one, in member DID order, at most
// MaxSeatedPerMessage of them (seatWaiting). Setting the current count only
// does the latter. The authority must control the parent, as for the
// parent's privileged messages: its founder, or under assembly control the
// parent's own authority, which only its governance carries. Lowering
// never unseats a member. Errors: ErrUnknownOrg; ErrRootSeats for the root
// federation; those of authorizeControl on the parent; ErrNotEnoughSeats;
// ErrSeatsInUse.
func (k *Keeper) SetSeats(ctx modules.Context, m *identityv1.MsgSetSeats) error {
	o, err := k.Organization(ctx, m.Org)
	if err != nil {
		return err
	}
	if o.Parent == "" {
		return ErrRootSeats.Wrapf("%s is the root federation", m.Org)
	}
	parent, err := k.authorizeControl(ctx, o.Parent)
	if err != nil {
		return err
	}
	switch {
	case m.Seats > o.BonusSeats:
		more := m.Seats - o.BonusSeats
		if free := freeSeats(parent); more > free {
			return ErrNotEnoughSeats.Wrapf("%s has %d free seats; %s needs %d more to hold %d", o.Parent, free, m.Org, more, m.Seats)
		}
		parent.BonusSeats -= more
	case m.Seats < o.BonusSeats:
		if m.Seats < o.SeatsUsed {
			return ErrSeatsInUse.Wrapf("%s's members hold %d seats, more than %d", m.Org, o.SeatsUsed, m.Seats)
		}
		back := o.BonusSeats - m.Seats
		if uint64(parent.BonusSeats)+uint64(back) > MaxSeats {
			// Genesis bounds the seats in all by MaxSeats.
			return fmt.Errorf("org: %s would hold %d + %d seats, more than exist", o.Parent, parent.BonusSeats, back)
		}
		parent.BonusSeats += back
	}
	o.BonusSeats = m.Seats
	if err := k.setOrganization(ctx, parent); err != nil {
		return err
	}
	ctx.Emit(EventSeatsSet{Org: m.Org, Seats: o.BonusSeats, Parent: o.Parent, ParentSeats: parent.BonusSeats, By: ctx.Authority})
	return k.seatWaiting(ctx, o, MaxSeatedPerMessage)
}

// authorizeOfficer loads org and checks that the authority holds its
// compliance-officer role and is not frozen within its scope. Errors:
// ErrUnknownOrg, ErrNotOfficer, ErrFrozenInScope.
func (k *Keeper) authorizeOfficer(ctx modules.Context, org string) (*identityv1.Organization, error) {
	o, err := k.Organization(ctx, org)
	if err != nil {
		return nil, err
	}
	ok, err := k.HasRole(ctx, org, ctx.Authority, RoleComplianceOfficer)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotOfficer.Wrapf("%s holds no %q role in %s", ctx.Authority, RoleComplianceOfficer, org)
	}
	return o, k.refuseAuthorityFrozen(ctx, o)
}

// FreezeAccount freezes m.Account on behalf of m.Org. The account must
// stand within m.Org's scope: be a member of m.Org or of an organization
// below it, or, for the root federation, whose scope is the whole network,
// be any registered DID. So a member cannot step out of reach by leaving
// the federation while it stays in an organization under it. Freezing is
// a role action, not a control action: it stays available to the
// organization's officers after control passes to the assembly. Errors:
// those of authorizeOfficer, ErrNotMember, ErrOfficerScope,
// ErrAlreadyFrozen.
func (k *Keeper) FreezeAccount(ctx modules.Context, m *identityv1.MsgFreezeAccount) error {
	o, err := k.authorizeOfficer(ctx, m.Org)
	if err != nil {
		return err
	}
	if in, err := k.standsWithin(ctx, m.Account, o); err != nil {
		return err
	} else if !in {
		return ErrNotMember.Wrapf("%s belongs to no organization within %s's scope, so is outside its officers' reach", m.Account, m.Org)
	}
	// An officer freezing the controller or a fellow officer could hold
	// the organization hostage: a frozen account can only appeal.
	if ok, err := k.dids.Controls(ctx, m.Account, m.Org); err != nil {
		return err
	} else if ok {
		return ErrOfficerScope.Wrapf("%s controls %s", m.Account, m.Org)
	}
	if ok, err := k.HasRole(ctx, m.Org, m.Account, RoleComplianceOfficer); err != nil {
		return err
	} else if ok {
		return ErrOfficerScope.Wrapf("%s is a fellow compliance officer of %s", m.Account, m.Org)
	}
	if ctx.Store.Has(FreezeKey(m.Account, m.Org)) {
		return ErrAlreadyFrozen.Wrapf("%s by %s", m.Account, m.Org)
	}
	if err := k.addFreeze(ctx, o, &identityv1.Freeze{Org: m.Org, Account: m.Account, Reason: m.Reason, FrozenBy: ctx.Authority, Height: ctx.Height}); err != nil {
		return err
	}
	ctx.Emit(EventAccountFrozen{Org: m.Org, Account: m.Account, Reason: m.Reason, By: ctx.Authority})
	return nil
}

// UnfreezeAccount lifts m.Org's freeze of m.Account. The account need not
// be a member any more: a freeze belongs to the organization that placed it
// and stays within its officers' scope until lifted. Errors: those of
// authorizeOfficer, ErrNotFrozen.
func (k *Keeper) UnfreezeAccount(ctx modules.Context, m *identityv1.MsgUnfreezeAccount) error {
	o, err := k.authorizeOfficer(ctx, m.Org)
	if err != nil {
		return err
	}
	if _, err := k.FreezeOf(ctx, m.Account, m.Org); err != nil {
		return err
	}
	if err := k.deleteFreeze(ctx, o, m.Account); err != nil {
		return err
	}
	ctx.Emit(EventAccountUnfrozen{Org: m.Org, Account: m.Account, Reason: m.Reason, By: ctx.Authority})
	return nil
}

// AppealFreeze records the authority's statement against m.Org's freeze of
// its account, once per freeze. A freeze does not stand in the way: the
// appeal is what a frozen account may always send. Errors: ErrUnknownOrg,
// ErrNotFrozen, ErrAlreadyAppealed.
func (k *Keeper) AppealFreeze(ctx modules.Context, m *identityv1.MsgAppealFreeze) error {
	if _, err := k.Organization(ctx, m.Org); err != nil {
		return err
	}
	f, err := k.FreezeOf(ctx, ctx.Authority, m.Org)
	if err != nil {
		return err
	}
	if f.AppealHeight != 0 {
		return ErrAlreadyAppealed.Wrapf("%s appealed %s's freeze at height %d", ctx.Authority, m.Org, f.AppealHeight)
	}
	f.Appeal = m.Statement
	f.AppealHeight = ctx.Height
	if err := modules.Save(ctx.Store, FreezeKey(f.Account, f.Org), f); err != nil {
		return err
	}
	ctx.Emit(EventFreezeAppealed{Org: m.Org, Account: ctx.Authority})
	return nil
}
