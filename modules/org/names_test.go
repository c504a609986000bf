package org

import (
	"errors"
	"strings"
	"testing"

	"github.com/intercooperative/icnd/modules/did"
)

// TestDeriveOrgDID pins the derivation of docs/did-method.md with an
// independently computed vector and checks that (parent, name) determines
// the DID.
func TestDeriveOrgDID(t *testing.T) {
	root := DeriveOrgDID("", "root")
	if root != "did:icn:rykpb6hojtuj3hmtkm6iqmrq7y34ixjj" {
		t.Fatalf("root federation DID %s", root)
	}
	if coop := DeriveOrgDID(root, "coop"); coop != "did:icn:yjxqtpgygva2h2ltxsxa4e33fjhlo3dk" {
		t.Fatalf("coop under root: %s", coop)
	}
	seen := map[string]bool{}
	for _, parent := range []string{"", root, DeriveOrgDID(root, "north")} {
		for _, name := range []string{"root", "coop", "coop-2", "a"} {
			org := DeriveOrgDID(parent, name)
			if err := did.ParseDID(org); err != nil {
				t.Fatalf("%q under %q: %v", name, parent, err)
			}
			if seen[org] {
				t.Fatalf("%q under %q collides", name, parent)
			}
			seen[org] = true
		}
	}
}

func TestValidateOrgNameAndRole(t *testing.T) {
	for _, ok := range []string{"a", "coop", "coop-2", "0", strings.Repeat("x", MaxOrgNameLength)} {
		if err := ValidateOrgName(ok); err != nil {
			t.Errorf("ValidateOrgName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-a", "a-", "Coop", "co op", "coöp", "a_b", "a.b", strings.Repeat("x", MaxOrgNameLength+1)} {
		if err := ValidateOrgName(bad); !errors.Is(err, ErrInvalidOrgName) {
			t.Errorf("ValidateOrgName(%q) = %v, want ErrInvalidOrgName", bad, err)
		}
		if err := ValidateRole(bad); !errors.Is(err, ErrInvalidRole) {
			t.Errorf("ValidateRole(%q) = %v, want ErrInvalidRole", bad, err)
		}
	}
	if err := ValidateRole(strings.Repeat("r", MaxRoleLength+1)); !errors.Is(err, ErrInvalidRole) {
		t.Errorf("over-long role: %v", err)
	}
}
