package did

import (
	"encoding/json"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ModuleName is the did module's name: its genesis section and codespace.
const ModuleName = "did"

// Module is the did module as the app composes it.
type Module struct {
	modules.Named
	modules.GenesisOf[Genesis]
	k *Keeper
}

var (
	_ modules.Module           = Module{}
	_ modules.GenesisDIDs      = Module{}
	_ modules.GenesisDocuments = Module{}
)

// NewModule returns the module over k.
func NewModule(k *Keeper) Module {
	return Module{k: k, Named: modules.Named{ModuleName: ModuleName, Prefix: StorePrefix}, GenesisOf: modules.GenesisOf[Genesis]{
		Validate: func(g Genesis, f modules.GenesisFacts) error { return g.Validate(f.DIDs) },
		Init:     func(ctx modules.Context, g Genesis, _ modules.GenesisFacts) error { return k.InitGenesis(ctx, g) },
		Export:   k.ExportGenesis,
		Invalid:  ErrInvalidGenesis,
	}}
}

// Messages implements modules.Module: the did module's rows of the
// message table.
func (m Module) Messages() []modules.Msg {
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "register_did", Cost: 100, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetRegisterDid, ValidateRegisterDID, func(ctx modules.Context, msg *identityv1.MsgRegisterDID) error {
				_, err := m.k.RegisterDID(ctx, msg)
				return err
			}),
		modules.NewMsg(modules.MsgSpec{Name: "add_key", Cost: 50, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetAddKey, ValidateAddKey, m.k.AddKey),
		modules.NewMsg(modules.MsgSpec{Name: "rotate_key", Cost: 50, Governance: modules.GovernanceNever, FrozenMaySend: true},
			(*txv1.Msg).GetRotateKey, ValidateRotateKey, m.k.RotateKey),
		modules.NewMsg(modules.MsgSpec{Name: "revoke_key", Cost: 10, Governance: modules.GovernanceNever, FrozenMaySend: true},
			(*txv1.Msg).GetRevokeKey, ValidateRevokeKey, m.k.RevokeKey),
		modules.NewMsg(modules.MsgSpec{Name: "deactivate_did", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetDeactivateDid, ValidateDeactivateDID, m.k.DeactivateDID),
	}
}

// GenesisDIDs implements modules.GenesisDIDs: its documents.
func (m Module) GenesisDIDs(raw json.RawMessage) ([]string, error) {
	var g Genesis
	if err := modules.DecodeGenesis(raw, &g); err != nil {
		return nil, ErrInvalidGenesis.Wrapf("%v", err)
	}
	return g.DIDs(), nil
}

// GenesisDocuments implements modules.GenesisDocuments: every DID of the
// did section holds keys (organizations' keyless documents are built by the
// org section).
func (m Module) GenesisDocuments(raw json.RawMessage) ([]string, error) {
	return m.GenesisDIDs(raw)
}
