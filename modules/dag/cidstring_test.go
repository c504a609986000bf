package dag

import (
	"fmt"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// TestCIDString: the event's CID string is byte for byte what go-cid's
// String gives, for every allowed codec, other digest lengths, and the
// longest binary CID, and it allocates the string only.
func TestCIDString(t *testing.T) {
	var cids [][]byte
	for _, codec := range []uint64{cid.Raw, cid.DagProtobuf, cid.DagCBOR, cid.DagJSON} {
		for i := 0; i < 50; i++ {
			cids = append(cids, rawCID(t, fmt.Sprint("data", i), codec).Bytes())
		}
	}
	for _, n := range []int{0, 1, 20, 64, MaxCIDLength - 4} {
		mh, err := multihash.Encode(make([]byte, n), multihash.IDENTITY)
		if err != nil {
			t.Fatal(err)
		}
		cids = append(cids, cid.NewCidV1(cid.Raw, mh).Bytes())
	}
	for _, b := range cids {
		c, err := cid.Cast(b)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cidString(b), c.String(); got != want {
			t.Errorf("cidString(%x) = %q, cid.String() = %q", b, got, want)
		}
	}
	// Beyond the stack buffer (never reached: ParseCID refuses it).
	long := make([]byte, MaxCIDLength+7)
	long[0] = 1
	if got, want := cidString(long), "b"+cidBase32.EncodeToString(long); got != want {
		t.Errorf("long: %q, want %q", got, want)
	}
	b := cids[0]
	if n := testing.AllocsPerRun(100, func() { _ = cidString(b) }); n != 1 {
		t.Errorf("cidString allocates %v times, want 1", n)
	}
}
