package mesh

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/modules/dag"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// Bounds checked before execution.
const (
	// MaxKinds bounds an executor's module kinds.
	MaxKinds = 8
	// MaxKindLength bounds one module kind.
	MaxKindLength = 32
	// JobIDLength is the length of a job id: a sha2-256 digest.
	JobIDLength = 32
	// MinDeadline is the shortest deadline: at least one block to commit
	// and one to reveal (CommitDeadline).
	MinDeadline = 2
	// MaxMemoryPages is the most memory a job may require: 65536 pages of
	// 64 KiB, all that a WebAssembly 1.0 (32-bit) memory can address. A job
	// must require at least one page: its memory_pages is the memory limit
	// every executor runs it with (docs/executor.md section 3.2), and no
	// runtime runs a job with none.
	MaxMemoryPages = 65536
)

// jobDomain prefixes a job's id preimage.
const jobDomain = "icn-mesh-job-v1\x00"

// ValidateKind checks a module kind: 1 to MaxKindLength characters of
// [a-z0-9._-].
func ValidateKind(kind string) error {
	if kind == "" || len(kind) > MaxKindLength {
		return fmt.Errorf("kind of %d bytes: want 1 to %d", len(kind), MaxKindLength)
	}
	for i := 0; i < len(kind); i++ {
		c := kind[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return fmt.Errorf("kind %q: only a-z, 0-9, '.', '_' and '-' are allowed", kind)
		}
	}
	return nil
}

// ValidateCapabilities checks an executor's capabilities: max_fuel and
// memory_pages of at least 1, 1 to MaxKinds kinds, sorted and unique.
func ValidateCapabilities(c *meshv1.Capabilities) error {
	if c == nil {
		return ErrInvalidCapabilities.Wrapf("capabilities are missing")
	}
	if c.MaxFuel == 0 || c.MemoryPages == 0 {
		return ErrInvalidCapabilities.Wrapf("max_fuel and memory_pages must be at least 1")
	}
	if len(c.Kinds) == 0 || len(c.Kinds) > MaxKinds {
		return ErrInvalidCapabilities.Wrapf("%d kinds: want 1 to %d", len(c.Kinds), MaxKinds)
	}
	for i, k := range c.Kinds {
		if err := ValidateKind(k); err != nil {
			return ErrInvalidCapabilities.Wrapf("%v", err)
		}
		if i > 0 && c.Kinds[i-1] >= k {
			return ErrInvalidCapabilities.Wrapf("kinds must be sorted and unique")
		}
	}
	return nil
}

func validateOffer(c *meshv1.Capabilities, floor, bond uint64) error {
	if err := ValidateCapabilities(c); err != nil {
		return err
	}
	if floor == 0 {
		return ErrInvalidPrice.Wrapf("price_floor must be at least 1")
	}
	if bond == 0 {
		return ErrInvalidBond.Wrapf("bond must be at least 1")
	}
	return nil
}

// ValidateRegisterExecutor is the stateless check of MsgRegisterExecutor.
func ValidateRegisterExecutor(m *meshv1.MsgRegisterExecutor) error {
	return validateOffer(m.Capabilities, m.PriceFloor, m.Bond)
}

// ValidateUpdateExecutor is the stateless check of MsgUpdateExecutor.
func ValidateUpdateExecutor(m *meshv1.MsgUpdateExecutor) error {
	return validateOffer(m.Capabilities, m.PriceFloor, m.Bond)
}

// ValidateLeaveExecutor is the stateless check of MsgLeaveExecutor: it has
// no fields.
func ValidateLeaveExecutor(*meshv1.MsgLeaveExecutor) error { return nil }

// ParseCID checks a CID as the dag module anchors it (dag.ParseCID) and
// reports a failure with the mesh's code.
func ParseCID(name string, b []byte) (cid.Cid, error) {
	c, err := dag.ParseCID(b)
	if err != nil {
		return cid.Undef, ErrInvalidCID.Wrapf("%s: %v", name, err)
	}
	return c, nil
}

