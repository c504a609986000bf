package dag

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"
	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	"github.com/intercooperative/icnd/store"
)

// Test DIDs. The module never parses DIDs, so any distinct strings do.
const (
	alice = "did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	bob   = "did:icn:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	carol = "did:icn:cccccccccccccccccccccccccccccccc"
)

func testCtx(t *testing.T) modules.Context {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	return modules.NewContext("icn-test", 5, time.Unix(0, 0), cms.Working())
}

func TestGenesisValidate(t *testing.T) {
	c, other := rawCID(t, "x", cid.Raw).Bytes(), rawCID(t, "y", cid.Raw).Bytes()
	dids := map[string]bool{alice: true, bob: true}
	good := func() Genesis {
		return Genesis{Entries: []*dagv1.Entry{
			{Cid: c, Kind: "doc", AnchoredBy: alice, Height: 1},
			// Another anchorer of the same CID, with its own metadata.
			{Cid: c, Kind: "receipt", Links: [][]byte{other}, AnchoredBy: bob, Height: 2},
			{Cid: other, Kind: "doc", AnchoredBy: alice, Height: 1},
		}}
	}
	if err := good().Validate(dids); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(g *Genesis){
		"null entry":                      func(g *Genesis) { g.Entries[1] = nil },
		"invalid cid":                     func(g *Genesis) { g.Entries[1].Cid = []byte{1, 2} },
		"invalid kind":                    func(g *Genesis) { g.Entries[1].Kind = "" },
		"unregistered anchorer":           func(g *Genesis) { g.Entries[1].AnchoredBy = carol },
		"an anchorer anchors a cid twice": func(g *Genesis) { g.Entries[1].AnchoredBy = alice },
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			g := good()
			mutate(&g)
			if err := g.Validate(dids); !errors.Is(err, ErrInvalidGenesis) {
				t.Fatalf("got %v, want ErrInvalidGenesis", err)
			}
		})
	}
}

// TestGenesisRoundTrip stores entries given out of order and exports them
// in key order (by CID, then anchorer), each readable under its anchorer.
func TestGenesisRoundTrip(t *testing.T) {
	ctx := testCtx(t)
	k := NewKeeper()
	x, y := rawCID(t, "x", cid.Raw), rawCID(t, "y", cid.Raw)
	in := []*dagv1.Entry{
		{Cid: y.Bytes(), Kind: "doc", AnchoredBy: bob, Height: 1},
		{Cid: x.Bytes(), Kind: "receipt", AnchoredBy: bob, Height: 2},
		{Cid: x.Bytes(), Kind: "doc", AnchoredBy: alice, Height: 1},
	}
	if err := k.InitGenesis(ctx, Genesis{Entries: in}); err != nil {
		t.Fatal(err)
	}
	g, err := k.ExportGenesis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range g.Entries {
		got = append(got, fmt.Sprintf("%x/%s/%s", e.Cid, e.AnchoredBy, e.Kind))
	}
	want := []string{ // x < y in bytes; alice < bob
		fmt.Sprintf("%x/%s/doc", x.Bytes(), alice),
		fmt.Sprintf("%x/%s/receipt", x.Bytes(), bob),
		fmt.Sprintf("%x/%s/doc", y.Bytes(), bob),
	}
	if bytes.Compare(x.Bytes(), y.Bytes()) > 0 {
		want[0], want[1], want[2] = want[2], want[0], want[1]
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("exported:\n%v\nwant:\n%v", got, want)
	}
	if e, err := k.Entry(ctx, x, bob); err != nil || e.Kind != "receipt" {
		t.Fatalf("bob's entry of x: %v, %v", e, err)
	}
	if _, err := k.Entry(ctx, y, alice); !errors.Is(err, ErrNotFound) {
		t.Fatalf("alice's entry of y: %v, want ErrNotFound", err)
	}
}

// TestExportRefusesMisfiledEntry: an entry stored under another anchorer's
// key is a broken invariant, reported without a registered code.
func TestExportRefusesMisfiledEntry(t *testing.T) {
	ctx := testCtx(t)
	c := rawCID(t, "x", cid.Raw).Bytes()
	if err := modules.Save(ctx.Store, EntryKey(c, alice), &dagv1.Entry{Cid: c, Kind: "doc", AnchoredBy: bob, Height: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := NewKeeper().ExportGenesis(ctx)
	if space, _ := modules.ResultCode(err); err == nil || space != modules.CodespaceInternal {
		t.Fatalf("export of a misfiled entry: %v", err)
	}
}

// TestEntriesPrefix: the prefix of a CID covers its entries and no other
// CID's, even one whose bytes extend it.
func TestEntriesPrefix(t *testing.T) {
	c := rawCID(t, "x", cid.Raw).Bytes()
	longer := append(bytes.Clone(c), 0)
	p := EntriesPrefix(c)
	if !bytes.HasPrefix(EntryKey(c, alice), p) || bytes.HasPrefix(EntryKey(longer, alice), p) {
		t.Fatal("EntriesPrefix does not delimit a CID's entries")
	}
}
