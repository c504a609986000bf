package governance

import (
	"github.com/intercooperative/icnd/modules"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ModuleName is the governance module's name: its genesis section and
// codespace.
const ModuleName = "governance"

// Module is the governance module as the app composes it.
type Module struct {
	modules.Named
	modules.GenesisOf[Genesis]
	k *Keeper
}

var (
	_ modules.Module     = Module{}
	_ modules.EndBlocker = Module{}
)

// NewModule returns the module over k.
func NewModule(k *Keeper) Module {
	return Module{k: k, Named: modules.Named{ModuleName: ModuleName, Prefix: StorePrefix}, GenesisOf: modules.GenesisOf[Genesis]{
		Default:  func(modules.GenesisFacts) Genesis { return DefaultGenesis() },
		Validate: func(g Genesis, f modules.GenesisFacts) error { return g.Validate(f.DIDs) },
		Init:     func(ctx modules.Context, g Genesis, _ modules.GenesisFacts) error { return k.InitGenesis(ctx, g) },
		Export:   k.ExportGenesis,
		Invalid:  ErrInvalidGenesis,
	}}
}

// EndBlock implements modules.EndBlocker.
func (m Module) EndBlock(ctx modules.Context) error { return m.k.EndBlock(ctx) }

// Messages implements modules.Module. The members' own messages (submit,
// vote, withdraw, veto, delegate, undelegate) are never proposed: a
// proposal inside a proposal, or an organization voting through its own
// proposal, would make no sense and could recurse. The policy change is
// any organization's (for itself); params, validators and upgrades are the
// root federation's.
func (m Module) Messages() []modules.Msg {
	k := m.k
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "submit_proposal", Cost: 200, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetSubmitProposal, k.validateSubmit, k.SubmitProposal),
		modules.NewMsg(modules.MsgSpec{Name: "vote", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetVote, ValidateVote, k.Vote),
		modules.NewMsg(modules.MsgSpec{Name: "withdraw_proposal", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetWithdrawProposal, ValidateWithdraw, k.WithdrawProposal),
		modules.NewMsg(modules.MsgSpec{Name: "veto", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetVeto, ValidateVeto, k.Veto),
		modules.NewMsg(modules.MsgSpec{Name: "delegate", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetDelegate, ValidateDelegate, k.Delegate),
		modules.NewMsg(modules.MsgSpec{Name: "undelegate", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetUndelegate, ValidateUndelegate, k.Undelegate),
		modules.NewMsg(modules.MsgSpec{Name: "set_policy", Cost: 50, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetSetPolicy, ValidateSetPolicy, k.SetPolicy),
		modules.NewMsg(modules.MsgSpec{Name: "set_governance_params", Cost: 100, Governance: modules.GovernanceRoot},
			(*txv1.Msg).GetSetGovernanceParams, ValidateSetParams, k.SetParams),
		modules.NewMsg(modules.MsgSpec{Name: "set_validator", Cost: 100, Governance: modules.GovernanceRoot},
			(*txv1.Msg).GetSetValidator, ValidateSetValidator, k.SetValidator),
		modules.NewMsg(modules.MsgSpec{Name: "schedule_upgrade", Cost: 100, Governance: modules.GovernanceRoot},
			(*txv1.Msg).GetScheduleUpgrade, ValidateScheduleUpgrade, k.ScheduleUpgrade),
		modules.NewMsg(modules.MsgSpec{Name: "cancel_upgrade", Cost: 50, Governance: modules.GovernanceRoot},
			(*txv1.Msg).GetCancelUpgrade, ValidateCancelUpgrade, k.CancelUpgrade),
	}
}
