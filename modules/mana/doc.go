// Package mana keeps regenerating, non-transferable capacity credits.
// Every transaction is charged mana; an account with no capacity cannot
// spam the chain.
//
// State (keys.go):
//
//	0x30 0x01 | len | did  -> Account (protobuf)
//	0x30 0x02              -> Params (protobuf)
//
// Regeneration is lazy: an Account stores its balance as of last_height,
// and the balance at height h is
//
//	min(capacity, balance + rate * (h - last_height))
//
// computed in unsigned integers with explicit overflow checks (an
// overflowing product saturates at capacity). Each write stores the
// effective balance at the current height, so no end-of-block sweep is ever
// needed. docs/state.md works an example.
//
// Invariants: balance <= capacity after every write; last_height never
// decreases.
package mana
