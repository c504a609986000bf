package app

import (
	"github.com/intercooperative/icnd/modules"
)

// refuseFrozen refuses tx when an organization's compliance officer has
// frozen its signer, unless every message is one a frozen account may send
// (frozenMaySend). The refusal happens in ante, before any charge: a frozen
// account's refused transaction costs it nothing and changes nothing.
func (a *App) refuseFrozen(ctx modules.Context, tx *DecodedTx) error {
	frozen, err := a.org.Frozen(ctx, tx.Auth.Signer)
	if err != nil || !frozen {
		return err
	}
	for i, name := range tx.MsgNames {
		if !frozenMaySend(name) {
			return ErrAccountFrozen.Wrapf("%s is frozen and may only appeal (%s); message %d is %s", tx.Auth.Signer, MsgAppealFreeze, i, name)
		}
	}
	return nil
}

// frozenMaySend reports whether a frozen account may send the message
// called name. The one exception is the appeal against its freeze; it is
// documented in docs/tx-format.md.
func frozenMaySend(name string) bool {
	return name == MsgAppealFreeze
}
