package mana

import (
	"bytes"
	"fmt"
	"math/bits"
	"sort"

	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// GenesisAccount is one funded account in genesis. Capacity and Rate are the
// account's base grant; its capacity and rate on chain add the bonuses of
// its genesis memberships (Derive).
type GenesisAccount struct {
	DID      string `json:"did"`
	Balance  uint64 `json:"balance"`
	Capacity uint64 `json:"capacity"`
	Rate     uint64 `json:"rate"`
}

// GenesisEscrow is one open escrow in genesis.
type GenesisEscrow struct {
	ID     []byte `json:"id"`
	Owner  string `json:"owner"`
	Amount uint64 `json:"amount"`
	Height int64  `json:"height"`
}

// Genesis is the mana module's part of the genesis app state.
type Genesis struct {
	Params   *manav1.Params   `json:"params"`
	Accounts []GenesisAccount `json:"accounts"`
	Escrows  []GenesisEscrow  `json:"escrows,omitempty"`
}

// DefaultGenesis has the default params for the app's messages and no
// accounts.
func DefaultGenesis(msgs []modules.MsgSpec) Genesis {
	return Genesis{Params: DefaultParams(msgs), Accounts: []GenesisAccount{}}
}

// Validate checks the mana genesis against the message names the app knows
// and the DIDs the genesis registers (documents and organizations): every
// account must belong to a registered DID, once, with a base within the
// params' caps; every escrow has a valid unique id, a positive amount and a
// registered owner. Whether each balance fits under its account's ceiling
// depends on the genesis memberships, so InitGenesis checks that.
func (g Genesis) Validate(msgs []modules.MsgSpec, dids map[string]bool) error {
	if err := ValidateParams(g.Params, msgs); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	seen := make(map[string]bool, len(g.Accounts))
	for i, a := range g.Accounts {
		if !dids[a.DID] {
			return ErrInvalidGenesis.Wrapf("account %d: %q is not a DID registered in genesis", i, a.DID)
		}
		if seen[a.DID] {
			return ErrInvalidGenesis.Wrapf("account %s is listed twice", a.DID)
		}
		seen[a.DID] = true
		if a.Capacity > g.Params.MaxCapacity || a.Rate > g.Params.MaxRate {
			return ErrInvalidGenesis.Wrapf("account %s: capacity %d and rate %d must be at most max_capacity %d and max_rate %d",
				a.DID, a.Capacity, a.Rate, g.Params.MaxCapacity, g.Params.MaxRate)
		}
	}
	ids := make(map[string]bool, len(g.Escrows))
	for i, e := range g.Escrows {
		if err := ValidateEscrowID(e.ID); err != nil {
			return ErrInvalidGenesis.Wrapf("escrow %d: %v", i, err)
		}
		if ids[string(e.ID)] {
			return ErrInvalidGenesis.Wrapf("escrow %x is listed twice", e.ID)
		}
		ids[string(e.ID)] = true
		if !dids[e.Owner] {
			return ErrInvalidGenesis.Wrapf("escrow %x: owner %q is not a DID registered in genesis", e.ID, e.Owner)
		}
		if e.Amount == 0 {
			return ErrInvalidGenesis.Wrapf("escrow %x locks 0 mana", e.ID)
		}
	}
	return nil
}

// InitGenesis stores params, accounts (in DID order) and escrows (in id
// order). Registered DIDs without a listed account get an empty one with no
// base, so every DID has an account. Each account's capacity and rate are
// derived from its base, its memberships in the state the org genesis
// wrote, and its reputation; its escrowed total is the sum of its escrows.
// A balance above the resulting ceiling (capacity less escrow) is refused
// with ErrInvalidGenesis. The caller has validated g; dids lists every
// genesis DID in sorted order.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis, dids []string) error {
	if err := k.SetParams(ctx, g.Params); err != nil {
		return err
	}
	listed := make(map[string]GenesisAccount, len(g.Accounts))
	for _, a := range g.Accounts {
		listed[a.DID] = a
	}
	escrowed := make(map[string]uint64)
	for _, e := range g.Escrows {
		sum, carry := bits.Add64(escrowed[e.Owner], e.Amount, 0)
		if carry != 0 {
			return ErrInvalidGenesis.Wrapf("the escrows of %s add up to more than 2^64-1", e.Owner)
		}
		escrowed[e.Owner] = sum
	}
	for _, did := range dids {
		a := listed[did]
		acc := &manav1.Account{
			Balance:      a.Balance,
			BaseCapacity: a.Capacity,
			BaseRate:     a.Rate,
			Escrowed:     escrowed[did],
			LastHeight:   ctx.Height,
		}
		var err error
		if acc.Capacity, acc.Rate, err = k.derive(ctx, g.Params, did, acc); err != nil {
			return err
		}
		if ceiling := Ceiling(acc); acc.Balance > ceiling {
			return ErrInvalidGenesis.Wrapf("account %s: balance %d exceeds its ceiling %d (capacity %d less escrow %d)",
				did, acc.Balance, ceiling, acc.Capacity, acc.Escrowed)
		}
		if err := k.setAccount(ctx, did, acc); err != nil {
			return err
		}
	}
	escrows := append([]GenesisEscrow(nil), g.Escrows...)
	sort.Slice(escrows, func(i, j int) bool { return bytes.Compare(escrows[i].ID, escrows[j].ID) < 0 })
	for _, e := range escrows {
		if err := k.setEscrow(ctx, e.ID, &manav1.Escrow{Owner: e.Owner, Amount: e.Amount, Height: e.Height}); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis returns params, every account in DID order with its base
// grant and its balance regenerated to ctx.Height+1, and every escrow in id
// order: the state at ctx.Height restarts as a chain whose first block is
// ctx.Height+1, and InitGenesis stores each balance as of that height and
// derives capacity and rate again from the exported memberships.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	p, err := k.Params(ctx)
	if err != nil {
		return Genesis{}, err
	}
	g := Genesis{Params: proto.Clone(p).(*manav1.Params), Accounts: []GenesisAccount{}}
	err = modules.Walk(ctx.Store, []byte{StorePrefix, subAccount}, func(key []byte, acc *manav1.Account) (bool, error) {
		did := string(key[3:]) // prefix, sub-prefix, length byte
		g.Accounts = append(g.Accounts, GenesisAccount{DID: did, Balance: Effective(acc, ctx.Height+1), Capacity: acc.BaseCapacity, Rate: acc.BaseRate})
		return false, nil
	})
	if err != nil {
		return Genesis{}, fmt.Errorf("mana: export accounts: %w", err)
	}
	sort.Slice(g.Accounts, func(i, j int) bool { return g.Accounts[i].DID < g.Accounts[j].DID })
	err = modules.Walk(ctx.Store, []byte{StorePrefix, subEscrow}, func(key []byte, e *manav1.Escrow) (bool, error) {
		id := append([]byte(nil), key[3:]...)
		g.Escrows = append(g.Escrows, GenesisEscrow{ID: id, Owner: e.Owner, Amount: e.Amount, Height: e.Height})
		return false, nil
	})
	if err != nil {
		return Genesis{}, fmt.Errorf("mana: export escrows: %w", err)
	}
	return g, nil
}
