package org

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mana"
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
	orgs, err := k.orgsOf(ctx, account)
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

// orgsOf returns the DIDs of the organizations account is a member of,
// from the member-of index, sorted. There are at most MaxMembershipsPerDID.
func (k *Keeper) orgsOf(ctx modules.Context, account string) ([]string, error) {
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

// SeatedKinds implements mana.Memberships: the mana kind of every
// organization in which account holds a bonus seat, sorted. Memberships
// waiting for a seat earn nothing. A stored organization always has a known
// kind, so any other is a broken invariant.
func (k *Keeper) SeatedKinds(ctx modules.Context, account string) ([]string, error) {
	orgs, err := k.orgsOf(ctx, account)
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

// manaKind names o's kind as mana's params do.
func manaKind(o *identityv1.Organization) (string, error) {
	switch o.Kind {
	case identityv1.OrgKind_ORG_KIND_COMMUNITY:
		return mana.KindCommunity, nil
	case identityv1.OrgKind_ORG_KIND_COOPERATIVE:
		return mana.KindCooperative, nil
	case identityv1.OrgKind_ORG_KIND_FEDERATION:
		return mana.KindFederation, nil
	default:
		return "", fmt.Errorf("org: organization %s has kind %v, which mana does not know", o.Did, o.Kind)
	}
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

// Frozen reports whether any organization has frozen account. The ante
// handler calls it for every transaction's signer; a frozen signer may send
// only the documented exceptions (MsgAppealFreeze). The error is reserved
// for a broken store.
func (k *Keeper) Frozen(ctx modules.Context, account string) (bool, error) {
	n, err := k.freezeCount(ctx, account)
	return n > 0, err
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

// setFreeze writes f, counting it in the account's freeze count when it is
// new (an appeal rewrites an existing freeze).
func (k *Keeper) setFreeze(ctx modules.Context, f *identityv1.Freeze) error {
	key := FreezeKey(f.Account, f.Org)
	if !ctx.Store.Has(key) {
		if err := k.adjustFreezeCount(ctx, f.Account, +1); err != nil {
			return err
		}
	}
	return modules.Save(ctx.Store, key, f)
}

// deleteFreeze removes org's freeze of account and uncounts it.
func (k *Keeper) deleteFreeze(ctx modules.Context, account, org string) error {
	ctx.Store.Delete(FreezeKey(account, org))
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
