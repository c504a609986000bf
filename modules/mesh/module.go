package mesh

import (
	"github.com/intercooperative/icnd/modules"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ModuleName is the mesh module's name: its genesis section and codespace.
const ModuleName = "mesh"

// Module is the mesh module as the app composes it.
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

// Messages implements modules.Module: the mesh module's rows of the
// message table. Executors act for themselves (their keys sign receipts);
// an organization may post and cancel jobs through governance; only the
// root federation's governance changes the params.
func (m Module) Messages() []modules.Msg {
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "register_executor", Cost: 50},
			(*txv1.Msg).GetRegisterExecutor, ValidateRegisterExecutor, m.k.RegisterExecutor),
		modules.NewMsg(modules.MsgSpec{Name: "update_executor", Cost: 20},
			(*txv1.Msg).GetUpdateExecutor, ValidateUpdateExecutor, m.k.UpdateExecutor),
		modules.NewMsg(modules.MsgSpec{Name: "leave_executor", Cost: 10, FrozenMaySend: true},
			(*txv1.Msg).GetLeaveExecutor, ValidateLeaveExecutor, m.k.LeaveExecutor),
		modules.NewMsg(modules.MsgSpec{Name: "post_job", Cost: 50, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetPostJob, ValidatePostJob, m.k.PostJob),
		modules.NewMsg(modules.MsgSpec{Name: "cancel_job", Cost: 10, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetCancelJob, ValidateCancelJob, m.k.CancelJob),
		modules.NewMsg(modules.MsgSpec{Name: "bid", Cost: 10},
			(*txv1.Msg).GetBid, ValidateBid, m.k.Bid),
		modules.NewMsg(modules.MsgSpec{Name: "submit_receipt", Cost: 20},
			(*txv1.Msg).GetSubmitReceipt, ValidateSubmitReceipt, m.k.SubmitReceipt),
		modules.NewMsg(modules.MsgSpec{Name: "commit_receipt", Cost: 10},
			(*txv1.Msg).GetCommitReceipt, ValidateCommitReceipt, m.k.CommitReceipt),
		modules.NewMsg(modules.MsgSpec{Name: "set_mesh_params", Cost: 100, Governance: modules.GovernanceRoot},
			(*txv1.Msg).GetSetMeshParams, ValidateSetMeshParams, m.k.SetMeshParams),
	}
}
