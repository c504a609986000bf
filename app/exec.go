package app

import (
	"github.com/intercooperative/icnd/modules"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// route runs one message in its module. Messages have passed their
// stateless checks in DecodeTx.
func (a *App) route(ctx modules.Context, m *txv1.Msg) error {
	switch sum := m.GetSum().(type) {
	case *txv1.Msg_RegisterDid:
		_, err := a.did.RegisterDID(ctx, sum.RegisterDid)
		return err
	case *txv1.Msg_Anchor:
		return a.dag.Anchor(ctx, sum.Anchor)
	case *txv1.Msg_AddKey:
		return a.did.AddKey(ctx, sum.AddKey)
	case *txv1.Msg_RotateKey:
		return a.did.RotateKey(ctx, sum.RotateKey)
	case *txv1.Msg_RevokeKey:
		return a.did.RevokeKey(ctx, sum.RevokeKey)
	case *txv1.Msg_DeactivateDid:
		return a.did.DeactivateDID(ctx, sum.DeactivateDid)
	case *txv1.Msg_CreateOrganization:
		_, err := a.org.CreateOrganization(ctx, sum.CreateOrganization)
		return err
	case *txv1.Msg_InviteMember:
		return a.org.InviteMember(ctx, sum.InviteMember)
	case *txv1.Msg_AcceptInvitation:
		return a.org.AcceptInvitation(ctx, sum.AcceptInvitation)
	case *txv1.Msg_LeaveOrganization:
		return a.org.LeaveOrganization(ctx, sum.LeaveOrganization)
	case *txv1.Msg_RemoveMember:
		return a.org.RemoveMember(ctx, sum.RemoveMember)
	case *txv1.Msg_GrantRole:
		return a.org.GrantRole(ctx, sum.GrantRole)
	case *txv1.Msg_RevokeRole:
		return a.org.RevokeRole(ctx, sum.RevokeRole)
	case *txv1.Msg_TransferControl:
		return a.org.TransferControl(ctx, sum.TransferControl)
	case *txv1.Msg_FreezeAccount:
		return a.org.FreezeAccount(ctx, sum.FreezeAccount)
	case *txv1.Msg_UnfreezeAccount:
		return a.org.UnfreezeAccount(ctx, sum.UnfreezeAccount)
	case *txv1.Msg_AppealFreeze:
		return a.org.AppealFreeze(ctx, sum.AppealFreeze)
	case *txv1.Msg_IssueCredential:
		return a.credential.IssueCredential(ctx, sum.IssueCredential)
	case *txv1.Msg_RevokeCredential:
		return a.credential.RevokeCredential(ctx, sum.RevokeCredential)
	case *txv1.Msg_SetProfile:
		return a.profile.SetProfile(ctx, sum.SetProfile)
	case *txv1.Msg_EraseProfile:
		return a.profile.EraseProfile(ctx)
	default:
		return ErrUnknownMessage
	}
}
