package profile

import (
	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ModuleName is the profile module's name: its genesis section and codespace.
const ModuleName = "profile"

// Module is the profile module as the app composes it.
type Module struct {
	modules.Named
	modules.GenesisOf[Genesis]
	k *Keeper
}

var (
	_ modules.Module = Module{}
)

// NewModule returns the module over k.
func NewModule(k *Keeper) Module {
	return Module{k: k, Named: modules.Named{ModuleName: ModuleName, Prefix: StorePrefix}, GenesisOf: modules.GenesisOf[Genesis]{
		Validate: func(g Genesis, f modules.GenesisFacts) error { return g.Validate(f.Documents) },
		Init:     func(ctx modules.Context, g Genesis, _ modules.GenesisFacts) error { return k.InitGenesis(ctx, g) },
		Export:   k.ExportGenesis,
		Invalid:  ErrInvalidGenesis,
	}}
}

// Messages implements modules.Module: the profile module's rows of the
// message table.
func (m Module) Messages() []modules.Msg {
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "set_profile", Cost: 50, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetSetProfile, ValidateSetProfile, m.k.SetProfile),
		modules.NewMsg(modules.MsgSpec{Name: "erase_profile", Cost: 10, Governance: modules.GovernanceNever, FrozenMaySend: true},
			(*txv1.Msg).GetEraseProfile, func(*identityv1.MsgEraseProfile) error { return nil }, func(ctx modules.Context, _ *identityv1.MsgEraseProfile) error { return m.k.EraseProfile(ctx) }),
	}
}
