package client

import (
	"context"
	"fmt"

	"github.com/intercooperative/icnd/client/profile"
	didmod "github.com/intercooperative/icnd/modules/did"
	profilemod "github.com/intercooperative/icnd/modules/profile"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Profile reads did's encrypted profile. When none is stored the error
// wraps ErrNotFound and the result is still returned.
func (q *Querier) Profile(ctx context.Context, did string, height int64) (*identityv1.Profile, *QueryResult, error) {
	if err := didmod.ParseDID(did); err != nil {
		return nil, nil, err
	}
	res, err := q.Get(ctx, profilemod.ProfileKey(did), height)
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

// ProfileView is a profile as a client shows it: field names and
// ciphertext sizes, and the values only when decrypted.
type ProfileView struct {
	DID           string             `json:"did"`
	UpdatedHeight int64              `json:"updated_height"`
	EmailIndexed  bool               `json:"email_indexed"`
	Decrypted     bool               `json:"decrypted"`
	Fields        []ProfileFieldView `json:"fields"`
}

// ProfileFieldView is one field of a ProfileView.
type ProfileFieldView struct {
	Name            string `json:"name"`
	CiphertextBytes int    `json:"ciphertext_bytes"`
	Value           string `json:"value,omitempty"`
}

// NewProfileView renders p; opened, when not nil, holds its decrypted
// fields as profile.Open returns them (in p's field order).
func NewProfileView(p *identityv1.Profile, opened []profile.Field) *ProfileView {
	v := &ProfileView{DID: p.Did, UpdatedHeight: p.UpdatedHeight, EmailIndexed: len(p.EmailHash) > 0, Decrypted: opened != nil, Fields: []ProfileFieldView{}}
	for i, f := range p.Fields {
		fv := ProfileFieldView{Name: f.Name, CiphertextBytes: len(f.Ciphertext)}
		if opened != nil {
			fv.Value = opened[i].Value
		}
		v.Fields = append(v.Fields, fv)
	}
	return v
}

// DIDsByEmail lists the DIDs whose profiles claim email, as
// DIDsByEmailHash does, hashing email here with the salt of chainID (asked
// from the node when empty); only the hash reaches the node.
func (q *Querier) DIDsByEmail(ctx context.Context, chainID, email string, height int64, limit int) ([]string, *QueryResult, error) {
	chainID, err := q.client.ResolveChainID(ctx, chainID)
	if err != nil {
		return nil, nil, err
	}
	hash, err := profile.EmailHash(chainID, email)
	if err != nil {
		return nil, nil, err
	}
	return q.DIDsByEmailHash(ctx, hash, height, limit)
}

// DIDsByEmailHash lists, in DID order, the DIDs whose profiles carry the
// email hash h (profile.EmailHash computes it), reading at most limit; more
// is an error wrapping ErrScanLimit. Each is a DID that claims the address,
// not one shown to own it: anyone can put any email hash in a profile. An
// email nobody claims gives an empty list. With a Prover the list is proven
// complete: a node can neither add nor hide a claim.
func (q *Querier) DIDsByEmailHash(ctx context.Context, h []byte, height int64, limit int) ([]string, *QueryResult, error) {
	if len(h) != profilemod.EmailHashLength {
		return nil, nil, fmt.Errorf("email hash has %d bytes, want %d", len(h), profilemod.EmailHashLength)
	}
	prefix := profilemod.EmailIndexPrefix(h)
	entries, res, err := q.Scan(ctx, prefix, height, limit)
	if err != nil {
		return nil, nil, err
	}
	dids, err := emailClaimants(prefix, entries)
	if err != nil {
		return nil, res, err
	}
	return dids, res, nil
}

// emailClaimants returns the DIDs that end the email index keys of entries,
// all under prefix (an EmailIndexPrefix), in the entries' order.
func emailClaimants(prefix []byte, entries []Entry) ([]string, error) {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		part := e.Key[len(prefix):]
		if len(part) != didmod.DIDLength+1 || int(part[0]) != didmod.DIDLength {
			return nil, fmt.Errorf("malformed email index key %X", e.Key)
		}
		did := string(part[1:])
		if err := didmod.ParseDID(did); err != nil {
			return nil, fmt.Errorf("email index key %X holds an invalid DID: %w", e.Key, err)
		}
		out = append(out, did)
	}
	return out, nil
}
