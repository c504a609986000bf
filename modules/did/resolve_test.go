package did

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

func TestResolveWithMetadata(t *testing.T) {
	e := newTestEnv(t)
	alice, bob := e.register(1), e.register(2)
	if err := e.k.AddKey(e.ctx(3, alice), addKeyAt(alice, "key-2", seedKey(3))); err != nil {
		t.Fatal(err)
	}
	if err := e.k.RevokeKey(e.ctx(4, alice), &identityv1.MsgRevokeKey{Did: alice, KeyId: FirstKeyID}); err != nil {
		t.Fatal(err)
	}
	if err := e.k.SetControllers(e.ctx(5, ""), alice, []string{alice, bob}); err != nil {
		t.Fatal(err)
	}
	doc, err := e.k.Document(e.ctx(5, ""), alice)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rr := ResolveWithMetadata(doc, func(h int64) (time.Time, bool) {
		return base.Add(time.Duration(h)*time.Second + 500*time.Millisecond), h != 1
	})
	d := rr.DIDDocument
	if len(d.VerificationMethod) != 1 || d.VerificationMethod[0].ID != alice+"#key-2" ||
		strings.Join(d.Authentication, ",") != alice+"#key-2" || strings.Join(d.AssertionMethod, ",") != alice+"#key-2" {
		t.Fatalf("document lists revoked keys or misses active ones: %+v", d)
	}
	if strings.Join(d.Controller, ",") != strings.Join(sortedPair(alice, bob), ",") {
		t.Fatalf("controller = %v", d.Controller)
	}
	m := rr.DIDDocumentMetadata
	want := DocumentMetadata{Created: "", Updated: "2026-01-01T00:00:05Z", VersionID: "5", CreatedHeight: 1, UpdatedHeight: 5}
	if m != want {
		t.Fatalf("metadata = %+v, want %+v", m, want)
	}
	if rr.Context != ResolutionContext || rr.DIDResolutionMetadata.ContentType != "application/did+ld+json" {
		t.Fatalf("resolution result: %+v", rr)
	}
	// A self-controlled document omits the controller property.
	bobDoc, _ := e.k.Document(e.ctx(5, ""), bob)
	if c := Resolve(bobDoc).Controller; c != nil {
		t.Fatalf("self-controlled document lists controllers %v", c)
	}
}

func TestParseMultibaseKey(t *testing.T) {
	pub := seedKey(1).Public().(ed25519.PublicKey)
	mb := MultibaseKey(pub)
	got, err := ParseMultibaseKey(mb)
	if err != nil || !got.Equal(pub) {
		t.Fatalf("ParseMultibaseKey(MultibaseKey(k)) = %x, %v", got, err)
	}
	// A secp256k1 key (multicodec 0xe7 0x01) in the same encoding.
	secp := "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"
	for _, bad := range []string{"", "z", mb[1:], "f" + mb[1:], mb + "1", mb[:len(mb)-1], "z0OIl", secp} {
		if _, err := ParseMultibaseKey(bad); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("ParseMultibaseKey(%q) = %v, want ErrInvalidPublicKey", bad, err)
		}
	}
}

func TestMultibaseKey(t *testing.T) {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	// Every Ed25519 did:key starts with z6Mk.
	if got := MultibaseKey(pub); !strings.HasPrefix(got, "z6Mk") {
		t.Fatalf("MultibaseKey = %s", got)
	}
}
