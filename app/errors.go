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
	// ErrKeyRevoked: the signing key was revoked or rotated out of the signer's document.
	ErrKeyRevoked = modules.Register(Codespace, 26, "signing key revoked")
	// ErrSignerDeactivated: the signer's DID is deactivated.
	ErrSignerDeactivated = modules.Register(Codespace, 27, "signer deactivated")
)

// Compliance errors: the signer is well authenticated but may not act.
var (
	// ErrAccountFrozen: a compliance officer of the root federation froze
	// the signer's account; it may send only the messages whose rows allow
	// it (FrozenMaySend: an appeal, leaving an organization). A freeze by
	// any other organization holds only within its scope: org/51.
	ErrAccountFrozen = modules.Register(Codespace, 30, "account frozen")
)

// Sponsor errors: the transaction names a sponsor (AuthInfo.sponsor) that
// is malformed, cannot be authenticated or may not pay.
var (
	// ErrInvalidSponsor: the sponsor is malformed: a payer or sponsor signer
	// that is not a canonical DID, a malformed key id, the signer named as
	// its own payer, or a sponsor signature without a sponsor.
	ErrInvalidSponsor = modules.Register(Codespace, 35, "invalid sponsor")
	// ErrUnknownSponsor: the payer or the sponsor signer is not registered.
	ErrUnknownSponsor = modules.Register(Codespace, 36, "unknown sponsor")
	// ErrUnknownSponsorKey: the sponsor signer's document has no active key with the given id.
	ErrUnknownSponsorKey = modules.Register(Codespace, 37, "unknown sponsor key")
	// ErrBadSponsorSignature: the sponsor signature is not 64 bytes or does not verify for the sign bytes.
	ErrBadSponsorSignature = modules.Register(Codespace, 38, "sponsor signature verification failed")
	// ErrSponsorNotAllowed: the sponsor signer is neither the payer nor a
	// controller of it, the payer or the sponsor signer is deactivated or
	// frozen by the root federation, or the sponsor signer is frozen within
	// the scope of the organization it pays from.
	ErrSponsorNotAllowed = modules.Register(Codespace, 39, "sponsor may not pay")
)

// Admission errors: the transaction may be valid, but this node takes no
// more now; the sender should retry later.
var (
	// ErrMempoolFull: the node's mempool holds its limit of transactions
	// (app.toml mempool.max-txs) until the next block takes some. CheckTx
	// answers it without decoding the transaction.
	ErrMempoolFull = modules.Register(Codespace, 40, "mempool is full")
	// ErrTxInPool: the app-side mempool (Pool) already holds the same
	// transaction bytes.
	ErrTxInPool = modules.Register(Codespace, 41, "tx already in the mempool")
)

// Retry errors of the app-side mempool (Pool). Their codes are at least
// 32,000, CometBFT's CodeTypeRetry: the node forgets having seen the
// transaction after a tenth of mempool.check_tx_retry_delay, so that the
// same transaction, submitted or relayed again, is checked again.
var (
	// ErrSequenceAhead: the transaction's sequence is later than its
	// signer's next one here; an earlier transaction of the signer has not
	// reached this node yet. Send it again after that one.
	ErrSequenceAhead = modules.Register(Codespace, 32000, "sequence ahead of the mempool")
	// ErrPoolNotReady: the app-side mempool has no committed state to check
	// against yet (before the first block), or the node is stopping.
	ErrPoolNotReady = modules.Register(Codespace, 32001, "mempool not ready")
)
