package did

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
)

func TestDeriveDID(t *testing.T) {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	did := DeriveDID(pub)
	if len(did) != DIDLength || !strings.HasPrefix(did, MethodPrefix) {
		t.Fatalf("DeriveDID = %q", did)
	}
	if err := ParseDID(did); err != nil {
		t.Fatalf("derived DID does not parse: %v", err)
	}
	// Pinned vector: changing the derivation changes every identity.
	if want := "did:icn:t4pttsnfxgftlpm7yhvkthgyjkrkzamk"; did != want {
		t.Fatalf("DeriveDID(seed 0) = %s, want %s", did, want)
	}
	other := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1)).Public().(ed25519.PublicKey)
	if DeriveDID(other) == did {
		t.Fatal("two keys derive the same DID")
	}
}

func TestParseDIDRefusesOtherSpellings(t *testing.T) {
	did := DeriveDID(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	id := did[len(MethodPrefix):]
	bad := map[string]string{
		"empty":             "",
		"upper-case id":     MethodPrefix + strings.ToUpper(id),
		"upper-case method": "DID:ICN:" + id,
		"other method":      "did:key:" + id,
		"padding":           did + "=",
		"short":             did[:len(did)-1],
		"long":              did + "a",
		"not base32":        MethodPrefix + strings.Repeat("1", IDLength),
		"whitespace":        " " + did[1:],
	}
	for name, s := range bad {
		t.Run(name, func(t *testing.T) {
			err := ParseDID(s)
			if !errors.Is(err, ErrInvalidDID) {
				t.Fatalf("ParseDID(%q) = %v, want ErrInvalidDID", s, err)
			}
		})
	}
}

func TestValidateKeyID(t *testing.T) {
	for _, ok := range []string{"key-1", "a", strings.Repeat("k", MaxKeyIDLength)} {
		if err := ValidateKeyID(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Key-1", "key_1", "#key-1", strings.Repeat("k", MaxKeyIDLength+1)} {
		if err := ValidateKeyID(bad); !errors.Is(err, ErrInvalidKeyID) {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}
