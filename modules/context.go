package modules

import (
	"time"

	"github.com/intercooperative/icnd/store"
)

// Context is everything a handler may know about the world. It is built by
// the app for each transaction (or for genesis and end-of-block work) and
// handed to module code by value; modules derive everything else from state.
type Context struct {
	// ChainID is the chain's identifier from genesis.
	ChainID string
	// Height is the height of the block being executed. In CheckTx it is the
	// height of the next block (last committed height + 1).
	Height int64
	// Time is the block time from the header; never the local clock.
	Time time.Time
	// Signer is the DID that signed the transaction being executed, or ""
	// when no one signed: genesis, end of block, and messages that
	// governance executes for an organization. It is for records of who
	// acted (fees, "registered_by"), never for authorization.
	Signer string
	// Authority is the DID on whose behalf the message runs. In a plain
	// transaction it equals Signer; when governance executes an
	// organization's passed proposal it is the organization's DID and
	// Signer is "". Handlers authorize against Authority, never Signer.
	Authority string
	// Store is the state visible to this execution: a cache layer that the
	// app writes through or discards.
	Store store.KVStore

	events *[]Event
}

// NewContext returns a Context over kv that collects emitted events.
func NewContext(chainID string, height int64, blockTime time.Time, kv store.KVStore) Context {
	return Context{ChainID: chainID, Height: height, Time: blockTime, Store: kv, events: new([]Event)}
}

// WithStore returns a copy of c that reads and writes kv and collects its
// events separately, so that they can be dropped with kv's changes.
func (c Context) WithStore(kv store.KVStore) Context {
	c.Store = kv
	c.events = new([]Event)
	return c
}

// WithSigner returns a copy of c for a transaction signed by did, which
// acts on its own behalf: Signer and Authority are both did.
func (c Context) WithSigner(did string) Context {
	c.Signer = did
	c.Authority = did
	return c
}

// WithAuthority returns a copy of c in which messages run on behalf of did
// with no signer: how governance executes an organization's proposal.
func (c Context) WithAuthority(did string) Context {
	c.Signer = ""
	c.Authority = did
	return c
}

// Emit records a typed event. Events are returned in emission order.
func (c Context) Emit(e TypedEvent) {
	*c.events = append(*c.events, Flatten(e))
}

// Events returns the events emitted so far. The caller owns the slice.
func (c Context) Events() []Event {
	if c.events == nil {
		return nil
	}
	out := make([]Event, len(*c.events))
	copy(out, *c.events)
	return out
}
