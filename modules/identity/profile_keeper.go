package identity

import (
	"bytes"
	"fmt"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Profile loads did's profile. It returns ErrNoProfile when none is stored,
// and a plain error (a broken invariant) when the stored bytes do not
// decode. The caller owns the returned value.
func (k *Keeper) Profile(ctx modules.Context, did string) (*identityv1.Profile, error) {
	bz := ctx.Store.Get(ProfileKey(did))
	if bz == nil {
		return nil, ErrNoProfile.Wrapf("%s", did)
	}
	p := new(identityv1.Profile)
	if err := p.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("identity: stored profile of %s is corrupt: %w", did, err)
	}
	return p, nil
}

// DIDByEmail returns the DID whose profile carries the email hash h, and
// false when none does.
func (k *Keeper) DIDByEmail(ctx modules.Context, h []byte) (string, bool) {
	bz := ctx.Store.Get(EmailIndexKey(h))
	return string(bz), bz != nil
}

// SetProfile replaces the signer's profile with m and moves its email index
// entry: the old hash's entry is deleted, the new one written. An email
// hash already indexed for another DID is refused (ErrEmailTaken). The
// message must have passed ValidateSetProfile.
func (k *Keeper) SetProfile(ctx modules.Context, m *identityv1.MsgSetProfile) error {
	did := ctx.Signer
	if len(m.EmailHash) > 0 {
		if owner, ok := k.DIDByEmail(ctx, m.EmailHash); ok && owner != did {
			return ErrEmailTaken.Wrapf("the email hash is indexed for another DID")
		}
	}
	old, err := k.loadProfileIfAny(ctx, did)
	if err != nil {
		return err
	}
	if old != nil && len(old.EmailHash) > 0 && !bytes.Equal(old.EmailHash, m.EmailHash) {
		ctx.Store.Delete(EmailIndexKey(old.EmailHash))
	}
	p := &identityv1.Profile{
		Did:           did,
		Salt:          m.Salt,
		EmailHash:     m.EmailHash,
		Fields:        m.Fields,
		UpdatedHeight: ctx.Height,
	}
	if err := k.setProfile(ctx, p); err != nil {
		return err
	}
	ctx.Emit(EventProfileSet{DID: did, Fields: len(m.Fields), EmailIndexed: len(m.EmailHash) > 0})
	return nil
}

// EraseProfile deletes the signer's profile and its email index entry from
// the current state. Earlier versions of the state, and the blocks that
// carried the profile, still hold them (docs/profiles.md).
func (k *Keeper) EraseProfile(ctx modules.Context) error {
	did := ctx.Signer
	p, err := k.Profile(ctx, did)
	if err != nil {
		return err
	}
	if len(p.EmailHash) > 0 {
		ctx.Store.Delete(EmailIndexKey(p.EmailHash))
	}
	ctx.Store.Delete(ProfileKey(did))
	ctx.Emit(EventProfileErased{DID: did})
	return nil
}

// loadProfileIfAny is Profile with an absent profile as nil, nil.
func (k *Keeper) loadProfileIfAny(ctx modules.Context, did string) (*identityv1.Profile, error) {
	if !ctx.Store.Has(ProfileKey(did)) {
		return nil, nil
	}
	return k.Profile(ctx, did)
}

// setProfile stores p and its email index entry, if it has an email hash.
func (k *Keeper) setProfile(ctx modules.Context, p *identityv1.Profile) error {
	bz, err := p.Marshal()
	if err != nil {
		return fmt.Errorf("identity: encode profile of %s: %w", p.Did, err)
	}
	ctx.Store.Set(ProfileKey(p.Did), bz)
	if len(p.EmailHash) > 0 {
		ctx.Store.Set(EmailIndexKey(p.EmailHash), []byte(p.Did))
	}
	return nil
}
