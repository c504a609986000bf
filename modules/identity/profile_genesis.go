package identity

import (
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// validateProfiles checks genesis profiles: each as MsgSetProfile would
// have stored it, for a registered DID (registered reports whether a DID is
// a genesis DID), and at most one per DID. Profiles may share an email hash:
// the index lists every DID that claims one. The email index is not part of
// genesis: InitGenesis rebuilds it.
func validateProfiles(profiles []*identityv1.Profile, registered func(string) bool) error {
	dids := make(map[string]bool, len(profiles))
	for i, p := range profiles {
		if p == nil {
			return ErrInvalidGenesis.Wrapf("profile %d is null", i)
		}
		if !registered(p.Did) {
			return ErrInvalidGenesis.Wrapf("profile %d: %q is not a genesis DID", i, truncate(p.Did))
		}
		if dids[p.Did] {
			return ErrInvalidGenesis.Wrapf("profile of %s is listed twice", p.Did)
		}
		dids[p.Did] = true
		if err := ValidateSetProfile(&identityv1.MsgSetProfile{Salt: p.Salt, EmailHash: p.EmailHash, Fields: p.Fields}); err != nil {
			return ErrInvalidGenesis.Wrapf("profile of %s: %v", p.Did, err)
		}
		if p.UpdatedHeight < 0 {
			return ErrInvalidGenesis.Wrapf("profile of %s: negative height", p.Did)
		}
	}
	return nil
}

// initProfiles stores validated genesis profiles, and one email index entry
// for each profile with an email hash, in DID order.
func (k *Keeper) initProfiles(ctx modules.Context, profiles []*identityv1.Profile) error {
	sorted := append([]*identityv1.Profile(nil), profiles...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Did < sorted[j].Did })
	for _, p := range sorted {
		if err := k.setProfile(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// exportProfiles returns every profile in key order.
func (k *Keeper) exportProfiles(ctx modules.Context) ([]*identityv1.Profile, error) {
	var out []*identityv1.Profile
	prefix := []byte{StorePrefix, subProfile}
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		p := new(identityv1.Profile)
		if err := p.Unmarshal(it.Value()); err != nil {
			return nil, fmt.Errorf("identity: corrupt profile under key %x: %w", it.Key(), err)
		}
		out = append(out, p)
	}
	return out, nil
}
