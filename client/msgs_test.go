package client

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	didmod "github.com/intercooperative/icnd/modules/did"
	orgmod "github.com/intercooperative/icnd/modules/org"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

func TestRawCID(t *testing.T) {
	data := []byte("hello world")
	sum := sha256.Sum256(data)
	// CIDv1 = version 1, codec raw (0x55), multihash sha2-256 (0x12) of 32 (0x20) bytes.
	want := append([]byte{0x01, 0x55, 0x12, 0x20}, sum[:]...)
	c := RawCID(data)
	if !bytes.Equal(c.Bytes(), want) {
		t.Fatalf("RawCID bytes = %x, want %x", c.Bytes(), want)
	}
	// The CID `ipfs add --cid-version 1 --raw-leaves` prints for "hello world".
	if got, wantStr := c.String(), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"; got != wantStr {
		t.Fatalf("RawCID string = %s, want %s", got, wantStr)
	}
}

func TestParseCID(t *testing.T) {
	v1 := RawCID([]byte("x")).String()
	if c, err := ParseCID(v1); err != nil || c.String() != v1 {
		t.Fatalf("ParseCID(%s) = %v, %v", v1, c, err)
	}
	_, err := ParseCID("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")
	if err == nil || !strings.Contains(err.Error(), "CIDv0") || !strings.Contains(err.Error(), "bafybei") {
		t.Fatalf("CIDv0: got %v, want a refusal naming the CIDv1 form", err)
	}
	if _, err := ParseCID("not-a-cid"); err == nil {
		t.Fatal("garbage: want an error")
	}
}

func TestRegisterDID(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, did, err := RegisterDID("chain-a", pub, func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil })
	if err != nil {
		t.Fatal(err)
	}
	if did != didmod.DeriveDID(pub) {
		t.Fatalf("did = %s, want %s", did, didmod.DeriveDID(pub))
	}
	m := msg.GetRegisterDid()
	if !ed25519.Verify(pub, didmod.RegistrationBytes("chain-a", did), m.ProofOfPossession) {
		t.Fatal("proof of possession does not verify for chain-a")
	}
	// The same proof is worthless on another chain.
	if _, err := RegisterDIDWithProof("chain-b", pub, m.ProofOfPossession); err == nil {
		t.Fatal("proof for chain-a accepted for chain-b")
	}
	// A proof made by another key is refused before anything is sent.
	_, other, _ := ed25519.GenerateKey(nil)
	if _, err := RegisterDIDWithProof("chain-a", pub, ed25519.Sign(other, didmod.RegistrationBytes("chain-a", did))); err == nil {
		t.Fatal("proof by another key accepted")
	}
}

func TestParsePublicKey(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb}, ed25519.PublicKeySize)
	for _, s := range []string{
		base64.StdEncoding.EncodeToString(raw),
		base64.RawStdEncoding.EncodeToString(raw),
		base64.URLEncoding.EncodeToString(raw),
		" " + base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		pub, err := ParsePublicKey(s)
		if err != nil || !bytes.Equal(pub, raw) {
			t.Errorf("ParsePublicKey(%q) = %x, %v", s, pub, err)
		}
	}
	for _, s := range []string{"", "!!!", base64.StdEncoding.EncodeToString(raw[:31])} {
		if _, err := ParsePublicKey(s); err == nil {
			t.Errorf("ParsePublicKey(%q): want an error", s)
		}
	}
}

func TestNewManaBalance(t *testing.T) {
	acc := &manav1.Account{Balance: 100, Capacity: 1000, Rate: 50, LastHeight: 10}
	// Read at height 14: the next block, 15, sees 5 blocks of regeneration.
	b := NewManaBalance("did:icn:x", 14, acc)
	if b.Balance != 350 || b.StoredBalance != 100 || b.Capacity != 1000 || b.Rate != 50 {
		t.Fatalf("balance = %+v", b)
	}
	if b.BlocksUntilFull != 13 || b.NeverFull { // 650 missing at 50 per block
		t.Fatalf("blocks until full = %d (never %v), want 13", b.BlocksUntilFull, b.NeverFull)
	}
	if b := NewManaBalance("did:icn:x", 14, &manav1.Account{Balance: 1, Capacity: 10}); !b.NeverFull {
		t.Fatalf("rate 0 below capacity: NeverFull not set: %+v", b)
	}
	if b := NewManaBalance("did:icn:x", 100, acc); b.Balance != 1000 || b.BlocksUntilFull != 0 || b.NeverFull {
		t.Fatalf("full account: %+v", b)
	}
}

func TestNewEntryView(t *testing.T) {
	c, l := RawCID([]byte("a")), RawCID([]byte("b"))
	v, err := NewEntryView(&dagv1.Entry{Cid: c.Bytes(), Kind: "doc", Links: [][]byte{l.Bytes()}, AnchoredBy: "did:icn:x", Height: 7})
	if err != nil {
		t.Fatal(err)
	}
	if v.CID != c.String() || len(v.Links) != 1 || v.Links[0] != l.String() || v.Height != 7 || v.Kind != "doc" {
		t.Fatalf("view = %+v", v)
	}
	v, err = NewEntryView(&dagv1.Entry{Cid: c.Bytes()})
	if err != nil || v.Links == nil {
		t.Fatalf("no links: %+v, %v; want an empty, non-nil list", v, err)
	}
}

// TestSetSeats checks the set_seats builder against the chain's stateless
// check, and that organization views carry the seat counts.
func TestSetSeats(t *testing.T) {
	root := orgmod.DeriveOrgDID("", "root")
	coop := orgmod.DeriveOrgDID(root, "coop")
	msg, err := SetSeats(coop, 7)
	if err != nil || msg.GetSetSeats().GetOrg() != coop || msg.GetSetSeats().GetSeats() != 7 {
		t.Fatalf("SetSeats = %v, %v", msg, err)
	}
	if _, err := SetSeats(coop, orgmod.MaxSeats+1); !errors.Is(err, orgmod.ErrInvalidSeats) {
		t.Fatalf("too many seats: %v", err)
	}
	if _, err := SetSeats("did:icn:nope", 1); !errors.Is(err, didmod.ErrInvalidDID) {
		t.Fatalf("bad DID: %v", err)
	}
	v := NewOrganizationView(&identityv1.Organization{Did: coop, BonusSeats: 5, SeatsUsed: 2})
	if v.BonusSeats != 5 || v.SeatsUsed != 2 {
		t.Fatalf("view: %+v", v)
	}
}
