package client

import (
	"context"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// CredentialStatus reads the status record of the credential c anchored
// for issuer; a record another issuer anchored under the same CID is never
// returned. When issuer anchored none the error wraps ErrNotFound and the
// result is still returned.
func (q *Querier) CredentialStatus(ctx context.Context, issuer string, c cid.Cid, height int64) (*identityv1.CredentialStatus, *QueryResult, error) {
	if err := did.ParseDID(issuer); err != nil {
		return nil, nil, fmt.Errorf("issuer: %w", err)
	}
	if _, err := credential.ParseCredentialCID(c.Bytes()); err != nil {
		return nil, nil, err
	}
	res, err := q.Get(ctx, credential.CredentialKey(issuer, c.Bytes()), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: no credential %s issued by %s at height %d", ErrNotFound, c, issuer, res.Height)
	}
	rec := new(identityv1.CredentialStatus)
	if err := rec.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode the status of credential %s: %w", c, err)
	}
	return rec, res, nil
}

// Credential reads the status record of the credential c anchored for
// issuer, as CredentialStatus does, and renders it for display.
func (q *Querier) Credential(ctx context.Context, issuer string, c cid.Cid, height int64) (*CredentialView, *QueryResult, error) {
	rec, res, err := q.CredentialStatus(ctx, issuer, c, height)
	if err != nil {
		return nil, res, err
	}
	view, err := NewCredentialView(rec)
	return view, res, err
}

// CredentialView is a credential status record with its CID as a string.
type CredentialView struct {
	CID           string `json:"cid"`
	Issuer        string `json:"issuer"`
	Subject       string `json:"subject"`
	Type          string `json:"type"`
	IssuedHeight  int64  `json:"issued_height"`
	IssuedBy      string `json:"issued_by"`
	Revoked       bool   `json:"revoked"`
	RevokedHeight int64  `json:"revoked_height,omitempty"`
	RevokedBy     string `json:"revoked_by,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// NewCredentialView renders rec for display.
func NewCredentialView(rec *identityv1.CredentialStatus) (*CredentialView, error) {
	c, err := cid.Cast(rec.Cid)
	if err != nil {
		return nil, fmt.Errorf("stored credential has an invalid CID: %w", err)
	}
	return &CredentialView{
		CID:           c.String(),
		Issuer:        rec.Issuer,
		Subject:       rec.Subject,
		Type:          rec.CredentialType,
		IssuedHeight:  rec.IssuedHeight,
		IssuedBy:      rec.IssuedBy,
		Revoked:       rec.RevokedHeight != 0,
		RevokedHeight: rec.RevokedHeight,
		RevokedBy:     rec.RevokedBy,
		Reason:        rec.Reason,
	}, nil
}
