package profile

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/crypto/argon2"

	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/profile"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Argon2id parameters of scheme version 1. Changing any of them makes
// every existing profile unreadable and every email hash unfindable.
const (
	ArgonTime      = 3
	ArgonMemoryKiB = 64 * 1024
	ArgonLanes     = 4
	KeyLength      = 32
)

// EmailField is the name of the sealed field that keeps the email itself,
// so that its owner can read it back; the chain indexes only its hash.
const EmailField = "email"

// MaxValueLength is the longest field value: the ciphertext bound less the
// GCM tag.
const MaxValueLength = profile.MaxProfileCiphertextLength - profile.ProfileTagLength

// MaxEmailLength bounds an email address (RFC 5321's path limit).
const MaxEmailLength = 254

// ErrWrongPassword is returned by Open when a field does not decrypt: the
// password is wrong, or the stored profile was altered.
var ErrWrongPassword = errors.New("wrong password: the profile does not decrypt with it")

// Field is one plaintext profile field.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DeriveKey derives the 32-byte field key from password and salt.
func DeriveKey(password string, salt []byte) []byte {
	return argon2.IDKey([]byte(password), salt, ArgonTime, ArgonMemoryKiB, ArgonLanes, KeyLength)
}

// additionalData binds a field's ciphertext to its owner and name.
func additionalData(did, name string) []byte {
	return []byte("icn/profile/v1\x00" + did + "\x00" + name)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts fields for did's profile under password, with a fresh salt
// and a fresh nonce per field, and returns the MsgSetProfile carrying them
// and emailHash (nil for none). The fields are sorted by name; a name given
// twice, an invalid name, a value longer than MaxValueLength or too many
// fields is refused here with the code the chain would refuse it with.
func Seal(did, password string, fields []Field, emailHash []byte) (*identityv1.MsgSetProfile, error) {
	if err := didmod.ParseDID(did); err != nil {
		return nil, err
	}
	if password == "" {
		return nil, errors.New("the profile password is empty")
	}
	sorted := append([]Field(nil), fields...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for i, f := range sorted {
		if len(f.Value) > MaxValueLength {
			return nil, fmt.Errorf("field %q: value has %d bytes, max %d", f.Name, len(f.Value), MaxValueLength)
		}
		if i > 0 && sorted[i-1].Name == f.Name {
			return nil, fmt.Errorf("field %q is given twice", f.Name)
		}
	}
	salt := make([]byte, profile.ProfileSaltLength)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("random salt: %w", err)
	}
	aead, err := newAEAD(DeriveKey(password, salt))
	if err != nil {
		return nil, err
	}
	m := &identityv1.MsgSetProfile{Salt: salt, EmailHash: emailHash}
	for _, f := range sorted {
		nonce := make([]byte, profile.ProfileNonceLength)
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("random nonce: %w", err)
		}
		m.Fields = append(m.Fields, &identityv1.ProfileField{
			Name:       f.Name,
			Nonce:      nonce,
			Ciphertext: aead.Seal(nil, nonce, []byte(f.Value), additionalData(did, f.Name)),
		})
	}
	if err := profile.ValidateSetProfile(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Open decrypts every field of p with password, in the stored (name)
// order. A field that does not decrypt makes it return ErrWrongPassword
// naming the field; nothing is returned then, so a wrong password never
// yields partial plaintext.
func Open(p *identityv1.Profile, password string) ([]Field, error) {
	if len(p.Fields) == 0 {
		return []Field{}, nil
	}
	aead, err := newAEAD(DeriveKey(password, p.Salt))
	if err != nil {
		return nil, err
	}
	out := make([]Field, 0, len(p.Fields))
	for _, f := range p.Fields {
		if len(f.Nonce) != aead.NonceSize() {
			return nil, fmt.Errorf("field %q: stored nonce has %d bytes, want %d", f.Name, len(f.Nonce), aead.NonceSize())
		}
		plain, err := aead.Open(nil, f.Nonce, f.Ciphertext, additionalData(p.Did, f.Name))
		if err != nil {
			return nil, fmt.Errorf("%w (field %q failed authentication)", ErrWrongPassword, f.Name)
		}
		out = append(out, Field{Name: f.Name, Value: string(plain)})
	}
	return out, nil
}

// NormalizeEmail returns the form of an email that is hashed: surrounding
// white space trimmed and every letter lower-cased (Unicode simple case
// mapping, so "Ana@Example.ORG" and " ana@example.org" are the same). It
// refuses a string longer than MaxEmailLength or without exactly one '@'
// between a non-empty local part and a non-empty domain. Lower-casing the
// local part is a choice: few providers distinguish case there, and a
// lookup that missed by case would be worse.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if len(e) > MaxEmailLength {
		return "", fmt.Errorf("email has %d bytes, max %d", len(e), MaxEmailLength)
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return "", fmt.Errorf("%q is not an email address (want local@domain)", email)
	}
	return e, nil
}

// EmailHash returns the lookup hash of email on chainID:
// Argon2id(NormalizeEmail(email), EmailSalt(chainID)) with the field-key
// cost and a 32-byte output.
func EmailHash(chainID, email string) ([]byte, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	return argon2.IDKey([]byte(e), EmailSalt(chainID), ArgonTime, ArgonMemoryKiB, ArgonLanes, profile.EmailHashLength), nil
}

// EmailSalt is the per-chain salt of email hashes:
// sha256("icn/identity/email-salt" 0x00 chainID), first 16 bytes.
func EmailSalt(chainID string) []byte {
	sum := sha256.Sum256([]byte("icn/identity/email-salt\x00" + chainID))
	return sum[:16]
}

// SetProfileMsg wraps m, from Seal, as a transaction message.
func SetProfileMsg(m *identityv1.MsgSetProfile) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_SetProfile{SetProfile: m}}
}

// EraseProfileMsg returns the message that erases the signer's profile.
func EraseProfileMsg() *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_EraseProfile{EraseProfile: &identityv1.MsgEraseProfile{}}}
}
