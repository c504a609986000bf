// Package modules is the kit every state-machine module is built from: the
// Context a handler runs in, registered result codes, and typed events.
//
// A module is a folder below this one (identity, mana, dag, ...). It keeps its
// state under its own key prefix (keys.go), handles its messages in a straight
// line (validate, load, authorize, mutate, emit, respond) and reaches other
// modules only through the small interfaces it declares in expected.go. The
// app wires the modules together by hand.
//
// Everything here runs inside consensus and must be deterministic: no clock,
// no randomness, no goroutines, no floating point, no I/O outside the
// Context's store, and no iteration over Go maps that could leak into state,
// events or results.
package modules
