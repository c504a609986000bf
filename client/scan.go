package client

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	ics23 "github.com/cosmos/ics23/go"

	"github.com/intercooperative/icnd/store"
)

// ErrScanLimit is returned when a prefix holds more entries than a scan
// was allowed to read.
var ErrScanLimit = errors.New("scan limit reached")

// Entry is one stored key and its value.
type Entry struct {
	Key   []byte
	Value []byte
}

// provenRead is the node's answer to one store read with prove set: the
// value (nil when absent), its ICS23 proof and the height read.
type provenRead struct {
	height int64
	value  []byte
	proof  *ics23.CommitmentProof
}

// readFunc reads key at height (0 = latest) with a proof.
type readFunc func(ctx context.Context, key []byte, height int64) (*provenRead, error)

// provenRead reads key at height with its proof, unverified.
func (c *Client) provenRead(ctx context.Context, key []byte, height int64) (*provenRead, error) {
	res, err := c.abciQuery(ctx, key, height, true)
	if err != nil {
		return nil, err
	}
	proof, err := decodeProof(res.ProofOps.GetOps(), key)
	if err != nil {
		return nil, err
	}
	return &provenRead{height: res.Height, value: nilIfEmpty(res.Value), proof: proof}, nil
}

// Scan returns the entries whose keys start with prefix at height (0 =
// latest), in key order. The store query reads one key, so Scan walks the
// prefix one entry at a time: each read asks for the smallest key the
// previous one did not cover (the prefix itself, then each found key with a
// 0x00 byte appended, its immediate successor), and the answer is either
// that key with an existence proof or its absence with a non-existence
// proof, whose right neighbour is the next stored key.
//
// With a Prover every proof is verified against the app hash of one
// light-client-verified header, and ICS23 checks that an absence proof's
// neighbours are adjacent in the tree: the list is then proven complete, a
// node can neither add nor leave out an entry. Without one the node is
// trusted. Scan reads at most limit entries and returns an error wrapping
// ErrScanLimit if the prefix holds more. All reads are at the height of
// the first one, which the returned result reports.
func (q *Querier) Scan(ctx context.Context, prefix []byte, height int64, limit int) ([]Entry, *QueryResult, error) {
	c := q.client
	var verify func(height int64) ([]byte, error)
	var hdr *VerifiedHeader
	if q.prover != nil {
		c = q.prover.client
		verify = func(height int64) ([]byte, error) {
			var err error
			if hdr, err = q.prover.verifiedHeader(ctx, height+1); err != nil {
				return nil, err
			}
			return hex.DecodeString(hdr.AppHash)
		}
	}
	entries, h, err := scanPrefix(ctx, c.provenRead, prefix, height, limit, verify)
	if err != nil {
		return nil, nil, err
	}
	return entries, &QueryResult{Key: prefix, Height: h, Proven: hdr != nil, Header: hdr}, nil
}

// scanPrefix is Scan over read. verify, when not nil, returns the root
// that proofs at a height must reach; it is called once, after the first
// read fixes the height.
func scanPrefix(ctx context.Context, read readFunc, prefix []byte, height int64, limit int, verify func(height int64) ([]byte, error)) ([]Entry, int64, error) {
	if len(prefix) == 0 {
		return nil, 0, errors.New("scan: empty prefix")
	}
	var out []Entry
	var root []byte
	key := prefix
	for {
		r, err := read(ctx, key, height)
		if err != nil {
			return nil, 0, err
		}
		if height == 0 {
			height = r.height
		} else if r.height != height {
			return nil, 0, fmt.Errorf("%w: asked for height %d, the node answered for height %d", ErrProof, height, r.height)
		}
		if verify != nil && root == nil {
			if root, err = verify(height); err != nil {
				return nil, 0, err
			}
		}
		next, err := successor(r, key, root)
		if err != nil {
			return nil, 0, err
		}
		if next == nil || !bytes.HasPrefix(next.Key, prefix) {
			return out, height, nil
		}
		if len(out) == limit {
			return nil, 0, fmt.Errorf("%w: more than %d entries under %X", ErrScanLimit, limit, prefix)
		}
		out = append(out, *next)
		key = append(bytes.Clone(next.Key), 0)
	}
}

// successor returns the first stored entry at or after key that r shows:
// key itself when present, else the right neighbour of its absence proof,
// or nil when no key follows. With a root it verifies the proof first.
func successor(r *provenRead, key, root []byte) (*Entry, error) {
	if r.value != nil {
		if root != nil {
			if err := store.VerifyMembership(root, r.proof, key, r.value); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrProof, err)
			}
		}
		return &Entry{Key: key, Value: r.value}, nil
	}
	if root != nil {
		if err := store.VerifyAbsence(root, r.proof, key); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrProof, err)
		}
	}
	absent := r.proof.GetNonexist()
	if absent == nil {
		return nil, fmt.Errorf("%w: key %X is absent but the answer carries no non-existence proof", ErrProof, key)
	}
	right := absent.Right
	if right == nil {
		return nil, nil
	}
	if bytes.Compare(right.Key, key) <= 0 || len(right.Value) == 0 {
		// Verification rules this out; an unverified answer is checked
		// here so that a faulty node cannot make the walk loop.
		return nil, fmt.Errorf("%w: the neighbour of %X is %X with %d value bytes", ErrProof, key, right.Key, len(right.Value))
	}
	return &Entry{Key: right.Key, Value: right.Value}, nil
}
