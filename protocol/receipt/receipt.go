// Package receipt is the mesh's receipt format: the DAG-CBOR block an
// executor signs to report what a job computed. It is part of the contract
// between the chain (modules/mesh checks and anchors receipts) and the
// off-chain executor (which builds and signs them), so both import this one
// definition. It lives beside package protocol, not in modules/mesh, so that
// an executor or a verifier can read receipts without pulling in the mesh
// keeper, the store or the app; and not in protocol itself, which stays a
// leaf over the standard library and proto/.
//
// It imports only the standard library, github.com/fxamacker/cbor/v2 (in its
// core deterministic mode), github.com/ipfs/go-cid and go-multihash. It is
// pure: no state, no clock, no I/O. docs/receipts.md specifies the format
// byte for byte.
package receipt

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// Version is the receipt format version, the "v" field.
const Version = 1

// Bounds on a receipt. A block larger than MaxSize is refused before it
// is decoded.
const (
	MaxSize          = 1024
	MaxChainIDLength = 64
	MaxDIDLength     = 128
	MaxKeyIDLength   = 64
	MaxCIDLength     = 100
)

// SignDomain prefixes the bytes an executor signs, so that a receipt
// signature can never be taken for a transaction's or a proof of
// possession's (those are protobuf, and start otherwise).
const SignDomain = "icn-mesh-receipt-v1\x00"

// cidTag is the CBOR tag of an IPLD link (DAG-CBOR spec).
const cidTag = 42

// ErrMalformed is wrapped by every decoding and validation error.
var ErrMalformed = errors.New("malformed receipt")

// Receipt is what an executor reports about one job. Job is the job's CID
// (modules/mesh: JobCID), Module, Input and Output the CIDs of the WASM
// module, its input and its output block. Sig is the executor's Ed25519
// signature over SignBytes.
type Receipt struct {
	ChainID  string
	Job      cid.Cid
	Executor string
	KeyID    string
	Module   cid.Cid
	Input    cid.Cid
	Output   cid.Cid
	Fuel     uint64
	Exit     uint64
	Sig      []byte
}

// wire is the CBOR map of a receipt. Keys are all shorter than 24 bytes, so
// core deterministic order (bytewise on the encoded keys) and DAG-CBOR's
// order (length first, then bytewise) are the same order:
// v, job, key, sig, exit, fuel, chain, input, module, output, executor.
type wire struct {
	V        uint64   `cbor:"v"`
	Job      cbor.Tag `cbor:"job"`
	Key      string   `cbor:"key"`
	Sig      []byte   `cbor:"sig,omitempty"`
	Exit     uint64   `cbor:"exit"`
	Fuel     uint64   `cbor:"fuel"`
	Chain    string   `cbor:"chain"`
	Input    cbor.Tag `cbor:"input"`
	Module   cbor.Tag `cbor:"module"`
	Output   cbor.Tag `cbor:"output"`
	Executor string   `cbor:"executor"`
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	eo := cbor.CoreDetEncOptions()
	if encMode, err = eo.EncMode(); err != nil {
		panic("receipt: cbor encoder: " + err.Error())
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsAllowed,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		MaxNestedLevels:   4,
		MaxMapPairs:       16,
		MaxArrayElements:  16,
		UTF8:              cbor.UTF8RejectInvalid,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
	}.DecMode()
	if err != nil {
		panic("receipt: cbor decoder: " + err.Error())
	}
}

func link(c cid.Cid) cbor.Tag {
	return cbor.Tag{Number: cidTag, Content: append([]byte{0}, c.Bytes()...)}
}

func parseLink(name string, t cbor.Tag) (cid.Cid, error) {
	if t.Number != cidTag {
		return cid.Undef, fmt.Errorf("%w: %w: %s: tag %d, want 42", ErrMalformed, ErrBadCID, name, t.Number)
	}
	b, ok := t.Content.([]byte)
	if !ok || len(b) < 2 || b[0] != 0 {
		return cid.Undef, fmt.Errorf("%w: %w: %s: a link is a byte string 0x00 followed by a binary CID", ErrMalformed, ErrBadCID, name)
	}
	return ParseCID(name, b[1:])
}

