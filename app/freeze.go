package app

import (
	"github.com/intercooperative/icnd/modules"
)

// refuseFrozen refuses tx when an organization's compliance officer has
// frozen its signer, unless every message is one a frozen account may send
// (the row's FrozenMaySend: the appeal against the freeze). The refusal happens in ante, before any charge: a frozen
// account's refused transaction costs it nothing and changes nothing.
func (a *App) refuseFrozen(ctx modules.Context, tx *DecodedTx) error {
	frozen, err := a.org.Frozen(ctx, tx.Auth.Signer)
	if err != nil || !frozen {
		return err
	}
	for i, r := range tx.rows {
		if !r.FrozenMaySend {
			return ErrAccountFrozen.Wrapf("%s is frozen and may only send messages its freeze allows (an appeal); message %d is %s", tx.Auth.Signer, i, r.Name)
		}
	}
	return nil
}
