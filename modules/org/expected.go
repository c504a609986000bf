package org

import (
	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// DIDs is what the org module needs from the did module: an organization's
// DID is a keyless DID document whose controllers decide who may send its
// privileged messages.
type DIDs interface {
	// Exists reports whether did is registered.
	Exists(ctx modules.Context, did string) bool
	// Controls reports whether controller may act for did (the did
	// module's controller rule; a deactivated DID is controlled by nobody).
	// Errors: did.ErrUnknownDID when did is not registered; a plain error
	// is a broken invariant.
	Controls(ctx modules.Context, controller, did string) (bool, error)
	// SetControllers replaces the controllers of did's document, which
	// must be registered and active, as must every listed DID other than
	// did. The caller has authorized the change. An empty list leaves did
	// to its own authority: for a keyless document, governance outcomes.
	SetControllers(ctx modules.Context, did string, controllers []string) error
	// RegisterKeyless registers doc, a document without keys, for a DID
	// nobody has registered. Errors: did.ErrDIDExists, did.ErrInvalidDID,
	// did.ErrInvalidControllers. doc is not retained.
	RegisterKeyless(ctx modules.Context, doc *identityv1.DIDDocument) error
}

// ManaAccounts is what the org module needs from the mana module: a
// treasury account for every new organization, and a recomputed capacity
// whenever a DID gains or loses a bonus seat.
type ManaAccounts interface {
	// CreateAccount opens the mana account of a newly registered DID with
	// the capacity and rate that params give new accounts.
	CreateAccount(ctx modules.Context, did string) error
	// MembershipChanged recomputes did's capacity and rate after the
	// organizations in which did holds a bonus seat changed: did joined
	// seated, got a seat while a member, or left or was removed from an
	// organization where it held one. The org module calls it after the
	// records are written, so the mana module reads the new seats (through
	// Keeper.SeatedKinds). did has a mana account.
	MembershipChanged(ctx modules.Context, did string) error
}
