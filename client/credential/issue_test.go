package credential

import (
	"maps"
	"testing"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

func TestMembershipClaims(t *testing.T) {
	const org, other = "did:icn:org", "did:icn:other"
	for _, tc := range []struct {
		name    string
		claims  map[string]string
		want    map[string]string
		wantErr string
	}{
		{"defaults", map[string]string{}, map[string]string{ClaimOrganization: org, ClaimRole: "member"}, ""},
		{"role given", map[string]string{ClaimRole: "baker"}, map[string]string{ClaimOrganization: org, ClaimRole: "baker"}, ""},
		{"same organization", map[string]string{ClaimOrganization: org, "x": "y"}, map[string]string{ClaimOrganization: org, ClaimRole: "member", "x": "y"}, ""},
		{"other organization", map[string]string{ClaimOrganization: other}, nil,
			"a MembershipCredential issued by did:icn:org must claim organization did:icn:org, not did:icn:other"},
	} {
		err := membershipClaims(org, tc.claims)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !maps.Equal(tc.claims, tc.want) {
			t.Errorf("%s: claims %v, error %v; want %v", tc.name, tc.claims, err, tc.want)
		}
	}
}

func TestHoldsRole(t *testing.T) {
	m := &identityv1.Membership{Org: "did:icn:org", Member: "did:icn:bob", Roles: []string{"baker", "member"}}
	if err := holdsRole(m, "member"); err != nil {
		t.Errorf("member: %v", err)
	}
	want := `did:icn:bob does not hold the role "compliance-officer" in did:icn:org (roles: baker, member)`
	if err := holdsRole(m, "compliance-officer"); err == nil || err.Error() != want {
		t.Errorf("compliance-officer: %v, want %q", err, want)
	}
}
