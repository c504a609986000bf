package governance

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/intercooperative/icnd/modules"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// Validators returns the validator set the state holds, by public key.
func (k *Keeper) Validators(ctx modules.Context) ([]*governancev1.Validator, error) {
	var out []*governancev1.Validator
	err := modules.Walk(ctx.Store, ValidatorsPrefix(), func(_ []byte, v *governancev1.Validator) (bool, error) {
		out = append(out, v)
		return false, nil
	})
	return out, err
}

// InitValidators records the genesis validators (from CometBFT's
// InitChain), replacing nothing: the state must hold none yet.
func (k *Keeper) InitValidators(ctx modules.Context, vals []*governancev1.Validator) error {
	for _, v := range vals {
		if len(v.PubKey) != 32 || v.Power < 1 || v.Power > MaxValidatorPower {
			return fmt.Errorf("governance: genesis validator %X with power %d: want a 32-byte Ed25519 key and power 1 to %d", v.PubKey, v.Power, int64(MaxValidatorPower))
		}
		if ctx.Store.Has(ValidatorKey(v.PubKey)) {
			return fmt.Errorf("governance: genesis validator %X listed twice", v.PubKey)
		}
		if err := modules.Save(ctx.Store, ValidatorKey(v.PubKey), v); err != nil {
			return err
		}
	}
	return nil
}

// SetValidator adds, re-weights or (power 0) removes a validator: root
// federation only. The resulting set must keep at least one validator,
// hold at most MaxValidators, and give no validator more than a third of
// the total power unless Params.allow_validator_concentration. The change
// is returned to CometBFT at the end of this block (TakeValidatorUpdates)
// and takes effect as CometBFT defines, two heights later. Errors:
// ErrNotOrgAuthority, ErrInvalidValidator.
func (k *Keeper) SetValidator(ctx modules.Context, m *governancev1.MsgSetValidator) error {
	if err := k.authorizeRoot(ctx); err != nil {
		return err
	}
	vals, err := k.Validators(ctx)
	if err != nil {
		return err
	}
	var total, maxPower uint64
	n, found := 0, false
	for _, v := range vals {
		p := v.Power
		if bytes.Equal(v.PubKey, m.PubKey) {
			p, found = m.Power, true
		}
		if p > 0 {
			n++
			total += uint64(p) // each at most 2^40, at most MaxValidators+1
			maxPower = max(maxPower, uint64(p))
		}
	}
	if !found {
		if m.Power == 0 {
			return ErrInvalidValidator.Wrapf("%X is not a validator", m.PubKey)
		}
		n++
		total += uint64(m.Power)
		maxPower = max(maxPower, uint64(m.Power))
	}
	if n < 1 {
		return ErrInvalidValidator.Wrapf("the change would leave no validator")
	}
	if n > MaxValidators {
		return ErrInvalidValidator.Wrapf("the change would make %d validators, max %d", n, MaxValidators)
	}
	params, err := k.Params(ctx)
	if err != nil {
		return err
	}
	if !params.AllowValidatorConcentration && 3*maxPower > total {
		return ErrInvalidValidator.Wrapf("the change would give one validator %d of %d power, more than a third", maxPower, total)
	}
	v := &governancev1.Validator{PubKey: m.PubKey, Power: m.Power}
	// A validator absent from the set when the block's first change to it
	// is made is new to CometBFT: removing it again within the block must
	// send CometBFT nothing, since CometBFT refuses (and halts on) the
	// removal of a validator it does not have.
	if !found && !ctx.Store.Has(valUpdateKey(m.PubKey)) {
		if err := modules.Save(ctx.Store, valAddedKey(m.PubKey), &governancev1.Validator{PubKey: m.PubKey}); err != nil {
			return err
		}
	}
	if m.Power == 0 {
		ctx.Store.Delete(ValidatorKey(m.PubKey))
	} else if err := modules.Save(ctx.Store, ValidatorKey(m.PubKey), v); err != nil {
		return err
	}
	if m.Power == 0 && ctx.Store.Has(valAddedKey(m.PubKey)) {
		ctx.Store.Delete(valAddedKey(m.PubKey))
		ctx.Store.Delete(valUpdateKey(m.PubKey))
	} else if err := modules.Save(ctx.Store, valUpdateKey(m.PubKey), v); err != nil {
		// The pending update keeps power 0 for a removal: CometBFT's way
		// of saying "remove". Protobuf encodes a zero power as absent, so
		// the key always holds the 32-byte key field and is never empty.
		return err
	}
	ctx.Emit(EventValidatorSet{PubKey: m.PubKey, Power: m.Power})
	return nil
}

