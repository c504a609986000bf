package client

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules/mesh"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

func TestMeshBuilders(t *testing.T) {
	msg, err := RegisterExecutor(Offer{MaxFuel: 10, MemoryPages: 1, Kinds: []string{"wasi-p1", "a", "wasi-p1"}, PriceFloor: 1, Bond: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.GetRegisterExecutor().Capabilities.Kinds; len(got) != 2 || got[0] != "a" || got[1] != "wasi-p1" {
		t.Fatalf("kinds %v, want sorted and unique", got)
	}
	if _, err := RegisterExecutor(Offer{MaxFuel: 10, MemoryPages: 1, Kinds: []string{"x"}, Bond: 100}); !errors.Is(err, mesh.ErrInvalidPrice) {
		t.Fatalf("floor 0: %v", err)
	}
	spec := &meshv1.MsgPostJob{Module: RawCID([]byte("m")).Bytes(), Input: RawCID([]byte("i")).Bytes(), FuelLimit: 10, MaxPrice: 2,
		Replication: 1, BidWindow: 1, Deadline: 2, Requirements: &meshv1.Requirements{Kind: "wasi-p1", MemoryPages: 16}}
	const poster = "did:icn:pppppppppppppppppppppppppppppppp"
	_, job, err := PostJob(poster, spec)
	if err != nil {
		t.Fatal(err)
	}
	// The job CID is the raw CIDv1 whose digest is the job id.
	if job.Prefix().Codec != cid.Raw || !job.Equals(mesh.JobCID(mesh.JobID(poster, spec))) {
		t.Fatalf("job CID %s", job)
	}
	bid, err := Bid(job.String(), 2)
	if err != nil || string(bid.GetBid().Job) != string(mesh.JobID(poster, spec)) {
		t.Fatalf("bid %v, %v", bid, err)
	}
	if _, err := Bid(RawCID([]byte("x")).String()+"x", 2); err == nil {
		t.Fatal("a malformed job CID was accepted")
	}

	seed := sha256.Sum256([]byte("executor"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	r := &receipt.Receipt{ChainID: "icn-test", Job: job, Executor: "did:icn:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", KeyID: "key-1",
		Module: RawCID([]byte("m")), Input: RawCID([]byte("i")), Output: RawCID([]byte("o")), Fuel: 7}
	block, c, err := SignReceipt(r, func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil })
	if err != nil {
		t.Fatal(err)
	}
	back, err := receipt.Decode(block)
	if err != nil || !back.Verify(priv.Public().(ed25519.PublicKey)) || !c.Equals(receipt.CID(block)) {
		t.Fatalf("signed receipt: %v", err)
	}
	if _, err := SubmitReceipt(block); err != nil {
		t.Fatal(err)
	}
	if _, err := SubmitReceipt(block[1:]); !errors.Is(err, mesh.ErrMalformedReceipt) {
		t.Fatalf("truncated block: %v", err)
	}
	if _, _, err := SignReceipt(r, func([]byte) ([]byte, error) { return []byte{1}, nil }); err == nil {
		t.Fatal("a short signature was accepted")
	}
}

// TestReceiptForAndCommit: the receipt built from a job and a result is
// the one a hand-built receipt signs to, the same on every build (so the
// commitment made from flags is opened by the reveal made from the same
// flags), and its commit message carries the job id and the block's
// commitment.
func TestReceiptForAndCommit(t *testing.T) {
	seed := sha256.Sum256([]byte("executor"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	sign := func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil }
	jobID := sha256.Sum256([]byte("a job"))
	job := &JobView{ID: mesh.JobCID(jobID[:]).String(), Module: RawCID([]byte("m")).String(), Input: RawCID([]byte("i")).String()}
	s := ReceiptSigner{ChainID: "icn-test", Executor: "did:icn:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", KeyID: "key-1", Sign: sign}
	res := ReceiptResult{Output: RawCID([]byte("o")).String(), Fuel: 7, Exit: 1}
	block, err := ReceiptFor(job, res, s)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := SignReceipt(&receipt.Receipt{ChainID: "icn-test", Job: mesh.JobCID(jobID[:]), Executor: s.Executor, KeyID: "key-1",
		Module: RawCID([]byte("m")), Input: RawCID([]byte("i")), Output: RawCID([]byte("o")), Fuel: 7, Exit: 1}, sign)
	if err != nil || string(block) != string(want) {
		t.Fatalf("ReceiptFor built another block: %v", err)
	}
	again, _ := ReceiptFor(job, res, s)
	if string(again) != string(block) {
		t.Fatal("two builds of one receipt differ")
	}
	msg, c, err := CommitReceipt(block)
	if err != nil {
		t.Fatal(err)
	}
	m := msg.GetCommitReceipt()
	if string(m.Job) != string(jobID[:]) || string(m.Commitment) != string(c) ||
		string(c) != string(receipt.Commitment(jobID[:], s.Executor, receipt.CID(block))) {
		t.Fatalf("commit message %x / %x", m.Job, m.Commitment)
	}
	if _, _, err := CommitReceipt(block[1:]); !errors.Is(err, mesh.ErrMalformedReceipt) {
		t.Fatalf("truncated block: %v", err)
	}
	if _, err := ReceiptFor(job, ReceiptResult{Output: "not a cid"}, s); err == nil {
		t.Fatal("a malformed output CID was accepted")
	}
	if _, err := ReceiptFor(&JobView{ID: "x"}, res, s); err == nil {
		t.Fatal("a job without CIDs was accepted")
	}
}

// TestJobViewTerms: a job's view shows the terms it was posted under, and
// none for a job recorded before jobs carried them.
func TestJobViewTerms(t *testing.T) {
	j := &meshv1.Job{Id: make([]byte, 32), Terms: &meshv1.JobTerms{MaxBids: 3, SlashBps: 4000, SlashAbsentBps: 1500}}
	if got := NewJobView(j).Terms; got == nil || *got != (JobTermsView{MaxBids: 3, SlashBps: 4000, SlashAbsentBps: 1500}) {
		t.Fatalf("terms %+v", got)
	}
	j.Terms = nil
	if got := NewJobView(j).Terms; got != nil {
		t.Fatalf("terms of a job without them: %+v", got)
	}
}
