package app

import (
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/identity"
	"github.com/intercooperative/icnd/modules/mana"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// identityMemberships gives the mana module the organizations a DID belongs
// to (mana.Memberships), read from the identity module. The identity keeper
// is set once the App is built: identity needs mana to open accounts and
// mana needs identity for memberships.
type identityMemberships struct {
	identity *identity.Keeper
}

// MembershipKinds implements mana.Memberships: the mana kind of every
// organization did is a member of, sorted.
func (m *identityMemberships) MembershipKinds(ctx modules.Context, did string) ([]string, error) {
	orgs, err := m.identity.OrganizationsOf(ctx, did)
	if err != nil {
		return nil, err
	}
	kinds := make([]string, 0, len(orgs))
	for _, o := range orgs {
		kind, err := manaKind(o)
		if err != nil {
			return nil, err
		}
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	return kinds, nil
}

// manaKind names o's kind as mana's params do. A stored organization
// always has a known kind, so anything else is a broken invariant.
func manaKind(o *identityv1.Organization) (string, error) {
	switch o.Kind {
	case identityv1.OrgKind_ORG_KIND_COMMUNITY:
		return mana.KindCommunity, nil
	case identityv1.OrgKind_ORG_KIND_COOPERATIVE:
		return mana.KindCooperative, nil
	case identityv1.OrgKind_ORG_KIND_FEDERATION:
		return mana.KindFederation, nil
	default:
		return "", fmt.Errorf("app: organization %s has kind %v, which mana does not know", o.Did, o.Kind)
	}
}

// neutralReputation gives every DID the neutral reputation
// (mana.Reputation) until the mesh module keeps reputation.
type neutralReputation struct{}

// Reputation implements mana.Reputation.
func (neutralReputation) Reputation(modules.Context, string) (uint64, error) {
	return mana.NeutralReputation, nil
}
