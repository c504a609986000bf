// Package client builds, signs and broadcasts transactions and runs queries
// whose answers are verified against light-client headers. It is used by
// the icnd CLI, the load generator and the end-to-end tests.
//
// A client talks to a node over CometBFT's RPC only. What the two must agree
// on beyond the .proto types (the sign bytes, the query path, the proof op
// type) is in package protocol; the modules' key builders and checks are
// shared too. It never imports app, abci or node: TestNoNodeImports fails
// if anything under client/ comes to depend on them.
package client
