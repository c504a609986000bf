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
	default:
		return ErrUnknownMessage
	}
}
