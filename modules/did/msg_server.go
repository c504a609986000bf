package did

import (
	"bytes"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// RegisterDID registers the DID of m.PublicKey for the message's authority,
// which pays for it and is recorded as registered_by. The message must have
// passed ValidateRegisterDID. Errors: ErrDIDExists, ErrBadProofOfPossession.
func (k *Keeper) RegisterDID(ctx modules.Context, m *identityv1.MsgRegisterDID) (string, error) {
	did := DeriveDID(m.PublicKey)
	if k.Exists(ctx, did) {
		return "", ErrDIDExists.Wrapf("%s", did)
	}
	if !k.proofs.Verify(m.PublicKey, RegistrationBytes(ctx.ChainID, did), m.ProofOfPossession) {
		return "", ErrBadProofOfPossession.Wrapf("for %s on chain %q", did, ctx.ChainID)
	}
	doc := &identityv1.DIDDocument{
		Did:           did,
		Keys:          []*identityv1.VerificationKey{{Id: FirstKeyID, PublicKey: m.PublicKey, AddedHeight: ctx.Height}},
		RegisteredBy:  ctx.Authority,
		CreatedHeight: ctx.Height,
	}
	if err := k.setDocument(ctx, doc); err != nil {
		return "", err
	}
	if err := k.mana.CreateAccount(ctx, did); err != nil {
		return "", err
	}
	ctx.Emit(EventDIDRegistered{DID: did, RegisteredBy: ctx.Authority})
	return did, nil
}

// AddKey adds m.PublicKey to m.Did's document as m.KeyId. The message must
// have passed ValidateAddKey. Errors: ErrUnknownDID, ErrDIDDeactivated,
// ErrNotController, ErrKeylessDocument, ErrKeyIDTaken, ErrKeyReused,
// ErrTooManyKeys, ErrBadProofOfPossession.
func (k *Keeper) AddKey(ctx modules.Context, m *identityv1.MsgAddKey) error {
	doc, err := k.loadForKeyChange(ctx, m.Did)
	if err != nil {
		return err
	}
	if err := k.addKey(ctx, doc, m.KeyId, m.PublicKey, m.ProofOfPossession); err != nil {
		return err
	}
	doc.UpdatedHeight = ctx.Height
	if err := k.setDocument(ctx, doc); err != nil {
		return err
	}
	ctx.Emit(EventKeyAdded{DID: m.Did, KeyID: m.KeyId, By: ctx.Authority})
	return nil
}

// RotateKey revokes m.KeyId and adds m.NewPublicKey as m.NewKeyId, in one
// change. The message must have passed ValidateRotateKey. Errors: those of
// AddKey, and ErrUnknownKey or ErrKeyRevoked for the key being replaced. A
// rotation replayed in a new transaction finds its key already revoked.
func (k *Keeper) RotateKey(ctx modules.Context, m *identityv1.MsgRotateKey) error {
	doc, err := k.loadForKeyChange(ctx, m.Did)
	if err != nil {
		return err
	}
	old, err := activeKey(doc, m.KeyId)
	if err != nil {
		return err
	}
	if err := k.addKey(ctx, doc, m.NewKeyId, m.NewPublicKey, m.ProofOfPossession); err != nil {
		return err
	}
	old.RevokedHeight = ctx.Height
	doc.UpdatedHeight = ctx.Height
	if err := k.setDocument(ctx, doc); err != nil {
		return err
	}
	ctx.Emit(EventKeyRotated{DID: m.Did, KeyID: m.KeyId, NewKeyID: m.NewKeyId, By: ctx.Authority})
	return nil
}

// RevokeKey revokes m.KeyId of m.Did. The key stays in the document with its
// revocation height. The message must have passed ValidateRevokeKey.
// Errors: ErrUnknownDID, ErrDIDDeactivated, ErrNotController,
// ErrKeylessDocument, ErrUnknownKey, ErrKeyRevoked, ErrLastActiveKey.
func (k *Keeper) RevokeKey(ctx modules.Context, m *identityv1.MsgRevokeKey) error {
	doc, err := k.loadForKeyChange(ctx, m.Did)
	if err != nil {
		return err
	}
	vk, err := activeKey(doc, m.KeyId)
	if err != nil {
		return err
	}
	if countActive(doc.Keys) == 1 {
		return ErrLastActiveKey.Wrapf("%s#%s; deactivate the DID instead", m.Did, m.KeyId)
	}
	vk.RevokedHeight = ctx.Height
	doc.UpdatedHeight = ctx.Height
	if err := k.setDocument(ctx, doc); err != nil {
		return err
	}
	ctx.Emit(EventKeyRevoked{DID: m.Did, KeyID: m.KeyId, By: ctx.Authority})
	return nil
}

// DeactivateDID deactivates m.Did for good. Its keys stay in the document,
// as history, but none can sign again. A DID that controls an organization
// must pass control to the organization's assembly first: the
// organization's document has no keys, so with its controller deactivated
// nobody could ever act for it. The message must have passed
// ValidateDeactivateDID. Errors: ErrUnknownDID, ErrDIDDeactivated,
// ErrNotController, ErrKeylessDocument, ErrControlsOrganization.
func (k *Keeper) DeactivateDID(ctx modules.Context, m *identityv1.MsgDeactivateDID) error {
	doc, err := k.loadForKeyChange(ctx, m.Did)
	if err != nil {
		return err
	}
	orgs, err := k.orgs.ControlledOrganizations(ctx, m.Did)
	if err != nil {
		return err
	}
	if len(orgs) > 0 {
		return ErrControlsOrganization.Wrapf("%s controls %d organizations, first %s; transfer their control to their assemblies first", m.Did, len(orgs), orgs[0])
	}
	doc.DeactivatedHeight = ctx.Height
	doc.UpdatedHeight = ctx.Height
	if err := k.setDocument(ctx, doc); err != nil {
		return err
	}
	ctx.Emit(EventDIDDeactivated{DID: m.Did, By: ctx.Authority})
	return nil
}

// loadForKeyChange loads did's document for a lifecycle message and checks
// that the message's authority may change it: the DID is active, the
// authority controls it, and it is a document with keys of its own. An organization's
// document has none; giving it one would let a single key act for the
// organization whatever its control.
func (k *Keeper) loadForKeyChange(ctx modules.Context, did string) (*identityv1.DIDDocument, error) {
	doc, err := k.Document(ctx, did)
	if err != nil {
		return nil, err
	}
	if doc.DeactivatedHeight != 0 {
		return nil, ErrDIDDeactivated.Wrapf("%s at height %d", did, doc.DeactivatedHeight)
	}
	ok, err := k.controls(ctx, ctx.Authority, doc)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotController.Wrapf("%s does not control %s", ctx.Authority, did)
	}
	if len(doc.Keys) == 0 {
		return nil, ErrKeylessDocument.Wrapf("%s", did)
	}
	return doc, nil
}

