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
		Replication: 1, BidWindow: 1, Deadline: 1, Requirements: &meshv1.Requirements{Kind: "wasi-p1"}}
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
