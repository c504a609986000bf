package modules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
)

// Module is one state-machine module as the app composes it. The app wires
// its modules by hand, in one visible order (app/app.go), and that order is
// the order of genesis, of exports and of the end-of-block hooks.
//
// A module that needs nothing at the end of a block does not implement
// EndBlocker; a module that registers no DIDs does not implement
// GenesisDIDs. There are no methods to stub.
type Module interface {
	// Name is the module's name: its genesis section, its codespace and
	// the word its events start with ("icn.<name>.").
	Name() string
	// StorePrefix is the first byte of every key the module writes
	// (keys.go in the module; modules/keys.go lists them all).
	StorePrefix() byte
	// Messages lists the module's rows of the message table; nil when it
	// has no messages. The returned rows belong to the caller.
	Messages() []Msg

	// DefaultGenesis is the module's genesis section for a new chain.
	DefaultGenesis(facts GenesisFacts) (json.RawMessage, error)
	// ValidateGenesis checks raw on its own and against what the other
	// sections establish (facts). It decodes strictly: an unknown field is
	// an error. Errors carry the module's registered genesis code.
	ValidateGenesis(raw json.RawMessage, facts GenesisFacts) error
	// InitGenesis writes a validated section into ctx.Store.
	InitGenesis(ctx Context, raw json.RawMessage, facts GenesisFacts) error
	// ExportGenesis reads the module's state in ctx.Store back into a
	// section that InitGenesis turns into the same state.
	ExportGenesis(ctx Context) (json.RawMessage, error)
}

// GenesisDIDs is implemented by a module whose genesis registers DIDs (the
// did module's documents, the org module's organizations), so that the
// other sections can be checked against the set of registered DIDs.
type GenesisDIDs interface {
	// GenesisDIDs returns the DIDs raw registers. raw may not have been
	// validated yet: a decode error is returned as ValidateGenesis would.
	GenesisDIDs(raw json.RawMessage) ([]string, error)
}

// GenesisDocuments is implemented by the module whose genesis registers
// the DIDs that hold keys (the did module).
type GenesisDocuments interface {
	// GenesisDocuments returns the DIDs of raw that hold keys; errors as
	// GenesisDIDs.
	GenesisDocuments(raw json.RawMessage) ([]string, error)
}

// EndBlocker is implemented by a module with work to do after each block's
// transactions: scheduled work that falls due (Schedule), tallies,
// deadlines. The app runs the hooks in module order, each in a cache layer
// of its own over the block's state, after the last transaction; their
// events are block events. A hook has no signer and no authority.
//
// An error returned from a hook, whatever its code, is a broken invariant:
// the node stops rather than commit a block whose scheduled work was not
// done. So a hook returns only what it cannot handle (state that does not
// decode, a bug). The failure of one item of work that is an ordinary
// outcome (a proposal's message refused with a registered code, a job
// whose deadline passed) is the hook's to record: it runs the item in a
// cache layer of its own, discards that layer, and emits an event that
// names the item and the code.
type EndBlocker interface {
	EndBlock(ctx Context) error
}

// GenesisFacts is what every genesis section may be checked against: facts
// that other sections or the app establish.
type GenesisFacts struct {
	// DIDs holds every DID the genesis registers (GenesisDIDs of each
	// module). Empty for DefaultGenesis.
	DIDs map[string]bool
	// Documents holds the DIDs among DIDs that hold keys: people and
	// services, who can sign for themselves (GenesisDocuments). Records
	// that only a signer can later change or erase (a profile, a founder)
	// must name one of these.
	Documents map[string]bool
	// Messages are the app's message rows' names and default costs, sorted
	// by name.
	Messages []MsgSpec
}

// DecodeGenesis decodes a genesis section strictly: an unknown field or
// trailing data is an error, so that a misspelt field never silently
// becomes a default. An absent section (empty raw) decodes as the zero
// value.
func DecodeGenesis(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// SortedDIDs returns the DIDs of facts in order.
func (f GenesisFacts) SortedDIDs() []string {
	out := make([]string, 0, len(f.DIDs))
	for d := range f.DIDs {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// Named implements Module's Name and StorePrefix for a module that embeds
// it.
type Named struct {
	// ModuleName is the module's name (Module.Name).
	ModuleName string
	// Prefix is the module's store prefix (Module.StorePrefix), one of the
	// constants of keys.go.
	Prefix byte
}

// Name implements Module.
func (n Named) Name() string { return n.ModuleName }

// StorePrefix implements Module.
func (n Named) StorePrefix() byte { return n.Prefix }

// GenesisOf implements Module's genesis methods for a module whose section
// decodes into G: a module embeds it, filled with its typed functions, and
// gets strict JSON decoding and its own error code on bad input for free.
type GenesisOf[G any] struct {
	// Default returns the section of a new chain; nil means the zero G.
	Default func(facts GenesisFacts) G
	// Validate checks a decoded section against facts.
	Validate func(g G, facts GenesisFacts) error
	// Init writes a validated section.
	Init func(ctx Context, g G, facts GenesisFacts) error
	// Export reads the module's state back into a section.
	Export func(ctx Context) (G, error)
	// Invalid is the module's registered "invalid genesis" error, which
	// wraps decoding errors.
	Invalid *Error
}

func (t GenesisOf[G]) decode(raw json.RawMessage) (G, error) {
	var g G
	if err := DecodeGenesis(raw, &g); err != nil {
		return g, t.Invalid.Wrapf("%v", err)
	}
	return g, nil
}

// DefaultGenesis implements Module.
func (t GenesisOf[G]) DefaultGenesis(facts GenesisFacts) (json.RawMessage, error) {
	var g G
	if t.Default != nil {
		g = t.Default(facts)
	}
	return json.Marshal(g)
}

// ValidateGenesis implements Module.
func (t GenesisOf[G]) ValidateGenesis(raw json.RawMessage, facts GenesisFacts) error {
	g, err := t.decode(raw)
	if err != nil {
		return err
	}
	return t.Validate(g, facts)
}

// InitGenesis implements Module.
func (t GenesisOf[G]) InitGenesis(ctx Context, raw json.RawMessage, facts GenesisFacts) error {
	g, err := t.decode(raw)
	if err != nil {
		return err
	}
	return t.Init(ctx, g, facts)
}

// ExportGenesis implements Module.
func (t GenesisOf[G]) ExportGenesis(ctx Context) (json.RawMessage, error) {
	g, err := t.Export(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(g)
}
