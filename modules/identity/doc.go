// Package identity keeps the network's DIDs: their documents, verification
// keys and transaction sequences.
//
// State (keys.go):
//
//	0x10 0x01 | len | did  -> DIDDocument (protobuf)
//	0x10 0x02 | len | did  -> next sequence, 8 bytes big-endian (absent = 0)
//
// Invariants:
//   - every stored DID is canonical (ParseDID accepts it) and equals
//     DeriveDID of its first key;
//   - key ids within a document are unique;
//   - a sequence only grows, by exactly one per authenticated transaction.
//
// The did:icn method is specified in docs/did-method.md.
package identity
