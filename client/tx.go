package client

import (
	"fmt"

	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol"
)

// Signer signs sign bytes. keyring.Keyring's Sign with a bound name and an
// ed25519.PrivateKey wrapper both satisfy it.
type Signer func(signBytes []byte) ([]byte, error)

// TxParams is everything a transaction needs besides its messages.
type TxParams struct {
	ChainID       string
	Signer        string // signer DID
	KeyID         string // verification key id, e.g. "key-1"
	Sequence      uint64
	Memo          string
	TimeoutHeight uint64
	// Sponsor, when set, pays the transaction's mana instead of Signer.
	Sponsor *Sponsor
}

// Sponsor is the account that pays a transaction's mana and the key that
// signs for it (docs/tx-format.md, sponsored transactions).
type Sponsor struct {
	// Payer is the DID charged: Signer itself, or an organization (or other
	// DID) that Signer controls.
	Payer string
	// Signer is the DID whose key KeyID makes the sponsor signature.
	Signer string
	KeyID  string
	// Sign signs the transaction's sign bytes with that key.
	Sign Signer
}

// BuildTx encodes and signs a transaction carrying msgs and returns its
// bytes, ready to broadcast (docs/tx-format.md). With p.Sponsor set, the
// auth info names the sponsor and p.Sponsor.Sign adds the sponsor signature
// over the same sign bytes.
func BuildTx(p TxParams, sign Signer, msgs ...*txv1.Msg) ([]byte, error) {
	body := &txv1.TxBody{Messages: msgs, Memo: p.Memo, TimeoutHeight: p.TimeoutHeight, ChainId: p.ChainID}
	bodyBytes, err := body.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	auth := &txv1.AuthInfo{Signer: p.Signer, KeyId: p.KeyID, Sequence: p.Sequence}
	if s := p.Sponsor; s != nil {
		if s.Sign == nil {
			return nil, fmt.Errorf("sponsor %s has no signing function", s.Signer)
		}
		auth.Sponsor = &manav1.Sponsor{Payer: s.Payer, Signer: s.Signer, KeyId: s.KeyID}
	}
	authBytes, err := auth.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encode auth info: %w", err)
	}
	signBytes := protocol.SignBytes(p.ChainID, bodyBytes, authBytes)
	sig, err := sign(signBytes)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	tx := &txv1.Tx{BodyBytes: bodyBytes, AuthInfoBytes: authBytes, Signature: sig}
	if p.Sponsor != nil {
		if tx.SponsorSignature, err = p.Sponsor.Sign(signBytes); err != nil {
			return nil, fmt.Errorf("sponsor sign: %w", err)
		}
	}
	return tx.Marshal()
}
