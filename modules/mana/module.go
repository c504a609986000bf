package mana

import (
	"encoding/json"

	"github.com/intercooperative/icnd/modules"
)

// ModuleName is the mana module's name: its genesis section and codespace.
const ModuleName = "mana"

// Module is the mana module as the app composes it. It has no messages:
// every transaction's charge is the app's ante step.
type Module struct{ k *Keeper }

var _ modules.Module = Module{}

// NewModule returns the module over k.
func NewModule(k *Keeper) Module { return Module{k: k} }

// Name implements modules.Module.
func (Module) Name() string { return ModuleName }

// StorePrefix implements modules.Module.
func (Module) StorePrefix() byte { return StorePrefix }

// Messages implements modules.Module: none.
func (Module) Messages() []modules.Msg { return nil }

// DefaultGenesis implements modules.Module: default params costing the
// app's messages (facts.Messages), no accounts.
func (Module) DefaultGenesis(facts modules.GenesisFacts) (json.RawMessage, error) {
	return json.Marshal(DefaultGenesis(facts.Messages))
}

// ValidateGenesis implements modules.Module.
func (Module) ValidateGenesis(raw json.RawMessage, facts modules.GenesisFacts) error {
	var g Genesis
	if err := modules.DecodeGenesis(raw, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	return g.Validate(facts.Messages, facts.DIDs)
}

// InitGenesis implements modules.Module.
func (m Module) InitGenesis(ctx modules.Context, raw json.RawMessage, facts modules.GenesisFacts) error {
	var g Genesis
	if err := modules.DecodeGenesis(raw, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	return m.k.InitGenesis(ctx, g, facts.SortedDIDs())
}

// ExportGenesis implements modules.Module.
func (m Module) ExportGenesis(ctx modules.Context) (json.RawMessage, error) {
	g, err := m.k.ExportGenesis(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(g)
}
