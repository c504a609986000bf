package identity

import "github.com/intercooperative/icnd/modules"

// Codespace is the identity module's result codespace.
const Codespace = "identity"

// Result codes. Stable: never renumber or reuse a code.
var (
	// ErrInvalidDID: the string is not a canonical did:icn identifier.
	ErrInvalidDID = modules.Register(Codespace, 2, "invalid did")
	// ErrUnknownDID: no document is registered for the DID.
	ErrUnknownDID = modules.Register(Codespace, 3, "unknown did")
	// ErrDIDExists: the DID is already registered.
	ErrDIDExists = modules.Register(Codespace, 4, "did already registered")
	// ErrInvalidPublicKey: not a 32-byte Ed25519 public key.
	ErrInvalidPublicKey = modules.Register(Codespace, 5, "invalid public key")
	// ErrBadProofOfPossession: the new key's signature over the registration bytes does not verify.
	ErrBadProofOfPossession = modules.Register(Codespace, 6, "bad proof of possession")
	// ErrUnknownKey: the DID document has no key with that id.
	ErrUnknownKey = modules.Register(Codespace, 7, "unknown verification key")
	// ErrInvalidKeyID: the key id is empty, too long or has characters outside [a-z0-9-].
	ErrInvalidKeyID = modules.Register(Codespace, 8, "invalid key id")
	// ErrInvalidGenesis: the identity genesis state is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 9, "invalid identity genesis")
)
