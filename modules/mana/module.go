package mana

import (
	"github.com/intercooperative/icnd/modules"
)

// ModuleName is the mana module's name: its genesis section and codespace.
const ModuleName = "mana"

// Module is the mana module as the app composes it. It has no messages:
// every transaction's charge is the app's ante step.
type Module struct {
	modules.Named
	modules.GenesisOf[Genesis]
}

var _ modules.Module = Module{}

// NewModule returns the module over k. Its default genesis costs the app's
// messages (GenesisFacts.Messages).
func NewModule(k *Keeper) Module {
	return Module{Named: modules.Named{ModuleName: ModuleName, Prefix: StorePrefix}, GenesisOf: modules.GenesisOf[Genesis]{
		Default:  func(f modules.GenesisFacts) Genesis { return DefaultGenesis(f.Messages) },
		Validate: func(g Genesis, f modules.GenesisFacts) error { return g.Validate(f.Messages, f.DIDs) },
		Init: func(ctx modules.Context, g Genesis, f modules.GenesisFacts) error {
			return k.InitGenesis(ctx, g, f.SortedDIDs())
		},
		Export:  k.ExportGenesis,
		Invalid: ErrInvalidGenesis,
	}}
}

// Messages implements modules.Module: none.
func (Module) Messages() []modules.Msg { return nil }
