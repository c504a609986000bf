package identity

import (
	"crypto/ed25519"

	"github.com/intercooperative/icnd/modules"
)

// KeyAt returns did's key keyID as it was at height: added at or before
// height, and neither revoked nor the DID deactivated at or before height.
// It answers from the current document, which keeps every key it ever held
// with its added and revoked heights, so a signature made at an earlier
// height (a credential's issuance) can be checked against the key that was
// valid then. Errors: ErrUnknownDID; ErrUnknownKey when the document never
// held keyID or added it after height; ErrKeyRevoked when it was revoked
// at or before height; ErrDIDDeactivated when the DID was deactivated at or
// before height. The caller owns the returned key.
func (k *Keeper) KeyAt(ctx modules.Context, did, keyID string, height int64) (ed25519.PublicKey, error) {
	doc, err := k.Document(ctx, did)
	if err != nil {
		return nil, err
	}
	vk := findKey(doc, keyID)
	if vk == nil {
		return nil, ErrUnknownKey.Wrapf("%s#%s", did, keyID)
	}
	if vk.AddedHeight > height {
		return nil, ErrUnknownKey.Wrapf("%s#%s was added at height %d, after %d", did, keyID, vk.AddedHeight, height)
	}
	if vk.RevokedHeight != 0 && vk.RevokedHeight <= height {
		return nil, ErrKeyRevoked.Wrapf("%s#%s at height %d, at or before %d", did, keyID, vk.RevokedHeight, height)
	}
	if doc.DeactivatedHeight != 0 && doc.DeactivatedHeight <= height {
		return nil, ErrDIDDeactivated.Wrapf("%s at height %d, at or before %d", did, doc.DeactivatedHeight, height)
	}
	return append(ed25519.PublicKey(nil), vk.PublicKey...), nil
}
