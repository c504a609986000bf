package dag

import (
	"encoding/base32"

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
	return k.store(ctx, c, &dagv1.Entry{Cid: m.Cid, Kind: m.Kind, Links: m.Links, AnchoredBy: ctx.Authority, Height: ctx.Height})
}

// AnchorLinked anchors c with kind and links as an entry of anchorer: how
// another module anchors on behalf of a DID (the mesh anchors a receipt as
// its executor's entry). It checks what ValidateEntry checks, then
// behaves as Anchor. Errors: ErrInvalidCID, ErrInvalidKind,
// ErrTooManyLinks, ErrAnchoredAgain.
func (k *Keeper) AnchorLinked(ctx modules.Context, anchorer string, c cid.Cid, kind string, links []cid.Cid) error {
	m := &dagv1.MsgAnchor{Cid: c.Bytes(), Kind: kind, Links: make([][]byte, len(links))}
	for i, l := range links {
		m.Links[i] = l.Bytes()
	}
	if err := ValidateEntry(m); err != nil {
		return err
	}
	return k.store(ctx, c, &dagv1.Entry{Cid: m.Cid, Kind: kind, Links: m.Links, AnchoredBy: anchorer, Height: ctx.Height})
}

// store saves e, a new entry for c, and its reverse-link index entries.
func (k *Keeper) store(ctx modules.Context, c cid.Cid, e *dagv1.Entry) error {
	key := EntryKey(e.Cid, e.AnchoredBy)
	if ctx.Store.Has(key) {
		return ErrAnchoredAgain.Wrapf("%s by %s", c, e.AnchoredBy)
	}
	if err := modules.Save(ctx.Store, key, e); err != nil {
		return err
	}
	indexLinks(ctx, e)
	ctx.Emit(EventAnchored{CID: cidString(e.Cid), Kind: e.Kind, Links: len(e.Links), AnchoredBy: e.AnchoredBy})
	return nil
}

// indexLinks writes the reverse-link index entries of e. A link listed
// twice has one index entry.
func indexLinks(ctx modules.Context, e *dagv1.Entry) {
	for _, l := range e.Links {
		ctx.Store.Set(BacklinkKey(l, e.Cid, e.AnchoredBy), []byte{backlinkPresent})
	}
}

// cidBase32 is multibase's base32: RFC 4648 lower case, unpadded.
var cidBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// cidString returns what cid.Cid.String gives for b, the binary form of a
// CIDv1 (as ParseCID returns): the multibase prefix 'b' and b in base32
// (mbase.Encode(mbase.Base32, b)). Every anchor's event carries it; this
// makes it in one allocation, the string, where String makes three.
// TestCIDString compares the two.
func cidString(b []byte) string {
	if len(b) > MaxCIDLength {
		return "b" + cidBase32.EncodeToString(b)
	}
	var buf [1 + (MaxCIDLength*8+4)/5]byte
	n := 1 + cidBase32.EncodedLen(len(b))
	buf[0] = 'b'
	cidBase32.Encode(buf[1:n], b)
	return string(buf[:n])
}
