// Package credential anchors verifiable credentials on chain: the status
// record of each credential an issuer anchors (MsgIssueCredential), and its
// revocation (MsgRevokeCredential). The credential itself, a W3C document
// signed by a key of the issuer or of its controller, stays off chain
// (docs/credentials.md, client/credential); the chain holds what a verifier
// cannot learn from the document: that the issuer stood behind it at a
// height, and whether it still does. Who may act for an issuer is the did
// module's controller rule; acting for it is acting within its scope, which
// a compliance freeze (org module) may close to the authority or to the
// issuer itself (expected.go).
//
// State (keys.go; the issuer is a DID, the cid a 36-byte binary CIDv1):
//
//	0x12 0x40 | len | issuer | len | cid  -> CredentialStatus
//
// A credential is anchored here, by its issuer and CID, and not also in
// the dag module: the status record is the anchor, and a dag entry would
// let anyone who saw a pending issuance in a mempool anchor the same CID
// there first (MsgAnchor is open to every DID) and so make the issuance
// fail. The issuer is in the key for the same reason: keyed by CID alone,
// a record anchored first by a squatter naming itself as issuer would
// block the real issuance; keyed by issuer too, the squatter's record is
// another record, which verification of the real credential never reads.
//
// Invariants:
//   - a credential record is written once, revoked at most once, and never
//     deleted: an issuer anchors a CID once for ever;
//   - the record under CredentialKey(issuer, cid) names that issuer and
//     cid, a registered subject, and the authority that anchored it.
package credential
