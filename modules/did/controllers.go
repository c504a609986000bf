package did

import (
	"errors"
	"sort"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// MaxControllers bounds the controllers of one DID document.
const MaxControllers = 8

// Controls reports whether controller may manage did's document, and act
// for did wherever a message says "signed by did or its controller":
//
//   - a document with an empty controller list is controlled by the DID
//     itself and by nobody else;
//   - otherwise exactly the listed DIDs control it (the DID itself only if
//     it is listed);
//   - nobody controls a deactivated DID, and a deactivated controller
//     controls nothing.
//
// It does not authenticate anybody: the caller passes the authority it has
// already established (the signer of a plain transaction, or the DID whose
// governance outcome runs). Errors: ErrUnknownDID when did is not registered, and a
// plain error (a broken invariant) when a stored document does not decode.
// An unregistered controller is not an error: it controls nothing.
func (k *Keeper) Controls(ctx modules.Context, controller, did string) (bool, error) {
	doc, err := k.Document(ctx, did)
	if err != nil {
		return false, err
	}
	return k.controls(ctx, controller, doc)
}

// controls is Controls over an already loaded document.
func (k *Keeper) controls(ctx modules.Context, controller string, doc *identityv1.DIDDocument) (bool, error) {
	if doc.DeactivatedHeight != 0 {
		return false, nil
	}
	if len(doc.Controllers) == 0 {
		return controller == doc.Did, nil
	}
	i := sort.SearchStrings(doc.Controllers, controller)
	if i == len(doc.Controllers) || doc.Controllers[i] != controller {
		return false, nil
	}
	if controller == doc.Did {
		return true, nil
	}
	cdoc, err := k.Document(ctx, controller)
	switch {
	case errors.Is(err, ErrUnknownDID):
		return false, nil
	case err != nil:
		return false, err
	}
	return cdoc.DeactivatedHeight == 0, nil
}

// ValidateControllers is the stateless check of a controller list: at most
// MaxControllers canonical DIDs, no duplicates. It does not look at state.
func ValidateControllers(controllers []string) error {
	if len(controllers) > MaxControllers {
		return ErrInvalidControllers.Wrapf("%d controllers, max %d", len(controllers), MaxControllers)
	}
	seen := make(map[string]bool, len(controllers))
	for _, c := range controllers {
		if err := ParseDID(c); err != nil {
			return err
		}
		if seen[c] {
			return ErrInvalidControllers.Wrapf("%s is listed twice", c)
		}
		seen[c] = true
	}
	return nil
}

// SetControllers replaces the controllers of did's document with
// controllers, stored sorted. The caller authorizes the change; this method
// only enforces what any document must satisfy:
//
//   - the list passes ValidateControllers, and every listed DID other than
//     did itself is registered and not deactivated (ErrUnknownDID,
//     ErrDIDDeactivated);
//   - did is registered and not deactivated (ErrUnknownDID,
//     ErrDIDDeactivated);
//   - an empty list means that did controls itself. For a document with
//     keys that is the ordinary self-controlled DID, acting through its
//     active keys (an active document always has one). For a document
//     without keys (an organization's) it means that no other DID controls
//     it: only actions taken with did's own authority, which no key can
//     produce (governance outcomes), manage it. That is how an organization
//     hands control to its assembly.
//
// controllers is not retained; the caller keeps ownership of it.
func (k *Keeper) SetControllers(ctx modules.Context, did string, controllers []string) error {
	if err := ValidateControllers(controllers); err != nil {
		return err
	}
	doc, err := k.Document(ctx, did)
	if err != nil {
		return err
	}
	if doc.DeactivatedHeight != 0 {
		return ErrDIDDeactivated.Wrapf("%s at height %d", did, doc.DeactivatedHeight)
	}
	for _, c := range controllers {
		if c == did {
			continue
		}
		cdoc, err := k.Document(ctx, c)
		if err != nil {
			return err
		}
		if cdoc.DeactivatedHeight != 0 {
			return ErrDIDDeactivated.Wrapf("controller %s at height %d", c, cdoc.DeactivatedHeight)
		}
	}
	sorted := append([]string(nil), controllers...)
	sort.Strings(sorted)
	doc.Controllers = sorted
	doc.UpdatedHeight = ctx.Height
	return k.setDocument(ctx, doc)
}
