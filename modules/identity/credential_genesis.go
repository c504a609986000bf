package identity

import (
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// registeredDIDs returns a lookup of the DIDs g registers: those of the
// documents and of the organizations (DIDs).
func (g Genesis) registeredDIDs() func(string) bool {
	set := make(map[string]bool, len(g.Documents)+len(g.Organizations))
	for _, did := range g.DIDs() {
		set[did] = true
	}
	return func(did string) bool { return set[did] }
}

// validateCredentials checks genesis credential records: each as
// MsgIssueCredential would have stored it, each (issuer, CID) once, registered
// issuer, subject and signers (registered reports whether a DID is a
// genesis DID), and a revocation that is either absent or complete and not
// before the issuance.
func validateCredentials(recs []*identityv1.CredentialStatus, registered func(string) bool) error {
	seen := make(map[string]bool, len(recs))
	for i, rec := range recs {
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
		for _, did := range []string{rec.Issuer, rec.Subject, rec.IssuedBy} {
			if !registered(did) {
				return ErrInvalidGenesis.Wrapf("credential %s: %q is not a genesis DID", name, truncate(did))
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
		if !registered(rec.RevokedBy) {
			return ErrInvalidGenesis.Wrapf("credential %s: revoked_by %q is not a genesis DID", name, truncate(rec.RevokedBy))
		}
		if err := ValidateRevokeCredential(&identityv1.MsgRevokeCredential{Cid: rec.Cid, Issuer: rec.Issuer, Reason: rec.Reason}); err != nil {
			return ErrInvalidGenesis.Wrapf("credential %s: %v", name, err)
		}
	}
	return nil
}

// initCredentials stores validated genesis credential records in key order.
func (k *Keeper) initCredentials(ctx modules.Context, recs []*identityv1.CredentialStatus) error {
	sorted := append([]*identityv1.CredentialStatus(nil), recs...)
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

// exportCredentials returns every credential record in key order.
func (k *Keeper) exportCredentials(ctx modules.Context) ([]*identityv1.CredentialStatus, error) {
	var out []*identityv1.CredentialStatus
	prefix := []byte{StorePrefix, subCredential}
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		rec := new(identityv1.CredentialStatus)
		if err := rec.Unmarshal(it.Value()); err != nil {
			return nil, fmt.Errorf("identity: corrupt credential under key %x: %w", it.Key(), err)
		}
		out = append(out, rec)
	}
	return out, nil
}
