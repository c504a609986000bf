package abci

import (
	"reflect"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/intercooperative/icnd/modules"
)

// TestToABCIEvents: every event keeps its type and its attributes in order,
// and the attribute slices, which share one allocation, do not overlap:
// appending to one event's attributes leaves the next event's alone.
func TestToABCIEvents(t *testing.T) {
	if got := toABCIEvents(nil); got != nil {
		t.Errorf("toABCIEvents(nil) = %v, want nil", got)
	}
	in := []modules.Event{
		{Type: "icn.a", Attributes: []modules.Attribute{{Key: "k1", Value: "v1", Index: true}, {Key: "k2", Value: "v2"}}},
		{Type: "icn.empty"},
		{Type: "icn.b", Attributes: []modules.Attribute{{Key: "k3", Value: "v3"}}},
	}
	want := []abcitypes.Event{
		{Type: "icn.a", Attributes: []abcitypes.EventAttribute{{Key: "k1", Value: "v1", Index: true}, {Key: "k2", Value: "v2"}}},
		{Type: "icn.empty", Attributes: []abcitypes.EventAttribute{}},
		{Type: "icn.b", Attributes: []abcitypes.EventAttribute{{Key: "k3", Value: "v3"}}},
	}
	got := toABCIEvents(in)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("toABCIEvents = %+v, want %+v", got, want)
	}
	for i := range got {
		grown := append(got[i].Attributes, abcitypes.EventAttribute{Key: "extra"})
		if grown[len(grown)-1].Key != "extra" {
			t.Fatal("append lost its element")
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("appending to one event's attributes changed another: %+v", got)
	}
}
