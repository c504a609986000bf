package governance

import (
	"fmt"

	"github.com/intercooperative/icnd/modules"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// GenesisPolicy is one organization's policy in genesis.
type GenesisPolicy struct {
	Org    string               `json:"org"`
	Policy *governancev1.Policy `json:"policy"`
}

// Genesis is the governance section of genesis.json. A new chain starts
// with params and, optionally, organizations' policies; proposals, votes
// and delegations are not exported (an exported chain starts with none:
// export is for new chains, and a proposal in flight names heights of the
// old one).
type Genesis struct {
	Params   *governancev1.Params `json:"params"`
	Policies []GenesisPolicy      `json:"policies,omitempty"`
}

// DefaultGenesis is the governance genesis of a new chain.
func DefaultGenesis() Genesis { return Genesis{Params: DefaultParams()} }

// Validate checks the params and each policy, sorted by organization and
// naming a registered DID.
func (g Genesis) Validate(dids map[string]bool) error {
	if err := ValidateParams(g.Params); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	for i, p := range g.Policies {
		if !dids[p.Org] {
			return ErrInvalidGenesis.Wrapf("policy %d names %q, which genesis does not register", i, p.Org)
		}
		if i > 0 && g.Policies[i-1].Org >= p.Org {
			return ErrInvalidGenesis.Wrapf("policies must be sorted by org and unique")
		}
		if err := ValidatePolicy(p.Policy, g.Params); err != nil {
			return ErrInvalidGenesis.Wrapf("policy of %s: %v", p.Org, err)
		}
	}
	return nil
}

// InitGenesis writes a validated section.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	if err := k.setParams(ctx, g.Params); err != nil {
		return fmt.Errorf("governance: genesis params: %w", err)
	}
	for _, p := range g.Policies {
		if err := modules.Save(ctx.Store, PolicyKey(p.Org), p.Policy); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis reads the params and policies back.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	params, err := k.Params(ctx)
	if err != nil {
		return Genesis{}, err
	}
	g := Genesis{Params: params}
	prefix := []byte{StorePrefix, subPolicy}
	err = modules.Walk(ctx.Store, prefix, func(key []byte, p *governancev1.Policy) (bool, error) {
		// key: prefix, sub, len, org
		g.Policies = append(g.Policies, GenesisPolicy{Org: string(key[3:]), Policy: p})
		return false, nil
	})
	return g, err
}
