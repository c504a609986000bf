package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules/dag"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// ErrNotFound is wrapped when a queried key holds no value. The
// QueryResult returned with it says at which height, and whether the
// absence was proven.
var ErrNotFound = errors.New("not found")

// Querier reads module state from a node: plainly, or with every answer
// proven when it has a Prover.
type Querier struct {
	client *Client
	prover *Prover
}

// NewQuerier returns a Querier over c. With a non-nil p, every read is
// proven by p (which queries its own primary) instead.
func NewQuerier(c *Client, p *Prover) *Querier {
	return &Querier{client: c, prover: p}
}

// Get reads the raw value under key at height (0 = latest). An absent key
// is a result with a nil Value, not an error.
func (q *Querier) Get(ctx context.Context, key []byte, height int64) (*QueryResult, error) {
	if q.prover != nil {
		return q.prover.Query(ctx, key, height)
	}
	return q.client.QueryStore(ctx, key, height)
}

// DIDDocument reads did's document. When none is stored the error wraps
// ErrNotFound and the result is still returned.
func (q *Querier) DIDDocument(ctx context.Context, did string, height int64) (*identityv1.DIDDocument, *QueryResult, error) {
	if err := didmod.ParseDID(did); err != nil {
		return nil, nil, err
	}
	res, err := q.Get(ctx, didmod.DocumentKey(did), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: DID %s at height %d", ErrNotFound, did, res.Height)
	}
	doc := new(identityv1.DIDDocument)
	if err := doc.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode the document of %s: %w", did, err)
	}
	return doc, res, nil
}

// EntryView is a dag entry with its CIDs as strings.
type EntryView struct {
	CID        string   `json:"cid"`
	Kind       string   `json:"kind"`
	Links      []string `json:"links"`
	AnchoredBy string   `json:"anchored_by"`
	Height     int64    `json:"height"`
}

// Entry reads the dag entry that anchorer anchored for c; an entry another
// DID anchored for the same CID is never returned. When anchorer anchored
// none the error wraps ErrNotFound and the result is still returned.
func (q *Querier) Entry(ctx context.Context, c cid.Cid, anchorer string, height int64) (*EntryView, *QueryResult, error) {
	if err := didmod.ParseDID(anchorer); err != nil {
		return nil, nil, fmt.Errorf("anchorer: %w", err)
	}
	res, err := q.Get(ctx, dag.EntryKey(c.Bytes(), anchorer), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: no entry for CID %s anchored by %s at height %d", ErrNotFound, c, anchorer, res.Height)
	}
	e := new(dagv1.Entry)
	if err := e.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode the entry of %s: %w", c, err)
	}
	view, err := NewEntryView(e)
	return view, res, err
}

// Entries lists the entries anchored for c, one per anchorer, in anchorer
// order, reading at most limit (ErrScanLimit beyond). With a Prover the
// list is proven complete. When nobody anchored c the error wraps
// ErrNotFound and the result (a proven absence, with a Prover) is still
// returned.
func (q *Querier) Entries(ctx context.Context, c cid.Cid, height int64, limit int) ([]*EntryView, *QueryResult, error) {
	entries, res, err := q.Scan(ctx, dag.EntriesPrefix(c.Bytes()), height, limit)
	if err != nil {
		return nil, nil, err
	}
	if len(entries) == 0 {
		return nil, res, fmt.Errorf("%w: no entry for CID %s at height %d", ErrNotFound, c, res.Height)
	}
	out := make([]*EntryView, 0, len(entries))
	for _, raw := range entries {
		e := new(dagv1.Entry)
		if err := e.Unmarshal(raw.Value); err != nil {
			return nil, res, fmt.Errorf("decode the entry under key %X: %w", raw.Key, err)
		}
		if didmod.ParseDID(e.AnchoredBy) != nil || !bytes.Equal(e.Cid, c.Bytes()) || !bytes.Equal(raw.Key, dag.EntryKey(e.Cid, e.AnchoredBy)) {
			return nil, res, fmt.Errorf("the entry under key %X names CID %X and anchorer %q", raw.Key, e.Cid, e.AnchoredBy)
		}
		view, err := NewEntryView(e)
		if err != nil {
			return nil, res, err
		}
		out = append(out, view)
	}
	return out, res, nil
}

