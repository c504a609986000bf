package profile

import (
	"fmt"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// Keeper reads and writes profiles and the email index. It holds no state
// of its own and needs no other module: a profile belongs to the message's
// authority, which the app has authenticated (or which is an organization
// acting through governance), so it is always a registered DID.
type Keeper struct{}

// NewKeeper returns a Keeper.
func NewKeeper() *Keeper {
	return &Keeper{}
}

// Profile loads account's profile. It returns ErrNoProfile when none is
// stored, and a plain error (a broken invariant) when the stored bytes do
// not decode. The caller owns the returned value.
func (k *Keeper) Profile(ctx modules.Context, account string) (*identityv1.Profile, error) {
	p, found, err := modules.Load[identityv1.Profile](ctx.Store, ProfileKey(account))
	if err != nil {
		return nil, fmt.Errorf("profile: profile of %s: %w", account, err)
	}
	if !found {
		return nil, ErrNoProfile.Wrapf("%s", account)
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
			err = fmt.Errorf("profile: iterate %x: %w", prefix, cerr)
		}
	}()
	for ; it.Valid(); it.Next() {
		if len(dids) == limit {
			return dids, true, nil
		}
		// After the prefix, a key holds one length-prefixed DID.
		rest := it.Key()[len(prefix):]
		if len(rest) != 1+did.DIDLength || int(rest[0]) != did.DIDLength {
			return nil, false, fmt.Errorf("profile: malformed email index key %x", it.Key())
		}
		dids = append(dids, string(rest[1:]))
	}
	return dids, false, nil
}

// loadProfileIfAny is Profile with an absent profile as nil, nil.
func (k *Keeper) loadProfileIfAny(ctx modules.Context, account string) (*identityv1.Profile, error) {
	if !ctx.Store.Has(ProfileKey(account)) {
		return nil, nil
	}
	return k.Profile(ctx, account)
}

// setProfile stores p and, if it has an email hash, p's DID's entry in the
// email index. Every profile names its DID, so its encoding is never empty.
func (k *Keeper) setProfile(ctx modules.Context, p *identityv1.Profile) error {
	if err := modules.Save(ctx.Store, ProfileKey(p.Did), p); err != nil {
		return err
	}
	if len(p.EmailHash) > 0 {
		ctx.Store.Set(EmailIndexKey(p.EmailHash, p.Did), emailClaimMarker)
	}
	return nil
}
