package identity

import "github.com/intercooperative/icnd/modules"

// Result codes of the DID document lifecycle: controllers, adding, rotating
// and revoking keys, deactivation. Codes 10 to 19 of the identity codespace.
// Stable: never renumber or reuse a code.
var (
	// ErrNotController: the signer does not control the DID it tries to manage.
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
)
