package did

import "github.com/intercooperative/icnd/modules"

// Codespace is the did module's result codespace.
const Codespace = "did"

// Result codes. Stable: never renumber or reuse a code. The numbers are
// those these errors had in the identity codespace before that module was
// split into did, org, credential and profile.
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
	// ErrInvalidGenesis: the did genesis state is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 9, "invalid did genesis")
)

// Result codes of the DID document lifecycle: controllers, adding, rotating
// and revoking keys, deactivation.
var (
	// ErrNotController: the authority does not control the DID it tries to
	// manage. Other modules return it too where a DID document's
	// controllers decide (an organization's privileged messages).
	ErrNotController = modules.Register(Codespace, 10, "signer does not control the did")
	// ErrDIDDeactivated: the DID is deactivated; its document can no longer change or sign.
	ErrDIDDeactivated = modules.Register(Codespace, 11, "did is deactivated")
	// ErrKeyIDTaken: the document has, or once had, a key with that id; key ids are never reused.
	ErrKeyIDTaken = modules.Register(Codespace, 12, "key id already used in the document")
	// ErrTooManyKeys: the document would hold more than MaxActiveKeysPerDocument active keys, or more than MaxKeysPerDocument keys in all, revoked ones included.
	ErrTooManyKeys = modules.Register(Codespace, 13, "too many keys in the document")
	// ErrKeyRevoked: the key was already revoked or rotated out (or, for KeyAt, was revoked at or before the height asked).
	ErrKeyRevoked = modules.Register(Codespace, 14, "key is revoked")
	// ErrLastActiveKey: revoking the key would leave the document without an active key.
	ErrLastActiveKey = modules.Register(Codespace, 15, "cannot revoke the last active key")
	// ErrInvalidControllers: the controller list is too long or has duplicates.
	ErrInvalidControllers = modules.Register(Codespace, 16, "invalid controllers")
	// ErrKeyReused: the public key is already in the document, active or revoked.
	ErrKeyReused = modules.Register(Codespace, 17, "public key already in the document")
	// ErrKeylessDocument: the document has no keys of its own (an
	// organization's); its keys cannot be managed and it cannot be
	// deactivated by a key lifecycle message.
	ErrKeylessDocument = modules.Register(Codespace, 18, "document has no keys of its own")
	// ErrControlsOrganization: the DID founded and still controls an
	// organization, which could never act again once its controller is
	// deactivated; control must pass to the organization's assembly first.
	ErrControlsOrganization = modules.Register(Codespace, 19, "did controls an organization")
)
