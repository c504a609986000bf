package dag

import (
	"github.com/intercooperative/icnd/modules"
)

// Event types of this package, as CometBFT and clients see them.
const (
	EventTypeAnchored = "icn.dag.anchored"
)

func init() {
	modules.RegisterEvent(EventAnchored{})
}

// EventAnchored is emitted when a CID is anchored.
type EventAnchored struct {
	CID        string `event:"cid,index"`
	Kind       string `event:"kind,index"`
	Links      int    `event:"links"`
	AnchoredBy string `event:"anchored_by"`
}

// EventType implements modules.TypedEvent.
func (EventAnchored) EventType() string { return EventTypeAnchored }
