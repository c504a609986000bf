package credential

import (
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Keeper reads and writes credential status records. It holds no state of
// its own.
type Keeper struct {
	dids    DIDs
	freezes Freezes
}

// NewKeeper returns a Keeper that authorizes issuers through dids and
// freezes.
func NewKeeper(dids DIDs, freezes Freezes) *Keeper {
	return &Keeper{dids: dids, freezes: freezes}
}

// Credential loads the status record of the credential whose binary CID is
// c, anchored for issuer. It returns ErrUnknownCredential when issuer has
// anchored no credential c (whatever other issuers anchored under that
// CID), and a plain error (a broken invariant) when the stored bytes do not
// decode. The caller owns the returned value.
func (k *Keeper) Credential(ctx modules.Context, issuer string, c []byte) (*identityv1.CredentialStatus, error) {
	rec, found, err := modules.Load[identityv1.CredentialStatus](ctx.Store, CredentialKey(issuer, c))
	if err != nil {
		return nil, fmt.Errorf("credential: %s issued by %s: %w", cidString(c), issuer, err)
	}
	if !found {
		return nil, ErrUnknownCredential.Wrapf("%s issued by %s", cidString(c), issuer)
	}
	return rec, nil
}

// setCredential stores rec. Every record names its issuer, so its encoding
// is never empty.
func (k *Keeper) setCredential(ctx modules.Context, rec *identityv1.CredentialStatus) error {
	return modules.Save(ctx.Store, CredentialKey(rec.Issuer, rec.Cid), rec)
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
