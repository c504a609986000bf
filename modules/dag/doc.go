// Package dag anchors content-addressed entries on chain: a CID, a kind and
// links to other CIDs. Compute receipts and documents are anchored here;
// the content itself lives off chain. (Credentials are anchored by the
// credential module, whose status record keeps their issuer and revocation.)
//
// State (keys.go):
//
//	0x50 0x01 | len | cid | len | anchorer  -> Entry (protobuf); cid in binary form
//	0x50 0x02 | len | target | len | source | len | anchorer -> 0x01
//	          the reverse-link index: the entry anchorer anchored for source links to target
//
// An entry belongs to its anchorer: the DID on whose behalf the anchor
// ran (ctx.Authority, the signer of a plain transaction). The anchorer is in
// the key, as the issuer is in a credential's (modules/credential/doc.go):
// keyed by CID alone, anyone who saw a pending anchor in a mempool could
// anchor the CID first, with a kind and links of their choosing, and make
// the honest anchor fail. Keyed by CID and anchorer, the squatter writes an
// entry of its own, which never stands in the way of another anchorer nor
// answers a lookup under another anchorer's name. The CID comes first, so
// EntriesPrefix lists every anchorer of a CID.
//
// Invariants:
//   - every stored CID (and every link) is a CIDv1 that go-cid parses and
//     that re-encodes to the same bytes, with a sha2-256 multihash and the
//     raw, dag-pb, dag-cbor or dag-json codec;
//   - an entry is stored under EntryKey(entry.Cid, entry.AnchoredBy);
//   - for every entry and each of its links there is exactly one
//     reverse-link index entry, and no other: the index is written with the
//     entry (Anchor, AnchorLinked, InitGenesis) and, like it, never changes;
//   - an anchorer anchors a CID once: its entry is never anchored again,
//     changed or deleted, and no anchor reads or writes another anchorer's
//     entry.
package dag
