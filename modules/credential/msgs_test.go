package credential

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

func credentialCID(t *testing.T, data string, codec uint64, mhType uint64) []byte {
	t.Helper()
	c, err := cid.V1Builder{Codec: codec, MhType: mhType}.Sum([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return c.Bytes()
}

func testDID(seed byte) string {
	return did.DeriveDID(ed25519.NewKeyFromSeed(append(make([]byte, 31), seed)).Public().(ed25519.PublicKey))
}

func TestParseCredentialCID(t *testing.T) {
	good := credentialCID(t, "vc", cid.Raw, multihash.SHA2_256)
	if c, err := ParseCredentialCID(good); err != nil || string(c.Bytes()) != string(good) {
		t.Fatalf("ParseCredentialCID(good) = %v, %v", c, err)
	}
	mh, err := multihash.Sum([]byte("vc"), multihash.SHA2_256, -1)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"empty":       nil,
		"dag-cbor":    credentialCID(t, "vc", cid.DagCBOR, multihash.SHA2_256),
		"sha2-512":    credentialCID(t, "vc", cid.Raw, multihash.SHA2_512),
		"cidv0":       cid.NewCidV0(mh).Bytes(),
		"trailing":    append(append([]byte(nil), good...), 0),
		"string form": []byte(cid.MustParse(good).String()),
		"not a cid":   make([]byte, credentialCIDLength),
	}
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseCredentialCID(b); !errors.Is(err, ErrInvalidCredentialCID) {
				t.Fatalf("got %v, want ErrInvalidCredentialCID", err)
			}
		})
	}
}

func TestValidateIssueAndRevokeCredential(t *testing.T) {
	c := credentialCID(t, "vc", cid.Raw, multihash.SHA2_256)
	issuer, subject := testDID(1), testDID(2)
	ok := &identityv1.MsgIssueCredential{Cid: c, Issuer: issuer, Subject: subject, CredentialType: "MembershipCredential"}
	if err := ValidateIssueCredential(ok); err != nil {
		t.Fatal(err)
	}
	if err := ValidateRevokeCredential(&identityv1.MsgRevokeCredential{Cid: c, Issuer: issuer, Reason: strings.Repeat("r", MaxRevocationReasonLength)}); err != nil {
		t.Fatal(err)
	}
	with := func(f func(m *identityv1.MsgIssueCredential)) *identityv1.MsgIssueCredential {
		m := *ok
		f(&m)
		return &m
	}
	issue := []struct {
		name string
		msg  *identityv1.MsgIssueCredential
		want *modules.Error
	}{
		{"bad cid", with(func(m *identityv1.MsgIssueCredential) { m.Cid = c[:10] }), ErrInvalidCredentialCID},
		{"non-canonical issuer", with(func(m *identityv1.MsgIssueCredential) { m.Issuer = strings.ToUpper(issuer) }), did.ErrInvalidDID},
		{"over-long subject", with(func(m *identityv1.MsgIssueCredential) { m.Subject = subject + strings.Repeat("a", 300) }), did.ErrInvalidDID},
		{"empty type", with(func(m *identityv1.MsgIssueCredential) { m.CredentialType = "" }), ErrInvalidCredentialType},
		{"over-long type", with(func(m *identityv1.MsgIssueCredential) {
			m.CredentialType = strings.Repeat("T", MaxCredentialTypeLength+1)
		}), ErrInvalidCredentialType},
		{"type with a space", with(func(m *identityv1.MsgIssueCredential) { m.CredentialType = "Member Credential" }), ErrInvalidCredentialType},
		{"base type only", with(func(m *identityv1.MsgIssueCredential) { m.CredentialType = VerifiableCredentialType }), ErrInvalidCredentialType},
	}
	for _, tc := range issue {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateIssueCredential(tc.msg); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	revoke := []struct {
		name string
		msg  *identityv1.MsgRevokeCredential
		want *modules.Error
	}{
		{"bad cid", &identityv1.MsgRevokeCredential{Cid: []byte{1}, Issuer: issuer}, ErrInvalidCredentialCID},
		{"no issuer", &identityv1.MsgRevokeCredential{Cid: c}, did.ErrInvalidDID},
		{"non-canonical issuer", &identityv1.MsgRevokeCredential{Cid: c, Issuer: strings.ToUpper(issuer)}, did.ErrInvalidDID},
		{"over-long reason", &identityv1.MsgRevokeCredential{Cid: c, Issuer: issuer, Reason: strings.Repeat("r", MaxRevocationReasonLength+1)}, ErrInvalidRevocationReason},
		{"reason not UTF-8", &identityv1.MsgRevokeCredential{Cid: c, Issuer: issuer, Reason: "\xff"}, ErrInvalidRevocationReason},
	}
	for _, tc := range revoke {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateRevokeCredential(tc.msg); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