// ParseCID checks that b is a canonical binary CIDv1 with a 32-byte sha2-256
// multihash, as every CID of a receipt must be.
func ParseCID(name string, b []byte) (cid.Cid, error) {
	if len(b) == 0 || len(b) > MaxCIDLength {
		return cid.Undef, fmt.Errorf("%w: %w: %s: CID of %d bytes", ErrMalformed, ErrBadCID, name, len(b))
	}
	c, err := cid.Cast(b)
	if err != nil {
		return cid.Undef, fmt.Errorf("%w: %w: %s: %v", ErrMalformed, ErrBadCID, name, err)
	}
	p := c.Prefix()
	if c.Version() != 1 || !bytes.Equal(c.Bytes(), b) || p.MhType != multihash.SHA2_256 || p.MhLength != 32 {
		return cid.Undef, fmt.Errorf("%w: %w: %s: %s is not a canonical CIDv1 with a sha2-256 multihash", ErrMalformed, ErrBadCID, name, c)
	}
	return c, nil
}

func (r *Receipt) wire(withSig bool) (*wire, error) {
	for _, l := range []struct {
		name string
		c    cid.Cid
	}{{"job", r.Job}, {"module", r.Module}, {"input", r.Input}, {"output", r.Output}} {
		if _, err := ParseCID(l.name, l.c.Bytes()); err != nil {
			return nil, err
		}
	}
	switch {
	case r.ChainID == "" || len(r.ChainID) > MaxChainIDLength || !utf8.ValidString(r.ChainID):
		return nil, fmt.Errorf("%w: chain id of %d bytes", ErrMalformed, len(r.ChainID))
	case r.Executor == "" || len(r.Executor) > MaxDIDLength || !utf8.ValidString(r.Executor):
		return nil, fmt.Errorf("%w: executor of %d bytes", ErrMalformed, len(r.Executor))
	case r.KeyID == "" || len(r.KeyID) > MaxKeyIDLength || !utf8.ValidString(r.KeyID):
		return nil, fmt.Errorf("%w: key id of %d bytes", ErrMalformed, len(r.KeyID))
	}
	w := &wire{V: Version, Chain: r.ChainID, Job: link(r.Job), Executor: r.Executor, Key: r.KeyID,
		Module: link(r.Module), Input: link(r.Input), Output: link(r.Output), Fuel: r.Fuel, Exit: r.Exit}
	if withSig {
		if len(r.Sig) != ed25519.SignatureSize {
			return nil, fmt.Errorf("%w: signature of %d bytes, want %d", ErrMalformed, len(r.Sig), ed25519.SignatureSize)
		}
		w.Sig = r.Sig
	}
	return w, nil
}

// SignBytes are the bytes the executor signs: SignDomain followed by the
// DAG-CBOR encoding of the receipt without its "sig" entry. The chain id is
// inside the encoding, so a receipt signed for one chain is refused on
// another.
func (r *Receipt) SignBytes() ([]byte, error) {
	w, err := r.wire(false)
	if err != nil {
		return nil, err
	}
	bz, err := encMode.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("receipt: encode: %w", err)
	}
	return append([]byte(SignDomain), bz...), nil
}

// Sign sets r.Sig to priv's signature over r.SignBytes.
func (r *Receipt) Sign(priv ed25519.PrivateKey) error {
	msg, err := r.SignBytes()
	if err != nil {
		return err
	}
	r.Sig = ed25519.Sign(priv, msg)
	return nil
}

// Verify reports whether r.Sig is pub's signature over r.SignBytes.
func (r *Receipt) Verify(pub ed25519.PublicKey) bool {
	if len(pub) != ed25519.PublicKeySize || len(r.Sig) != ed25519.SignatureSize {
		return false
	}
	msg, err := r.SignBytes()
	if err != nil {
		return false
	}
	return ed25519.Verify(pub, msg, r.Sig)
}

// Encode returns the receipt's block: its DAG-CBOR encoding, signature
// included.
func (r *Receipt) Encode() ([]byte, error) {
	w, err := r.wire(true)
	if err != nil {
		return nil, err
	}
	bz, err := encMode.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("receipt: encode: %w", err)
	}
	return bz, nil
}

