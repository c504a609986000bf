package org

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// Keeper reads and writes organization state. It holds no state of its own.
type Keeper struct {
	dids DIDs
	mana ManaAccounts
}

// NewKeeper returns a Keeper that keeps organizations' DID documents through
// dids and their treasuries and members' capacity through mana.
func NewKeeper(dids DIDs, mana ManaAccounts) *Keeper {
	return &Keeper{dids: dids, mana: mana}
}

// Organization loads org's record. Errors: ErrUnknownOrg when org is not an
// organization, and a plain error (a broken invariant) when the stored
// bytes do not decode. The caller owns the returned value.
func (k *Keeper) Organization(ctx modules.Context, org string) (*identityv1.Organization, error) {
	o, found, err := modules.Load[identityv1.Organization](ctx.Store, OrganizationKey(org))
	if err != nil {
		return nil, fmt.Errorf("org: organization %s: %w", org, err)
	}
	if !found {
		return nil, ErrUnknownOrg.Wrapf("%s", modules.Truncate(org))
	}
	return o, nil
}

// Membership loads member's membership of org. Errors: ErrNotMember, and a
// plain error for a corrupt record. The caller owns the returned value.
func (k *Keeper) Membership(ctx modules.Context, org, member string) (*identityv1.Membership, error) {
	m, found, err := modules.Load[identityv1.Membership](ctx.Store, MembershipKey(org, member))
	if err != nil {
		return nil, fmt.Errorf("org: membership of %s in %s: %w", member, org, err)
	}
	if !found {
		return nil, ErrNotMember.Wrapf("%s is not a member of %s", modules.Truncate(member), modules.Truncate(org))
	}
	return m, nil
}

// IsMember reports whether member belongs to org.
func (k *Keeper) IsMember(ctx modules.Context, org, member string) bool {
	return ctx.Store.Has(MembershipKey(org, member))
}

// HasRole reports whether member belongs to org and holds role.
func (k *Keeper) HasRole(ctx modules.Context, org, member, role string) (bool, error) {
	m, err := k.Membership(ctx, org, member)
	switch {
	case errors.Is(err, ErrNotMember):
		return false, nil
	case err != nil:
		return false, err
	}
	return hasRole(m.Roles, role), nil
}

// Members returns every membership of org, sorted by member DID. The
// caller owns the returned values.
func (k *Keeper) Members(ctx modules.Context, org string) ([]*identityv1.Membership, error) {
	var out []*identityv1.Membership
	err := modules.Walk(ctx.Store, MembersPrefix(org), func(_ []byte, m *identityv1.Membership) (bool, error) {
		out = append(out, m)
		return false, nil
	})
	return out, err
}

