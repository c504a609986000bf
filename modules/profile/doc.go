// Package profile keeps encrypted personal profiles: a DID's fields, each
// sealed on the client (Argon2id -> AES-256-GCM, client/profile) before it
// reaches the chain, and an index from email hashes to the DIDs that claim
// them, so that an organization's mirror can match a member who signs a
// sync request (docs/profiles.md). A profile belongs to the message's
// authority; erasing it removes it from the current state.
//
// State (keys.go):
//
//	0x13 0x50 | len | did                     -> Profile (ciphertexts only)
//	0x13 0x51 | len | email hash | len | did  -> 0x01 (index: DIDs that claim the hash)
//
// Invariants:
//   - an email index entry exists exactly for each profile with an email
//     hash, under that hash and that profile's DID; several profiles may
//     carry one hash (a claim proves nothing, so none may lock others out);
//   - a profile holds what the client sealed: the module checks sizes, but
//     cannot tell a ciphertext from plaintext, so keeping plaintext off the
//     chain rests on the client encrypting.
package profile
