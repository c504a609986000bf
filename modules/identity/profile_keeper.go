package identity

import (
	"bytes"
	"fmt"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
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

// DIDsByEmail returns, in DID order, the DIDs whose profiles carry the
// email hash h: every DID that claims it, which proves nothing about who
// owns the address (docs/profiles.md, section 3). It reads at most limit
// entries and reports more when further DIDs claim h. A malformed index key
// is a broken invariant, returned as a plain error. The caller owns the
// returned slice.
func (k *Keeper) DIDsByEmail(ctx modules.Context, h []byte, limit int) (dids []string, more bool, err error) {
	prefix := EmailIndexPrefix(h)
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	defer func() {
		if cerr := it.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("identity: iterate %x: %w", prefix, cerr)
		}
	}()
	for ; it.Valid(); it.Next() {
		if len(dids) == limit {
			return dids, true, nil
		}
		did, ok := lastDID(it.Key())
		if !ok || len(it.Key()) != len(prefix)+1+DIDLength {
			return nil, false, fmt.Errorf("identity: malformed email index key %x", it.Key())
		}
		dids = append(dids, did)
	}
	return dids, false, nil
}

// SetProfile replaces the signer's profile with m and moves the signer's
// email index entry: its entry under the old hash is deleted, one under the
// new hash written. Other DIDs' entries are never read or touched: the
// index is not unique, so claiming a hash first locks nobody out. The
// message must have passed ValidateSetProfile.
func (k *Keeper) SetProfile(ctx modules.Context, m *identityv1.MsgSetProfile) error {
	did := ctx.Signer
	old, err := k.loadProfileIfAny(ctx, did)
	if err != nil {
		return err
	}
	if old != nil && len(old.EmailHash) > 0 && !bytes.Equal(old.EmailHash, m.EmailHash) {
		ctx.Store.Delete(EmailIndexKey(old.EmailHash, did))
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

// EraseProfile deletes the signer's profile and the signer's email index
// entry from the current state; other DIDs' claims of the same hash stay. Earlier versions of the state, and the blocks that
// carried the profile, still hold them (docs/profiles.md).
func (k *Keeper) EraseProfile(ctx modules.Context) error {
	did := ctx.Signer
	p, err := k.Profile(ctx, did)
	if err != nil {
		return err
	}
	if len(p.EmailHash) > 0 {
		ctx.Store.Delete(EmailIndexKey(p.EmailHash, did))
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

// setProfile stores p and, if it has an email hash, p's DID's entry in the
// email index.
func (k *Keeper) setProfile(ctx modules.Context, p *identityv1.Profile) error {
	bz, err := p.Marshal()
	if err != nil {
		return fmt.Errorf("identity: encode profile of %s: %w", p.Did, err)
	}
	ctx.Store.Set(ProfileKey(p.Did), bz)
	if len(p.EmailHash) > 0 {
		ctx.Store.Set(EmailIndexKey(p.EmailHash, p.Did), emailClaimMarker)
	}
	return nil
}
