package app

import (
	"errors"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/org"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Event types of this package, as CometBFT and clients see them.
const (
	EventTypeSponsored = "icn.tx.sponsored"
)

func init() {
	modules.RegisterEvent(EventSponsored{})
}

// A sponsored transaction names, in AuthInfo.sponsor, an account that pays
// its mana instead of the signer (onboarding a member who has no mana yet),
// and carries a second signature over the same sign bytes,
// Tx.sponsor_signature, by a key of the sponsor signer. The SignDoc covers
// the auth info, so the signer agrees to who pays and the sponsor agrees to
// exactly this transaction: it cannot be replayed, because it carries the
// signer's sequence. Any registered DID may pay for another's
// transaction, with its own key or, for an organization's treasury (a
// document without keys), with a key of a DID that controls it (its
// founder); a deactivated payer or sponsor signer may not, nor one the
// root federation has frozen (its scope is the whole network). A freeze by
// another organization leaves an account free to pay, except that a
// sponsor signer frozen within the scope of the organization it pays from
// may not spend that organization's treasury: that is acting for it.

// EventSponsored is emitted for every authenticated sponsored transaction,
// after EventTx.
type EventSponsored struct {
	// Payer is the DID charged for the transaction.
	Payer string `event:"payer,index"`
	// Sponsor is the DID whose key signed for the payer.
	Sponsor string `event:"sponsor"`
	// Signer is the transaction's signer.
	Signer string `event:"signer"`
}

// EventType implements modules.TypedEvent.
func (EventSponsored) EventType() string { return EventTypeSponsored }

// validateSponsor is the stateless check of a transaction's sponsor: either
// no sponsor and no sponsor signature, or a sponsor whose payer and signer
// are canonical DIDs, whose key id is well formed, whose payer is not the
// transaction's signer (who pays by default), and a 64-byte sponsor
// signature.
func validateSponsor(auth *txv1.AuthInfo, sig []byte) error {
	s := auth.Sponsor
	if s == nil {
		if len(sig) != 0 {
			return ErrInvalidSponsor.Wrapf("sponsor signature without a sponsor")
		}
		return nil
	}
	if err := did.ParseDID(s.Payer); err != nil {
		return ErrInvalidSponsor.Wrapf("payer: %v", err)
	}
	if err := did.ParseDID(s.Signer); err != nil {
		return ErrInvalidSponsor.Wrapf("sponsor signer: %v", err)
	}
	if err := did.ValidateKeyID(s.KeyId); err != nil {
		return ErrInvalidSponsor.Wrapf("sponsor key: %v", err)
	}
	if s.Payer == auth.Signer {
		return ErrInvalidSponsor.Wrapf("the signer %s is named as payer; it pays without a sponsor", s.Payer)
	}
	if len(sig) != ed25519.SignatureSize {
		return ErrBadSponsorSignature.Wrapf("sponsor signature has %d bytes, want %d", len(sig), ed25519.SignatureSize)
	}
	return nil
}

// sponsorKey resolves the key that must have made tx's sponsor signature and
// checks that its DID may pay for the payer. It returns nil for a
// transaction without a sponsor. It reads state and verifies nothing.
func (a *App) sponsorKey(ctx modules.Context, tx *DecodedTx) (ed25519.PubKey, error) {
	s := tx.Auth.Sponsor
	if s == nil {
		return nil, nil
	}
	if err := a.sponsorPartyActive(ctx, s.Payer, "payer"); err != nil {
		return nil, err
	}
	pub, err := a.did.VerificationKey(ctx, s.Signer, s.KeyId)
	switch {
	case errors.Is(err, did.ErrUnknownDID):
		return nil, ErrUnknownSponsor.Wrapf("sponsor signer %s", s.Signer)
	case errors.Is(err, did.ErrUnknownKey), errors.Is(err, did.ErrKeyRevoked):
		return nil, ErrUnknownSponsorKey.Wrapf("%s#%s: %v", s.Signer, s.KeyId, err)
	case errors.Is(err, did.ErrDIDDeactivated):
		return nil, ErrSponsorNotAllowed.Wrapf("sponsor signer %s is deactivated", s.Signer)
	case err != nil:
		return nil, err
	}
	if s.Signer != s.Payer {
		if err := a.sponsorPartyActive(ctx, s.Signer, "sponsor signer"); err != nil {
			return nil, err
		}
		ok, err := a.did.Controls(ctx, s.Signer, s.Payer)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrSponsorNotAllowed.Wrapf("%s is neither the payer %s nor a controller of it", s.Signer, s.Payer)
		}
		err = a.org.RefuseFrozen(ctx, s.Signer, s.Payer)
		switch {
		case errors.Is(err, org.ErrFrozenInScope):
			return nil, ErrSponsorNotAllowed.Wrapf("sponsor signer %s may not act for %s: %v", s.Signer, s.Payer, err)
		case err != nil:
			return nil, err
		}
	}
	// An organization frozen within its own scope (by a federation above
	// it) may not spend its treasury, as a frozen person may not act there.
	err = a.org.RefuseFrozen(ctx, s.Payer, s.Payer)
	switch {
	case errors.Is(err, org.ErrFrozenInScope):
		return nil, ErrSponsorNotAllowed.Wrapf("payer %s: %v", s.Payer, err)
	case err != nil:
		return nil, err
	}
	return ed25519.PubKey(pub), nil
}

// sponsorPartyActive checks that account (the payer, or the DID signing for it,
// as role says) is registered, not deactivated and not frozen by the root
// federation.
func (a *App) sponsorPartyActive(ctx modules.Context, account, role string) error {
	doc, err := a.did.Document(ctx, account)
	switch {
	case errors.Is(err, did.ErrUnknownDID):
		return ErrUnknownSponsor.Wrapf("%s %s", role, account)
	case err != nil:
		return err
	}
	if doc.DeactivatedHeight != 0 {
		return ErrSponsorNotAllowed.Wrapf("%s %s is deactivated", role, account)
	}
	if a.org.RootFrozen(ctx, account) {
		return ErrSponsorNotAllowed.Wrapf("the root federation froze %s %s", role, account)
	}
	return nil
}

// verifySponsor checks tx's sponsor signature under pub, unless the
// signature cache holds it.
func (a *App) verifySponsor(ctx modules.Context, tx *DecodedTx, pub ed25519.PubKey) error {
	if a.sigs.verified(sponsorSig(tx), pub) {
		return nil
	}
	if !pub.VerifySignature(tx.SignBytes(), tx.SponsorSignature) {
		s := tx.Auth.Sponsor
		return ErrBadSponsorSignature.Wrapf("for %s#%s on chain %q", s.Signer, s.KeyId, ctx.ChainID)
	}
	a.sigs.add(sponsorSig(tx), pub)
	return nil
}

// payer is the DID tx's mana is charged to: the sponsor's payer, or the
// signer.
func (tx *DecodedTx) payer() string {
	if tx.Auth.Sponsor != nil {
		return tx.Auth.Sponsor.Payer
	}
	return tx.Auth.Signer
}
