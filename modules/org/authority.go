package org

import (
	"errors"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// AuthorizeControl checks that ctx.Authority may send org's privileged
// messages (authorizeControl): for other modules whose messages act for an
// organization (a treasury spend). Errors as authorizeControl.
func (k *Keeper) AuthorizeControl(ctx modules.Context, org string) error {
	_, err := k.authorizeControl(ctx, org)
	return err
}

// IsRoot reports whether did is the root federation. A plain error is a
// broken store.
func (k *Keeper) IsRoot(ctx modules.Context, did string) (bool, error) {
	o, err := k.Organization(ctx, did)
	switch {
	case errors.Is(err, ErrUnknownOrg):
		return false, nil
	case err != nil:
		return false, err
	}
	return o.Parent == "", nil
}

// MembersUpTo returns at most limit memberships of org, sorted by member
// DID, and whether org has more. The caller owns the returned values.
func (k *Keeper) MembersUpTo(ctx modules.Context, org string, limit int) ([]*identityv1.Membership, bool, error) {
	var out []*identityv1.Membership
	more := false
	err := modules.Walk(ctx.Store, MembersPrefix(org), func(_ []byte, m *identityv1.Membership) (bool, error) {
		if len(out) == limit {
			more = true
			return true, nil
		}
		out = append(out, m)
		return false, nil
	})
	return out, more, err
}
