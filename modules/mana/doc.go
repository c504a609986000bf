// Package mana keeps regenerating, non-transferable capacity credits.
// Every transaction is charged mana; an account with no capacity cannot
// spam the chain.
//
// State (keys.go):
//
//	0x30 0x01 | len | did  -> Account (protobuf)
//	0x30 0x02              -> Params (protobuf)
//	0x30 0x03 | len | id   -> Escrow (protobuf); id has 1 to 64 bytes
//
// Capacity and rate follow seated membership and reputation (capacity.go). An
// account keeps its own base grant (genesis, or the new-account params,
// 0 by default) and a derived capacity and rate:
//
//	capacity = min(max_capacity, base_capacity + Σ bonus capacity × reputation / 10000)
//	rate     = min(max_rate,     base_rate     + Σ bonus rate     × reputation / 10000)
//
// summing, over every organization in which the DID holds one of the
// organization's bonus seats, the params' bonus for the organization's kind,
// with the reputation in basis points capped at max_reputation_bps. The
// derived values are stored and recomputed by MembershipChanged, which the
// org module calls when a DID gains or loses a seat.
//
// Capacity is granted only by someone else's decision: a membership earns a
// bonus only while it holds a seat, seats are created only by genesis (the
// root federation's) and flow down the federation tree by the decision of
// each parent's controller, divided and never multiplied (modules/org), and
// max_capacity caps what one DID may gather. So no sequence of transactions
// by one party and the DIDs it creates raises their total capacity: founding
// organizations creates no seats, and seating one's own DIDs uses seats
// someone else granted.
//
// Regeneration is lazy: an Account stores its balance as of last_height,
// and the balance at height h is
//
//	min(capacity - escrowed, balance + rate * (h - last_height))
//
// computed in unsigned integers with explicit overflow checks (an
// overflowing product saturates at the ceiling). Each write stores the
// effective balance at the current height first (settle), so a change of
// capacity, rate or escrow applies only from the block it happens in, and
// no end-of-block sweep is ever needed. docs/state.md works an example.
//
// Escrow (escrow.go) locks mana for the mesh module: Lock moves it from the
// balance into an escrow record and adds it to the account's escrowed
// total, which counts against the capacity, so locked mana does not
// regenerate; Release credits it to a DID and Refund to its owner, each
// capped at the recipient's ceiling (the excess is destroyed).
//
// Invariants:
//   - balance <= capacity - escrowed (or 0 when escrowed >= capacity) after
//     every write;
//   - escrowed equals the sum of the amounts of the account's escrows;
//   - capacity <= max_capacity and rate <= max_rate as of the last
//     derivation;
//   - last_height never decreases.
package mana