// CID returns the CID of a block: CIDv1, codec dag-cbor (0x71), sha2-256.
func CID(block []byte) cid.Cid {
	sum := sha256.Sum256(block)
	mh, err := multihash.Encode(sum[:], multihash.SHA2_256)
	if err != nil {
		// A 32-byte sha2-256 digest always encodes.
		panic("receipt: multihash: " + err.Error())
	}
	return cid.NewCidV1(cid.DagCBOR, mh)
}

// Decode reads a receipt block. It accepts exactly the bytes Encode
// produces: a block that is not canonical DAG-CBOR (keys out of order,
// integers not in their shortest form, indefinite lengths, duplicate or
// unknown keys, a missing field, a version other than 1) is refused with
// an error wrapping ErrMalformed, so one receipt has one CID. It does not
// check the signature (Verify). The caller owns the result.
func Decode(block []byte) (*Receipt, error) {
	if len(block) == 0 || len(block) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, want 1 to %d", ErrMalformed, len(block), MaxSize)
	}
	var w wire
	if err := decMode.Unmarshal(block, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if w.V != Version {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrMalformed, w.V, Version)
	}
	r := &Receipt{ChainID: w.Chain, Executor: w.Executor, KeyID: w.Key, Fuel: w.Fuel, Exit: w.Exit, Sig: w.Sig}
	var err error
	for _, f := range []struct {
		name string
		t    cbor.Tag
		dst  *cid.Cid
	}{{"job", w.Job, &r.Job}, {"module", w.Module, &r.Module}, {"input", w.Input, &r.Input}, {"output", w.Output, &r.Output}} {
		if *f.dst, err = parseLink(f.name, f.t); err != nil {
			return nil, err
		}
	}
	again, err := r.Encode()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, block) {
		return nil, fmt.Errorf("%w: not in canonical DAG-CBOR form", ErrMalformed)
	}
	return r, nil
}

// ErrBadCID is wrapped, with ErrMalformed, by the errors about a CID of
// the receipt (a link that is not a canonical CIDv1 with a sha2-256
// multihash).
var ErrBadCID = errors.New("bad cid")

// CommitDomain prefixes a receipt commitment's preimage, so that a
// commitment can never be taken for another sha2-256 digest of the chain
// (a job id, an escrow id, a CID).
const CommitDomain = "icn-mesh-commit-v1\x00"

// CommitmentLength is the length of a receipt commitment.
const CommitmentLength = sha256.Size

// Commitment is what an assigned executor commits to before any receipt of
// the job is revealed (docs/receipts.md, "Commitment"):
//
//	sha2-256(CommitDomain || job || uint64be(len(executor)) || executor || receipt)
//
// where job is the 32-byte job id (the digest of the receipt's job CID),
// executor the executor's DID and receipt the binary CID of the signed
// receipt block (CID). The receipt CID hashes the whole block, signature
// included: only the executor's key can produce it, so nobody can compute
// another executor's commitment, even for an output they guess, and the
// commitment tells nothing of the result. The job id and the DID bind the
// commitment to the one (job, executor) slot it is stored in: the same
// bytes committed by another executor open to nothing it can reveal.
func Commitment(job []byte, executor string, receipt cid.Cid) []byte {
	h := sha256.New()
	h.Write([]byte(CommitDomain))
	h.Write(job)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(executor)))
	h.Write(n[:])
	h.Write([]byte(executor))
	h.Write(receipt.Bytes())
	return h.Sum(nil)
}

// BlockCommitment decodes a receipt block and returns its Commitment: the
// job id taken from the receipt's job CID, its executor and the block's
// CID. It does not check the signature.
func BlockCommitment(block []byte) ([]byte, *Receipt, error) {
	r, err := Decode(block)
	if err != nil {
		return nil, nil, err
	}
	dm, err := multihash.Decode(r.Job.Hash())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w: job: %v", ErrMalformed, ErrBadCID, err)
	}
	return Commitment(dm.Digest, r.Executor, CID(block)), r, nil
}
