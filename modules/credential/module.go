package credential

import (
	"github.com/intercooperative/icnd/modules"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ModuleName is the credential module's name: its genesis section and codespace.
const ModuleName = "credential"

// Module is the credential module as the app composes it.
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
		Validate: func(g Genesis, f modules.GenesisFacts) error { return g.Validate(f.DIDs) },
		Init:     func(ctx modules.Context, g Genesis, _ modules.GenesisFacts) error { return k.InitGenesis(ctx, g) },
		Export:   k.ExportGenesis,
		Invalid:  ErrInvalidGenesis,
	}}
}

// Messages implements modules.Module: the credential module's rows of the
// message table.
func (m Module) Messages() []modules.Msg {
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "issue_credential", Cost: 50, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetIssueCredential, ValidateIssueCredential, m.k.IssueCredential),
		modules.NewMsg(modules.MsgSpec{Name: "revoke_credential", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetRevokeCredential, ValidateRevokeCredential, m.k.RevokeCredential),
	}
}