// NewEntryView renders e's binary CIDs as strings.
func NewEntryView(e *dagv1.Entry) (*EntryView, error) {
	c, err := cid.Cast(e.Cid)
	if err != nil {
		return nil, fmt.Errorf("stored entry has an invalid CID: %w", err)
	}
	v := &EntryView{CID: c.String(), Kind: e.Kind, Links: []string{}, AnchoredBy: e.AnchoredBy, Height: e.Height}
	for _, raw := range e.Links {
		l, err := cid.Cast(raw)
		if err != nil {
			// Show what is there rather than hide the entry.
			v.Links = append(v.Links, "invalid:"+base64.StdEncoding.EncodeToString(raw))
			continue
		}
		v.Links = append(v.Links, l.String())
	}
	return v, nil
}

// ManaBalance is a mana account as of a query height.
type ManaBalance struct {
	DID string `json:"did"`
	// Height is the committed height the account was read at.
	Height int64 `json:"height"`
	// Balance is the effective balance the next block (Height+1) sees:
	// the stored balance plus what regenerated since, capped at capacity.
	Balance  uint64 `json:"balance"`
	Capacity uint64 `json:"capacity"`
	// Rate is the mana regenerated per block.
	Rate uint64 `json:"rate"`
	// BaseCapacity and BaseRate are the account's own grant; Capacity and
	// Rate add to them the membership bonuses scaled by reputation, capped
	// by the params. MembershipCapacity and MembershipRate are those
	// additions (after the caps).
	BaseCapacity       uint64 `json:"base_capacity"`
	BaseRate           uint64 `json:"base_rate"`
	MembershipCapacity uint64 `json:"membership_capacity"`
	MembershipRate     uint64 `json:"membership_rate"`
	// Escrowed is the mana locked in open escrows; it counts against the
	// capacity, so Balance can reach at most Capacity - Escrowed.
	Escrowed uint64 `json:"escrowed"`
	// StoredBalance and LastHeight are the account as stored.
	StoredBalance uint64 `json:"stored_balance"`
	LastHeight    int64  `json:"last_height"`
	// BlocksUntilFull counts blocks after Height+1 until Balance reaches
	// Capacity less Escrowed; it is meaningless when NeverFull is set
	// (rate 0).
	BlocksUntilFull uint64 `json:"blocks_until_full"`
	NeverFull       bool   `json:"never_full,omitempty"`
}

// ManaBalance reads did's mana account. When none is stored the error wraps
// ErrNotFound and the result is still returned.
func (q *Querier) ManaBalance(ctx context.Context, did string, height int64) (*ManaBalance, *QueryResult, error) {
	if err := didmod.ParseDID(did); err != nil {
		return nil, nil, err
	}
	res, err := q.Get(ctx, mana.AccountKey(did), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: no mana account for %s at height %d", ErrNotFound, did, res.Height)
	}
	acc := new(manav1.Account)
	if err := acc.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode the mana account of %s: %w", did, err)
	}
	return NewManaBalance(did, res.Height, acc), res, nil
}

// NewManaBalance computes the balance of acc that the block after height
// sees.
func NewManaBalance(did string, height int64, acc *manav1.Account) *ManaBalance {
	next := height + 1
	blocks, ok := mana.BlocksUntilFull(acc, next)
	return &ManaBalance{
		DID:      did,
		Height:   height,
		Balance:  mana.Effective(acc, next),
		Capacity: acc.Capacity,
		Rate:     acc.Rate,
		// The caps can leave a capacity below its base (a genesis grant
		// above a later max_capacity): the membership part is then 0.
		BaseCapacity:       acc.BaseCapacity,
		BaseRate:           acc.BaseRate,
		MembershipCapacity: acc.Capacity - min(acc.BaseCapacity, acc.Capacity),
		MembershipRate:     acc.Rate - min(acc.BaseRate, acc.Rate),
		Escrowed:           acc.Escrowed,
		StoredBalance:      acc.Balance,
		LastHeight:         acc.LastHeight,
		BlocksUntilFull:    blocks,
		NeverFull:          !ok,
	}
}
