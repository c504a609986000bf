// Package protocol is the contract between a node and its clients that is
// not carried by the .proto files: the bytes a transaction signature covers,
// the ABCI query path, and the type of the proof op that answers a proven
// query. The node (package app, and abci which serves its queries) and the
// clients (package client) both import it, so each rule has one definition
// and neither side imports the other.
//
// It is a leaf: it imports only the generated protocol types in proto/ and
// the standard library, and holds no state.
package protocol
