package dag

import (
	"encoding/json"

	"github.com/intercooperative/icnd/modules"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ModuleName is the dag module's name: its genesis section and codespace.
const ModuleName = "dag"

// Module is the dag module as the app composes it.
type Module struct{ k *Keeper }

var _ modules.Module = Module{}

// NewModule returns the module over k.
func NewModule(k *Keeper) Module { return Module{k: k} }

// Name implements modules.Module.
func (Module) Name() string { return ModuleName }

// StorePrefix implements modules.Module.
func (Module) StorePrefix() byte { return StorePrefix }

// Messages implements modules.Module: the dag module's rows of the
// message table.
func (m Module) Messages() []modules.Msg {
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "anchor", Cost: 10, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetAnchor, ValidateAnchor, m.k.Anchor),
	}
}

// DefaultGenesis implements modules.Module: no entries.
func (Module) DefaultGenesis(modules.GenesisFacts) (json.RawMessage, error) {
	return json.Marshal(Genesis{Entries: []*dagv1.Entry{}})
}

// ValidateGenesis implements modules.Module.
func (Module) ValidateGenesis(raw json.RawMessage, facts modules.GenesisFacts) error {
	var g Genesis
	if err := modules.DecodeGenesis(raw, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	return g.Validate(facts.DIDs)
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
