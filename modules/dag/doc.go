// Package dag anchors content-addressed entries on chain: a CID, a kind and
// links to other CIDs. Compute receipts and documents are anchored here;
// the content itself lives off chain. (Credentials are anchored by the
// credential module, whose status record keeps their issuer and revocation.)
//
// State (keys.go):
//
//	0x50 0x01 | len | cid  -> Entry (protobuf); cid in binary form
//
// Invariants: every stored CID (and every link) is a CIDv1 that go-cid
// parses and that re-encodes to the same bytes, with a sha2-256 multihash
// and the raw, dag-pb, dag-cbor or dag-json codec; an anchored CID is never
// anchored again or changed.
package dag
