package credential

import (
	"sort"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Genesis is the credential module's part of the genesis app state.
type Genesis struct {
	// Credentials are the status records of anchored credentials.
	Credentials []*identityv1.CredentialStatus `json:"credentials"`
}

// Validate checks the credential records against registered, the DIDs the
// genesis registers (documents and organizations): each record as
// MsgIssueCredential would have stored it, each (issuer, CID) once, a
// registered issuer, subject and issuing authority, and a revocation that
// is either absent or complete, by a registered DID, and not before the
// issuance.
func (g Genesis) Validate(registered map[string]bool) error {
	seen := make(map[string]bool, len(g.Credentials))
	for i, rec := range g.Credentials {
		if rec == nil {
			return ErrInvalidGenesis.Wrapf("credential %d is null", i)
		}
		m := &identityv1.MsgIssueCredential{Cid: rec.Cid, Issuer: rec.Issuer, Subject: rec.Subject, CredentialType: rec.CredentialType}
		if err := ValidateIssueCredential(m); err != nil {
			return ErrInvalidGenesis.Wrapf("credential %d: %v", i, err)
		}
		name := cidString(rec.Cid)
		key := string(CredentialKey(rec.Issuer, rec.Cid))
		if seen[key] {
			return ErrInvalidGenesis.Wrapf("credential %s issued by %s is listed twice", name, rec.Issuer)
		}
		seen[key] = true
		for _, d := range []string{rec.Issuer, rec.Subject, rec.IssuedBy} {
			if !registered[d] {
				return ErrInvalidGenesis.Wrapf("credential %s: %q is not a genesis DID", name, modules.Truncate(d))
			}
		}
		if rec.IssuedHeight < 0 {
			return ErrInvalidGenesis.Wrapf("credential %s: negative issued height", name)
		}
		if rec.RevokedHeight == 0 {
			if rec.RevokedBy != "" || rec.Reason != "" {
				return ErrInvalidGenesis.Wrapf("credential %s: not revoked, but names a revoker or a reason", name)
			}
			continue
		}
		if rec.RevokedHeight < rec.IssuedHeight {
			return ErrInvalidGenesis.Wrapf("credential %s: revoked at height %d, before it was issued at %d", name, rec.RevokedHeight, rec.IssuedHeight)
		}
		if !registered[rec.RevokedBy] {
			return ErrInvalidGenesis.Wrapf("credential %s: revoked_by %q is not a genesis DID", name, modules.Truncate(rec.RevokedBy))
		}
		if err := ValidateRevokeCredential(&identityv1.MsgRevokeCredential{Cid: rec.Cid, Issuer: rec.Issuer, Reason: rec.Reason}); err != nil {
			return ErrInvalidGenesis.Wrapf("credential %s: %v", name, err)
		}
	}
	return nil
}

// InitGenesis stores the validated credential records in key order. g is
// not modified.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	sorted := append([]*identityv1.CredentialStatus(nil), g.Credentials...)
	sort.Slice(sorted, func(i, j int) bool {
		return string(CredentialKey(sorted[i].Issuer, sorted[i].Cid)) < string(CredentialKey(sorted[j].Issuer, sorted[j].Cid))
	})
	for _, rec := range sorted {
		if err := k.setCredential(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis returns every credential record in key order.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	g := Genesis{Credentials: []*identityv1.CredentialStatus{}}
	err := modules.Walk(ctx.Store, []byte{StorePrefix, subCredential}, func(_ []byte, rec *identityv1.CredentialStatus) (bool, error) {
		g.Credentials = append(g.Credentials, rec)
		return false, nil
	})
	if err != nil {
		return Genesis{}, err
	}
	return g, nil
}
