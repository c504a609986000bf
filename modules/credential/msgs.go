package credential

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Bounds on credential messages, checked before execution.
const (
	// MaxCredentialTypeLength bounds a credential type.
	MaxCredentialTypeLength = 64
	// MaxRevocationReasonLength bounds a revocation reason, in bytes.
	MaxRevocationReasonLength = 256
	// credentialCIDLength is the length of every credential CID: version,
	// raw codec, sha2-256 code, digest length, 32-byte digest.
	credentialCIDLength = 4 + 32
)

// VerifiableCredentialType is the base type every W3C credential carries;
// a credential's own type is the one beside it.
const VerifiableCredentialType = "VerifiableCredential"

// ParseCredentialCID checks that b is the binary form of a credential CID,
// a canonical CIDv1 with the raw codec and a sha2-256 multihash (the CID of
// the credential's canonical JSON bytes, docs/credentials.md), and returns
// it.
func ParseCredentialCID(b []byte) (cid.Cid, error) {
	if len(b) != credentialCIDLength {
		return cid.Undef, ErrInvalidCredentialCID.Wrapf("want %d bytes, have %d", credentialCIDLength, len(b))
	}
	c, err := cid.Cast(b)
	if err != nil {
		return cid.Undef, ErrInvalidCredentialCID.Wrapf("%v", err)
	}
	p := c.Prefix()
	if p.Version != 1 || p.Codec != cid.Raw || p.MhType != multihash.SHA2_256 || p.MhLength != 32 {
		return cid.Undef, ErrInvalidCredentialCID.Wrapf("%s: want a CIDv1 with the raw codec and a sha2-256 multihash", c)
	}
	if !bytes.Equal(c.Bytes(), b) {
		return cid.Undef, ErrInvalidCredentialCID.Wrapf("%s is not canonically encoded", c)
	}
	return c, nil
}

// ValidateCredentialType checks a credential type: 1 to
// MaxCredentialTypeLength characters of [A-Za-z0-9_-], and not the base
// type VerifiableCredential, which says nothing about the credential.
func ValidateCredentialType(t string) error {
	if t == "" || len(t) > MaxCredentialTypeLength {
		return ErrInvalidCredentialType.Wrapf("want 1 to %d characters, have %d", MaxCredentialTypeLength, len(t))
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return ErrInvalidCredentialType.Wrapf("%q: only A-Z, a-z, 0-9, '_' and '-' are allowed", modules.Truncate(t))
		}
	}
	if t == VerifiableCredentialType {
		return ErrInvalidCredentialType.Wrapf("%q is the base type; name the credential's own type", t)
	}
	return nil
}

// ValidateIssueCredential is the stateless check of MsgIssueCredential.
func ValidateIssueCredential(m *identityv1.MsgIssueCredential) error {
	if _, err := ParseCredentialCID(m.Cid); err != nil {
		return err
	}
	if err := did.ParseDID(m.Issuer); err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	if err := did.ParseDID(m.Subject); err != nil {
		return fmt.Errorf("subject: %w", err)
	}
	return ValidateCredentialType(m.CredentialType)
}

// ValidateRevokeCredential is the stateless check of MsgRevokeCredential.
func ValidateRevokeCredential(m *identityv1.MsgRevokeCredential) error {
	if _, err := ParseCredentialCID(m.Cid); err != nil {
		return err
	}
	if err := did.ParseDID(m.Issuer); err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	if len(m.Reason) > MaxRevocationReasonLength || !utf8.ValidString(m.Reason) {
		return ErrInvalidRevocationReason.Wrapf("want UTF-8 of at most %d bytes, have %d bytes", MaxRevocationReasonLength, len(m.Reason))
	}
	return nil
}
