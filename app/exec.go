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
		_, err := a.identity.RegisterDID(ctx, sum.RegisterDid)
		return err
	case *txv1.Msg_Anchor:
		return a.dag.Anchor(ctx, sum.Anchor)
	case *txv1.Msg_AddKey:
		return a.identity.AddKey(ctx, sum.AddKey)
	case *txv1.Msg_RotateKey:
		return a.identity.RotateKey(ctx, sum.RotateKey)
	case *txv1.Msg_RevokeKey:
		return a.identity.RevokeKey(ctx, sum.RevokeKey)
	case *txv1.Msg_DeactivateDid:
		return a.identity.DeactivateDID(ctx, sum.DeactivateDid)
	case *txv1.Msg_CreateOrganization:
		_, err := a.identity.CreateOrganization(ctx, sum.CreateOrganization)
		return err
	case *txv1.Msg_InviteMember:
		return a.identity.InviteMember(ctx, sum.InviteMember)
	case *txv1.Msg_AcceptInvitation:
		return a.identity.AcceptInvitation(ctx, sum.AcceptInvitation)
	case *txv1.Msg_LeaveOrganization:
		return a.identity.LeaveOrganization(ctx, sum.LeaveOrganization)
	case *txv1.Msg_RemoveMember:
		return a.identity.RemoveMember(ctx, sum.RemoveMember)
	case *txv1.Msg_GrantRole:
		return a.identity.GrantRole(ctx, sum.GrantRole)
	case *txv1.Msg_RevokeRole:
		return a.identity.RevokeRole(ctx, sum.RevokeRole)
	case *txv1.Msg_TransferControl:
		return a.identity.TransferControl(ctx, sum.TransferControl)
	case *txv1.Msg_FreezeAccount:
		return a.identity.FreezeAccount(ctx, sum.FreezeAccount)
	case *txv1.Msg_UnfreezeAccount:
		return a.identity.UnfreezeAccount(ctx, sum.UnfreezeAccount)
	case *txv1.Msg_AppealFreeze:
		return a.identity.AppealFreeze(ctx, sum.AppealFreeze)
	case *txv1.Msg_IssueCredential:
		return a.identity.IssueCredential(ctx, sum.IssueCredential)
	case *txv1.Msg_RevokeCredential:
		return a.identity.RevokeCredential(ctx, sum.RevokeCredential)
	case *txv1.Msg_SetProfile:
		return a.identity.SetProfile(ctx, sum.SetProfile)
	case *txv1.Msg_EraseProfile:
		return a.identity.EraseProfile(ctx)
	default:
		return ErrUnknownMessage
	}
}
