package dag

import (
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
)

// Keeper reads and writes dag state. It holds no state of its own.
type Keeper struct{}

// NewKeeper returns a dag Keeper.
func NewKeeper() *Keeper { return &Keeper{} }

// Entry loads the entry anchored for c, or ErrNotFound.
func (k *Keeper) Entry(ctx modules.Context, c cid.Cid) (*dagv1.Entry, error) {
	bz := ctx.Store.Get(EntryKey(c.Bytes()))
	if bz == nil {
		return nil, ErrNotFound.Wrapf("%s", c)
	}
	e := new(dagv1.Entry)
	if err := e.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("dag: stored entry %s is corrupt: %w", c, err)
	}
	return e, nil
}

// Anchor stores m as an entry signed by ctx.Signer. The message must have
// passed ValidateAnchor. Links may point at CIDs that are not anchored: a
// DAG is anchored root-last or in pieces, and content lives off chain.
func (k *Keeper) Anchor(ctx modules.Context, m *dagv1.MsgAnchor) error {
	key := EntryKey(m.Cid)
	if ctx.Store.Has(key) {
		c, _ := cid.Cast(m.Cid)
		return ErrAlreadyAnchored.Wrapf("%s", c)
	}
	e := &dagv1.Entry{Cid: m.Cid, Kind: m.Kind, Links: m.Links, AnchoredBy: ctx.Signer, Height: ctx.Height}
	bz, err := e.Marshal()
	if err != nil {
		return fmt.Errorf("dag: encode entry: %w", err)
	}
	ctx.Store.Set(key, bz)
	c, _ := cid.Cast(m.Cid)
	ctx.Emit(EventAnchored{CID: c.String(), Kind: m.Kind, Links: len(m.Links), AnchoredBy: ctx.Signer})
	return nil
}
