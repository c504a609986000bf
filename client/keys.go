package client

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/intercooperative/icnd/client/keyring"
	"github.com/intercooperative/icnd/modules/did"
)

// KeyInfo is the public description of a keyring key as the CLI shows it.
type KeyInfo struct {
	Name string `json:"name"`
	// DID is the did:icn the key registers (did.DeriveDID).
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
		DID:       did.DeriveDID(rec.PublicKey),
		PublicKey: base64.StdEncoding.EncodeToString(rec.PublicKey),
		DIDKey:    DIDKey(rec.PublicKey),
	}
}

// DIDKey returns the did:key identifier of an Ed25519 public key.
func DIDKey(pub ed25519.PublicKey) string {
	return DIDKeyPrefix + did.MultibaseKey(pub)
}

// DIDKeyPrefix starts every did:key identifier.
const DIDKeyPrefix = "did:key:"

// ParseDIDKey decodes the Ed25519 key of a did:key identifier,
// "did:key:z6Mk...". The verification method form, the identifier followed
// by "#" and the same multibase key, is accepted too.
func ParseDIDKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, DIDKeyPrefix) {
		return nil, fmt.Errorf("%q is not a did:key", s)
	}
	id := s[len(DIDKeyPrefix):]
	if before, fragment, ok := strings.Cut(id, "#"); ok {
		if fragment != before {
			return nil, fmt.Errorf("did:key %q: the fragment must repeat the key", s)
		}
		id = before
	}
	pub, err := did.ParseMultibaseKey(id)
	if err != nil {
		return nil, fmt.Errorf("did:key: %w", err)
	}
	return pub, nil
}

// ParsePublicKey decodes an Ed25519 public key given either as a did:key
// ("did:key:z6Mk...") or as base64 (standard or URL alphabet, padded or
// not) of the raw 32 bytes, and checks its length.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	if strings.HasPrefix(strings.TrimSpace(s), DIDKeyPrefix) {
		return ParseDIDKey(s)
	}
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("public key %q is not base64: %w", s, err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key has %d bytes, want %d (a base64 Ed25519 key, or did:key:z6Mk...)", len(raw), ed25519.PublicKeySize)
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
