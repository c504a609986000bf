package mana

import (
	"bytes"
	"fmt"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// Keeper reads and writes mana state. Apart from a memo of the decoded
// params it holds no state of its own.
type Keeper struct {
	memberships Memberships
	reputation  Reputation

	// params memoises the decoding of the stored params, which every
	// transaction reads: decoding is a pure function of the bytes, so
	// reusing the last result for the same bytes cannot change anything.
	params struct {
		raw     []byte
		decoded *manav1.Params
	}
}

// NewKeeper returns a mana Keeper that derives capacity (Derive) from the
// memberships and reputation the two interfaces report.
func NewKeeper(memberships Memberships, reputation Reputation) *Keeper {
	return &Keeper{memberships: memberships, reputation: reputation}
}

// Params loads the module params. Params are written at genesis, so their
// absence is a broken invariant and returned as a plain error.
//
// The returned params may be shared with other callers: treat them as
// read-only.
func (k *Keeper) Params(ctx modules.Context) (*manav1.Params, error) {
	bz := ctx.Store.Get(ParamsKey())
	if bz == nil {
		return nil, fmt.Errorf("mana: params are missing from state")
	}
	if k.params.decoded != nil && bytes.Equal(bz, k.params.raw) {
		return k.params.decoded, nil
	}
	p := new(manav1.Params)
	if err := p.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("mana: stored params are corrupt: %w", err)
	}
	k.params.raw, k.params.decoded = bytes.Clone(bz), p
	return p, nil
}

// SetParams stores p. The caller validates it first.
func (k *Keeper) SetParams(ctx modules.Context, p *manav1.Params) error {
	if err := modules.Save(ctx.Store, ParamsKey(), p); err != nil {
		return fmt.Errorf("mana: params: %w", err)
	}
	return nil
}

// Account loads did's stored account (not regenerated; see Effective).
// It returns ErrNoAccount when there is none, including for a string too
// long to be any DID.
func (k *Keeper) Account(ctx modules.Context, did string) (*manav1.Account, error) {
	if len(did) > modules.MaxKeyPart {
		return nil, ErrNoAccount.Wrapf("%d-byte DID", len(did))
	}
	acc, found, err := modules.Load[manav1.Account](ctx.Store, AccountKey(did))
	if err != nil {
		return nil, fmt.Errorf("mana: account of %s: %w", did, err)
	}
	if !found {
		return nil, ErrNoAccount.Wrapf("%s", did)
	}
	return acc, nil
}

func (k *Keeper) setAccount(ctx modules.Context, did string, acc *manav1.Account) error {
	if err := modules.Save(ctx.Store, AccountKey(did), acc); err != nil {
		return fmt.Errorf("mana: account of %s: %w", did, err)
	}
	return nil
}

// CreateAccount opens did's account with an empty balance and the base
// capacity and rate that params give new accounts, and derives its capacity
// and rate from them (Derive): a DID that belongs to no organization and
// has a neutral reputation gets exactly the base, which is 0 by default.
// It implements did.ManaAccounts and org.ManaAccounts.
func (k *Keeper) CreateAccount(ctx modules.Context, did string) error {
	if ctx.Store.Has(AccountKey(did)) {
		return fmt.Errorf("mana: account of %s already exists", did)
	}
	p, err := k.Params(ctx)
	if err != nil {
		return err
	}
	acc := &manav1.Account{
		BaseCapacity: p.NewAccountCapacity,
		BaseRate:     p.NewAccountRate,
		LastHeight:   ctx.Height,
	}
	if acc.Capacity, acc.Rate, err = k.derive(ctx, p, did, acc); err != nil {
		return err
	}
	return k.setAccount(ctx, did, acc)
}

// Charge takes amount from did's regenerated balance at ctx.Height. It
// returns ErrNoAccount or ErrInsufficientMana (with have and need) and
// changes nothing on error.
func (k *Keeper) Charge(ctx modules.Context, did string, amount uint64) error {
	acc, err := k.Account(ctx, did)
	if err != nil {
		return err
	}
	settle(acc, ctx.Height)
	if acc.Balance < amount {
		return ErrInsufficientMana.Wrapf("%s has %d, needs %d", did, acc.Balance, amount)
	}
	acc.Balance -= amount
	if err := k.setAccount(ctx, did, acc); err != nil {
		return err
	}
	ctx.Emit(EventCharged{DID: did, Amount: amount, Remaining: acc.Balance})
	return nil
}
