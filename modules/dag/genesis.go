package dag

import (
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	"github.com/intercooperative/icnd/store"
)

// Genesis is the dag module's part of the genesis app state.
type Genesis struct {
	Entries []*dagv1.Entry `json:"entries"`
}

// Validate checks every entry as if it were anchored, with no duplicates,
// and that each entry's anchoring DID is registered.
func (g Genesis) Validate(dids map[string]bool) error {
	seen := make(map[string]bool, len(g.Entries))
	for i, e := range g.Entries {
		if e == nil {
			return ErrInvalidGenesis.Wrapf("entry %d is null", i)
		}
		if err := ValidateAnchor(&dagv1.MsgAnchor{Cid: e.Cid, Kind: e.Kind, Links: e.Links}); err != nil {
			return ErrInvalidGenesis.Wrapf("entry %d: %v", i, err)
		}
		if seen[string(e.Cid)] {
			return ErrInvalidGenesis.Wrapf("entry %d: cid listed twice", i)
		}
		seen[string(e.Cid)] = true
		if !dids[e.AnchoredBy] {
			return ErrInvalidGenesis.Wrapf("entry %d: anchored_by %q is not a registered DID", i, e.AnchoredBy)
		}
	}
	return nil
}

// InitGenesis stores the entries in key order. The caller has validated g.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	entries := append([]*dagv1.Entry(nil), g.Entries...)
	sort.Slice(entries, func(i, j int) bool { return string(entries[i].Cid) < string(entries[j].Cid) })
	for _, e := range entries {
		bz, err := e.Marshal()
		if err != nil {
			return fmt.Errorf("dag: encode genesis entry: %w", err)
		}
		ctx.Store.Set(EntryKey(e.Cid), bz)
	}
	return nil
}

// ExportGenesis returns every entry in key order.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	g := Genesis{Entries: []*dagv1.Entry{}}
	prefix := []byte{StorePrefix, subEntry}
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		e := new(dagv1.Entry)
		if err := e.Unmarshal(it.Value()); err != nil {
			return Genesis{}, fmt.Errorf("dag: corrupt entry under key %x: %w", it.Key(), err)
		}
		g.Entries = append(g.Entries, e)
	}
	return g, nil
}
