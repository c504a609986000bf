package dag

import "github.com/intercooperative/icnd/modules"

// Codespace is the dag module's result codespace.
const Codespace = "dag"

// Result codes. Stable: never renumber or reuse a code.
var (
	// ErrInvalidCID: not a canonical binary CIDv1 with a sha2-256 multihash and an allowed codec.
	ErrInvalidCID = modules.Register(Codespace, 2, "invalid cid")
	// ErrAlreadyAnchored: the CID is anchored already.
	ErrAlreadyAnchored = modules.Register(Codespace, 3, "cid already anchored")
	// ErrInvalidKind: the kind is empty, too long or not [a-z0-9_-].
	ErrInvalidKind = modules.Register(Codespace, 4, "invalid kind")
	// ErrTooManyLinks: more links than MaxLinks.
	ErrTooManyLinks = modules.Register(Codespace, 5, "too many links")
	// ErrNotFound: no entry is anchored for the CID.
	ErrNotFound = modules.Register(Codespace, 6, "entry not found")
	// ErrInvalidGenesis: the dag genesis state is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 7, "invalid dag genesis")
)
