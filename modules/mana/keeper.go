package mana

import (
	"fmt"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// Keeper reads and writes mana state. It holds no state of its own.
type Keeper struct{}

// NewKeeper returns a mana Keeper.
func NewKeeper() *Keeper { return &Keeper{} }

// Params loads the module params. Params are written at genesis, so their
// absence is a broken invariant and returned as a plain error.
func (k *Keeper) Params(ctx modules.Context) (*manav1.Params, error) {
	bz := ctx.Store.Get(ParamsKey())
	if bz == nil {
		return nil, fmt.Errorf("mana: params are missing from state")
	}
	p := new(manav1.Params)
	if err := p.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("mana: stored params are corrupt: %w", err)
	}
	return p, nil
}

// SetParams stores p. The caller validates it first.
func (k *Keeper) SetParams(ctx modules.Context, p *manav1.Params) error {
	bz, err := p.Marshal()
	if err != nil {
		return fmt.Errorf("mana: encode params: %w", err)
	}
	ctx.Store.Set(ParamsKey(), bz)
	return nil
}

// Account loads did's stored account (not regenerated; see Effective).
// It returns ErrNoAccount when there is none.
func (k *Keeper) Account(ctx modules.Context, did string) (*manav1.Account, error) {
	bz := ctx.Store.Get(AccountKey(did))
	if bz == nil {
		return nil, ErrNoAccount.Wrapf("%s", did)
	}
	acc := new(manav1.Account)
	if err := acc.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("mana: stored account of %s is corrupt: %w", did, err)
	}
	return acc, nil
}

func (k *Keeper) setAccount(ctx modules.Context, did string, acc *manav1.Account) error {
	bz, err := acc.Marshal()
	if err != nil {
		return fmt.Errorf("mana: encode account of %s: %w", did, err)
	}
	ctx.Store.Set(AccountKey(did), bz)
	return nil
}

// CreateAccount opens did's account with the new-account capacity and rate
// from params and an empty balance. It implements identity.ManaAccounts.
func (k *Keeper) CreateAccount(ctx modules.Context, did string) error {
	if ctx.Store.Has(AccountKey(did)) {
		return fmt.Errorf("mana: account of %s already exists", did)
	}
	p, err := k.Params(ctx)
	if err != nil {
		return err
	}
	return k.setAccount(ctx, did, &manav1.Account{
		Capacity:   p.NewAccountCapacity,
		Rate:       p.NewAccountRate,
		LastHeight: ctx.Height,
	})
}

// Charge takes amount from did's regenerated balance at ctx.Height. It
// returns ErrNoAccount or ErrInsufficientMana (with have and need) and
// changes nothing on error.
func (k *Keeper) Charge(ctx modules.Context, did string, amount uint64) error {
	acc, err := k.Account(ctx, did)
	if err != nil {
		return err
	}
	have := Effective(acc, ctx.Height)
	if have < amount {
		return ErrInsufficientMana.Wrapf("%s has %d, needs %d", did, have, amount)
	}
	acc.Balance = have - amount
	if ctx.Height > acc.LastHeight {
		acc.LastHeight = ctx.Height
	}
	if err := k.setAccount(ctx, did, acc); err != nil {
		return err
	}
	ctx.Emit(EventCharged{DID: did, Amount: amount, Remaining: acc.Balance})
	return nil
}
