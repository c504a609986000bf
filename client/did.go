package client

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"time"

	didmod "github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// KeyForms is one Ed25519 public key in every form the CLI reads and prints.
type KeyForms struct {
	// PublicKey is the raw 32-byte key in standard base64.
	PublicKey string `json:"public_key"`
	// DIDKey is the key as a did:key identifier.
	DIDKey string `json:"did_key"`
	// DID is the did:icn the key registers (didmod.DeriveDID).
	DID string `json:"did"`
}

// NewKeyForms describes pub.
func NewKeyForms(pub ed25519.PublicKey) KeyForms {
	return KeyForms{
		PublicKey: base64.StdEncoding.EncodeToString(pub),
		DIDKey:    DIDKey(pub),
		DID:       didmod.DeriveDID(pub),
	}
}

// NewKey is a key to add to a DID document: its public key and the proof
// that its holder signed the key possession bytes.
type NewKey struct {
	PublicKey         ed25519.PublicKey
	ProofOfPossession []byte
}

// SignNewKey has the new key prove possession through sign, which must sign
// with the private half of pub, for slot keyID of did on chainID.
func SignNewKey(chainID, did, keyID string, pub ed25519.PublicKey, sign Signer) (NewKey, error) {
	pop, err := sign(didmod.KeyPossessionBytes(chainID, did, keyID))
	if err != nil {
		return NewKey{}, fmt.Errorf("sign proof of possession: %w", err)
	}
	return NewKey{PublicKey: pub, ProofOfPossession: pop}, nil
}

// checkNewKey verifies nk's proof here, so that a wrong one fails before
// anything is paid for.
func checkNewKey(chainID, did, keyID string, nk NewKey) error {
	if len(nk.PublicKey) != ed25519.PublicKeySize || len(nk.ProofOfPossession) != ed25519.SignatureSize ||
		!ed25519.Verify(nk.PublicKey, didmod.KeyPossessionBytes(chainID, did, keyID), nk.ProofOfPossession) {
		return fmt.Errorf("the proof of possession is not the new key's signature for %s#%s on chain %q", did, keyID, chainID)
	}
	return nil
}

// AddKey returns a MsgAddKey that adds nk to did as keyID, checked as the
// chain will check it.
func AddKey(chainID, did, keyID string, nk NewKey) (*txv1.Msg, error) {
	m := &identityv1.MsgAddKey{Did: did, KeyId: keyID, PublicKey: nk.PublicKey, ProofOfPossession: nk.ProofOfPossession}
	if err := didmod.ValidateAddKey(m); err != nil {
		return nil, err
	}
	if err := checkNewKey(chainID, did, keyID, nk); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_AddKey{AddKey: m}}, nil
}

// RotateKey returns a MsgRotateKey that replaces did's keyID with nk as
// newKeyID, checked as the chain will check it.
func RotateKey(chainID, did, keyID, newKeyID string, nk NewKey) (*txv1.Msg, error) {
	m := &identityv1.MsgRotateKey{Did: did, KeyId: keyID, NewKeyId: newKeyID, NewPublicKey: nk.PublicKey, ProofOfPossession: nk.ProofOfPossession}
	if err := didmod.ValidateRotateKey(m); err != nil {
		return nil, err
	}
	if err := checkNewKey(chainID, did, newKeyID, nk); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_RotateKey{RotateKey: m}}, nil
}

// RevokeKey returns a MsgRevokeKey for did's keyID.
func RevokeKey(did, keyID string) (*txv1.Msg, error) {
	m := &identityv1.MsgRevokeKey{Did: did, KeyId: keyID}
	if err := didmod.ValidateRevokeKey(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_RevokeKey{RevokeKey: m}}, nil
}

// DeactivateDID returns a MsgDeactivateDID for did.
func DeactivateDID(did string) (*txv1.Msg, error) {
	m := &identityv1.MsgDeactivateDID{Did: did}
	if err := didmod.ValidateDeactivateDID(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_DeactivateDid{DeactivateDid: m}}, nil
}

// ResolveDID resolves did at height (0 = latest) into a W3C DID resolution
// result. The document comes from DIDDocument, proven when q proves; the
// created and updated times are the times of those blocks' headers as the
// node reports them, which the proof does not cover. A header the node no
// longer has leaves its time out. When no document is stored the error
// wraps ErrNotFound and the result is still returned.
func (q *Querier) ResolveDID(ctx context.Context, did string, height int64) (*didmod.ResolutionResult, *QueryResult, error) {
	doc, res, err := q.DIDDocument(ctx, did, height)
	if err != nil {
		return nil, res, err
	}
	rr := didmod.ResolveWithMetadata(doc, func(h int64) (time.Time, bool) {
		t, err := q.client.BlockTime(ctx, h)
		return t, err == nil
	})
	return &rr, res, nil
}

// BlockTime returns the time in the header of the block at height.
func (c *Client) BlockTime(ctx context.Context, height int64) (time.Time, error) {
	if height <= 0 {
		return time.Time{}, fmt.Errorf("no block at height %d", height)
	}
	res, err := c.RPC.Header(ctx, &height)
	if err != nil {
		return time.Time{}, c.wrap(err)
	}
	if res.Header == nil {
		return time.Time{}, fmt.Errorf("node %s returned no header at height %d", c.Remote, height)
	}
	return res.Header.Time, nil
}
