package client

import (
	"fmt"

	"github.com/intercooperative/icnd/app"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
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
}

// BuildTx encodes and signs a transaction carrying msgs and returns its
// bytes, ready to broadcast (docs/tx-format.md).
func BuildTx(p TxParams, sign Signer, msgs ...*txv1.Msg) ([]byte, error) {
	body := &txv1.TxBody{Messages: msgs, Memo: p.Memo, TimeoutHeight: p.TimeoutHeight, ChainId: p.ChainID}
	bodyBytes, err := body.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	auth := &txv1.AuthInfo{Signer: p.Signer, KeyId: p.KeyID, Sequence: p.Sequence}
	authBytes, err := auth.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encode auth info: %w", err)
	}
	sig, err := sign(app.SignBytes(p.ChainID, bodyBytes, authBytes))
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	tx := &txv1.Tx{BodyBytes: bodyBytes, AuthInfoBytes: authBytes, Signature: sig}
	return tx.Marshal()
}
