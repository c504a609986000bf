package dag

import (
	"github.com/intercooperative/icnd/modules"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Messages lists the dag module's rows of the message table.
func (k *Keeper) Messages() []modules.Msg {
	return []modules.Msg{
		modules.NewMsg(modules.MsgSpec{Name: "anchor", Cost: 10, Governance: modules.GovernanceAny},
			(*txv1.Msg).GetAnchor, ValidateAnchor, k.Anchor),
	}
}
