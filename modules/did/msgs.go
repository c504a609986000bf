package did

import (
	"crypto/ed25519"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// MaxKeyIDLength bounds a verification key id.
const MaxKeyIDLength = 32

// FirstKeyID is the id of the key a DID is registered with.
const FirstKeyID = "key-1"

// ValidateKeyID checks a key id: 1 to MaxKeyIDLength characters of [a-z0-9-].
func ValidateKeyID(id string) error {
	if id == "" || len(id) > MaxKeyIDLength {
		return ErrInvalidKeyID.Wrapf("%q: want 1 to %d characters", modules.Truncate(id), MaxKeyIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return ErrInvalidKeyID.Wrapf("%q: only a-z, 0-9 and '-' are allowed", modules.Truncate(id))
		}
	}
	return nil
}

// ValidateRegisterDID is the stateless check of MsgRegisterDID.
func ValidateRegisterDID(m *identityv1.MsgRegisterDID) error {
	if len(m.PublicKey) != ed25519.PublicKeySize {
		return ErrInvalidPublicKey.Wrapf("want %d bytes, have %d", ed25519.PublicKeySize, len(m.PublicKey))
	}
	if len(m.ProofOfPossession) != ed25519.SignatureSize {
		return ErrBadProofOfPossession.Wrapf("want a %d-byte signature, have %d bytes", ed25519.SignatureSize, len(m.ProofOfPossession))
	}
	return nil
}

// KeyPossessionBytes are what a key signs to prove possession when it is
// added to did's document as keyID on chainID, by MsgAddKey or as the new key
// of MsgRotateKey (docs/did-method.md). Binding the key id makes a proof
// good for one key slot only, and key ids are never reused within a
// document, so a proof can be used at most once.
func KeyPossessionBytes(chainID, did, keyID string) []byte {
	return []byte("icn/identity/add-key\x00" + chainID + "\x00" + did + "\x00" + keyID)
}

// validateNewKey checks the shape of a key being added: its id, its 32
// bytes and a 64-byte proof of possession.
func validateNewKey(keyID string, pub, pop []byte) error {
	if err := ValidateKeyID(keyID); err != nil {
		return err
	}
	if len(pub) != ed25519.PublicKeySize {
		return ErrInvalidPublicKey.Wrapf("want %d bytes, have %d", ed25519.PublicKeySize, len(pub))
	}
	if len(pop) != ed25519.SignatureSize {
		return ErrBadProofOfPossession.Wrapf("want a %d-byte signature, have %d bytes", ed25519.SignatureSize, len(pop))
	}
	return nil
}

// ValidateAddKey is the stateless check of MsgAddKey.
func ValidateAddKey(m *identityv1.MsgAddKey) error {
	if err := ParseDID(m.Did); err != nil {
		return err
	}
	return validateNewKey(m.KeyId, m.PublicKey, m.ProofOfPossession)
}

// ValidateRotateKey is the stateless check of MsgRotateKey. The new key id
// must differ from the one it replaces: ids are never reused.
func ValidateRotateKey(m *identityv1.MsgRotateKey) error {
	if err := ParseDID(m.Did); err != nil {
		return err
	}
	if err := ValidateKeyID(m.KeyId); err != nil {
		return err
	}
	if err := validateNewKey(m.NewKeyId, m.NewPublicKey, m.ProofOfPossession); err != nil {
		return err
	}
	if m.NewKeyId == m.KeyId {
		return ErrKeyIDTaken.Wrapf("the new key id %q is the id of the key it replaces", m.NewKeyId)
	}
	return nil
}

// ValidateRevokeKey is the stateless check of MsgRevokeKey.
func ValidateRevokeKey(m *identityv1.MsgRevokeKey) error {
	if err := ParseDID(m.Did); err != nil {
		return err
	}
	return ValidateKeyID(m.KeyId)
}

// ValidateDeactivateDID is the stateless check of MsgDeactivateDID.
func ValidateDeactivateDID(m *identityv1.MsgDeactivateDID) error {
	return ParseDID(m.Did)
}
