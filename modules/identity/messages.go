package identity

import (
	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Messages lists the identity module's rows of the message table.
func (k *Keeper) Messages() []modules.Msg {
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "register_did", Cost: 100, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetRegisterDid, ValidateRegisterDID, func(ctx modules.Context, m *identityv1.MsgRegisterDID) error {
				_, err := k.RegisterDID(ctx, m)
				return err
			}),
		modules.NewMsg(modules.MsgSpec{Name: "add_key", Cost: 50, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetAddKey, ValidateAddKey, k.AddKey),
		modules.NewMsg(modules.MsgSpec{Name: "rotate_key", Cost: 50, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetRotateKey, ValidateRotateKey, k.RotateKey),
		modules.NewMsg(modules.MsgSpec{Name: "revoke_key", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetRevokeKey, ValidateRevokeKey, k.RevokeKey),
		modules.NewMsg(modules.MsgSpec{Name: "deactivate_did", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetDeactivateDid, ValidateDeactivateDID, k.DeactivateDID),
		modules.NewMsg(modules.MsgSpec{Name: "create_organization", Cost: 500, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetCreateOrganization, ValidateCreateOrganization, func(ctx modules.Context, m *identityv1.MsgCreateOrganization) error {
				_, err := k.CreateOrganization(ctx, m)
				return err
			}),
		modules.NewMsg(modules.MsgSpec{Name: "invite_member", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetInviteMember, ValidateInviteMember, k.InviteMember),
		modules.NewMsg(modules.MsgSpec{Name: "accept_invitation", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetAcceptInvitation, ValidateAcceptInvitation, k.AcceptInvitation),
		modules.NewMsg(modules.MsgSpec{Name: "leave_organization", Cost: 10, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetLeaveOrganization, ValidateLeaveOrganization, k.LeaveOrganization),
		modules.NewMsg(modules.MsgSpec{Name: "remove_member", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetRemoveMember, ValidateRemoveMember, k.RemoveMember),
		modules.NewMsg(modules.MsgSpec{Name: "grant_role", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetGrantRole, ValidateGrantRole, k.GrantRole),
		modules.NewMsg(modules.MsgSpec{Name: "revoke_role", Cost: 10, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetRevokeRole, ValidateRevokeRole, k.RevokeRole),
		modules.NewMsg(modules.MsgSpec{Name: "transfer_control", Cost: 50, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetTransferControl, ValidateTransferControl, k.TransferControl),
		modules.NewMsg(modules.MsgSpec{Name: "freeze_account", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetFreezeAccount, ValidateFreezeAccount, k.FreezeAccount),
		modules.NewMsg(modules.MsgSpec{Name: "unfreeze_account", Cost: 10, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetUnfreezeAccount, ValidateUnfreezeAccount, k.UnfreezeAccount),
		modules.NewMsg(modules.MsgSpec{Name: "appeal_freeze", Cost: 10, Governance: modules.GovernanceAny, FrozenMaySend: true},
			(*txv1.Msg).GetAppealFreeze, ValidateAppealFreeze, k.AppealFreeze),
		modules.NewMsg(modules.MsgSpec{Name: "issue_credential", Cost: 50, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetIssueCredential, ValidateIssueCredential, k.IssueCredential),
		modules.NewMsg(modules.MsgSpec{Name: "revoke_credential", Cost: 20, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetRevokeCredential, ValidateRevokeCredential, k.RevokeCredential),
		modules.NewMsg(modules.MsgSpec{Name: "set_profile", Cost: 50, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetSetProfile, ValidateSetProfile, k.SetProfile),
		modules.NewMsg(modules.MsgSpec{Name: "erase_profile", Cost: 10, Governance: modules.GovernanceNever},
			(*txv1.Msg).GetEraseProfile, func(*identityv1.MsgEraseProfile) error { return nil }, func(ctx modules.Context, _ *identityv1.MsgEraseProfile) error { return k.EraseProfile(ctx) }),
	}
}
