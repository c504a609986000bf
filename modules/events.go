package modules

// Event is a typed event flattened for CometBFT: a type and ordered
// attributes. Attribute order is the order the event type declares, never a
// map's order, so events are identical on every node.
type Event struct {
	Type       string
	Attributes []Attribute
}

// Attribute is one key/value pair of an Event. Index asks CometBFT's
// indexer to make the attribute searchable (tx_search); only identifiers a
// client would search by are indexed, since indexing costs every node time
// and disk on every block.
type Attribute struct {
	Key   string
	Value string
	Index bool
}

// TypedEvent is implemented by each module's event structs (events.go).
type TypedEvent interface {
	// Event flattens the typed event.
	Event() Event
}
