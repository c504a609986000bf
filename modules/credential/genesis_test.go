package credential

import (
	"errors"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// TestCredentialGenesis checks that genesis accepts one CID under two
// issuers but not twice under one, and that init and export keep both
// records, in key order.
func TestCredentialGenesis(t *testing.T) {
	alice, mallory, bob := testDID(1), testDID(2), testDID(3)
	registered := map[string]bool{alice: true, mallory: true, bob: true}
	c := credentialCID(t, "vc", cid.Raw, multihash.SHA2_256)
	rec := func(issuer string) *identityv1.CredentialStatus {
		return &identityv1.CredentialStatus{Cid: c, Issuer: issuer, Subject: bob, CredentialType: "T", IssuedHeight: 1, IssuedBy: issuer}
	}
	recs := []*identityv1.CredentialStatus{rec(mallory), rec(alice)}
	if err := (Genesis{Credentials: recs}).Validate(registered); err != nil {
		t.Fatalf("one CID under two issuers: %v", err)
	}
	if err := (Genesis{Credentials: append(recs, rec(alice))}).Validate(registered); !errors.Is(err, ErrInvalidGenesis) {
		t.Fatalf("one CID twice under one issuer: got %v, want ErrInvalidGenesis", err)
	}

	e := newTestEnv(t)
	if err := e.k.InitGenesis(e.ctx(1, ""), Genesis{Credentials: recs}); err != nil {
		t.Fatal(err)
	}
	exported, err := e.k.ExportGenesis(e.ctx(1, ""))
	if err != nil {
		t.Fatal(err)
	}
	out := exported.Credentials
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
