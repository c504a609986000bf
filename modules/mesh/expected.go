package mesh

import (
	"crypto/ed25519"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// Mana is what the mesh needs from the mana module: escrows for job
// payments and executor bonds, and the capacity refresh after a
// reputation change. Errors with a registered code (insufficient mana, no
// account) are the client's; others are broken invariants.
type Mana interface {
	// Lock moves amount of did's balance into a new escrow id.
	Lock(ctx modules.Context, did string, id []byte, amount uint64) error
	// LockMore adds amount of the owner's balance to the escrow id.
	LockMore(ctx modules.Context, id []byte, amount uint64) error
	// Pay moves amount out of the escrow id to to (its owner, for a
	// refund), capped at to's ceiling, and returns what was credited.
	Pay(ctx modules.Context, id []byte, to string, amount uint64) (uint64, error)
	// Burn destroys amount of the escrow id.
	Burn(ctx modules.Context, id []byte, amount uint64) error
	// ReputationChanged recomputes did's capacity after its reputation
	// changed.
	ReputationChanged(ctx modules.Context, did string) error
	// Escrow loads the open escrow id (genesis checks the bonds and job
	// escrows against it).
	Escrow(ctx modules.Context, id []byte) (*manav1.Escrow, error)
}

// Keys is what the mesh needs from the did module: the key a receipt names.
type Keys interface {
	// VerificationKey returns did's active key keyID, or a did error.
	VerificationKey(ctx modules.Context, did, keyID string) (ed25519.PublicKey, error)
}

// DAG is what the mesh needs from the dag module: anchoring a receipt with
// its links, on behalf of the executor.
type DAG interface {
	// AnchorLinked anchors c with kind and links as an entry of anchorer,
	// maintaining the reverse-link index. Errors: dag codes.
	AnchorLinked(ctx modules.Context, anchorer string, c cid.Cid, kind string, links []cid.Cid) error
}

// Orgs is what the mesh needs from the org module: whether an authority is
// the root federation, the only one that may change the params.
type Orgs interface {
	// IsRoot reports whether did is the root federation.
	IsRoot(ctx modules.Context, did string) (bool, error)
}
