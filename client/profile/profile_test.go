package profile

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/profile"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

func testDID(seed byte) string {
	return didmod.DeriveDID(ed25519.NewKeyFromSeed(append(make([]byte, 31), seed)).Public().(ed25519.PublicKey))
}

func stored(did string, m *identityv1.MsgSetProfile) *identityv1.Profile {
	return &identityv1.Profile{Did: did, Salt: m.Salt, EmailHash: m.EmailHash, Fields: m.Fields}
}

func TestSealOpen(t *testing.T) {
	did := testDID(1)
	fields := []Field{{"name", "Ada Lovelace"}, {"city", "London"}, {"empty", ""}}
	m, err := Seal(did, "correct horse", fields, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Salt) != profile.ProfileSaltLength || len(m.Fields) != 3 || m.Fields[0].Name != "city" {
		t.Fatalf("sealed %+v", m)
	}
	for _, f := range m.Fields {
		if bytes.Contains(f.Ciphertext, []byte("London")) || bytes.Contains(f.Ciphertext, []byte("Ada")) {
			t.Fatalf("field %s holds plaintext", f.Name)
		}
	}
	got, err := Open(stored(did, m), "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint([]Field{{"city", "London"}, {"empty", ""}, {"name", "Ada Lovelace"}}) {
		t.Fatalf("opened %v", got)
	}

	_, err = Open(stored(did, m), "wrong horse")
	if !errors.Is(err, ErrWrongPassword) || !strings.Contains(err.Error(), "wrong password") {
		t.Fatalf("wrong password: got %v", err)
	}
	// The additional data binds each ciphertext to its DID and field name.
	if _, err := Open(stored(testDID(2), m), "correct horse"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("profile moved to another DID: got %v", err)
	}
	swapped := stored(did, m)
	swapped.Fields[0].Ciphertext, swapped.Fields[2].Ciphertext = swapped.Fields[2].Ciphertext, swapped.Fields[0].Ciphertext
	swapped.Fields[0].Nonce, swapped.Fields[2].Nonce = swapped.Fields[2].Nonce, swapped.Fields[0].Nonce
	if _, err := Open(swapped, "correct horse"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("ciphertexts swapped between fields: got %v", err)
	}
}

func TestSealRefuses(t *testing.T) {
	did := testDID(1)
	many := make([]Field, profile.MaxProfileFields+1)
	for i := range many {
		many[i] = Field{Name: fmt.Sprintf("f%02d", i), Value: "v"}
	}
	cases := []struct {
		name   string
		fields []Field
		want   error
	}{
		{"value too long", []Field{{"bio", strings.Repeat("x", MaxValueLength+1)}}, nil},
		{"name twice", []Field{{"city", "a"}, {"city", "b"}}, nil},
		{"bad name", []Field{{"City", "a"}}, profile.ErrInvalidProfileField},
		{"too many fields", many, profile.ErrTooManyProfileFields},
		{"nothing", nil, profile.ErrEmptyProfile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Seal(did, "pw", tc.fields, nil)
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := Seal(did, "", []Field{{"a", "b"}}, nil); err == nil {
		t.Fatal("empty password accepted")
	}
	if _, err := Seal(did, "pw", []Field{{"bio", strings.Repeat("x", MaxValueLength)}}, nil); err != nil {
		t.Fatalf("value of the maximum length refused: %v", err)
	}
}

func TestEmail(t *testing.T) {
	for in, want := range map[string]string{
		" Ada@Example.ORG\n": "ada@example.org",
		"ada@example.org":    "ada@example.org",
	} {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "ada", "@example.org", "ada@", "a@b@c", strings.Repeat("a", MaxEmailLength) + "@x"} {
		if _, err := NormalizeEmail(bad); err == nil {
			t.Errorf("NormalizeEmail(%q) accepted", bad)
		}
	}
	h1, err := EmailHash("icn-test", "Ada@Example.org")
	if err != nil {
		t.Fatal(err)
	}
	h2, err := EmailHash("icn-test", " ada@example.org ")
	if err != nil {
		t.Fatal(err)
	}
	other, err := EmailHash("icn-other", "ada@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if len(h1) != profile.EmailHashLength || !bytes.Equal(h1, h2) || bytes.Equal(h1, other) {
		t.Fatalf("email hashes: %x %x %x", h1, h2, other)
	}
	// Pinned: a change of the salt, the normalization or the Argon2id
	// parameters would orphan every indexed email.
	if got, want := hex.EncodeToString(h1), "673f28a03401dabfb4c285a4f51373be2e01fb7dfbb3fedce52886b9497d0d21"; got != want {
		t.Fatalf("EmailHash(icn-test, ada@example.org) = %s, want %s", got, want)
	}
}
