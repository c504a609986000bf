package profile

import (
	"errors"
	"strings"
	"testing"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

func sealedField(name string, ciphertextLen int) *identityv1.ProfileField {
	return &identityv1.ProfileField{Name: name, Nonce: make([]byte, ProfileNonceLength), Ciphertext: make([]byte, ciphertextLen)}
}

func TestValidateSetProfile(t *testing.T) {
	salt := make([]byte, ProfileSaltLength)
	email := make([]byte, EmailHashLength)
	ok := []*identityv1.MsgSetProfile{
		{Salt: salt, Fields: []*identityv1.ProfileField{sealedField("city", 20), sealedField("name", MaxProfileCiphertextLength)}},
		{Salt: salt, EmailHash: email},
		{Salt: salt, Fields: []*identityv1.ProfileField{sealedField("empty-value", ProfileTagLength)}},
	}
	for i, m := range ok {
		if err := ValidateSetProfile(m); err != nil {
			t.Errorf("valid profile %d refused: %v", i, err)
		}
	}
	tooMany := make([]*identityv1.ProfileField, MaxProfileFields+1)
	for i := range tooMany {
		tooMany[i] = sealedField("f"+strings.Repeat("x", i), 20)
	}
	badNonce := sealedField("name", 20)
	badNonce.Nonce = make([]byte, 8)
	cases := []struct {
		name string
		msg  *identityv1.MsgSetProfile
		want *modules.Error
	}{
		{"no salt", &identityv1.MsgSetProfile{EmailHash: email}, ErrInvalidProfileSalt},
		{"short salt", &identityv1.MsgSetProfile{Salt: salt[:8], EmailHash: email}, ErrInvalidProfileSalt},
		{"short email hash", &identityv1.MsgSetProfile{Salt: salt, EmailHash: email[:16]}, ErrInvalidEmailHash},
		{"empty", &identityv1.MsgSetProfile{Salt: salt}, ErrEmptyProfile},
		{"too many fields", &identityv1.MsgSetProfile{Salt: salt, Fields: tooMany}, ErrTooManyProfileFields},
		{"empty field name", &identityv1.MsgSetProfile{Salt: salt, Fields: []*identityv1.ProfileField{sealedField("", 20)}}, ErrInvalidProfileField},
		{"over-long field name", &identityv1.MsgSetProfile{Salt: salt, Fields: []*identityv1.ProfileField{
			sealedField(strings.Repeat("n", MaxProfileFieldNameLength+1), 20)}}, ErrInvalidProfileField},
		{"upper-case field name", &identityv1.MsgSetProfile{Salt: salt, Fields: []*identityv1.ProfileField{sealedField("Name", 20)}}, ErrInvalidProfileField},
		{"unsorted fields", &identityv1.MsgSetProfile{Salt: salt, Fields: []*identityv1.ProfileField{sealedField("name", 20), sealedField("city", 20)}}, ErrInvalidProfileField},
		{"duplicate field", &identityv1.MsgSetProfile{Salt: salt, Fields: []*identityv1.ProfileField{sealedField("name", 20), sealedField("name", 20)}}, ErrInvalidProfileField},
		{"null field", &identityv1.MsgSetProfile{Salt: salt, Fields: []*identityv1.ProfileField{nil}}, ErrInvalidProfileField},
		{"bad nonce length", &identityv1.MsgSetProfile{Salt: salt, Fields: []*identityv1.ProfileField{badNonce}}, ErrInvalidNonce},
		{"oversized ciphertext", &identityv1.MsgSetProfile{Salt: salt, Fields: []*identityv1.ProfileField{
			sealedField("bio", MaxProfileCiphertextLength+1)}}, ErrInvalidCiphertext},
		{"ciphertext shorter than the tag", &identityv1.MsgSetProfile{Salt: salt, Fields: []*identityv1.ProfileField{
			sealedField("bio", ProfileTagLength-1)}}, ErrInvalidCiphertext},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateSetProfile(tc.msg); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
