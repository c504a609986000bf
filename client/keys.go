package client

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/intercooperative/icnd/client/keyring"
	"github.com/intercooperative/icnd/modules/identity"
)

// KeyInfo is the public description of a keyring key as the CLI shows it.
type KeyInfo struct {
	Name string `json:"name"`
	// DID is the did:icn the key registers (identity.DeriveDID).
	DID string `json:"did"`
	// PublicKey is the raw 32-byte Ed25519 key in standard base64.
	PublicKey string `json:"public_key"`
	// DIDKey is the same key as a did:key identifier.
	DIDKey string `json:"did_key"`
}

// NewKeyInfo describes rec.
func NewKeyInfo(rec keyring.Record) KeyInfo {
	return KeyInfo{
		Name:      rec.Name,
		DID:       identity.DeriveDID(rec.PublicKey),
		PublicKey: base64.StdEncoding.EncodeToString(rec.PublicKey),
		DIDKey:    DIDKey(rec.PublicKey),
	}
}

// DIDKey returns the did:key identifier of an Ed25519 public key.
func DIDKey(pub ed25519.PublicKey) string {
	return "did:key:" + identity.MultibaseKey(pub)
}

// ParsePublicKey decodes a base64 (standard or URL alphabet, padded or not)
// Ed25519 public key and checks its length.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("public key %q is not base64: %w", s, err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key has %d bytes, want %d (a base64 Ed25519 key)", len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// decodeBase64 accepts the standard and URL alphabets, with or without
// padding, since keys are copied between tools that differ on both.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
