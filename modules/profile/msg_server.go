package profile

import (
	"bytes"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// SetProfile replaces the authority's profile with m and moves the
// authority's email index entry: its entry under the old hash is deleted,
// one under the new hash written. Other DIDs' entries are never read or
// touched: the index is not unique, so claiming a hash first locks nobody
// out. The message must have passed ValidateSetProfile.
func (k *Keeper) SetProfile(ctx modules.Context, m *identityv1.MsgSetProfile) error {
	owner := ctx.Authority
	old, err := k.loadProfileIfAny(ctx, owner)
	if err != nil {
		return err
	}
	if old != nil && len(old.EmailHash) > 0 && !bytes.Equal(old.EmailHash, m.EmailHash) {
		ctx.Store.Delete(EmailIndexKey(old.EmailHash, owner))
	}
	p := &identityv1.Profile{
		Did:           owner,
		Salt:          m.Salt,
		EmailHash:     m.EmailHash,
		Fields:        m.Fields,
		UpdatedHeight: ctx.Height,
	}
	if err := k.setProfile(ctx, p); err != nil {
		return err
	}
	ctx.Emit(EventProfileSet{DID: owner, Fields: len(m.Fields), EmailIndexed: len(m.EmailHash) > 0})
	return nil
}

// EraseProfile deletes the authority's profile and its email index entry
// from the current state; other DIDs' claims of the same hash stay. Earlier
// versions of the state, and the blocks that carried the profile, still
// hold them (docs/profiles.md). Errors: ErrNoProfile.
func (k *Keeper) EraseProfile(ctx modules.Context) error {
	owner := ctx.Authority
	p, err := k.Profile(ctx, owner)
	if err != nil {
		return err
	}
	if len(p.EmailHash) > 0 {
		ctx.Store.Delete(EmailIndexKey(p.EmailHash, owner))
	}
	ctx.Store.Delete(ProfileKey(owner))
	ctx.Emit(EventProfileErased{DID: owner})
	return nil
}
