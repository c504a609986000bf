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

	events *eventLog
}

// eventLog collects the events of a Context and of its copies. Its first
// few events live in the log itself, so that a transaction's contexts (a
// charge and a tx event in ante, one event per message) emit without
// growing a slice.
type eventLog struct {
	list   []Event
	inline [2]Event
}

func newEventLog() *eventLog {
	l := new(eventLog)
	l.list = l.inline[:0]
	return l
}

// NewContext returns a Context over kv that collects emitted events.
func NewContext(chainID string, height int64, blockTime time.Time, kv store.KVStore) Context {
	return Context{ChainID: chainID, Height: height, Time: blockTime, Store: kv, events: newEventLog()}
}

// WithStore returns a copy of c that reads and writes kv and collects its
// events separately, so that they can be dropped with kv's changes.
func (c Context) WithStore(kv store.KVStore) Context {
	c.Store = kv
	c.events = newEventLog()
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
	c.events.list = append(c.events.list, Flatten(e))
}

// Events returns the events emitted so far. The caller owns the slice.
func (c Context) Events() []Event {
	if c.events == nil {
		return nil
	}
	out := make([]Event, len(c.events.list))
	copy(out, c.events.list)
	return out
}

// JoinEvents returns the events emitted in each of ctxs, in the order of
// ctxs and of emission, in one new slice the caller owns: what appending
// their Events would give, with one allocation.
func JoinEvents(ctxs ...Context) []Event {
	n := 0
	for _, c := range ctxs {
		if c.events != nil {
			n += len(c.events.list)
		}
	}
	out := make([]Event, 0, n)
	for _, c := range ctxs {
		if c.events != nil {
			out = append(out, c.events.list...)
		}
	}
	return out
}
