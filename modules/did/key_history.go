package did

import (
	"crypto/ed25519"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// KeyAt returns doc's key keyID as it was at height: added at or before
// height, and neither revoked nor the DID deactivated at or before height.
// It answers from the current document, which keeps every key it ever held
// with its added and revoked heights, so a signature made at an earlier
// height (a credential's issuance) can be checked against the key that was
// valid then. It reads no state, so a client applies the same rule to a
// document it read (and proved) from the chain. Errors: ErrUnknownKey when
// the document never held keyID or added it after height; ErrKeyRevoked
// when it was revoked at or before height; ErrDIDDeactivated when the DID
// was deactivated at or before height. The caller owns the returned key.
func KeyAt(doc *identityv1.DIDDocument, keyID string, height int64) (ed25519.PublicKey, error) {
	vk := FindKey(doc, keyID)
	if vk == nil {
		return nil, ErrUnknownKey.Wrapf("%s#%s", doc.Did, keyID)
	}
	if vk.AddedHeight > height {
		return nil, ErrUnknownKey.Wrapf("%s#%s was added at height %d, after %d", doc.Did, keyID, vk.AddedHeight, height)
	}
	if vk.RevokedHeight != 0 && vk.RevokedHeight <= height {
		return nil, ErrKeyRevoked.Wrapf("%s#%s at height %d, at or before %d", doc.Did, keyID, vk.RevokedHeight, height)
	}
	if doc.DeactivatedHeight != 0 && doc.DeactivatedHeight <= height {
		return nil, ErrDIDDeactivated.Wrapf("%s at height %d, at or before %d", doc.Did, doc.DeactivatedHeight, height)
	}
	return append(ed25519.PublicKey(nil), vk.PublicKey...), nil
}
