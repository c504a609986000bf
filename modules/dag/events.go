package dag

import (
	"strconv"

	"github.com/intercooperative/icnd/modules"
)

// EventAnchored is emitted when a CID is anchored.
type EventAnchored struct {
	CID        string
	Kind       string
	Links      int
	AnchoredBy string
}

// Event implements modules.TypedEvent.
func (e EventAnchored) Event() modules.Event {
	return modules.Event{Type: "icn.dag.anchored", Attributes: []modules.Attribute{
		{Key: "cid", Value: e.CID, Index: true},
		{Key: "kind", Value: e.Kind, Index: true},
		{Key: "links", Value: strconv.Itoa(e.Links)},
		{Key: "anchored_by", Value: e.AnchoredBy},
	}}
}
