package dag

import (
	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
)

// Keeper reads and writes dag state. It holds no state of its own.
type Keeper struct{}

// NewKeeper returns a dag Keeper.
func NewKeeper() *Keeper { return &Keeper{} }

// Entry loads the entry that anchorer anchored for c, or ErrNotFound
// (whatever other DIDs anchored for c). Stored bytes that do not decode are
// a broken invariant: the error carries no registered code. The caller owns
// the returned value.
func (k *Keeper) Entry(ctx modules.Context, c cid.Cid, anchorer string) (*dagv1.Entry, error) {
	e, ok, err := modules.Load[dagv1.Entry](ctx.Store, EntryKey(c.Bytes(), anchorer))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound.Wrapf("%s anchored by %s", c, anchorer)
	}
	return e, nil
}

// Anchor stores m as an entry anchored by ctx.Authority, on whose behalf the
// message runs. The message must have passed ValidateAnchor. An anchorer
// anchors a CID once (ErrAnchoredAgain); other DIDs' entries for the same
// CID do not stand in the way, and are not touched. Links may point at CIDs
// that are not anchored: a DAG is anchored root-last or in pieces, and
// content lives off chain.
func (k *Keeper) Anchor(ctx modules.Context, m *dagv1.MsgAnchor) error {
	c, err := ParseCID(m.Cid)
	if err != nil {
		return err
	}
	key := EntryKey(m.Cid, ctx.Authority)
	if ctx.Store.Has(key) {
		return ErrAnchoredAgain.Wrapf("%s by %s", c, ctx.Authority)
	}
	e := &dagv1.Entry{Cid: m.Cid, Kind: m.Kind, Links: m.Links, AnchoredBy: ctx.Authority, Height: ctx.Height}
	if err := modules.Save(ctx.Store, key, e); err != nil {
		return err
	}
	ctx.Emit(EventAnchored{CID: c.String(), Kind: m.Kind, Links: len(m.Links), AnchoredBy: ctx.Authority})
	return nil
}
