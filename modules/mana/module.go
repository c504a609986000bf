package mana

import (
	"github.com/intercooperative/icnd/modules"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ModuleName is the mana module's name: its genesis section and codespace.
const ModuleName = "mana"

// Module is the mana module as the app composes it. Every transaction's
// charge is the app's ante step; its own messages are the treasury spend
// and the root federation's params change.
type Module struct {
	modules.Named
	modules.GenesisOf[Genesis]
	srv *MsgServer
}

var _ modules.Module = Module{}

// NewModule returns the module over k. Its default genesis costs the app's
// messages (GenesisFacts.Messages).
func NewModule(k *Keeper, srv *MsgServer) Module {
	return Module{srv: srv, Named: modules.Named{ModuleName: ModuleName, Prefix: StorePrefix}, GenesisOf: modules.GenesisOf[Genesis]{
		Default:  func(f modules.GenesisFacts) Genesis { return DefaultGenesis(f.Messages) },
		Validate: func(g Genesis, f modules.GenesisFacts) error { return g.Validate(f.Messages, f.DIDs) },
		Init: func(ctx modules.Context, g Genesis, f modules.GenesisFacts) error {
			return k.InitGenesis(ctx, g, f.SortedDIDs())
		},
		Export:  k.ExportGenesis,
		Invalid: ErrInvalidGenesis,
	}}
}

// Messages implements modules.Module.
func (m Module) Messages() []modules.Msg {
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "spend_treasury", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetSpendTreasury, ValidateSpendTreasury, m.srv.SpendTreasury),
		modules.NewMsg(modules.MsgSpec{Name: "set_mana_params", Cost: 100, Governance: modules.GovernanceRoot},
			(*txv1.Msg).GetSetManaParams, ValidateSetManaParams, m.srv.SetManaParams),
	}
}
