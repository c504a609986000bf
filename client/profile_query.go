package client

import (
	"context"
	"fmt"

	"github.com/intercooperative/icnd/modules/identity"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Profile reads did's encrypted profile. When none is stored the error
// wraps ErrNotFound and the result is still returned.
func (q *Querier) Profile(ctx context.Context, did string, height int64) (*identityv1.Profile, *QueryResult, error) {
	if err := identity.ParseDID(did); err != nil {
		return nil, nil, err
	}
	res, err := q.Get(ctx, identity.ProfileKey(did), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: no profile for %s at height %d", ErrNotFound, did, res.Height)
	}
	p := new(identityv1.Profile)
	if err := p.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode the profile of %s: %w", did, err)
	}
	return p, res, nil
}

// DIDByEmailHash reads the DID whose profile carries the email hash h
// (profile.EmailHash computes it). When none does the error wraps
// ErrNotFound and the result is still returned.
func (q *Querier) DIDByEmailHash(ctx context.Context, h []byte, height int64) (string, *QueryResult, error) {
	if len(h) != identity.EmailHashLength {
		return "", nil, fmt.Errorf("email hash has %d bytes, want %d", len(h), identity.EmailHashLength)
	}
	res, err := q.Get(ctx, identity.EmailIndexKey(h), height)
	if err != nil {
		return "", nil, err
	}
	if res.Value == nil {
		return "", res, fmt.Errorf("%w: no DID for that email at height %d", ErrNotFound, res.Height)
	}
	did := string(res.Value)
	if err := identity.ParseDID(did); err != nil {
		return "", res, fmt.Errorf("email index holds an invalid DID: %w", err)
	}
	return did, res, nil
}
