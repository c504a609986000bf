package mana

import "github.com/intercooperative/icnd/modules"

// Memberships is what mana needs from the org module to derive an
// account's capacity: the organizations in which a DID holds a bonus seat.
type Memberships interface {
	// SeatedKinds returns the kind ("community", "cooperative",
	// "federation") of every organization in which did is a member holding
	// one of the organization's bonus seats, one entry per organization,
	// sorted. A membership that waits for a seat earns no bonus and is not
	// listed; a DID that belongs to nothing, or is not registered, has
	// none. The caller owns the returned slice. An error is a broken
	// invariant (state that does not decode).
	SeatedKinds(ctx modules.Context, did string) ([]string, error)
}

// Reputation is what mana needs from the mesh module to derive an
// account's capacity.
type Reputation interface {
	// Reputation returns did's reputation in basis points: NeutralReputation
	// (10000) is neutral, lower shrinks the membership bonuses, higher
	// grows them up to Params.max_reputation_bps. An error is a broken
	// invariant.
	Reputation(ctx modules.Context, did string) (uint64, error)
}