// TakeValidatorUpdates returns the validator changes made since the last
// call, by public key, and forgets them: the app calls it once per block,
// after the end-of-block hooks, and returns them to CometBFT.
func (k *Keeper) TakeValidatorUpdates(ctx modules.Context) ([]*governancev1.Validator, error) {
	var out []*governancev1.Validator
	var keys [][]byte
	err := modules.Walk(ctx.Store, valUpdatesPrefix(), func(key []byte, v *governancev1.Validator) (bool, error) {
		out = append(out, v)
		keys = append(keys, bytes.Clone(key))
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	err = modules.Walk(ctx.Store, valAddedPrefix(), func(key []byte, _ *governancev1.Validator) (bool, error) {
		keys = append(keys, bytes.Clone(key))
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	for _, key := range keys {
		ctx.Store.Delete(key)
	}
	return out, nil
}

// UpgradePlan returns the scheduled upgrade plan, or nil.
func (k *Keeper) UpgradePlan(ctx modules.Context) (*governancev1.UpgradePlan, error) {
	p, found, err := modules.Load[governancev1.UpgradePlan](ctx.Store, UpgradePlanKey())
	if err != nil || !found {
		return nil, err
	}
	return p, nil
}

// ScheduleUpgrade schedules m.Plan, replacing a plan already scheduled:
// root federation only. Its height must be after this block's and its
// name not one already applied. Errors: ErrNotOrgAuthority,
// ErrInvalidUpgrade.
func (k *Keeper) ScheduleUpgrade(ctx modules.Context, m *governancev1.MsgScheduleUpgrade) error {
	if err := k.authorizeRoot(ctx); err != nil {
		return err
	}
	if m.Plan.Height <= ctx.Height {
		return ErrInvalidUpgrade.Wrapf("height %d is not after %d", m.Plan.Height, ctx.Height)
	}
	if ctx.Store.Has(UpgradeDoneKey(m.Plan.Name)) {
		return ErrInvalidUpgrade.Wrapf("upgrade %q was already applied", m.Plan.Name)
	}
	if err := modules.Save(ctx.Store, UpgradePlanKey(), m.Plan); err != nil {
		return err
	}
	ctx.Emit(EventUpgradeScheduled{Name: m.Plan.Name, Height: m.Plan.Height, Info: m.Plan.Info})
	return nil
}

// CancelUpgrade cancels the scheduled plan named m.Name: root federation
// only. Errors: ErrNotOrgAuthority, ErrInvalidUpgrade when no plan of that
// name is scheduled.
func (k *Keeper) CancelUpgrade(ctx modules.Context, m *governancev1.MsgCancelUpgrade) error {
	if err := k.authorizeRoot(ctx); err != nil {
		return err
	}
	p, err := k.UpgradePlan(ctx)
	if err != nil {
		return err
	}
	if p == nil || p.Name != m.Name {
		return ErrInvalidUpgrade.Wrapf("no upgrade %q is scheduled", m.Name)
	}
	ctx.Store.Delete(UpgradePlanKey())
	ctx.Emit(EventUpgradeCancelled{Name: m.Name})
	return nil
}

// UpgradeApplied clears the plan named name and records it as applied at
// ctx.Height; the app calls it after running the upgrade's handler.
func (k *Keeper) UpgradeApplied(ctx modules.Context, name string) {
	ctx.Store.Delete(UpgradePlanKey())
	ctx.Store.Set(UpgradeDoneKey(name), IDBytes(uint64(ctx.Height)))
}

// LastUpgrade returns the upgrade applied last (the highest height; of two
// at one height, the greater name), or found=false when none was. A plain
// error is a broken store.
func (k *Keeper) LastUpgrade(ctx modules.Context) (name string, height int64, found bool, err error) {
	it := ctx.Store.Iterator([]byte{StorePrefix, subUpgradeDone}, []byte{StorePrefix, subUpgradeDone + 1})
	defer it.Close()
	for ; it.Valid(); it.Next() {
		key, v := it.Key(), it.Value()
		if len(v) != 8 || len(key) < 4 {
			return "", 0, false, fmt.Errorf("governance: malformed applied upgrade %x", key)
		}
		n, h := string(key[3:]), int64(binary.BigEndian.Uint64(v))
		if !found || h > height || (h == height && n > name) {
			name, height, found = n, h, true
		}
	}
	return name, height, found, nil
}
