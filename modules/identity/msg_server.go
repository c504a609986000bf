package identity

import (
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// RegisterDID registers the DID of m.PublicKey, paid for by the signer.
// The message must have passed ValidateRegisterDID.
func (k *Keeper) RegisterDID(ctx modules.Context, m *identityv1.MsgRegisterDID) (string, error) {
	did := DeriveDID(m.PublicKey)
	if k.Exists(ctx, did) {
		return "", ErrDIDExists.Wrapf("%s", did)
	}
	// CometBFT's Ed25519 is the one used for transaction signatures, so
	// both agree on edge cases (ZIP-215) on every node.
	if !ed25519.PubKey(m.PublicKey).VerifySignature(RegistrationBytes(ctx.ChainID, did), m.ProofOfPossession) {
		return "", ErrBadProofOfPossession.Wrapf("for %s on chain %q", did, ctx.ChainID)
	}
	doc := &identityv1.DIDDocument{
		Did:           did,
		Keys:          []*identityv1.VerificationKey{{Id: FirstKeyID, PublicKey: m.PublicKey, AddedHeight: ctx.Height}},
		RegisteredBy:  ctx.Signer,
		CreatedHeight: ctx.Height,
	}
	if err := k.setDocument(ctx, doc); err != nil {
		return "", err
	}
	if err := k.mana.CreateAccount(ctx, did); err != nil {
		return "", err
	}
	ctx.Emit(EventDIDRegistered{DID: did, RegisteredBy: ctx.Signer})
	return did, nil
}
