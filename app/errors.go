package app

import "github.com/intercooperative/icnd/modules"

// Codespace is the codespace of the transaction pipeline's own results.
const Codespace = "tx"

// Decode-phase errors: the bytes are not a well-formed transaction.
var (
	// ErrTxDecode: the bytes do not decode as a Tx, TxBody or AuthInfo.
	ErrTxDecode = modules.Register(Codespace, 2, "tx decode")
	// ErrTxTooLarge: the encoded transaction exceeds MaxTxBytes.
	ErrTxTooLarge = modules.Register(Codespace, 3, "tx too large")
	// ErrNonCanonical: the bytes decode but are not the canonical encoding
	// (unknown fields, wrong field order, non-minimal varints).
	ErrNonCanonical = modules.Register(Codespace, 4, "non-canonical encoding")
	// ErrNoMessages: the body has no messages.
	ErrNoMessages = modules.Register(Codespace, 5, "no messages")
	// ErrTooManyMessages: more than MaxMessages messages.
	ErrTooManyMessages = modules.Register(Codespace, 6, "too many messages")
	// ErrMemoTooLong: the memo exceeds MaxMemoBytes or is not UTF-8.
	ErrMemoTooLong = modules.Register(Codespace, 7, "invalid memo")
	// ErrUnknownMessage: a message carries no known type.
	ErrUnknownMessage = modules.Register(Codespace, 8, "unknown message type")
	// ErrInvalidSigner: the auth info's signer is not a canonical DID or its key id is malformed.
	ErrInvalidSigner = modules.Register(Codespace, 9, "invalid signer")
)

// Authentication-phase errors: the transaction is well formed but may not run.
var (
	// ErrWrongChainID: the transaction names another chain.
	ErrWrongChainID = modules.Register(Codespace, 20, "wrong chain id")
	// ErrUnknownSigner: the signer DID is not registered.
	ErrUnknownSigner = modules.Register(Codespace, 21, "unknown signer")
	// ErrUnknownKey: the signer's document has no key with the given id.
	ErrUnknownKey = modules.Register(Codespace, 22, "unknown signing key")
	// ErrBadSignature: the signature does not verify for the sign bytes.
	ErrBadSignature = modules.Register(Codespace, 23, "signature verification failed")
	// ErrBadSequence: the sequence is not the signer's next sequence.
	ErrBadSequence = modules.Register(Codespace, 24, "wrong sequence")
	// ErrTxExpired: the block height is past the transaction's timeout height.
	ErrTxExpired = modules.Register(Codespace, 25, "tx timeout height passed")
)
