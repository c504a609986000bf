package profile

import (
	"sort"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Genesis is the profile module's part of the genesis app state.
type Genesis struct {
	// Profiles are the encrypted profiles; InitGenesis rebuilds their
	// email index.
	Profiles []*identityv1.Profile `json:"profiles"`
}

// Validate checks the profiles against registered, the DIDs the genesis
// registers (documents and organizations): each as MsgSetProfile would
// have stored it, for a registered DID, and at most one per DID. Profiles
// may share an email hash: the index lists every DID that claims one. The
// email index is not part of genesis: InitGenesis rebuilds it.
func (g Genesis) Validate(registered map[string]bool) error {
	dids := make(map[string]bool, len(g.Profiles))
	for i, p := range g.Profiles {
		if p == nil {
			return ErrInvalidGenesis.Wrapf("profile %d is null", i)
		}
		if !registered[p.Did] {
			return ErrInvalidGenesis.Wrapf("profile %d: %q is not a genesis DID", i, modules.Truncate(p.Did))
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

// InitGenesis stores the validated profiles, and one email index entry for
// each profile with an email hash, in DID order. g is not modified.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	sorted := append([]*identityv1.Profile(nil), g.Profiles...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Did < sorted[j].Did })
	for _, p := range sorted {
		if err := k.setProfile(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis returns every profile in key order.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	g := Genesis{Profiles: []*identityv1.Profile{}}
	err := modules.Walk(ctx.Store, []byte{StorePrefix, subProfile}, func(_ []byte, p *identityv1.Profile) (bool, error) {
		g.Profiles = append(g.Profiles, p)
		return false, nil
	})
	if err != nil {
		return Genesis{}, err
	}
	return g, nil
}
