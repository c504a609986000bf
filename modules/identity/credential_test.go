package identity

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/modules"
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
	return DeriveDID(ed25519.NewKeyFromSeed(append(make([]byte, 31), seed)).Public().(ed25519.PublicKey))
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
		{"non-canonical issuer", with(func(m *identityv1.MsgIssueCredential) { m.Issuer = strings.ToUpper(issuer) }), ErrInvalidDID},
		{"over-long subject", with(func(m *identityv1.MsgIssueCredential) { m.Subject = subject + strings.Repeat("a", 300) }), ErrInvalidDID},
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
		{"no issuer", &identityv1.MsgRevokeCredential{Cid: c}, ErrInvalidDID},
		{"non-canonical issuer", &identityv1.MsgRevokeCredential{Cid: c, Issuer: strings.ToUpper(issuer)}, ErrInvalidDID},
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

// TestCredentialsKeyedByIssuer anchors one CID for two issuers: each is its
// own record, found, refused a second time and revoked under its issuer
// only, and a signer cannot revoke the record of an issuer it does not
// control.
func TestCredentialsKeyedByIssuer(t *testing.T) {
	e := newDIDOpsEnv(t)
	alice, mallory, bob := e.register(1), e.register(2), e.register(3)
	c := credentialCID(t, "vc", cid.Raw, multihash.SHA2_256)
	issue := func(signer string) *identityv1.MsgIssueCredential {
		return &identityv1.MsgIssueCredential{Cid: c, Issuer: signer, Subject: bob, CredentialType: "MembershipCredential"}
	}
	revoke := func(issuer string) *identityv1.MsgRevokeCredential {
		return &identityv1.MsgRevokeCredential{Cid: c, Issuer: issuer, Reason: "r"}
	}

	wantErr(t, e.k.IssueCredential(e.ctx(2, mallory), issue(mallory)), nil)
	wantErr(t, e.k.IssueCredential(e.ctx(3, alice), issue(alice)), nil)
	wantErr(t, e.k.IssueCredential(e.ctx(4, alice), issue(alice)), ErrCredentialExists)
	for _, issuer := range []string{alice, mallory} {
		rec, err := e.k.Credential(e.ctx(4, ""), issuer, c)
		if err != nil || rec.Issuer != issuer || rec.IssuedBy != issuer {
			t.Fatalf("record of %s: %v, %v", issuer, rec, err)
		}
	}
	_, err := e.k.Credential(e.ctx(4, ""), bob, c)
	wantErr(t, err, ErrUnknownCredential)

	wantErr(t, e.k.RevokeCredential(e.ctx(5, mallory), revoke(alice)), ErrNotIssuer)
	wantErr(t, e.k.RevokeCredential(e.ctx(5, bob), revoke(bob)), ErrUnknownCredential)
	wantErr(t, e.k.RevokeCredential(e.ctx(5, mallory), revoke(mallory)), nil)
	rec, err := e.k.Credential(e.ctx(5, ""), alice, c)
	if err != nil || rec.RevokedHeight != 0 {
		t.Fatalf("alice's record after mallory revoked hers: %v, %v", rec, err)
	}
	wantErr(t, e.k.RevokeCredential(e.ctx(6, alice), revoke(alice)), nil)
	wantErr(t, e.k.RevokeCredential(e.ctx(7, alice), revoke(alice)), ErrCredentialRevoked)
}

// TestCredentialGenesis checks that genesis accepts one CID under two
// issuers but not twice under one, and that init and export keep both
// records, in key order.
func TestCredentialGenesis(t *testing.T) {
	alice, mallory, bob := testDID(1), testDID(2), testDID(3)
	registered := func(did string) bool { return did == alice || did == mallory || did == bob }
	c := credentialCID(t, "vc", cid.Raw, multihash.SHA2_256)
	rec := func(issuer string) *identityv1.CredentialStatus {
		return &identityv1.CredentialStatus{Cid: c, Issuer: issuer, Subject: bob, CredentialType: "T", IssuedHeight: 1, IssuedBy: issuer}
	}
	recs := []*identityv1.CredentialStatus{rec(mallory), rec(alice)}
	if err := validateCredentials(recs, registered); err != nil {
		t.Fatalf("one CID under two issuers: %v", err)
	}
	if err := validateCredentials(append(recs, rec(alice)), registered); !errors.Is(err, ErrInvalidGenesis) {
		t.Fatalf("one CID twice under one issuer: got %v, want ErrInvalidGenesis", err)
	}

	e := newDIDOpsEnv(t)
	if err := e.k.initCredentials(e.ctx(1, ""), recs); err != nil {
		t.Fatal(err)
	}
	out, err := e.k.exportCredentials(e.ctx(1, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || string(CredentialKey(out[0].Issuer, c)) >= string(CredentialKey(out[1].Issuer, c)) {
		t.Fatalf("exported %v, want both records in key order", out)
	}
	for _, r := range out {
		got, err := e.k.Credential(e.ctx(1, ""), r.Issuer, c)
		if err != nil || got.Issuer != r.Issuer {
			t.Fatalf("record of %s after init: %v, %v", r.Issuer, got, err)
		}
	}
}
