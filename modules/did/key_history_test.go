package did

import (
	"crypto/ed25519"
	"errors"
	"testing"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

func TestKeyAt(t *testing.T) {
	e := newTestEnv(t)
	alice := e.register(1)
	key2 := seedKey(2)
	if err := e.k.AddKey(e.ctx(5, alice), addKeyAt(alice, "key-2", key2)); err != nil {
		t.Fatal(err)
	}
	if err := e.k.RevokeKey(e.ctx(8, alice), &identityv1.MsgRevokeKey{Did: alice, KeyId: FirstKeyID}); err != nil {
		t.Fatal(err)
	}
	if err := e.k.DeactivateDID(e.ctx(10, alice), &identityv1.MsgDeactivateDID{Did: alice}); err != nil {
		t.Fatal(err)
	}
	key1pub := seedKey(1).Public().(ed25519.PublicKey)
	key2pub := key2.Public().(ed25519.PublicKey)
	cases := []struct {
		key    string
		height int64
		want   ed25519.PublicKey
		err    error
	}{
		{FirstKeyID, 0, nil, ErrUnknownKey},
		{FirstKeyID, 1, key1pub, nil},
		{FirstKeyID, 7, key1pub, nil},
		{FirstKeyID, 8, nil, ErrKeyRevoked},
		{"key-2", 4, nil, ErrUnknownKey},
		{"key-2", 5, key2pub, nil},
		{"key-2", 9, key2pub, nil},
		{"key-2", 10, nil, ErrDIDDeactivated},
		{"key-9", 5, nil, ErrUnknownKey},
	}
	ctx := e.ctx(11, "")
	doc, err := e.k.Document(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		got, err := KeyAt(doc, tc.key, tc.height)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("KeyAt(%s, %d) = %v, want %v", tc.key, tc.height, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("KeyAt(%s, %d) = %x, %v; want %x", tc.key, tc.height, got, err, tc.want)
		}
	}
	// The returned key is the caller's: changing it leaves the document alone.
	got, err := KeyAt(doc, "key-2", 9)
	if err != nil {
		t.Fatal(err)
	}
	got[0] ^= 0xff
	if !ed25519.PublicKey(FindKey(doc, "key-2").PublicKey).Equal(key2pub) {
		t.Error("KeyAt returned the document's own key bytes")
	}
	// The current key is refused for signing whatever its history.
	if _, err := e.k.VerificationKey(ctx, alice, "key-2"); !errors.Is(err, ErrDIDDeactivated) {
		t.Errorf("VerificationKey after deactivation: %v", err)
	}
}
