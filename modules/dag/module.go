package dag

import (
	"github.com/intercooperative/icnd/modules"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ModuleName is the dag module's name: its genesis section and codespace.
const ModuleName = "dag"

// Module is the dag module as the app composes it.
type Module struct {
	modules.Named
	modules.GenesisOf[Genesis]
	k *Keeper
}

var _ modules.Module = Module{}

// NewModule returns the module over k.
func NewModule(k *Keeper) Module {
	return Module{k: k, Named: modules.Named{ModuleName: ModuleName, Prefix: StorePrefix}, GenesisOf: modules.GenesisOf[Genesis]{
		Default:  func(modules.GenesisFacts) Genesis { return Genesis{Entries: []*dagv1.Entry{}} },
		Validate: func(g Genesis, f modules.GenesisFacts) error { return g.Validate(f.DIDs) },
		Init:     func(ctx modules.Context, g Genesis, _ modules.GenesisFacts) error { return k.InitGenesis(ctx, g) },
		Export:   k.ExportGenesis,
		Invalid:  ErrInvalidGenesis,
	}}
}

// Messages implements modules.Module: the dag module's rows of the
// message table.
func (m Module) Messages() []modules.Msg {
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "anchor", Cost: 10, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetAnchor, ValidateAnchor, m.k.Anchor),
	}
}
