package mana

import (
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	"github.com/intercooperative/icnd/store"
)

// GenesisAccount is one funded account in genesis.
type GenesisAccount struct {
	DID      string `json:"did"`
	Balance  uint64 `json:"balance"`
	Capacity uint64 `json:"capacity"`
	Rate     uint64 `json:"rate"`
}

// Genesis is the mana module's part of the genesis app state.
type Genesis struct {
	Params   *manav1.Params   `json:"params"`
	Accounts []GenesisAccount `json:"accounts"`
}

// DefaultGenesis has the default params and no accounts.
func DefaultGenesis() Genesis {
	return Genesis{Params: DefaultParams(), Accounts: []GenesisAccount{}}
}

// Validate checks the mana genesis against the message names the app knows
// and the DIDs the identity genesis registers: every account must belong to
// a registered DID, once, with balance <= capacity.
func (g Genesis) Validate(knownMsgs, dids map[string]bool) error {
	if err := ValidateParams(g.Params, knownMsgs); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	seen := make(map[string]bool, len(g.Accounts))
	for i, a := range g.Accounts {
		if !dids[a.DID] {
			return ErrInvalidGenesis.Wrapf("account %d: %q is not a DID registered in the identity genesis", i, a.DID)
		}
		if seen[a.DID] {
			return ErrInvalidGenesis.Wrapf("account %s is listed twice", a.DID)
		}
		seen[a.DID] = true
		if a.Balance > a.Capacity {
			return ErrInvalidGenesis.Wrapf("account %s: balance %d exceeds capacity %d", a.DID, a.Balance, a.Capacity)
		}
	}
	return nil
}

// InitGenesis stores params and accounts (in DID order). Registered DIDs
// without a listed account get an empty one, so every DID has an account.
// The caller has validated g; dids lists every genesis DID in sorted order.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis, dids []string) error {
	if err := k.SetParams(ctx, g.Params); err != nil {
		return err
	}
	listed := make(map[string]GenesisAccount, len(g.Accounts))
	for _, a := range g.Accounts {
		listed[a.DID] = a
	}
	for _, did := range dids {
		a := listed[did]
		acc := &manav1.Account{Balance: a.Balance, Capacity: a.Capacity, Rate: a.Rate, LastHeight: ctx.Height}
		if err := k.setAccount(ctx, did, acc); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis returns params and every account, in DID order, with
// balances regenerated to ctx.Height+1: the state at ctx.Height restarts as
// a chain whose first block is ctx.Height+1, and InitGenesis stores each
// balance as of that height.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	p, err := k.Params(ctx)
	if err != nil {
		return Genesis{}, err
	}
	g := Genesis{Params: p, Accounts: []GenesisAccount{}}
	prefix := []byte{StorePrefix, subAccount}
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		acc := new(manav1.Account)
		if err := acc.Unmarshal(it.Value()); err != nil {
			return Genesis{}, fmt.Errorf("mana: corrupt account under key %x: %w", it.Key(), err)
		}
		key := it.Key()
		did := string(key[3:]) // prefix, sub-prefix, length byte
		g.Accounts = append(g.Accounts, GenesisAccount{DID: did, Balance: Effective(acc, ctx.Height+1), Capacity: acc.Capacity, Rate: acc.Rate})
	}
	sort.Slice(g.Accounts, func(i, j int) bool { return g.Accounts[i].DID < g.Accounts[j].DID })
	return g, nil
}