// Agreement resolves a job's agreement k: a majority of r (r/2 + 1) when
// the message leaves it 0.
func Agreement(m *meshv1.MsgPostJob) uint32 {
	if m.Agreement == 0 {
		return m.Replication/2 + 1
	}
	return m.Agreement
}

// EscrowAmount is what a job escrows: replication × max_price ×
// fuel_limit, the most it can cost (every executor paid the maximum price
// for the whole fuel limit). ok is false when it overflows.
func EscrowAmount(m *meshv1.MsgPostJob) (amount uint64, ok bool) {
	hi, perExecutor := bits.Mul64(m.MaxPrice, m.FuelLimit)
	if hi != 0 {
		return 0, false
	}
	hi, amount = bits.Mul64(perExecutor, uint64(m.Replication))
	return amount, hi == 0
}

// ValidatePostJob is the stateless check of MsgPostJob. Agreement must be
// a strict majority of replication (r/2 < k <= r), so that at most one
// result can gather k receipts.
func ValidatePostJob(m *meshv1.MsgPostJob) error {
	if _, err := ParseCID("module", m.Module); err != nil {
		return err
	}
	if _, err := ParseCID("input", m.Input); err != nil {
		return err
	}
	if m.Requirements == nil {
		return ErrInvalidJob.Wrapf("requirements are missing")
	}
	if err := ValidateKind(m.Requirements.Kind); err != nil {
		return ErrInvalidJob.Wrapf("requirements: %v", err)
	}
	if p := m.Requirements.MemoryPages; p < 1 || p > MaxMemoryPages {
		return ErrInvalidJob.Wrapf("requirements: memory_pages %d: want 1 to %d", p, MaxMemoryPages)
	}
	k := Agreement(m)
	switch {
	case m.Replication < 1 || m.Replication > MaxReplication:
		return ErrInvalidJob.Wrapf("replication %d: want 1 to %d", m.Replication, MaxReplication)
	case k <= m.Replication/2 || k > m.Replication:
		return ErrInvalidJob.Wrapf("agreement %d: want a majority of replication %d (%d to %d)", k, m.Replication, m.Replication/2+1, m.Replication)
	case m.FuelLimit == 0:
		return ErrInvalidJob.Wrapf("fuel_limit must be at least 1")
	case m.MaxPrice == 0:
		return ErrInvalidPrice.Wrapf("max_price must be at least 1")
	case m.BidWindow == 0:
		return ErrInvalidJob.Wrapf("bid_window must be at least 1 block")
	case m.Deadline < MinDeadline:
		return ErrInvalidJob.Wrapf("deadline must be at least %d blocks: a commit phase and a reveal phase", MinDeadline)
	case m.BidWindow > 1_000_000 || m.Deadline > 1_000_000:
		return ErrInvalidJob.Wrapf("bid_window and deadline must be at most 1000000 blocks")
	}
	if _, ok := EscrowAmount(m); !ok {
		return ErrInvalidJob.Wrapf("replication × max_price × fuel_limit overflows")
	}
	return nil
}

// RevealBlocks is how many blocks at the end of a job's deadline are kept
// for reveals only: max(1, deadline / 4).
func RevealBlocks(deadline uint64) int64 {
	return int64(max(1, deadline/4)) // deadline <= 1000000 (ValidatePostJob)
}

// ValidateJobID checks a job id's length.
func ValidateJobID(id []byte) error {
	if len(id) != JobIDLength {
		return ErrInvalidJobID.Wrapf("%d bytes, want %d", len(id), JobIDLength)
	}
	return nil
}

// ValidateCancelJob is the stateless check of MsgCancelJob.
func ValidateCancelJob(m *meshv1.MsgCancelJob) error { return ValidateJobID(m.Job) }

// ValidateBid is the stateless check of MsgBid.
func ValidateBid(m *meshv1.MsgBid) error {
	if err := ValidateJobID(m.Job); err != nil {
		return err
	}
	if m.Price == 0 {
		return ErrInvalidPrice.Wrapf("price must be at least 1")
	}
	return nil
}

