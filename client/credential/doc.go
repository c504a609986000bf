// Package credential issues and verifies ICN verifiable credentials: W3C
// Verifiable Credentials Data Model 2.0 JSON documents secured with a Data
// Integrity proof of the eddsa-jcs-2022 cryptosuite, whose CID the chain
// anchors (docs/credentials.md).
//
// The proof follows the W3C Data Integrity EdDSA Cryptosuites v1.0:
// with proof options P (the proof without proofValue, carrying the
// credential's @context) and the credential C without its proof,
//
//	hashData   = sha256(JCS(P)) || sha256(JCS(C))
//	proofValue = "z" + base58btc(Ed25519.Sign(key, hashData))
//
// where JCS is the JSON Canonicalization Scheme of RFC 8785. The
// credential's CID is the CIDv1 (raw codec, sha2-256) of JCS of the whole
// signed credential, proof included, so it does not depend on how the file
// is indented.
//
// Verification (Verify) makes three checks and reports each: the proof's
// signature under the verification method's key; that this key belonged,
// at the chain height the credential records (icnIssuedAtHeight), to the
// issuer or to the controller that anchored the credential for it; and the
// credential's on-chain status, anchored and not revoked, read through a
// Chain that is normally a proving client.Querier.
package credential
