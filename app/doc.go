// Package app is the ICN state machine: it composes the modules, runs the
// transaction pipeline and owns genesis. It knows nothing of CometBFT's
// types; package abci adapts it to ABCI 2.0.
//
// The pipeline is one code path for CheckTx, PrepareProposal,
// ProcessProposal and FinalizeBlock:
//
//  1. decode and stateless checks (DecodeTx): size, canonical encoding,
//     list bounds, field formats; bad bytes never panic;
//  2. authenticate (ante): chain id, signer and key exist, timeout height,
//     sequence, signature;
//  3. charge mana for the whole transaction and bump the sequence;
//  4. execute each message in a transaction-scoped cache, written through
//     only when every message succeeds;
//  5. emit typed events.
//
// Steps 2 and 3 form the "ante" step. A transaction that fails it is
// invalid: CheckTx refuses it, PrepareProposal leaves it out and
// ProcessProposal rejects a block that holds it. A transaction that fails
// step 4 is a valid transaction with a failed result: its mana charge and
// sequence bump stay, nothing else does.
//
// App is not safe for concurrent use: the abci adapter serialises calls.
package app
