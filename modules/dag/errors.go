package dag

import "github.com/intercooperative/icnd/modules"

// Codespace is the dag module's result codespace.
const Codespace = "dag"

// Result codes. Stable: never renumber or reuse a code.
var (
	// ErrInvalidCID: not a canonical binary CIDv1 with a sha2-256 multihash and an allowed codec.
	ErrInvalidCID = modules.Register(Codespace, 2, "invalid cid")
	// ErrAlreadyAnchored is no longer returned: it refused a CID that any
	// DID had anchored, which let whoever saw a pending anchor in the
	// mempool take its CID first. Entries are now keyed by CID and
	// anchorer (EntryKey), and re-anchoring is ErrAnchoredAgain. It stays
	// registered so that its code is never reused.
	ErrAlreadyAnchored = modules.Register(Codespace, 3, "cid already anchored")
	// ErrInvalidKind: the kind is empty, too long or not [a-z0-9_-].
	ErrInvalidKind = modules.Register(Codespace, 4, "invalid kind")
	// ErrTooManyLinks: more links than MaxLinks.
	ErrTooManyLinks = modules.Register(Codespace, 5, "too many links")
	// ErrNotFound: the anchorer anchored no entry for the CID.
	ErrNotFound = modules.Register(Codespace, 6, "entry not found")
	// ErrInvalidGenesis: the dag genesis state is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 7, "invalid dag genesis")
	// ErrAnchoredAgain: the anchorer already anchored the CID; an anchorer
	// anchors a CID once, and its entry never changes. Other anchorers'
	// entries for the CID do not count.
	ErrAnchoredAgain = modules.Register(Codespace, 8, "cid already anchored by this anchorer")
)
