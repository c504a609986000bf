package credential

import (
	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// DIDs is what the credential module needs from the did module: who may
// act for an issuer, and whether a subject is registered and active.
type DIDs interface {
	// Document loads did's document. Errors: did.ErrUnknownDID when none is
	// registered; a plain error is a broken invariant. The caller owns the
	// returned value.
	Document(ctx modules.Context, did string) (*identityv1.DIDDocument, error)
	// Controls reports whether controller may act for did (the did
	// module's controller rule; an organization's controller acts for it).
	// Errors: did.ErrUnknownDID when did is not registered; a plain error
	// is a broken invariant.
	Controls(ctx modules.Context, controller, did string) (bool, error)
}

// Freezes is what the credential module needs from the org module: a
// frozen issuer's authority is frozen too, whoever acts for it.
type Freezes interface {
	// Frozen reports whether any organization has frozen account. The error
	// is reserved for a broken store.
	Frozen(ctx modules.Context, account string) (bool, error)
}
