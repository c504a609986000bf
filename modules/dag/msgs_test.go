package dag

import (
	"errors"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
)

func rawCID(t *testing.T, data string, codec uint64) cid.Cid {
	t.Helper()
	mh, err := multihash.Sum([]byte(data), multihash.SHA2_256, -1)
	if err != nil {
		t.Fatal(err)
	}
	return cid.NewCidV1(codec, mh)
}

func TestParseCID(t *testing.T) {
	good := rawCID(t, "x", cid.Raw)
	if c, err := ParseCID(good.Bytes()); err != nil || !c.Equals(good) {
		t.Fatalf("ParseCID(good) = %v, %v", c, err)
	}
	if _, err := ParseCID(rawCID(t, "x", cid.DagCBOR).Bytes()); err != nil {
		t.Fatalf("dag-cbor CID refused: %v", err)
	}
	v0 := cid.NewCidV0(good.Hash())
	inline, err := cid.V1Builder{Codec: cid.Raw, MhType: multihash.IDENTITY}.Sum([]byte("inline"))
	if err != nil {
		t.Fatal(err)
	}
	sha512, err := cid.V1Builder{Codec: cid.Raw, MhType: multihash.SHA2_512}.Sum([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"empty":          nil,
		"garbage":        {1, 2, 3},
		"cidv0":          v0.Bytes(),
		"trailing bytes": append(good.Bytes(), 0),
		"truncated":      good.Bytes()[:10],
		"too long":       make([]byte, MaxCIDLength+1),
		"string form":    []byte(good.String()),
		"identity hash":  inline.Bytes(),
		"sha2-512":       sha512.Bytes(),
		"git codec":      rawCID(t, "x", cid.GitRaw).Bytes(),
	}
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseCID(b); !errors.Is(err, ErrInvalidCID) {
				t.Fatalf("got %v, want ErrInvalidCID", err)
			}
		})
	}
}

func TestValidateAnchor(t *testing.T) {
	c := rawCID(t, "x", cid.Raw).Bytes()
	if err := ValidateAnchor(&dagv1.MsgAnchor{Cid: c, Kind: "report", Links: [][]byte{c}}); err != nil {
		t.Fatal(err)
	}
	// The receipts' kind is reserved to the mesh, which anchors through
	// AnchorLinked (ValidateEntry), as genesis does.
	if err := ValidateEntry(&dagv1.MsgAnchor{Cid: c, Kind: KindReceipt, Links: [][]byte{c}}); err != nil {
		t.Fatal(err)
	}
	links := make([][]byte, MaxLinks+1)
	for i := range links {
		links[i] = c
	}
	cases := []struct {
		msg  *dagv1.MsgAnchor
		want error
	}{
		{&dagv1.MsgAnchor{Cid: c, Kind: ""}, ErrInvalidKind},
		{&dagv1.MsgAnchor{Cid: c, Kind: strings.Repeat("a", MaxKindLength+1)}, ErrInvalidKind},
		{&dagv1.MsgAnchor{Cid: c, Kind: "a b"}, ErrInvalidKind},
		{&dagv1.MsgAnchor{Cid: c, Kind: "doc", Links: links}, ErrTooManyLinks},
		{&dagv1.MsgAnchor{Cid: c, Kind: "doc", Links: [][]byte{{0}}}, ErrInvalidCID},
		{&dagv1.MsgAnchor{Kind: "doc"}, ErrInvalidCID},
		{&dagv1.MsgAnchor{Cid: c, Kind: KindReceipt}, ErrInvalidKind},
	}
	for i, tc := range cases {
		if err := ValidateAnchor(tc.msg); !errors.Is(err, tc.want) {
			t.Errorf("case %d: got %v, want %v", i, err, tc.want)
		}
	}
}
