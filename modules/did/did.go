package did

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/intercooperative/icnd/modules"
)

// MethodPrefix starts every did:icn identifier.
const MethodPrefix = "did:icn:"

// idBytes is how many bytes of the key hash the identifier keeps (160 bits).
const idBytes = 20

// IDLength is the length of the method-specific identifier: 20 bytes in
// unpadded base32 are 32 characters.
const IDLength = 32

// DIDLength is the length of every canonical did:icn.
const DIDLength = len(MethodPrefix) + IDLength

// ed25519Multicodec is the multicodec prefix of an Ed25519 public key
// (0xed, varint-encoded), so that the hash names the key type as well.
var ed25519Multicodec = []byte{0xed, 0x01}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// DeriveDID returns the did:icn of an Ed25519 public key:
// "did:icn:" + base32lower(sha256(0xed 0x01 || key)[:20]).
// The caller must pass a 32-byte key.
func DeriveDID(pub ed25519.PublicKey) string {
	h := sha256.New()
	h.Write(ed25519Multicodec)
	h.Write(pub)
	return FromDigest(h.Sum(nil))
}

// FromDigest returns the did:icn whose identifier is the first 20 bytes of
// sum, a sha256 digest: "did:icn:" + base32lower(sum[:20]). Every did:icn
// is made this way; what is hashed decides what kind of DID it is (a key's,
// DeriveDID, or an organization's, org.DeriveOrgDID), and each derivation
// hashes a distinct leading tag so no input of one is an input of another.
// The caller must pass at least 20 bytes.
func FromDigest(sum []byte) string {
	return MethodPrefix + idEncoding.EncodeToString(sum[:idBytes])
}

// ParseDID checks that s is a canonical did:icn: the exact lower-case
// prefix, then 32 characters of lower-case base32 that decode and re-encode
// to themselves. Any other spelling of the same bytes is refused, never
// treated as a second identity.
func ParseDID(s string) error {
	if len(s) != DIDLength {
		return ErrInvalidDID.Wrapf("%q: want %d characters, have %d", modules.Truncate(s), DIDLength, len(s))
	}
	if !strings.HasPrefix(s, MethodPrefix) {
		return ErrInvalidDID.Wrapf("%q: want prefix %q", modules.Truncate(s), MethodPrefix)
	}
	id := s[len(MethodPrefix):]
	// Decoded into and re-encoded from arrays on the stack: every
	// transaction's signer is checked, and this allocates nothing. IDLength
	// characters decode to at most idBytes bytes (fewer when the decoder
	// skips line breaks), which re-encode to at most IDLength characters.
	var raw [idBytes]byte
	var enc [IDLength]byte
	n, err := idEncoding.Decode(raw[:], []byte(id))
	if err != nil || n != idBytes {
		return errNotCanonical(s)
	}
	idEncoding.Encode(enc[:], raw[:])
	if string(enc[:]) != id {
		return errNotCanonical(s)
	}
	return nil
}

func errNotCanonical(s string) error {
	return ErrInvalidDID.Wrapf("%q: identifier is not canonical lower-case base32", modules.Truncate(s))
}

// RegistrationBytes are what a new key signs to prove possession when it is
// registered on chainID (docs/did-method.md).
func RegistrationBytes(chainID, did string) []byte {
	return []byte("icn/identity/register\x00" + chainID + "\x00" + did)
}
