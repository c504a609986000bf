// Package did keeps the network's DIDs: their documents, verification keys
// and transaction sequences. It registers DIDs (MsgRegisterDID), manages
// their keys (add, rotate, revoke: the key history that KeyAt reads) and
// controllers, deactivates them, and renders documents as W3C DID Core
// documents (resolve.go). Other modules derive DIDs of their own and
// register keyless documents for them here (RegisterKeyless): the org
// module's organizations.
//
// State (keys.go):
//
//	0x10 0x01 | len | did  -> DIDDocument (protobuf)
//	0x10 0x02 | len | did  -> next sequence, 8 bytes big-endian (absent = 0)
//
// Invariants:
//   - every stored DID is canonical (ParseDID accepts it) and equals
//     DeriveDID of its first key, except a keyless document's, whose DID
//     its registering module derives (org.DeriveOrgDID);
//   - key ids and public keys within a document are unique for ever: keys
//     are only appended, and a revoked key stays, with its revoked height,
//     so that KeyAt can answer for earlier heights;
//   - a document that is not deactivated and has keys has an active key;
//     a deactivated document never changes again; a keyless document never
//     gets a key (ErrKeylessDocument);
//   - a DID that controls an organization (its founder, until control
//     passes to the assembly) is not deactivated (ErrControlsOrganization):
//     the organization's document has no keys, so it would never act
//     again. The did module asks the org module (expected.go:
//     Organizations) and does not import it;
//   - controllers are sorted and unique; empty means the DID controls
//     itself (controllers.go);
//   - a sequence only grows, by exactly one per authenticated transaction.
//
// The did:icn method is specified in docs/did-method.md.
package did
