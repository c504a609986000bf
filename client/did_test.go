package client

import (
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"

	didmod "github.com/intercooperative/icnd/modules/did"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// The did:key specification's Ed25519 test vector: the key's publicKeyJwk
// "x" and its did:key.
const (
	vectorJWKX   = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"
	vectorDIDKey = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
)

func TestDIDKeyVector(t *testing.T) {
	raw, err := base64.RawURLEncoding.DecodeString(vectorJWKX)
	if err != nil {
		t.Fatal(err)
	}
	if got := DIDKey(raw); got != vectorDIDKey {
		t.Fatalf("DIDKey = %s, want %s", got, vectorDIDKey)
	}
	for _, s := range []string{vectorDIDKey, " " + vectorDIDKey + "\n", vectorDIDKey + "#" + vectorDIDKey[len(DIDKeyPrefix):], vectorJWKX} {
		pub, err := ParsePublicKey(s)
		if err != nil || !pub.Equal(ed25519.PublicKey(raw)) {
			t.Errorf("ParsePublicKey(%q) = %x, %v; want %x", s, pub, err, raw)
		}
	}
	forms := NewKeyForms(raw)
	if forms.DIDKey != vectorDIDKey || forms.PublicKey != base64.StdEncoding.EncodeToString(raw) || forms.DID != didmod.DeriveDID(raw) {
		t.Fatalf("NewKeyForms = %+v", forms)
	}
}

func TestParseDIDKeyRefuses(t *testing.T) {
	for _, s := range []string{
		"did:key:",
		"did:key:z6Mk",
		vectorDIDKey + "#z6MkOther",
		"did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", // secp256k1
		"did:key:" + vectorJWKX,
	} {
		if _, err := ParsePublicKey(s); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", s)
		}
	}
}

func TestLifecycleMsgs(t *testing.T) {
	const chainID = "icn-test"
	owner := ed25519.NewKeyFromSeed(make([]byte, 32))
	did := didmod.DeriveDID(owner.Public().(ed25519.PublicKey))
	newPriv := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))
	newPub := newPriv.Public().(ed25519.PublicKey)
	sign := func(b []byte) ([]byte, error) { return ed25519.Sign(newPriv, b), nil }

	nk, err := SignNewKey(chainID, did, "key-2", newPub, sign)
	if err != nil {
		t.Fatal(err)
	}
	m, err := AddKey(chainID, did, "key-2", nk)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Sum.(*txv1.Msg_AddKey); !ok {
		t.Fatalf("AddKey built %T", m.Sum)
	}
	// A proof for another key slot, another chain or by another key is
	// refused before anything is paid for.
	if _, err := AddKey(chainID, did, "key-3", nk); err == nil || !strings.Contains(err.Error(), "proof of possession") {
		t.Errorf("proof for key-2 accepted for key-3: %v", err)
	}
	if _, err := AddKey("other-chain", did, "key-2", nk); err == nil {
		t.Error("proof for another chain accepted")
	}
	forged := NewKey{PublicKey: newPub, ProofOfPossession: ed25519.Sign(owner, didmod.KeyPossessionBytes(chainID, did, "key-2"))}
	if _, err := AddKey(chainID, did, "key-2", forged); err == nil {
		t.Error("proof by another key accepted")
	}

	rk, err := SignNewKey(chainID, did, "key-3", newPub, sign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RotateKey(chainID, did, "key-1", "key-3", rk); err != nil {
		t.Fatal(err)
	}
	if _, err := RotateKey(chainID, did, "key-1", "key-2", rk); err == nil {
		t.Error("rotation proof for key-3 accepted for key-2")
	}
	if _, err := RevokeKey(strings.ToUpper(did), "key-1"); err == nil {
		t.Error("RevokeKey accepted a non-canonical DID")
	}
	if _, err := DeactivateDID(did + "="); err == nil {
		t.Error("DeactivateDID accepted a padded DID")
	}
}
