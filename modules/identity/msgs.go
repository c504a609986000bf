package identity

import (
	"crypto/ed25519"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// MaxKeyIDLength bounds a verification key id.
const MaxKeyIDLength = 32

// FirstKeyID is the id of the key a DID is registered with.
const FirstKeyID = "key-1"

// ValidateKeyID checks a key id: 1 to MaxKeyIDLength characters of [a-z0-9-].
func ValidateKeyID(id string) error {
	if id == "" || len(id) > MaxKeyIDLength {
		return ErrInvalidKeyID.Wrapf("%q: want 1 to %d characters", truncate(id), MaxKeyIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return ErrInvalidKeyID.Wrapf("%q: only a-z, 0-9 and '-' are allowed", truncate(id))
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