// OrganizationsOf returns the organizations account is a member of, sorted
// by organization DID; none is an empty result, not an error. The caller
// owns the returned values. An index entry without its organization is a
// broken invariant, returned as a plain error.
func (k *Keeper) OrganizationsOf(ctx modules.Context, account string) ([]*identityv1.Organization, error) {
	orgs, err := k.memberOf(ctx, account)
	if err != nil {
		return nil, err
	}
	out := make([]*identityv1.Organization, 0, len(orgs))
	for _, org := range orgs {
		o, err := k.Organization(ctx, org)
		if err != nil {
			return nil, fmt.Errorf("org: %s is indexed as a member of %s: %w", account, org, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// memberOf returns the DIDs of the organizations account is a member of,
// sorted, from the member-of index: at most MaxMembershipsPerDID entries.
func (k *Keeper) memberOf(ctx modules.Context, account string) ([]string, error) {
	var orgs []string
	prefix := MemberOfPrefix(account)
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	for ; it.Valid(); it.Next() {
		org, ok := lastDID(it.Key())
		if !ok {
			_ = it.Close()
			return nil, fmt.Errorf("org: malformed member-of key %x", it.Key())
		}
		orgs = append(orgs, org)
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("org: iterate memberships of %s: %w", account, err)
	}
	return orgs, nil
}

// ControlledOrganizations implements did.Organizations: the organizations
// account founded and still controls, sorted. The founder holds the
// "founder" role exactly while it controls its organization, so this reads
// account's memberships, at most MaxMembershipsPerDID of them. An index
// entry without its membership is a broken invariant, returned as a plain
// error.
func (k *Keeper) ControlledOrganizations(ctx modules.Context, account string) ([]string, error) {
	orgs, err := k.memberOf(ctx, account)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, org := range orgs {
		m, err := k.Membership(ctx, org, account)
		if err != nil {
			return nil, fmt.Errorf("org: %s is indexed as a member of %s: %v", account, org, err)
		}
		if hasRole(m.Roles, RoleFounder) {
			out = append(out, org)
		}
	}
	return out, nil
}

// SeatedKinds implements mana.Memberships: the mana kind of every
// organization in which account holds a bonus seat, sorted. Memberships
// waiting for a seat earn nothing. A stored organization always has a known
// kind, so any other is a broken invariant.
func (k *Keeper) SeatedKinds(ctx modules.Context, account string) ([]string, error) {
	orgs, err := k.memberOf(ctx, account)
	if err != nil {
		return nil, err
	}
	var kinds []string
	for _, org := range orgs {
		m, err := k.Membership(ctx, org, account)
		if err != nil {
			return nil, fmt.Errorf("org: %s is indexed as a member of %s: %w", account, org, err)
		}
		if !m.Seated {
			continue
		}
		o, err := k.Organization(ctx, org)
		if err != nil {
			return nil, fmt.Errorf("org: %s holds a seat of %s: %w", account, org, err)
		}
		kind, err := manaKind(o)
		if err != nil {
			return nil, err
		}
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	return kinds, nil
}

// manaKind names o's kind as mana's params do: the kind names of
// names.go, which mana.Memberships documents as its contract
// (TestKindNamesAreManas keeps the two in step).
func manaKind(o *identityv1.Organization) (string, error) {
	if name := KindName(o.Kind); name != "" {
		return name, nil
	}
	return "", fmt.Errorf("org: organization %s has kind %v, which is no kind", o.Did, o.Kind)
}

// Invitation loads member's pending invitation to org. Errors:
// ErrNoInvitation, and a plain error for a corrupt record.
func (k *Keeper) Invitation(ctx modules.Context, org, member string) (*identityv1.Invitation, error) {
	inv, found, err := modules.Load[identityv1.Invitation](ctx.Store, InvitationKey(org, member))
	if err != nil {
		return nil, fmt.Errorf("org: invitation of %s to %s: %w", member, org, err)
	}
	if !found {
		return nil, ErrNoInvitation.Wrapf("%s has no pending invitation to %s", modules.Truncate(member), modules.Truncate(org))
	}
	return inv, nil
}

// FreezeOf loads org's freeze of account. Errors: ErrNotFrozen, and a plain
// error for a corrupt record.
func (k *Keeper) FreezeOf(ctx modules.Context, account, org string) (*identityv1.Freeze, error) {
	f, found, err := modules.Load[identityv1.Freeze](ctx.Store, FreezeKey(account, org))
	if err != nil {
		return nil, fmt.Errorf("org: freeze of %s by %s: %w", account, org, err)
	}
	if !found {
		return nil, ErrNotFrozen.Wrapf("%s has not frozen %s", modules.Truncate(org), modules.Truncate(account))
	}
	return f, nil
}

// RootFrozen reports whether the root federation has frozen account. Its
// scope is the whole network, so the ante handler refuses every
// transaction such an account signs but the documented exceptions (the
// rows with FrozenMaySend), and the sponsor checks refuse it as payer or
// sponsor signer. One read.
func (k *Keeper) RootFrozen(ctx modules.Context, account string) bool {
	return ctx.Store.Has(RootFreezeKey(account))
}

// RefuseFrozen returns ErrFrozenInScope when account may not act within
// target because an organization whose scope holds target has frozen it.
// An organization's scope is itself and every organization below it in the
// federation tree; a target that is not an organization (a person's DID)
// lies only within the root federation's scope, the whole network. The
// caller has authorized account to act for target otherwise. A plain error
// is a broken store or invariant.
//
// It reads one key for an account that no organization has frozen, and
// otherwise at most MaxDepth+1 organizations with one freeze key each:
// from target up to the root, whatever the number of the account's
// freezes.
func (k *Keeper) RefuseFrozen(ctx modules.Context, account, target string) error {
	n, err := k.freezeCount(ctx, account)
	if err != nil || n == 0 {
		return err
	}
	o, err := k.Organization(ctx, target)
	switch {
	case errors.Is(err, ErrUnknownOrg):
		if k.RootFrozen(ctx, account) {
			return ErrFrozenInScope.Wrapf("the root federation froze %s, and its scope is the whole network", account)
		}
		return nil
	case err != nil:
		return err
	}
	return k.refuseFrozenWithin(ctx, account, o)
}

// refuseAuthorityFrozen is RefuseFrozen for the message's authority acting
// within o, an organization the handler has loaded.
func (k *Keeper) refuseAuthorityFrozen(ctx modules.Context, o *identityv1.Organization) error {
	n, err := k.freezeCount(ctx, ctx.Authority)
	if err != nil || n == 0 {
		return err
	}
	return k.refuseFrozenWithin(ctx, ctx.Authority, o)
}

// standsWithin reports whether account stands within o's scope: any
// registered DID for the root federation, whose scope is the whole
// network; otherwise a member of o or of an organization below it. It
// reads the account's memberships (at most MaxMembershipsPerDID) and walks
// from each up to o or the root (at most MaxDepth levels).
func (k *Keeper) standsWithin(ctx modules.Context, account string, o *identityv1.Organization) (bool, error) {
	if o.Parent == "" {
		return k.dids.Exists(ctx, account), nil
	}
	orgs, err := k.memberOf(ctx, account)
	if err != nil {
		return false, err
	}
	for _, org := range orgs {
		member, err := k.Organization(ctx, org)
		if err != nil {
			return false, fmt.Errorf("org: %s is indexed as a member of %s: %w", account, org, err)
		}
		for depth := 0; ; depth++ {
			if member.Did == o.Did {
				return true, nil
			}
			if member.Parent == "" {
				break
			}
			if depth == MaxDepth {
				return false, fmt.Errorf("org: %s lies more than %d levels below the root federation", org, MaxDepth)
			}
			if member, err = k.parentOf(ctx, member); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

// refuseFrozenWithin walks from o up to the root federation and returns
// ErrFrozenInScope at the first organization that has frozen account.
// Organizations lie at most MaxDepth levels below the root, so a longer
// walk, or a missing parent, is a broken invariant.
func (k *Keeper) refuseFrozenWithin(ctx modules.Context, account string, o *identityv1.Organization) error {
	target := o.Did
	for depth := 0; ; depth++ {
		if ctx.Store.Has(FreezeKey(account, o.Did)) {
			return ErrFrozenInScope.Wrapf("%s froze %s, and %s lies within its scope", o.Did, account, target)
		}
		if o.Parent == "" {
			return nil
		}
		if depth == MaxDepth {
			return fmt.Errorf("org: %s lies more than %d levels below the root federation", target, MaxDepth)
		}
		parent, err := k.parentOf(ctx, o)
		if err != nil {
			return err
		}
		o = parent
	}
}

// depth returns how many levels below the root federation o lies. Stored
// organizations lie at most MaxDepth levels deep; a longer walk or a
// missing parent is a broken invariant.
func (k *Keeper) depth(ctx modules.Context, o *identityv1.Organization) (int, error) {
	d := 0
	for o.Parent != "" {
		if d == MaxDepth {
			return 0, fmt.Errorf("org: %s lies more than %d levels below the root federation", o.Did, MaxDepth)
		}
		parent, err := k.parentOf(ctx, o)
		if err != nil {
			return 0, err
		}
		o = parent
		d++
	}
	return d, nil
}

// parentOf loads the parent of o, which is not the root federation. Every
// parent is stored (doc.go), so a missing one is a broken invariant,
// returned as a plain error.
func (k *Keeper) parentOf(ctx modules.Context, o *identityv1.Organization) (*identityv1.Organization, error) {
	parent, found, err := modules.Load[identityv1.Organization](ctx.Store, OrganizationKey(o.Parent))
	if err != nil {
		return nil, fmt.Errorf("org: organization %s: %w", o.Parent, err)
	}
	if !found {
		return nil, fmt.Errorf("org: %s names the missing parent %s", o.Did, o.Parent)
	}
	return parent, nil
}

func (k *Keeper) freezeCount(ctx modules.Context, account string) (uint32, error) {
	bz := ctx.Store.Get(FreezeCountKey(account))
	if bz == nil {
		return 0, nil
	}
	if len(bz) != 4 {
		return 0, fmt.Errorf("org: stored freeze count of %s has %d bytes, want 4", account, len(bz))
	}
	return binary.BigEndian.Uint32(bz), nil
}

// adjustFreezeCount adds delta (+1 or -1) to account's freeze count,
// deleting the key at zero.
func (k *Keeper) adjustFreezeCount(ctx modules.Context, account string, delta int) error {
	n, err := k.freezeCount(ctx, account)
	if err != nil {
		return err
	}
	next := int64(n) + int64(delta)
	if next < 0 || next > math.MaxUint32 {
		return fmt.Errorf("org: freeze count of %s would become %d", account, next)
	}
	if next == 0 {
		ctx.Store.Delete(FreezeCountKey(account))
		return nil
	}
	var bz [4]byte
	binary.BigEndian.PutUint32(bz[:], uint32(next))
	ctx.Store.Set(FreezeCountKey(account), bz[:])
	return nil
}

// Every record below names its organization, so its encoding is never
// empty (modules.Save refuses empty records).

func (k *Keeper) setOrganization(ctx modules.Context, o *identityv1.Organization) error {
	return modules.Save(ctx.Store, OrganizationKey(o.Did), o)
}

// setMembership writes m, its member-of index entry and, while m holds no
// seat, its waiting entry.
func (k *Keeper) setMembership(ctx modules.Context, m *identityv1.Membership) error {
	if err := modules.Save(ctx.Store, MembershipKey(m.Org, m.Member), m); err != nil {
		return err
	}
	ctx.Store.Set(MemberOfKey(m.Member, m.Org), memberOfMarker)
	if m.Seated {
		ctx.Store.Delete(WaitingKey(m.Org, m.Member))
	} else {
		ctx.Store.Set(WaitingKey(m.Org, m.Member), memberOfMarker)
	}
	return nil
}

// deleteMembership removes member's membership of org and its index
// entries. The caller accounts for a seat it held.
func (k *Keeper) deleteMembership(ctx modules.Context, org, member string) {
	ctx.Store.Delete(MembershipKey(org, member))
	ctx.Store.Delete(MemberOfKey(member, org))
	ctx.Store.Delete(WaitingKey(org, member))
}

func (k *Keeper) setInvitation(ctx modules.Context, inv *identityv1.Invitation) error {
	return modules.Save(ctx.Store, InvitationKey(inv.Org, inv.Member), inv)
}

// addFreeze writes f, a new freeze by o, counting it in the account's
// freeze count and, when o is the root federation, setting the account's
// root freeze marker.
func (k *Keeper) addFreeze(ctx modules.Context, o *identityv1.Organization, f *identityv1.Freeze) error {
	if err := k.adjustFreezeCount(ctx, f.Account, +1); err != nil {
		return err
	}
	if o.Parent == "" {
		ctx.Store.Set(RootFreezeKey(f.Account), frozenMarker)
	}
	return modules.Save(ctx.Store, FreezeKey(f.Account, f.Org), f)
}

// deleteFreeze removes o's freeze of account, uncounts it, and clears the
// root freeze marker when o is the root federation.
func (k *Keeper) deleteFreeze(ctx modules.Context, o *identityv1.Organization, account string) error {
	ctx.Store.Delete(FreezeKey(account, o.Did))
	if o.Parent == "" {
		ctx.Store.Delete(RootFreezeKey(account))
	}
	return k.adjustFreezeCount(ctx, account, -1)
}

// hasRole reports whether sorted roles hold role.
func hasRole(roles []string, role string) bool {
	i := sort.SearchStrings(roles, role)
	return i < len(roles) && roles[i] == role
}

// withRole returns sorted roles with role added; roles must not hold it.
func withRole(roles []string, role string) []string {
	out := append(append(make([]string, 0, len(roles)+1), roles...), role)
	sort.Strings(out)
	return out
}

// withoutRole returns sorted roles without role.
func withoutRole(roles []string, role string) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if r != role {
			out = append(out, r)
		}
	}
	return out
}

// MaxDepth bounds how far below the root federation an organization may
// lie (the root is at depth 0, its children at 1), so that the walk up the
// tree a scoped freeze check takes (RefuseFrozen) stays short: at most
// MaxDepth+1 organizations. A federation of federations of cooperatives
// needs 3 levels.
const MaxDepth = 8

// MaxMembershipsPerDID bounds the organizations one DID may belong to, so
// that the work a membership change costs (OrganizationsOf, mana capacity)
// stays bounded.
const MaxMembershipsPerDID = 32

// checkMembershipRoom returns ErrTooManyMemberships when account already
// belongs to MaxMembershipsPerDID organizations. It reads at most that many
// index entries.
func (k *Keeper) checkMembershipRoom(ctx modules.Context, account string) error {
	prefix := MemberOfPrefix(account)
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	n := 0
	for ; it.Valid() && n < MaxMembershipsPerDID; it.Next() {
		n++
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("org: iterate memberships of %s: %w", account, err)
	}
	if n >= MaxMembershipsPerDID {
		return ErrTooManyMemberships.Wrapf("%s belongs to %d organizations", account, n)
	}
	return nil
}
