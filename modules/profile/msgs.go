package profile

import (
	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Bounds on a profile, checked before execution. With every field at its
// maximum a profile fits well within a transaction.
const (
	// ProfileSaltLength is the length of the Argon2id salt.
	ProfileSaltLength = 16
	// EmailHashLength is the length of an email hash.
	EmailHashLength = 32
	// MaxProfileFields is the most fields a profile may have.
	MaxProfileFields = 16
	// MaxProfileFieldNameLength bounds a field name.
	MaxProfileFieldNameLength = 32
	// ProfileNonceLength is the length of an AES-GCM nonce.
	ProfileNonceLength = 12
	// ProfileTagLength is the length of the AES-GCM tag that ends every
	// ciphertext, so the shortest ciphertext (of an empty value).
	ProfileTagLength = 16
	// MaxProfileCiphertextLength bounds one field's ciphertext, tag
	// included: values of up to 496 bytes.
	MaxProfileCiphertextLength = 512
)

// ValidateProfileFieldName checks a field name: 1 to
// MaxProfileFieldNameLength characters of [a-z0-9_-].
func ValidateProfileFieldName(name string) error {
	if name == "" || len(name) > MaxProfileFieldNameLength {
		return ErrInvalidProfileField.Wrapf("want 1 to %d characters, have %d", MaxProfileFieldNameLength, len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return ErrInvalidProfileField.Wrapf("%q: only a-z, 0-9, '_' and '-' are allowed", modules.Truncate(name))
		}
	}
	return nil
}

// ValidateSetProfile is the stateless check of MsgSetProfile: a salt of
// ProfileSaltLength bytes; an email hash that is empty or EmailHashLength
// bytes; at most MaxProfileFields fields, sorted by valid, unique names,
// each with a ProfileNonceLength-byte nonce and a ciphertext of
// ProfileTagLength to MaxProfileCiphertextLength bytes; and at least a
// field or an email hash.
func ValidateSetProfile(m *identityv1.MsgSetProfile) error {
	if len(m.Salt) != ProfileSaltLength {
		return ErrInvalidProfileSalt.Wrapf("want %d bytes, have %d", ProfileSaltLength, len(m.Salt))
	}
	if len(m.EmailHash) != 0 && len(m.EmailHash) != EmailHashLength {
		return ErrInvalidEmailHash.Wrapf("want %d bytes or none, have %d", EmailHashLength, len(m.EmailHash))
	}
	if len(m.Fields) > MaxProfileFields {
		return ErrTooManyProfileFields.Wrapf("have %d, max %d", len(m.Fields), MaxProfileFields)
	}
	if len(m.Fields) == 0 && len(m.EmailHash) == 0 {
		return ErrEmptyProfile.Wrapf("no field and no email hash; use erase_profile to delete a profile")
	}
	for i, f := range m.Fields {
		if f == nil {
			return ErrInvalidProfileField.Wrapf("field %d is null", i)
		}
		if err := ValidateProfileFieldName(f.Name); err != nil {
			return err
		}
		if i > 0 && m.Fields[i-1].Name >= f.Name {
			return ErrInvalidProfileField.Wrapf("fields must be sorted by name and unique: %q after %q", f.Name, m.Fields[i-1].Name)
		}
		if len(f.Nonce) != ProfileNonceLength {
			return ErrInvalidNonce.Wrapf("field %q: want %d bytes, have %d", f.Name, ProfileNonceLength, len(f.Nonce))
		}
		if len(f.Ciphertext) < ProfileTagLength || len(f.Ciphertext) > MaxProfileCiphertextLength {
			return ErrInvalidCiphertext.Wrapf("field %q: want %d to %d bytes, have %d", f.Name, ProfileTagLength, MaxProfileCiphertextLength, len(f.Ciphertext))
		}
	}
	return nil
}
