package did

import identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"

// Bounds on the verification keys of one DID document. Revoked keys stay in
// the document (credentials signed before a revocation are checked against
// them), so the history has its own, larger bound: a compromised key that
// adds keys up to the active bound cannot stop the owner from revoking
// them and rotating on.
const (
	// MaxActiveKeysPerDocument bounds the keys that may sign at once.
	MaxActiveKeysPerDocument = 16
	// MaxKeysPerDocument bounds all keys ever held, revoked ones included.
	MaxKeysPerDocument = 64
)

// FindKey returns doc's key keyID, active or revoked, or nil when doc never
// held it. The key is doc's own: the caller modifies it only to change doc.
func FindKey(doc *identityv1.DIDDocument, keyID string) *identityv1.VerificationKey {
	for _, vk := range doc.Keys {
		if vk.Id == keyID {
			return vk
		}
	}
	return nil
}

// activeKey returns doc's key keyID for modification. Errors: ErrUnknownKey,
// ErrKeyRevoked.
func activeKey(doc *identityv1.DIDDocument, keyID string) (*identityv1.VerificationKey, error) {
	vk := FindKey(doc, keyID)
	if vk == nil {
		return nil, ErrUnknownKey.Wrapf("%s#%s", doc.Did, keyID)
	}
	if vk.RevokedHeight != 0 {
		return nil, ErrKeyRevoked.Wrapf("%s#%s at height %d", doc.Did, keyID, vk.RevokedHeight)
	}
	return vk, nil
}

// countActive counts the keys that are not revoked.
func countActive(keys []*identityv1.VerificationKey) int {
	n := 0
	for _, vk := range keys {
		if vk != nil && vk.RevokedHeight == 0 {
			n++
		}
	}
	return n
}
