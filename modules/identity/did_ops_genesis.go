package identity

import identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"

// validateLifecycle checks the lifecycle fields of a genesis document whose
// DID and key ids are already known to be valid: heights are not negative
// and a key is not revoked before it was added; no public key appears
// twice; an active document with keys has at least one active key; the
// controllers pass ValidateControllers, are sorted (as SetControllers stores
// them) and name genesis DIDs (registered reports whether a DID is one).
func validateLifecycle(doc *identityv1.DIDDocument, registered func(string) bool) error {
	if doc.CreatedHeight < 0 || doc.UpdatedHeight < 0 || doc.DeactivatedHeight < 0 {
		return ErrInvalidGenesis.Wrapf("%s: negative height", doc.Did)
	}
	pubs := make(map[string]string, len(doc.Keys))
	for _, vk := range doc.Keys {
		if vk.AddedHeight < 0 || vk.RevokedHeight < 0 {
			return ErrInvalidGenesis.Wrapf("%s#%s: negative height", doc.Did, vk.Id)
		}
		if vk.RevokedHeight != 0 && vk.RevokedHeight < vk.AddedHeight {
			return ErrInvalidGenesis.Wrapf("%s#%s: revoked at height %d, before it was added at %d", doc.Did, vk.Id, vk.RevokedHeight, vk.AddedHeight)
		}
		if other, ok := pubs[string(vk.PublicKey)]; ok {
			return ErrInvalidGenesis.Wrapf("%s: #%s and #%s hold the same public key", doc.Did, other, vk.Id)
		}
		pubs[string(vk.PublicKey)] = vk.Id
	}
	if doc.DeactivatedHeight == 0 && len(doc.Keys) > 0 && activeKeys(doc) == 0 {
		return ErrInvalidGenesis.Wrapf("%s is active but all its keys are revoked", doc.Did)
	}
	if err := ValidateControllers(doc.Controllers); err != nil {
		return ErrInvalidGenesis.Wrapf("%s: %v", doc.Did, err)
	}
	for i, c := range doc.Controllers {
		if i > 0 && doc.Controllers[i-1] >= c {
			return ErrInvalidGenesis.Wrapf("%s: controllers must be sorted", doc.Did)
		}
		if !registered(c) {
			return ErrInvalidGenesis.Wrapf("%s: controller %s is not a genesis DID", doc.Did, c)
		}
	}
	return nil
}
