package client

import (
	"crypto/ed25519"
	"testing"

	idb "github.com/cosmos/iavl/db"
	"github.com/intercooperative/icnd/store"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules/identity"
)

func TestBuildTxWithSponsor(t *testing.T) {
	signerKey := ed25519.NewKeyFromSeed(make([]byte, 32))
	sponsorKey := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))
	signer := identity.DeriveDID(signerKey.Public().(ed25519.PublicKey))
	sponsor := identity.DeriveDID(sponsorKey.Public().(ed25519.PublicKey))
	msg, err := Anchor(RawCID([]byte("x")), "doc", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := TxParams{ChainID: "icn-test", Signer: signer, KeyID: identity.FirstKeyID, Sequence: 3, Sponsor: &Sponsor{
		Payer: sponsor, Signer: sponsor, KeyID: identity.FirstKeyID,
		Sign: func(b []byte) ([]byte, error) { return ed25519.Sign(sponsorKey, b), nil },
	}}
	raw, err := BuildTx(p, func(b []byte) ([]byte, error) { return ed25519.Sign(signerKey, b), nil }, msg)
	if err != nil {
		t.Fatal(err)
	}
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	node, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := node.DecodeTx(raw)
	if err != nil {
		t.Fatalf("the node's decoder refuses the sponsored tx: %v", err)
	}
	if s := tx.Auth.Sponsor; s == nil || s.Payer != sponsor || s.Signer != sponsor || s.KeyId != identity.FirstKeyID {
		t.Fatalf("auth info sponsor = %v", s)
	}
	// Both signatures cover the same sign bytes, which name the sponsor.
	if !ed25519.Verify(signerKey.Public().(ed25519.PublicKey), tx.SignBytes(), tx.Signature) {
		t.Fatal("signer's signature does not verify")
	}
	if !ed25519.Verify(sponsorKey.Public().(ed25519.PublicKey), tx.SignBytes(), tx.SponsorSignature) {
		t.Fatal("sponsor's signature does not verify")
	}

	p.Sponsor.Sign = nil
	if _, err := BuildTx(p, func(b []byte) ([]byte, error) { return ed25519.Sign(signerKey, b), nil }, msg); err == nil {
		t.Fatal("a sponsor without a signing function was accepted")
	}
}
