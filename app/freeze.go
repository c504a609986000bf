package app

import (
	"github.com/intercooperative/icnd/modules"
)

// refuseFrozen refuses tx when the root federation has frozen its signer,
// unless every message is one a frozen account may send (the row's
// FrozenMaySend: the appeal against the freeze, and leaving an
// organization). The root federation's scope is the whole network, so its
// freeze holds everywhere; a freeze by any other organization holds only
// within that organization's scope, which its handlers check
// (org.Keeper.RefuseFrozen), and ante lets the transaction through. The
// refusal happens in ante, before any charge: a frozen account's refused
// transaction costs it nothing and changes nothing. One read.
func (a *App) refuseFrozen(ctx modules.Context, tx *DecodedTx) error {
	if !a.org.RootFrozen(ctx, tx.Auth.Signer) {
		return nil
	}
	for i, r := range tx.rows {
		if !r.FrozenMaySend {
			return ErrAccountFrozen.Wrapf("the root federation froze %s, which may only appeal or leave an organization; message %d is %s", tx.Auth.Signer, i, r.Name)
		}
	}
	return nil
}
