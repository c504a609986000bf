// Package identity keeps the network's DIDs: their documents, verification
// keys and transaction sequences; and organizations (communities,
// cooperatives, federations) with their members, roles, control and
// compliance freezes; the status of verifiable credentials; and encrypted
// personal profiles.
//
// State (keys.go):
//
//	0x10 0x01 | len | did  -> DIDDocument (protobuf)
//	0x10 0x02 | len | did  -> next sequence, 8 bytes big-endian (absent = 0)
//
// Organizations (org_keys.go; every part is a 40-byte DID):
//
//	0x10 0x20 | len | org                 -> Organization
//	0x10 0x21 | len | org | len | member  -> Membership (members of org)
//	0x10 0x22 | len | member | len | org  -> 0x01 (index: orgs of member)
//	0x10 0x23 | len | org | len | member  -> Invitation (pending)
//	0x10 0x24 | len | account | len | org -> Freeze (account frozen by org)
//	0x10 0x25 | len | account             -> number of freezes of account, 4 bytes big-endian (absent = 0)
//
// Credentials (credential_keys.go; the issuer is a DID, the cid a 36-byte
// binary CIDv1):
//
//	0x10 0x40 | len | issuer | len | cid  -> CredentialStatus
//
// Profiles (profile_keys.go):
//
//	0x10 0x50 | len | did                     -> Profile (ciphertexts only)
//	0x10 0x51 | len | email hash | len | did  -> 0x01 (index: DIDs that claim the hash)
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
//   - every stored DID is canonical (ParseDID accepts it) and equals
//     DeriveDID of its first key, except an organization's, which equals
//     DeriveOrgDID of its parent and name and whose document has no keys;
//   - key ids and public keys within a document are unique for ever: keys
//     are only appended, and a revoked key stays, with its revoked height,
//     so that KeyAt can answer for earlier heights;
//   - a document that is not deactivated and has keys has an active key;
//     a deactivated document never changes again;
//   - controllers are sorted and unique; empty means the DID controls
//     itself (controllers.go).
//   - a sequence only grows, by exactly one per authenticated transaction.
//   - organizations form one tree: every organization but the root
//     federation has a parent, and every parent is a federation;
//   - a member-of entry exists exactly when its Membership does; every
//     membership holds "member"; "founder" is held by the founder exactly
//     while it controls the organization, and the founder is a member then;
//   - an organization's document lists its founder as sole controller under
//     founder control and no controller under assembly control, which is
//     final;
//   - an invitation never names a member; an account is frozen while any
//     Freeze names it;
//   - a credential record is written once, revoked at most once, and never
//     deleted: an issuer anchors a CID once for ever; the record under
//     CredentialKey(issuer, cid) names that issuer and cid;
//   - an email index entry exists exactly for each profile with an email
//     hash, under that hash and that profile's DID; several profiles may
//     carry one hash (a claim proves nothing, so none may lock others out);
//   - a profile holds what the client sealed (client/profile): the module
//     checks sizes, but cannot tell a ciphertext from plaintext, so keeping
//     plaintext off the chain rests on the client encrypting.
//
// The did:icn method is specified in docs/did-method.md.
package identity
