package modules

import (
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Router is the app's message table as a module that runs other modules'
// messages sees it: governance decodes, checks and runs the messages of a
// proposal through it. The app implements it (app/msgs.go) and hands it to
// the modules that need it after it has built the table, so a module never
// lists messages itself and never imports another module's keeper.
type Router interface {
	// Decode decodes bz as one encoded icn.tx.v1.Msg, refusing any encoding
	// but the canonical one and a message no row handles, and runs the
	// row's stateless check. It returns the message, which the caller must
	// not modify, and its row's spec. Errors carry registered codes.
	Decode(bz []byte) (*txv1.Msg, MsgSpec, error)
	// Run runs m, as returned by Decode, in ctx through its row's handler.
	// The caller provides the cache layer and the authority
	// (Context.WithAuthority) and discards the layer on error.
	Run(ctx Context, m *txv1.Msg) error
	// Specs returns every row's spec, sorted by name; the caller owns the
	// slice.
	Specs() []MsgSpec
}

// EmitEvents appends events that were emitted in another Context (a cache
// layer the caller wrote through), in order: how governance keeps the
// events of a proposal's messages once they all succeeded.
func (c Context) EmitEvents(evs []Event) {
	c.events.list = append(c.events.list, evs...)
}
