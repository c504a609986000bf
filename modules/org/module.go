package org

import (
	"encoding/json"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ModuleName is the org module's name: its genesis section and codespace.
const ModuleName = "org"

// Module is the org module as the app composes it.
type Module struct {
	modules.Named
	modules.GenesisOf[Genesis]
	k *Keeper
}

var (
	_ modules.Module      = Module{}
	_ modules.GenesisDIDs = Module{}
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

// Messages implements modules.Module: the org module's rows of the
// message table.
func (m Module) Messages() []modules.Msg {
	return []modules.Msg{
		// Not through governance (yet): the founder would be the proposing
		// organization, a DID without keys, which genesis validation and
		// the founder-control rules assume cannot happen. The governance
		// module decides whether a federation founds its children itself.
		modules.NewMsg(modules.MsgSpec{Name: "create_organization", Cost: 500, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetCreateOrganization, ValidateCreateOrganization, func(ctx modules.Context, msg *identityv1.MsgCreateOrganization) error {
				_, err := m.k.CreateOrganization(ctx, msg)
				return err
			}),
		modules.NewMsg(modules.MsgSpec{Name: "invite_member", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetInviteMember, ValidateInviteMember, m.k.InviteMember),
		modules.NewMsg(modules.MsgSpec{Name: "accept_invitation", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetAcceptInvitation, ValidateAcceptInvitation, m.k.AcceptInvitation),
		// Anyone may leave, even an account the root federation froze:
		// leaving only takes from what the account may do and draw (its
		// mana capacity), and the freeze outlives the membership.
		modules.NewMsg(modules.MsgSpec{Name: "leave_organization", Cost: 10, Governance: modules.GovernanceAny, FrozenMaySend: true},
			(*txv1.Msg).GetLeaveOrganization, ValidateLeaveOrganization, m.k.LeaveOrganization),
		modules.NewMsg(modules.MsgSpec{Name: "remove_member", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetRemoveMember, ValidateRemoveMember, m.k.RemoveMember),
		modules.NewMsg(modules.MsgSpec{Name: "grant_role", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetGrantRole, ValidateGrantRole, m.k.GrantRole),
		modules.NewMsg(modules.MsgSpec{Name: "revoke_role", Cost: 10, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetRevokeRole, ValidateRevokeRole, m.k.RevokeRole),
		modules.NewMsg(modules.MsgSpec{Name: "transfer_control", Cost: 50, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetTransferControl, ValidateTransferControl, m.k.TransferControl),
		modules.NewMsg(modules.MsgSpec{Name: "set_seats", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetSetSeats, ValidateSetSeats, m.k.SetSeats),
		// Freezing is the compliance officer's role, held by a person,
		// not the assembly's: an organization's own authority holds no
		// role in itself, so a proposal could never pass authorizeOfficer.
		// Governance grants and revokes the role instead.
		modules.NewMsg(modules.MsgSpec{Name: "freeze_account", Cost: 20, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetFreezeAccount, ValidateFreezeAccount, m.k.FreezeAccount),
		modules.NewMsg(modules.MsgSpec{Name: "unfreeze_account", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetUnfreezeAccount, ValidateUnfreezeAccount, m.k.UnfreezeAccount),
		modules.NewMsg(modules.MsgSpec{Name: "appeal_freeze", Cost: 10, Governance: modules.GovernanceAny, FrozenMaySend: true},
			(*txv1.Msg).GetAppealFreeze, ValidateAppealFreeze, m.k.AppealFreeze),
	}
}

// GenesisDIDs implements modules.GenesisDIDs: its organizations.
func (m Module) GenesisDIDs(raw json.RawMessage) ([]string, error) {
	var g Genesis
	if err := modules.DecodeGenesis(raw, &g); err != nil {
		return nil, ErrInvalidGenesis.Wrapf("%v", err)
	}
	return g.DIDs(), nil
}
