package dag

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
)

// Genesis is the dag module's part of the genesis app state.
type Genesis struct {
	Entries []*dagv1.Entry `json:"entries"`
}

// Validate checks every entry as if it were anchored: each passes the
// anchor checks, its anchoring DID is registered, and no DID anchors a CID
// twice (several DIDs may anchor the same CID).
func (g Genesis) Validate(dids map[string]bool) error {
	seen := make(map[string]bool, len(g.Entries))
	for i, e := range g.Entries {
		if e == nil {
			return ErrInvalidGenesis.Wrapf("entry %d is null", i)
		}
		if err := ValidateEntry(&dagv1.MsgAnchor{Cid: e.Cid, Kind: e.Kind, Links: e.Links}); err != nil {
			return ErrInvalidGenesis.Wrapf("entry %d: %v", i, err)
		}
		if !dids[e.AnchoredBy] {
			return ErrInvalidGenesis.Wrapf("entry %d: anchored_by %q is not a registered DID", i, e.AnchoredBy)
		}
		key := string(EntryKey(e.Cid, e.AnchoredBy))
		if seen[key] {
			return ErrInvalidGenesis.Wrapf("entry %d: %s anchors the cid twice", i, e.AnchoredBy)
		}
		seen[key] = true
	}
	return nil
}

// InitGenesis stores the entries in key order. The caller has validated g.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	type keyed struct {
		key   []byte
		entry *dagv1.Entry
	}
	entries := make([]keyed, len(g.Entries))
	for i, e := range g.Entries {
		entries[i] = keyed{EntryKey(e.Cid, e.AnchoredBy), e}
	}
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].key, entries[j].key) < 0 })
	for _, e := range entries {
		if err := modules.Save(ctx.Store, e.key, e.entry); err != nil {
			return fmt.Errorf("dag: genesis entry: %w", err)
		}
		indexLinks(ctx, e.entry)
	}
	return nil
}

// ExportGenesis returns every entry in key order: by CID, then anchorer.
// An entry stored under a key other than its own CID and anchorer's is a
// broken invariant.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	g := Genesis{Entries: []*dagv1.Entry{}}
	err := modules.Walk(ctx.Store, []byte{StorePrefix, subEntry}, func(key []byte, e *dagv1.Entry) (bool, error) {
		if !bytes.Equal(key, EntryKey(e.Cid, e.AnchoredBy)) {
			return true, fmt.Errorf("dag: entry under key %x names cid %x and anchorer %q", key, e.Cid, e.AnchoredBy)
		}
		g.Entries = append(g.Entries, e)
		return false, nil
	})
	if err != nil {
		return Genesis{}, err
	}
	return g, nil
}
