package dag

import (
	"bytes"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
)

// backlinks lists the (source, anchorer) pairs the index holds for target.
func backlinks(t *testing.T, ctx modules.Context, target cid.Cid) []string {
	t.Helper()
	it := ctx.Store.Iterator(BacklinksPrefix(target.Bytes()), prefixEnd(BacklinksPrefix(target.Bytes())))
	defer it.Close()
	var out []string
	for ; it.Valid(); it.Next() {
		tg, src, anchorer, ok := ParseBacklinkKey(it.Key())
		if !ok || !bytes.Equal(tg, target.Bytes()) {
			t.Fatalf("bad backlink key %x", it.Key())
		}
		s, err := cid.Cast(src)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s.String()+"/"+anchorer)
	}
	return out
}

func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// TestBacklinks: the anchor message and AnchorLinked both index each link
// of the new entry under its target; genesis rebuilds the index.
func TestBacklinks(t *testing.T) {
	ctx := testCtx(t).WithSigner(alice)
	k := NewKeeper()
	x, y, z := rawCID(t, "x", cid.Raw), rawCID(t, "y", cid.Raw), rawCID(t, "z", cid.DagCBOR)
	if err := k.Anchor(ctx, &dagv1.MsgAnchor{Cid: z.Bytes(), Kind: "doc", Links: [][]byte{x.Bytes(), y.Bytes(), x.Bytes()}}); err != nil {
		t.Fatal(err)
	}
	if err := k.AnchorLinked(ctx, bob, y, "receipt", []cid.Cid{x}); err != nil {
		t.Fatal(err)
	}
	wantX := map[string]bool{z.String() + "/" + alice: true, y.String() + "/" + bob: true}
	got := backlinks(t, ctx, x)
	if len(got) != 2 || !wantX[got[0]] || !wantX[got[1]] {
		t.Fatalf("backlinks of x: %v", got)
	}
	if got := backlinks(t, ctx, y); len(got) != 1 || got[0] != z.String()+"/"+alice {
		t.Fatalf("backlinks of y: %v", got)
	}
	if got := backlinks(t, ctx, z); len(got) != 0 {
		t.Fatalf("backlinks of z: %v", got)
	}
	if e, err := k.Entry(ctx, y, bob); err != nil || e.AnchoredBy != bob || e.Kind != "receipt" {
		t.Fatalf("bob's entry: %v, %v", e, err)
	}
	if err := k.AnchorLinked(ctx, bob, y, "receipt", nil); err == nil {
		t.Fatal("anchored again")
	}
	if err := k.AnchorLinked(ctx, bob, x, "Bad Kind", nil); err == nil {
		t.Fatal("bad kind accepted")
	}
	// Genesis: export and import into a fresh store rebuild the index.
	g, err := k.ExportGenesis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh := testCtx(t)
	if err := k.InitGenesis(fresh, g); err != nil {
		t.Fatal(err)
	}
	if got := backlinks(t, fresh, x); len(got) != 2 {
		t.Fatalf("backlinks of x after genesis: %v", got)
	}
}
