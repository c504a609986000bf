package identity

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// Organization loads org's record. Errors: ErrUnknownOrg when org is not an
// organization, and a plain error (a broken invariant) when the stored
// bytes do not decode. The caller owns the returned value.
func (k *Keeper) Organization(ctx modules.Context, org string) (*identityv1.Organization, error) {
	o := new(identityv1.Organization)
	found, err := loadRecord(ctx, OrganizationKey(org), o)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrUnknownOrg.Wrapf("%s", truncate(org))
	}
	return o, nil
}

// IsOrganization reports whether did is an organization's DID.
func (k *Keeper) IsOrganization(ctx modules.Context, did string) bool {
	return ctx.Store.Has(OrganizationKey(did))
}

// Membership loads member's membership of org. Errors: ErrNotMember, and a
// plain error for a corrupt record. The caller owns the returned value.
func (k *Keeper) Membership(ctx modules.Context, org, member string) (*identityv1.Membership, error) {
	m := new(identityv1.Membership)
	found, err := loadRecord(ctx, MembershipKey(org, member), m)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNotMember.Wrapf("%s is not a member of %s", truncate(member), truncate(org))
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
	err := walkPrefix(ctx, MembersPrefix(org), func(key, value []byte) error {
		m := new(identityv1.Membership)
		if err := m.Unmarshal(value); err != nil {
			return fmt.Errorf("identity: corrupt membership under key %x: %w", key, err)
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// OrganizationsOf returns the organizations did is a member of, sorted by
// organization DID; none is an empty result, not an error. The caller owns
// the returned values. An index entry without its organization is a broken
// invariant, returned as a plain error.
func (k *Keeper) OrganizationsOf(ctx modules.Context, did string) ([]*identityv1.Organization, error) {
	var orgs []string
	err := walkPrefix(ctx, MemberOfPrefix(did), func(key, _ []byte) error {
		org, ok := lastDID(key)
		if !ok {
			return fmt.Errorf("identity: malformed member-of key %x", key)
		}
		orgs = append(orgs, org)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*identityv1.Organization, 0, len(orgs))
	for _, org := range orgs {
		o, err := k.Organization(ctx, org)
		if err != nil {
			return nil, fmt.Errorf("identity: %s is indexed as a member of %s: %w", did, org, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// Invitation loads member's pending invitation to org. Errors:
// ErrNoInvitation, and a plain error for a corrupt record.
func (k *Keeper) Invitation(ctx modules.Context, org, member string) (*identityv1.Invitation, error) {
	inv := new(identityv1.Invitation)
	found, err := loadRecord(ctx, InvitationKey(org, member), inv)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNoInvitation.Wrapf("%s has no pending invitation to %s", truncate(member), truncate(org))
	}
	return inv, nil
}

// FreezeOf loads org's freeze of account. Errors: ErrNotFrozen, and a plain
// error for a corrupt record.
func (k *Keeper) FreezeOf(ctx modules.Context, account, org string) (*identityv1.Freeze, error) {
	f := new(identityv1.Freeze)
	found, err := loadRecord(ctx, FreezeKey(account, org), f)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNotFrozen.Wrapf("%s has not frozen %s", truncate(org), truncate(account))
	}
	return f, nil
}

// Frozen reports whether any organization has frozen did. The ante handler
// calls it for every transaction's signer; a frozen signer may send only
// the documented exceptions (MsgAppealFreeze). The error is reserved for a
// broken store.
func (k *Keeper) Frozen(ctx modules.Context, did string) (bool, error) {
	n, err := k.freezeCount(ctx, did)
	return n > 0, err
}

func (k *Keeper) freezeCount(ctx modules.Context, did string) (uint32, error) {
	bz := ctx.Store.Get(FreezeCountKey(did))
	if bz == nil {
		return 0, nil
	}
	if len(bz) != 4 {
		return 0, fmt.Errorf("identity: stored freeze count of %s has %d bytes, want 4", did, len(bz))
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
		return fmt.Errorf("identity: freeze count of %s would become %d", account, next)
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

func (k *Keeper) setOrganization(ctx modules.Context, o *identityv1.Organization) error {
	return saveRecord(ctx, OrganizationKey(o.Did), o)
}

// setMembership writes m and its member-of index entry.
func (k *Keeper) setMembership(ctx modules.Context, m *identityv1.Membership) error {
	if err := saveRecord(ctx, MembershipKey(m.Org, m.Member), m); err != nil {
		return err
	}
	ctx.Store.Set(MemberOfKey(m.Member, m.Org), memberOfMarker)
	return nil
}

// deleteMembership removes member's membership of org and its index entry.
func (k *Keeper) deleteMembership(ctx modules.Context, org, member string) {
	ctx.Store.Delete(MembershipKey(org, member))
	ctx.Store.Delete(MemberOfKey(member, org))
}

func (k *Keeper) setInvitation(ctx modules.Context, inv *identityv1.Invitation) error {
	return saveRecord(ctx, InvitationKey(inv.Org, inv.Member), inv)
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
	return saveRecord(ctx, key, f)
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

// storedMessage is a gogoproto message with the generated codec methods.
type storedMessage interface {
	proto.Message
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// loadRecord decodes the value under key into m and reports whether there
// was one. A value that does not decode is a broken invariant.
func loadRecord(ctx modules.Context, key []byte, m storedMessage) (bool, error) {
	bz := ctx.Store.Get(key)
	if bz == nil {
		return false, nil
	}
	if err := m.Unmarshal(bz); err != nil {
		return false, fmt.Errorf("identity: corrupt %s under key %x: %w", proto.MessageName(m), key, err)
	}
	return true, nil
}

// saveRecord encodes m under key. Every record saved here names its
// organization, so the encoding is never empty.
func saveRecord(ctx modules.Context, key []byte, m storedMessage) error {
	bz, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("identity: encode %s: %w", proto.MessageName(m), err)
	}
	ctx.Store.Set(key, bz)
	return nil
}

// walkPrefix calls fn for every key under prefix, in key order, and stops
// at the first error. fn must not write to the store.
func walkPrefix(ctx modules.Context, prefix []byte, fn func(key, value []byte) error) (err error) {
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	defer func() {
		if cerr := it.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("identity: iterate %x: %w", prefix, cerr)
		}
	}()
	for ; it.Valid(); it.Next() {
		if err := fn(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	return nil
}

// MaxMembershipsPerDID bounds the organizations one DID may belong to, so
// that the work a membership change costs (OrganizationsOf, mana capacity)
// stays bounded.
const MaxMembershipsPerDID = 32

// checkMembershipRoom returns ErrTooManyMemberships when did already
// belongs to MaxMembershipsPerDID organizations. It reads at most that many
// index entries.
func (k *Keeper) checkMembershipRoom(ctx modules.Context, did string) error {
	prefix := MemberOfPrefix(did)
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	n := 0
	for ; it.Valid() && n < MaxMembershipsPerDID; it.Next() {
		n++
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("identity: iterate memberships of %s: %w", did, err)
	}
	if n >= MaxMembershipsPerDID {
		return ErrTooManyMemberships.Wrapf("%s belongs to %d organizations", did, n)
	}
	return nil
}
