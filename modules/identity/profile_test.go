package identity

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

// TestSubPrefixesAreDistinct checks that the credential and profile keys
// use sub-prefixes no other identity key family uses.
func TestSubPrefixesAreDistinct(t *testing.T) {
	did, other := testDID(1), testDID(2)
	families := map[string][]byte{
		"document":     DocumentKey(did),
		"sequence":     SequenceKey(did),
		"organization": OrganizationKey(did),
		"membership":   MembershipKey(did, other),
		"member-of":    MemberOfKey(did, other),
		"invitation":   InvitationKey(did, other),
		"freeze":       FreezeKey(did, other),
		"credential":   CredentialKey(did, make([]byte, credentialCIDLength)),
		"profile":      ProfileKey(did),
		"email index":  EmailIndexKey(make([]byte, EmailHashLength), did),
	}
	seen := map[byte]string{}
	for name, key := range families {
		if key[0] != StorePrefix {
			t.Errorf("%s key starts with %#x, not the identity prefix", name, key[0])
		}
		if prev, ok := seen[key[1]]; ok {
			t.Errorf("%s and %s share sub-prefix %#x", name, prev, key[1])
		}
		seen[key[1]] = name
	}
}

// TestEmailIndexIsNotUnique checks that genesis accepts profiles sharing an
// email hash and rebuilds one index entry per claimant, that DIDsByEmail
// lists the claimants in DID order within its limit, and that replacing or
// erasing a profile moves or deletes the signer's entry only.
func TestEmailIndexIsNotUnique(t *testing.T) {
	g, alice, bob, carol, _, _ := orgTestGenesis()
	salt := make([]byte, ProfileSaltLength)
	shared, other := make([]byte, EmailHashLength), make([]byte, EmailHashLength)
	shared[0], other[0] = 1, 2
	g.Profiles = []*identityv1.Profile{
		{Did: carol, Salt: salt, EmailHash: shared},
		{Did: alice, Salt: salt, EmailHash: shared},
		{Did: bob, Salt: salt, Fields: []*identityv1.ProfileField{sealedField("city", 20)}},
	}
	k, _, ctx := orgTestKeeper(t, g)
	sorted := []string{alice, carol}
	if alice > carol {
		sorted = []string{carol, alice}
	}
	lookup := func(h []byte, limit int) ([]string, bool) {
		t.Helper()
		dids, more, err := k.DIDsByEmail(ctx(2, ""), h, limit)
		if err != nil {
			t.Fatal(err)
		}
		return dids, more
	}
	if got, more := lookup(shared, 10); strings.Join(got, ",") != strings.Join(sorted, ",") || more {
		t.Fatalf("after genesis: %v (more %v), want %v", got, more, sorted)
	}
	if got, more := lookup(shared, 1); len(got) != 1 || got[0] != sorted[0] || !more {
		t.Fatalf("limit 1: %v (more %v), want %s and more", got, more, sorted[0])
	}

	set := &identityv1.MsgSetProfile{Salt: salt, EmailHash: shared}
	if err := k.SetProfile(ctx(3, bob), set); err != nil {
		t.Fatalf("bob claims a hash two DIDs claim: %v", err)
	}
	if got, _ := lookup(shared, 10); len(got) != 3 {
		t.Fatalf("after bob's claim: %v", got)
	}
	set.EmailHash = other
	if err := k.SetProfile(ctx(4, alice), set); err != nil {
		t.Fatal(err)
	}
	if err := k.EraseProfile(ctx(5, carol)); err != nil {
		t.Fatal(err)
	}
	if got, _ := lookup(shared, 10); len(got) != 1 || got[0] != bob {
		t.Fatalf("after alice moved and carol erased: %v, want [%s]", got, bob)
	}
	if got, _ := lookup(other, 10); len(got) != 1 || got[0] != alice {
		t.Fatalf("alice's new hash: %v", got)
	}
}