// ValidateCommitReceipt is the stateless check of MsgCommitReceipt: a job
// id and a commitment of receipt.CommitmentLength bytes.
func ValidateCommitReceipt(m *meshv1.MsgCommitReceipt) error {
	if err := ValidateJobID(m.Job); err != nil {
		return err
	}
	if len(m.Commitment) != receipt.CommitmentLength {
		return ErrInvalidCommitment.Wrapf("%d bytes, want %d", len(m.Commitment), receipt.CommitmentLength)
	}
	return nil
}

// ValidateSubmitReceipt is the stateless check of MsgSubmitReceipt: the
// block decodes as a canonical receipt (docs/receipts.md) whose CIDs the
// dag module can anchor. A CID problem is ErrInvalidCID, anything else
// ErrMalformedReceipt.
func ValidateSubmitReceipt(m *meshv1.MsgSubmitReceipt) error {
	_, err := decodeReceipt(m.Receipt)
	return err
}

func decodeReceipt(block []byte) (*receipt.Receipt, error) {
	r, err := receipt.Decode(block)
	if err != nil {
		if errors.Is(err, receipt.ErrBadCID) {
			return nil, ErrInvalidCID.Wrapf("%v", err)
		}
		return nil, ErrMalformedReceipt.Wrapf("%v", err)
	}
	for _, l := range []struct {
		name string
		c    cid.Cid
	}{{"job", r.Job}, {"module", r.Module}, {"input", r.Input}, {"output", r.Output}} {
		if _, err := ParseCID(l.name, l.c.Bytes()); err != nil {
			return nil, err
		}
	}
	if _, err := JobIDFromCID(r.Job); err != nil {
		return nil, err
	}
	return r, nil
}

// JobID derives a job's id from its poster and its message:
//
//	id = sha2-256("icn-mesh-job-v1\x00" || uint64be(len(poster)) || poster || msg)
//
// where msg is the deterministic protobuf encoding of the MsgPostJob
// (which carries the poster's sequence). The same request with the same
// sequence has the same id, so it cannot be posted twice.
func JobID(poster string, m *meshv1.MsgPostJob) []byte {
	return jobDigest(jobPreimage(poster, m))
}

func jobPreimage(poster string, m *meshv1.MsgPostJob) []byte {
	bz, err := m.Marshal()
	if err != nil {
		// Marshalling a decoded message of scalar and bytes fields cannot fail.
		panic("mesh: encode MsgPostJob: " + err.Error())
	}
	out := make([]byte, 0, len(jobDomain)+8+len(poster)+len(bz))
	out = append(out, jobDomain...)
	out = binary.BigEndian.AppendUint64(out, uint64(len(poster)))
	out = append(out, poster...)
	return append(out, bz...)
}

func jobDigest(preimage []byte) []byte {
	sum := sha256.Sum256(preimage)
	return sum[:]
}

// JobCID is the CID by which receipts, events and the CLI name a job: a
// CIDv1 with the raw codec and the job id as its sha2-256 digest (the
// digest of the id's preimage, JobID).
func JobCID(id []byte) cid.Cid {
	mh, err := multihash.Encode(id, multihash.SHA2_256)
	if err != nil {
		panic("mesh: job id multihash: " + err.Error())
	}
	return cid.NewCidV1(cid.Raw, mh)
}

// JobIDFromCID returns the id a job CID carries: the digest of a raw
// CIDv1 with a 32-byte sha2-256 multihash. Other CIDs are ErrInvalidJobID.
func JobIDFromCID(c cid.Cid) ([]byte, error) {
	p := c.Prefix()
	if c.Version() != 1 || p.Codec != cid.Raw || p.MhType != multihash.SHA2_256 || p.MhLength != JobIDLength {
		return nil, ErrInvalidJobID.Wrapf("%s is not a job CID (CIDv1, raw, sha2-256)", c)
	}
	dm, err := multihash.Decode(c.Hash())
	if err != nil {
		return nil, ErrInvalidJobID.Wrapf("%s: %v", c, err)
	}
	return dm.Digest, nil
}

// ParseJob reads a job as a user names it: its CID string.
func ParseJob(s string) ([]byte, error) {
	c, err := cid.Decode(s)
	if err != nil {
		return nil, ErrInvalidJobID.Wrapf("%q: %v", s, err)
	}
	return JobIDFromCID(c)
}
