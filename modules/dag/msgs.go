package dag

import (
	"bytes"
	"fmt"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
)

// Bounds on an anchor message, checked before execution.
const (
	// MaxLinks is the most links one entry may carry.
	MaxLinks = 64
	// MaxKindLength bounds the kind label.
	MaxKindLength = 32
	// MaxCIDLength bounds one binary CID: a CIDv1 with a 64-byte digest
	// fits in 72 bytes; the rest is slack for codecs with long varints.
	MaxCIDLength = 100
)

// Codecs an anchored CID may name: raw bytes and the IPLD codecs IPFS tools
// read (dag-pb for UnixFS files, dag-cbor for receipts, dag-json).
var allowedCodecs = map[uint64]string{
	cid.Raw:         "raw",
	cid.DagProtobuf: "dag-pb",
	cid.DagCBOR:     "dag-cbor",
	cid.DagJSON:     "dag-json",
}

// ParseCID checks that b is a canonical binary CIDv1 with a sha2-256
// multihash and an allowed codec, and returns it. Other hashes (the identity
// "hash" in particular, which inlines data) are refused: an anchor commits to
// content, it does not carry it.
func ParseCID(b []byte) (cid.Cid, error) {
	if len(b) == 0 || len(b) > MaxCIDLength {
		return cid.Undef, ErrInvalidCID.Wrapf("want 1 to %d bytes, have %d", MaxCIDLength, len(b))
	}
	c, err := cid.Cast(b)
	if err != nil {
		return cid.Undef, ErrInvalidCID.Wrapf("%v", err)
	}
	if c.Version() != 1 {
		return cid.Undef, ErrInvalidCID.Wrapf("%s is CIDv%d, want CIDv1", c, c.Version())
	}
	if !bytes.Equal(c.Bytes(), b) {
		return cid.Undef, ErrInvalidCID.Wrapf("%s is not canonically encoded", c)
	}
	if _, ok := allowedCodecs[c.Type()]; !ok {
		return cid.Undef, ErrInvalidCID.Wrapf("%s: codec 0x%x is not raw, dag-pb, dag-cbor or dag-json", c, c.Type())
	}
	p := c.Prefix()
	if p.MhType != multihash.SHA2_256 || p.MhLength != 32 {
		return cid.Undef, ErrInvalidCID.Wrapf("%s: multihash must be sha2-256 with a 32-byte digest", c)
	}
	return c, nil
}

// ValidateKind checks a kind label: 1 to MaxKindLength characters of [a-z0-9_-].
func ValidateKind(kind string) error {
	if kind == "" || len(kind) > MaxKindLength {
		return ErrInvalidKind.Wrapf("want 1 to %d characters, have %d", MaxKindLength, len(kind))
	}
	for i := 0; i < len(kind); i++ {
		c := kind[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return ErrInvalidKind.Wrapf("%q: only a-z, 0-9, '_' and '-' are allowed", kind)
		}
	}
	return nil
}

// KindReceipt is the kind of the entries the mesh module anchors for the
// receipts it checked (AnchorLinked). The anchor message may not use it, so
// that an entry of this kind is always a receipt the chain accepted.
const KindReceipt = "receipt"

// ValidateAnchor is the stateless check of MsgAnchor: an entry's checks
// (ValidateEntry), and a kind other than the reserved KindReceipt.
func ValidateAnchor(m *dagv1.MsgAnchor) error {
	if err := ValidateEntry(m); err != nil {
		return err
	}
	if m.Kind == KindReceipt {
		return ErrInvalidKind.Wrapf("%q is reserved for the receipts the mesh module checks", m.Kind)
	}
	return nil
}

// ValidateEntry checks an entry's CID, kind and links, as anchored by the
// message, by another module (AnchorLinked) or at genesis.
func ValidateEntry(m *dagv1.MsgAnchor) error {
	if _, err := ParseCID(m.Cid); err != nil {
		return err
	}
	if err := ValidateKind(m.Kind); err != nil {
		return err
	}
	if len(m.Links) > MaxLinks {
		return ErrTooManyLinks.Wrapf("have %d, max %d", len(m.Links), MaxLinks)
	}
	for i, l := range m.Links {
		if _, err := ParseCID(l); err != nil {
			return fmt.Errorf("link %d: %w", i, err)
		}
	}
	return nil
}
