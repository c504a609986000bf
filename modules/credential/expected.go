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

// Freezes is what the credential module needs from the org module: acting
// for an issuer is acting within the issuer's scope, which a compliance
// freeze may close to the authority and to the issuer itself.
type Freezes interface {
	// RefuseFrozen returns the org module's registered "frozen within
	// scope" error (org/51) when an organization whose scope holds target
	// has frozen account: for an organization target, a freeze by it or by
	// a federation above it; for any other DID, a freeze by the root
	// federation. A plain error is a broken store.
	RefuseFrozen(ctx modules.Context, account, target string) error
}
