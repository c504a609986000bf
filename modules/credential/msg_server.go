package credential

import (
	"errors"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// IssueCredential anchors the credential m.Cid issued by m.Issuer about
// m.Subject. The message's authority must control the issuer (the issuer
// itself, or an organization's controller), and neither may be frozen
// within the issuer's scope; the subject must be a registered, active DID; an issuer anchors
// a CID once and never again, revoked or not. Another issuer's record of
// the same CID does not stand in the way: records are keyed by issuer and
// CID (CredentialKey). The message must have passed
// ValidateIssueCredential. Errors: those of authorizeIssuer,
// ErrUnknownSubject, did.ErrDIDDeactivated, ErrCredentialExists.
func (k *Keeper) IssueCredential(ctx modules.Context, m *identityv1.MsgIssueCredential) error {
	if err := k.authorizeIssuer(ctx, m.Issuer); err != nil {
		return err
	}
	subject, err := k.dids.Document(ctx, m.Subject)
	switch {
	case errors.Is(err, did.ErrUnknownDID):
		return ErrUnknownSubject.Wrapf("%s", m.Subject)
	case err != nil:
		return err
	}
	if subject.DeactivatedHeight != 0 {
		return did.ErrDIDDeactivated.Wrapf("subject %s at height %d", m.Subject, subject.DeactivatedHeight)
	}
	if ctx.Store.Has(CredentialKey(m.Issuer, m.Cid)) {
		return ErrCredentialExists.Wrapf("%s issued by %s", cidString(m.Cid), m.Issuer)
	}
	rec := &identityv1.CredentialStatus{
		Cid:            m.Cid,
		Issuer:         m.Issuer,
		Subject:        m.Subject,
		CredentialType: m.CredentialType,
		IssuedHeight:   ctx.Height,
		IssuedBy:       ctx.Authority,
	}
	if err := k.setCredential(ctx, rec); err != nil {
		return err
	}
	ctx.Emit(EventCredentialIssued{
		CID:      cidString(m.Cid),
		Issuer:   m.Issuer,
		Subject:  m.Subject,
		Type:     m.CredentialType,
		IssuedBy: ctx.Authority,
	})
	return nil
}

// RevokeCredential revokes for good the credential m.Cid anchored for
// m.Issuer. The message's authority must control the issuer now, which
// need not be the DID that anchored the credential: an organization's
// authority passes with its control. The message must have passed
// ValidateRevokeCredential. Errors: ErrUnknownCredential, those of
// authorizeIssuer, ErrCredentialRevoked.
func (k *Keeper) RevokeCredential(ctx modules.Context, m *identityv1.MsgRevokeCredential) error {
	rec, err := k.Credential(ctx, m.Issuer, m.Cid)
	if err != nil {
		return err
	}
	if err := k.authorizeIssuer(ctx, m.Issuer); err != nil {
		return err
	}
	if rec.RevokedHeight != 0 {
		return ErrCredentialRevoked.Wrapf("%s at height %d", cidString(m.Cid), rec.RevokedHeight)
	}
	rec.RevokedHeight = ctx.Height
	rec.RevokedBy = ctx.Authority
	rec.Reason = m.Reason
	if err := k.setCredential(ctx, rec); err != nil {
		return err
	}
	ctx.Emit(EventCredentialRevoked{CID: cidString(m.Cid), Issuer: rec.Issuer, RevokedBy: ctx.Authority, Reason: m.Reason})
	return nil
}

// authorizeIssuer checks that the message's authority may act for issuer:
// one of its controllers, or the issuer itself while its document is
// active. The latter is how an organization acts through its governance
// (the organization's DID has no keys, so only its passed proposals carry
// its authority), whoever controls it, as org's authorizeControl has it.
// Errors: did.ErrUnknownDID for an unregistered issuer, ErrNotIssuer, and
// the org module's org/51 (Freezes) when the authority or the issuer is
// frozen within the issuer's scope.
func (k *Keeper) authorizeIssuer(ctx modules.Context, issuer string) error {
	ok, err := k.dids.Controls(ctx, ctx.Authority, issuer)
	if err != nil {
		return err
	}
	if !ok && ctx.Authority == issuer {
		doc, err := k.dids.Document(ctx, issuer)
		if err != nil {
			return err
		}
		ok = doc.DeactivatedHeight == 0
	}
	if !ok {
		return ErrNotIssuer.Wrapf("%s cannot act for issuer %s", ctx.Authority, issuer)
	}
	// Issuing is acting within the issuer's scope: neither the authority
	// nor the issuer it acts for (an organization frozen by a federation
	// above it, a person frozen by the root federation) may be frozen
	// there.
	if err := k.freezes.RefuseFrozen(ctx, ctx.Authority, issuer); err != nil {
		return err
	}
	if issuer == ctx.Authority {
		return nil
	}
	return k.freezes.RefuseFrozen(ctx, issuer, issuer)
}
