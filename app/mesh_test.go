package app_test

import (
	"encoding/json"
	"testing"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// TestMeshExportMidJob exports a chain while a job is assigned with one
// of the two receipts it needs, restarts a chain from the export, and
// feeds both the same next blocks: both settle the job at the same height
// and end in the same state (mesh and mana sections, escrows included).
func TestMeshExportMidJob(t *testing.T) {
	poster, x, y := newAccount(1), newAccount(2), newAccount(3)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, poster, x, y))
	block(t, a)
	offer := client.Offer{MaxFuel: 10_000, MemoryPages: 64, Kinds: []string{"wasi-p1"}, PriceFloor: 1, Bond: 20_000}
	for _, e := range []*account{x, y} {
		m, err := client.RegisterExecutor(offer)
		if err != nil {
			t.Fatal(err)
		}
		res, _ := block(t, a, e.signTx(t, txOpts{}, m))
		wantCode(t, res[0], nil)
	}
	spec := &meshv1.MsgPostJob{Module: client.RawCID([]byte("m")).Bytes(), Input: client.RawCID([]byte("i")).Bytes(),
		FuelLimit: 1000, MaxPrice: 5, Replication: 2, BidWindow: 2, Deadline: 20,
		Requirements: &meshv1.Requirements{Kind: "wasi-p1", MemoryPages: 16}}
	post, job, err := client.PostJob(poster.did, spec)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := block(t, a, poster.signTx(t, txOpts{}, post))
	wantCode(t, res[0], nil)
	var bids [][]byte
	for _, e := range []*account{x, y} {
		m, err := client.Bid(job.String(), 4)
		if err != nil {
			t.Fatal(err)
		}
		bids = append(bids, e.signTx(t, txOpts{}, m))
	}
	res, _ = block(t, a, bids...)
	wantCode(t, res[0], nil)
	wantCode(t, res[1], nil)
	block(t, a) // the window closes
	receiptBlock := func(e *account) []byte {
		r := &receipt.Receipt{ChainID: testChainID, Job: job, Executor: e.did, KeyID: did.FirstKeyID,
			Module: client.RawCID([]byte("m")), Input: client.RawCID([]byte("i")), Output: client.RawCID([]byte("o")), Fuel: 600}
		blk, _, err := client.SignReceipt(r, signWith(e.priv))
		if err != nil {
			t.Fatal(err)
		}
		return blk
	}
	commitTx := func(e *account) []byte {
		m, _, err := client.CommitReceipt(receiptBlock(e))
		if err != nil {
			t.Fatal(err)
		}
		return e.signTx(t, txOpts{}, m)
	}
	receiptTx := func(e *account) []byte {
		m, err := client.SubmitReceipt(receiptBlock(e))
		if err != nil {
			t.Fatal(err)
		}
		return e.signTx(t, txOpts{}, m)
	}
	// Both commit (which closes the commit phase); x reveals before the
	// export, y after it, against the commitment the export carried.
	res, _ = block(t, a, commitTx(x), commitTx(y))
	wantCode(t, res[0], nil)
	wantCode(t, res[1], nil)
	res, _ = block(t, a, receiptTx(x))
	wantCode(t, res[0], nil)

	g, h, err := a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Mesh.Jobs) != 1 || g.Mesh.Jobs[0].Status != meshv1.JobStatus_JOB_STATUS_ASSIGNED || len(g.Mesh.Executors) != 2 {
		t.Fatalf("exported mesh: %+v", g.Mesh)
	}
	b := restartFromExport(t, g, h)
	block(t, a) // b ran an empty block at h+1 in restartFromExport
	last := receiptTx(y)
	ra, _ := block(t, a, last)
	rb, _ := block(t, b, last)
	wantCode(t, ra[0], nil)
	wantCode(t, rb[0], nil)
	ga, _, err := a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	gb, _, err := b.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	if ga.Mesh.Jobs[0].Status != meshv1.JobStatus_JOB_STATUS_COMPLETED || ga.Mesh.Jobs[0].Refunded != 10_000-2*4*600 {
		t.Fatalf("job after the last receipt: %+v", ga.Mesh.Jobs[0])
	}
	for name, pair := range map[string][2]any{"mesh": {ga.Mesh, gb.Mesh}, "mana": {ga.Mana, gb.Mana}, "dag": {ga.DAG, gb.DAG}} {
		ja, _ := json.Marshal(pair[0])
		jb, _ := json.Marshal(pair[1])
		if string(ja) != string(jb) {
			t.Fatalf("%s differs after the restart:\n%s\n%s", name, ja, jb)
		}
	}
}
