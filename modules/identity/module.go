package identity

import (
	"encoding/json"

	"github.com/intercooperative/icnd/modules"
)

// ModuleName is the identity module's name: its genesis section.
const ModuleName = "identity"

// Module is the identity module as the app composes it.
type Module struct{ k *Keeper }

var (
	_ modules.Module      = Module{}
	_ modules.GenesisDIDs = Module{}
)

// NewModule returns the module over k.
func NewModule(k *Keeper) Module { return Module{k: k} }

// Name implements modules.Module.
func (Module) Name() string { return ModuleName }

// StorePrefix implements modules.Module.
func (Module) StorePrefix() byte { return StorePrefix }

// Messages implements modules.Module.
func (m Module) Messages() []modules.Msg { return m.k.Messages() }

// DefaultGenesis implements modules.Module: no documents.
func (Module) DefaultGenesis(modules.GenesisFacts) (json.RawMessage, error) {
	return json.Marshal(Genesis{})
}

// GenesisDIDs implements modules.GenesisDIDs.
func (Module) GenesisDIDs(raw json.RawMessage) ([]string, error) {
	var g Genesis
	if err := modules.DecodeGenesis(raw, &g); err != nil {
		return nil, ErrInvalidGenesis.Wrapf("%v", err)
	}
	return g.DIDs(), nil
}

// ValidateGenesis implements modules.Module.
func (Module) ValidateGenesis(raw json.RawMessage, _ modules.GenesisFacts) error {
	var g Genesis
	if err := modules.DecodeGenesis(raw, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	return g.Validate()
}

// InitGenesis implements modules.Module.
func (m Module) InitGenesis(ctx modules.Context, raw json.RawMessage, _ modules.GenesisFacts) error {
	var g Genesis
	if err := modules.DecodeGenesis(raw, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	return m.k.InitGenesis(ctx, g)
}

// ExportGenesis implements modules.Module.
func (m Module) ExportGenesis(ctx modules.Context) (json.RawMessage, error) {
	g, err := m.k.ExportGenesis(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(g)
}
