package identity

import (
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Credential loads the status record of the credential whose binary CID is
// c, anchored for issuer. It returns ErrUnknownCredential when issuer has
// anchored no credential c (whatever other issuers anchored under that
// CID), and a plain error (a broken invariant) when the stored bytes do not
// decode. The caller owns the returned value.
func (k *Keeper) Credential(ctx modules.Context, issuer string, c []byte) (*identityv1.CredentialStatus, error) {
	bz := ctx.Store.Get(CredentialKey(issuer, c))
	if bz == nil {
		return nil, ErrUnknownCredential.Wrapf("%s issued by %s", cidString(c), issuer)
	}
	rec := new(identityv1.CredentialStatus)
	if err := rec.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("identity: stored credential %s is corrupt: %w", cidString(c), err)
	}
	return rec, nil
}

// IssueCredential anchors the credential m.Cid issued by m.Issuer about
// m.Subject. The signer must control the issuer (Controls: the issuer
// itself, or an organization's controller); the subject must be a
// registered, active DID; an issuer anchors a CID once and never again,
// revoked or not. Another issuer's record of the same CID does not stand in
// the way: records are keyed by issuer and CID (CredentialKey). The message
// must have passed ValidateIssueCredential.
func (k *Keeper) IssueCredential(ctx modules.Context, m *identityv1.MsgIssueCredential) error {
	if err := k.authorizeIssuer(ctx, m.Issuer); err != nil {
		return err
	}
	subject, err := k.Document(ctx, m.Subject)
	switch {
	case errors.Is(err, ErrUnknownDID):
		return ErrUnknownSubject.Wrapf("%s", m.Subject)
	case err != nil:
		return err
	}
	if subject.DeactivatedHeight != 0 {
		return ErrDIDDeactivated.Wrapf("subject %s at height %d", m.Subject, subject.DeactivatedHeight)
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
		IssuedBy:       ctx.Signer,
	}
	if err := k.setCredential(ctx, rec); err != nil {
		return err
	}
	ctx.Emit(EventCredentialIssued{
		CID:      cidString(m.Cid),
		Issuer:   m.Issuer,
		Subject:  m.Subject,
		Type:     m.CredentialType,
		IssuedBy: ctx.Signer,
	})
	return nil
}

// RevokeCredential revokes for good the credential m.Cid anchored for
// m.Issuer. The signer must control the issuer now, which need not be the
// DID that anchored the credential: an organization's authority passes
// with its control. The message must have passed ValidateRevokeCredential.
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
	rec.RevokedBy = ctx.Signer
	rec.Reason = m.Reason
	if err := k.setCredential(ctx, rec); err != nil {
		return err
	}
	ctx.Emit(EventCredentialRevoked{CID: cidString(m.Cid), Issuer: rec.Issuer, RevokedBy: ctx.Signer, Reason: m.Reason})
	return nil
}

// authorizeIssuer checks that the signer may act for issuer.
func (k *Keeper) authorizeIssuer(ctx modules.Context, issuer string) error {
	ok, err := k.Controls(ctx, ctx.Signer, issuer)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotIssuer.Wrapf("%s cannot act for issuer %s", ctx.Signer, issuer)
	}
	// A frozen issuer's authority is frozen too, even when a controller
	// acts for it.
	if frozen, err := k.Frozen(ctx, issuer); err != nil {
		return err
	} else if frozen {
		return ErrNotIssuer.Wrapf("issuer %s is frozen", issuer)
	}
	return nil
}

func (k *Keeper) setCredential(ctx modules.Context, rec *identityv1.CredentialStatus) error {
	bz, err := rec.Marshal()
	if err != nil {
		return fmt.Errorf("identity: encode credential %s: %w", cidString(rec.Cid), err)
	}
	ctx.Store.Set(CredentialKey(rec.Issuer, rec.Cid), bz)
	return nil
}

// cidString renders a binary CID for events and errors; bytes that are not
// a CID (only possible in corrupt state) are shown in hex.
func cidString(b []byte) string {
	c, err := cid.Cast(b)
	if err != nil {
		return fmt.Sprintf("%x", b)
	}
	return c.String()
}
