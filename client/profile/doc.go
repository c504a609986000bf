// Package profile seals and opens encrypted personal profiles on the
// client, and hashes emails for the chain's lookup index. Nothing here runs
// on chain: the chain only stores what Seal produces (docs/profiles.md).
//
// Scheme (version 1):
//
//   - key = Argon2id(password, salt, time 3, memory 64 MiB, 4 lanes,
//     32 bytes), the second recommended option of RFC 9106 section 4, with
//     a random 16-byte salt chosen afresh each time a profile is set;
//   - each field value is sealed with AES-256-GCM under that key and its
//     own random 12-byte nonce, with the additional data
//     "icn/profile/v1" 0x00 did 0x00 name, so that a ciphertext cannot be
//     moved to another field or another DID's profile undetected;
//   - the email, normalized (NormalizeEmail), is stored only as
//     Argon2id(email, sha256("icn/identity/email-salt" 0x00 chain-id)[:16])
//     with the same cost: a per-chain salt that every client can compute,
//     so that anybody can look an email up, and so can anybody who guesses
//     it. The hash raises the cost of a guess; it does not make a guessable
//     email secret.
package profile
