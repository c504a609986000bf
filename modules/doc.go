// Package modules is the kit every state-machine module is built from.
//
// A module is a folder below this one (did, org, credential, profile, mana,
// dag, ...). It implements Module (module.go): a name, a key prefix, its
// genesis section and its rows of the message table, plus the optional
// EndBlocker for work at the end of a block. The app wires the modules by
// hand, in one visible order (app/app.go), and reaches nothing in a module
// except through that interface and the keeper methods other modules
// declare they need (each module's expected.go).
//
// The pieces:
//   - Context (context.go): what a handler may know: chain id, height,
//     block time, the signer, the authority, and the store.
//   - Msg (msg.go): one row of the message table per case of the Msg
//     oneof: stable name, stateless check, handler, default mana cost,
//     whether a root-frozen account may send it, and whether an organization
//     may send it through a governance proposal. Decoding, dispatch, the
//     cost table and the frozen exemptions are all built from the rows.
//   - Error (errors.go): registered result codes, stable per codespace.
//   - TypedEvent (events.go): event structs with tagged fields, flattened
//     for CometBFT and decoded back by off-chain readers with DecodeEvent.
//   - Schedule (schedule.go): work queued "at height H", drained in order
//     by an end-of-block hook, a bounded number per block.
//   - Load, Save, Walk (record.go): protobuf records under keys.
//   - Key (keys.go): length-prefixed keys under a module's prefix.
//
// # Who may act: signer and authority
//
// Context.Signer is the DID that signed the transaction; Context.Authority
// is the DID on whose behalf a message runs. In a plain transaction they
// are the same DID. When governance executes an organization's passed
// proposal, its messages run with the organization's DID as Authority and
// no Signer. So the rule for every handler is: authorize against
// Authority ("does Authority control this DID, hold this role, own this
// record?"), never against Signer; Signer only records who acted where a
// record must say so. A message that only a person may send for itself
// (keys, profiles) is marked GovernanceNever in its row, and the
// governance module refuses to propose it.
//
// # Determinism
//
// Everything here runs inside consensus and must be deterministic: no clock,
// no randomness, no goroutines, no floating point, no I/O outside the
// Context's store, and no iteration over Go maps that could leak into state,
// events or results. End-of-block hooks run after the block's transactions
// in module order, each in its own cache layer; an error from a hook stops
// the node.
package modules
