// Package abci is the one adapter between CometBFT and the state machine in
// package app: it translates ABCI 2.0 requests into app calls and app
// results into ABCI responses, and it starts a CometBFT node in process
// with a local ABCI client.
//
// A response with a non-zero code and a nil error rejects a transaction; a
// returned error stops the node, and is returned only when the app's state
// can no longer be trusted.
package abci
