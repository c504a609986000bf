package app

import (
	"errors"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
)

// Event types of this package, as CometBFT and clients see them.
const (
	EventTypeTx = "icn.tx"
)

func init() {
	modules.RegisterEvent(EventTx{})
}

// EventTx is emitted for every authenticated transaction.
type EventTx struct {
	Signer   string `event:"signer,index"`
	Sequence uint64 `event:"sequence"`
}

// EventType implements modules.TypedEvent.
func (EventTx) EventType() string { return EventTypeTx }

// signingKey returns the key tx is signed with, if its signer may sign now:
// registered, not deactivated, the key known and not revoked.
func (a *App) signingKey(ctx modules.Context, tx *DecodedTx) ([]byte, error) {
	signer := tx.Auth.Signer
	pub, err := a.did.VerificationKey(ctx, signer, tx.Auth.KeyId)
	switch {
	case errors.Is(err, did.ErrUnknownDID):
		return nil, ErrUnknownSigner.Wrapf("%s", signer)
	case errors.Is(err, did.ErrUnknownKey):
		return nil, ErrUnknownKey.Wrapf("%s#%s", signer, tx.Auth.KeyId)
	case errors.Is(err, did.ErrKeyRevoked):
		return nil, ErrKeyRevoked.Wrapf("%s#%s", signer, tx.Auth.KeyId)
	case errors.Is(err, did.ErrDIDDeactivated):
		return nil, ErrSignerDeactivated.Wrapf("%s", signer)
	case err != nil:
		return nil, err
	}
	return pub, nil
}

// ante authenticates tx and charges it, writing the charge and the sequence
// bump into ctx.Store. The payer is the signer, or the sponsor's payer for a
// sponsored transaction (sponsor.go), whose sponsor signature is verified
// too. The mana charge comes before the signature checks, so that an
// account that cannot pay never costs a node a verification; a signature is
// verified unless the signature cache holds it under the same key. On error
// ctx.Store may hold partial writes: the caller runs ante in a cache it
// discards on error.
func (a *App) ante(ctx modules.Context, tx *DecodedTx) error {
	if tx.Body.ChainId != ctx.ChainID {
		return ErrWrongChainID.Wrapf("tx is for %q, this chain is %q", tx.Body.ChainId, ctx.ChainID)
	}
	if tx.Body.TimeoutHeight != 0 && uint64(ctx.Height) > tx.Body.TimeoutHeight {
		return ErrTxExpired.Wrapf("timeout height %d, block height %d", tx.Body.TimeoutHeight, ctx.Height)
	}
	signer := tx.Auth.Signer
	pub, err := a.signingKey(ctx, tx)
	if err != nil {
		return err
	}
	if err := a.refuseFrozen(ctx, tx); err != nil {
		return err
	}
	want, err := a.did.Sequence(ctx, signer)
	if err != nil {
		return err
	}
	if tx.Auth.Sequence != want {
		return ErrBadSequence.Wrapf("%s: have %d, want %d", signer, tx.Auth.Sequence, want)
	}
	sponsorKey, err := a.sponsorKey(ctx, tx)
	if err != nil {
		return err
	}
	params, err := a.mana.Params(ctx)
	if err != nil {
		return err
	}
	if err := a.mana.Charge(ctx, tx.payer(), mana.TxCost(params, len(tx.Raw), tx.MsgNames)); err != nil {
		return err
	}
	if !a.sigs.verified(signerSig(tx), pub) {
		if !ed25519.PubKey(pub).VerifySignature(tx.SignBytes(), tx.Signature) {
			return ErrBadSignature.Wrapf("for %s#%s on chain %q", signer, tx.Auth.KeyId, ctx.ChainID)
		}
		a.sigs.add(signerSig(tx), pub)
	}
	if sponsorKey != nil {
		if err := a.verifySponsor(ctx, tx, sponsorKey); err != nil {
			return err
		}
	}
	if err := a.did.IncrementSequence(ctx, signer); err != nil {
		return err
	}
	ctx.Emit(EventTx{Signer: signer, Sequence: tx.Auth.Sequence})
	if s := tx.Auth.Sponsor; s != nil {
		ctx.Emit(EventSponsored{Payer: s.Payer, Sponsor: s.Signer, Signer: signer})
	}
	return nil
}
