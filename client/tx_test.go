package client

import (
	"crypto/ed25519"
	"testing"

	"github.com/intercooperative/icnd/modules/did"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol"
)

// TestBuildTxWithSponsor checks the envelope of a sponsored transaction:
// the auth info names the sponsor and both signatures cover the protocol's
// sign bytes. That the node accepts such transactions is checked by the
// app's sponsor tests, which build theirs with BuildTx.
func TestBuildTxWithSponsor(t *testing.T) {
	signerKey := ed25519.NewKeyFromSeed(make([]byte, 32))
	sponsorKey := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))
	signer := did.DeriveDID(signerKey.Public().(ed25519.PublicKey))
	sponsor := did.DeriveDID(sponsorKey.Public().(ed25519.PublicKey))
	msg, err := Anchor(RawCID([]byte("x")), "doc", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := TxParams{ChainID: "icn-test", Signer: signer, KeyID: did.FirstKeyID, Sequence: 3, Sponsor: &Sponsor{
		Payer: sponsor, Signer: sponsor, KeyID: did.FirstKeyID,
		Sign: func(b []byte) ([]byte, error) { return ed25519.Sign(sponsorKey, b), nil },
	}}
	raw, err := BuildTx(p, func(b []byte) ([]byte, error) { return ed25519.Sign(signerKey, b), nil }, msg)
	if err != nil {
		t.Fatal(err)
	}
	var tx txv1.Tx
	if err := tx.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	var auth txv1.AuthInfo
	if err := auth.Unmarshal(tx.AuthInfoBytes); err != nil {
		t.Fatal(err)
	}
	if auth.Signer != signer || auth.KeyId != did.FirstKeyID || auth.Sequence != 3 {
		t.Fatalf("auth info = %v", &auth)
	}
	if s := auth.Sponsor; s == nil || s.Payer != sponsor || s.Signer != sponsor || s.KeyId != did.FirstKeyID {
		t.Fatalf("auth info sponsor = %v", s)
	}
	// Both signatures cover the same sign bytes, which name the sponsor.
	signBytes := protocol.SignBytes("icn-test", tx.BodyBytes, tx.AuthInfoBytes)
	if !ed25519.Verify(signerKey.Public().(ed25519.PublicKey), signBytes, tx.Signature) {
		t.Fatal("signer's signature does not verify")
	}
	if !ed25519.Verify(sponsorKey.Public().(ed25519.PublicKey), signBytes, tx.SponsorSignature) {
		t.Fatal("sponsor's signature does not verify")
	}

	p.Sponsor.Sign = nil
	if _, err := BuildTx(p, func(b []byte) ([]byte, error) { return ed25519.Sign(signerKey, b), nil }, msg); err == nil {
		t.Fatal("a sponsor without a signing function was accepted")
	}
}