// addKey appends a new active key to doc after checking that its id was
// never used in doc, that the public key is not already there (active or
// revoked: re-adding a rotated-out key would undo the rotation), that doc
// has room, and the proof of possession.
func (k *Keeper) addKey(ctx modules.Context, doc *identityv1.DIDDocument, keyID string, pub, pop []byte) error {
	for _, vk := range doc.Keys {
		if vk.Id == keyID {
			return ErrKeyIDTaken.Wrapf("%s#%s", doc.Did, keyID)
		}
		if bytes.Equal(vk.PublicKey, pub) {
			return ErrKeyReused.Wrapf("%s already holds it as #%s", doc.Did, vk.Id)
		}
	}
	if len(doc.Keys) >= MaxKeysPerDocument {
		return ErrTooManyKeys.Wrapf("%s has held %d keys, revoked ones included; max %d", doc.Did, len(doc.Keys), MaxKeysPerDocument)
	}
	if active := countActive(doc.Keys); active >= MaxActiveKeysPerDocument {
		return ErrTooManyKeys.Wrapf("%s has %d active keys; max %d", doc.Did, active, MaxActiveKeysPerDocument)
	}
	if !k.proofs.Verify(pub, KeyPossessionBytes(ctx.ChainID, doc.Did, keyID), pop) {
		return ErrBadProofOfPossession.Wrapf("for %s#%s on chain %q", doc.Did, keyID, ctx.ChainID)
	}
	doc.Keys = append(doc.Keys, &identityv1.VerificationKey{
		Id:          keyID,
		PublicKey:   append([]byte(nil), pub...),
		AddedHeight: ctx.Height,
	})
	return nil
}
