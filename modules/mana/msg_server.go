package mana

import (
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// ValidateSpendTreasury is the stateless check of MsgSpendTreasury.
func ValidateSpendTreasury(m *manav1.MsgSpendTreasury) error {
	if err := did.ParseDID(m.Org); err != nil {
		return ErrInvalidSpend.Wrapf("org: %v", err)
	}
	if err := did.ParseDID(m.To); err != nil {
		return ErrInvalidSpend.Wrapf("to: %v", err)
	}
	if m.Amount == 0 {
		return ErrInvalidSpend.Wrapf("amount must be at least 1")
	}
	if m.Org == m.To {
		return ErrInvalidSpend.Wrapf("%s cannot pay itself", m.Org)
	}
	return nil
}

// ValidateSetManaParams is the stateless check of MsgSetManaParams; the
// params are checked against the message table by the handler.
func ValidateSetManaParams(m *manav1.MsgSetManaParams) error {
	if m.Params == nil {
		return ErrInvalidParams.Wrapf("params are missing")
	}
	return nil
}

// SpendTreasury pays m.Amount from m.Org's treasury to m.To
// (Keeper.SpendTreasury). Errors: those of org's AuthorizeControl
// (org/23 unknown organization, did/10 not a controller, org/25 assembly
// controlled, org frozen in scope), ErrNoAccount, ErrInsufficientMana.
func (s *MsgServer) SpendTreasury(ctx modules.Context, m *manav1.MsgSpendTreasury) error {
	if err := s.orgs.AuthorizeControl(ctx, m.Org); err != nil {
		return err
	}
	credited, err := s.k.SpendTreasury(ctx, m.Org, m.To, m.Amount)
	if err != nil {
		return err
	}
	ctx.Emit(EventTreasurySpent{Org: m.Org, To: m.To, Amount: m.Amount, Credited: credited, Burned: m.Amount - credited, By: ctx.Authority})
	return nil
}

// SetManaParams replaces the params. Errors: ErrNotRoot unless the
// authority is the root federation (only its governance carries that
// authority), ErrInvalidParams.
func (s *MsgServer) SetManaParams(ctx modules.Context, m *manav1.MsgSetManaParams) error {
	root, err := s.orgs.IsRoot(ctx, ctx.Authority)
	if err != nil {
		return err
	}
	if !root {
		return ErrNotRoot.Wrapf("%s is not the root federation", modules.Truncate(ctx.Authority))
	}
	if err := ValidateParams(m.Params, s.specs()); err != nil {
		return err
	}
	if err := s.k.SetParams(ctx, m.Params); err != nil {
		return err
	}
	ctx.Emit(EventParamsSet{By: ctx.Authority})
	return nil
}
