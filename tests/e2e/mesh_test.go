package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/mesh"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// TestMesh drives two jobs through the mesh on a 4-validator network with
// the CLI alone, the test playing the executors: node1, node2 and node3
// register with bonds and bid; their receipts are real signed DAG-CBOR
// blocks built by `icnd tx mesh commit-receipt` and `submit-receipt` from
// each node's keyring, committed first and revealed once every executor
// has committed. Job one settles 2-of-3 (node3 disagrees, fails to copy
// node1's revealed result, and is slashed); job two, bid on by node0 (a
// seated member of the root federation, whose capacity follows its
// reputation), fails at its deadline with node0 absent and slashed. Every
// node must answer the same.
func TestMesh(t *testing.T) {
	n := startNetwork(t, 4)
	n.waitHeight(2, 60*time.Second, all(4)...)
	nodes := n.manifest.Nodes
	flags := func(i int) []string {
		return []string{"--from", nodes[i].KeyName, "--keyring-backend", "test", "--yes", "--output", "json"}
	}
	tx := func(i int, args ...string) txOut {
		t.Helper()
		res := n.txJSON(t, i, append(args, flags(i)...)...)
		if res.Code != 0 {
			t.Fatalf("icnd %s: %+v", strings.Join(args, " "), res)
		}
		return res
	}
	query := func(i int, v any, args ...string) {
		t.Helper()
		var out struct {
			Result json.RawMessage `json:"result"`
		}
		decodeJSON(t, n.cli(t, i, append(append([]string{"query"}, args...), "--output", "json")...), &out)
		decodeJSON(t, string(out.Result), v)
	}
	job := func(i int, id string) *client.JobView {
		t.Helper()
		var v client.JobView
		query(i, &v, "mesh", "job", id)
		return &v
	}
	waitStatus := func(id, status string) *client.JobView {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			v := job(0, id)
			if v.Status == status {
				return v
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s is %s, not %s", id, v.Status, status)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	// sameOnEvery reads args on every node at one height and checks that
	// all answer the same bytes.
	sameOnEvery := func(h int64, args ...string) {
		t.Helper()
		n.waitHeight(h, 30*time.Second, all(4)...)
		var first string
		for i := range nodes {
			out := n.cli(t, i, append(append([]string{"query"}, args...), "--output", "json", "--height", itoa(h))...)
			if i == 0 {
				first = out
			} else if out != first {
				t.Fatalf("node%d answers %s differently at height %d:\n%s\nnode0:\n%s", i, strings.Join(args, " "), h, out, first)
			}
		}
	}

	for i := 1; i <= 3; i++ {
		tx(i, "tx", "mesh", "register-executor", "--bond", "50000", "--price-floor", "1", "--kind", "wasi-p1")
	}
	module, input := client.RawCID([]byte("module.wasm")), client.RawCID([]byte("input"))
	var posted struct {
		txOut
		CID string `json:"cid"`
	}
	decodeJSON(t, n.cli(t, 0, append([]string{"tx", "mesh", "post-job", "--module", module.String(), "--input", input.String(),
		"--fuel-limit", "1000", "--max-price", "10", "--replication", "3", "--bid-window", "12", "--deadline", "40"}, flags(0)...)...), &posted)
	if posted.Code != 0 || posted.CID == "" {
		t.Fatalf("post-job: %+v", posted)
	}
	// Node0 printed it once committed; the others read and bid on it next.
	n.waitHeight(posted.Height, 60*time.Second, all(4)...)
	one := posted.CID
	if j := job(1, one); j.Status != "open" || j.Escrow != 30_000 || j.Agreement != 2 || j.Poster != nodes[0].DID {
		t.Fatalf("posted job: %+v", j)
	}
	var poster client.ManaBalance
	query(0, &poster, "mana", "balance", nodes[0].DID)
	if poster.Escrowed != 30_000 {
		t.Fatalf("poster escrowed %d, want 30000", poster.Escrowed)
	}
	// A bid above the maximum price is refused with its code.
	var over txOut
	stdout, _, _ := runCLIResult(append([]string{"tx", "mesh", "bid", one, "--price", "11", "--home", nodes[1].Home, "--node", nodes[1].RPC}, flags(1)...)...)
	decodeJSON(t, stdout, &over)
	if over.Code != mesh.ErrPriceAboveMax.Code() {
		t.Fatalf("bid above the maximum: %+v", over)
	}
	prices := map[int]string{1: "8", 2: "9", 3: "6"}
	for i := 1; i <= 3; i++ {
		tx(i, "tx", "mesh", "bid", one, "--price", prices[i])
	}
	assigned := waitStatus(one, "assigned")
	for _, b := range assigned.Bids {
		if !b.Assigned {
			t.Fatalf("not all bids assigned: %+v", assigned.Bids)
		}
	}

	// The executors run the job: node1 and node2 agree, node3 does not.
	// Each first commits to its receipt (commit-receipt builds and signs
	// the block from the flags and sends only its commitment); node1 keeps
	// its block to reveal from the file and to check it independently.
	out := client.RawCID([]byte("the output"))
	other := client.RawCID([]byte("another output"))
	block := filepath.Join(t.TempDir(), "receipt.cbor")
	resultOf := map[int]string{1: out.String(), 2: out.String(), 3: other.String()}
	// refused runs an icnd tx on node i that must fail with code.
	refused := func(i int, code uint32, args ...string) {
		t.Helper()
		var res txOut
		stdout, _, _ := runCLIResult(append(append(args, "--home", nodes[i].Home, "--node", nodes[i].RPC), flags(i)...)...)
		decodeJSON(t, stdout, &res)
		if res.Code != code {
			t.Fatalf("icnd %s: %+v, want code %d", strings.Join(args, " "), res, code)
		}
	}
	var receipts [4]string
	receiptTx := func(i int, args ...string) {
		t.Helper()
		var res struct {
			txOut
			CID string `json:"cid"`
		}
		decodeJSON(t, n.cli(t, i, append(args, flags(i)...)...), &res)
		if res.Code != 0 {
			t.Fatalf("node%d %s: %+v", i, args[2], res)
		}
		if receipts[i] != "" && receipts[i] != res.CID {
			t.Fatalf("node%d revealed %s, committed to %s", i, res.CID, receipts[i])
		}
		receipts[i] = res.CID
	}
	receiptTx(1, "tx", "mesh", "commit-receipt", "--job", one, "--output-cid", resultOf[1], "--fuel", "700", "--write", block)
	// node2 and node3 have not committed: the commit phase is open, and a
	// reveal is refused; so is a second commitment.
	refused(1, mesh.ErrRevealTooEarly.Code(), "tx", "mesh", "submit-receipt", block)
	refused(1, mesh.ErrAlreadyCommitted.Code(), "tx", "mesh", "commit-receipt", "--job", one, "--output-cid", other.String(), "--fuel", "700")
	receiptTx(3, "tx", "mesh", "commit-receipt", "--job", one, "--output-cid", resultOf[3], "--fuel", "700")
	receiptTx(2, "tx", "mesh", "commit-receipt", "--job", one, "--output-cid", resultOf[2], "--fuel", "700")
	if j := job(0, one); j.CommitDeadline == 0 || j.CommitDeadline >= j.DeadlineHeight {
		t.Fatalf("commit deadline %d, deadline %d", j.CommitDeadline, j.DeadlineHeight)
	}
	// Every executor committed: the phase is closed. node1 reveals from
	// its file; a duplicate is refused; node3, now seeing node1's result,
	// cannot pass it off as its own (it does not open node3's commitment)
	// and reveals its own; node2 reveals from the same flags it committed
	// with, which rebuild the same block.
	receiptTx(1, "tx", "mesh", "submit-receipt", block)
	refused(1, mesh.ErrDuplicateReceipt.Code(), "tx", "mesh", "submit-receipt", block)
	refused(3, mesh.ErrCommitmentMismatch.Code(), "tx", "mesh", "submit-receipt", "--job", one, "--output-cid", out.String(), "--fuel", "700")
	receiptTx(3, "tx", "mesh", "submit-receipt", "--job", one, "--output-cid", resultOf[3], "--fuel", "700")
	receiptTx(2, "tx", "mesh", "submit-receipt", "--job", one, "--output-cid", resultOf[2], "--fuel", "700")
	raw, err := os.ReadFile(block)
	if err != nil {
		t.Fatal(err)
	}
	r, err := receipt.Decode(raw)
	if err != nil || receipt.CID(raw).String() != receipts[1] || r.Executor != nodes[1].DID || r.Fuel != 700 || r.Output != out {
		t.Fatalf("node1's receipt block: %+v, %v", r, err)
	}
	done := waitStatus(one, "completed")
	if done.Output != out.String() || done.Fuel != 700 || done.Refunded != 30_000-8*700-9*700 || done.ClosedHeight == 0 {
		t.Fatalf("completed job: %+v", done)
	}
	paid := map[string]uint64{}
	for _, b := range done.Bids {
		paid[b.Executor] = b.Paid
	}
	if paid[nodes[1].DID] != 5600 || paid[nodes[2].DID] != 6300 || paid[nodes[3].DID] != 0 {
		t.Fatalf("payments: %v", paid)
	}
	// Conservation, from the settlement block's own events: the escrow
	// left as payments and the refund, each credited or (above the
	// recipient's ceiling) burned, and nothing else.
	oneID, err := mesh.ParseJob(one)
	if err != nil {
		t.Fatal(err)
	}
	var sum, credited, burned, refunded uint64
	for _, ev := range blockEvents(t, n, done.ClosedHeight) {
		if ev.Type != mana.EventTypeEscrowPaid {
			continue
		}
		var p mana.EventEscrowPaid
		if err := modules.DecodeEvent(ev, &p); err != nil {
			t.Fatal(err)
		}
		if string(p.ID) != string(oneID) {
			continue
		}
		sum += p.Amount
		credited += p.Credited
		burned += p.Burned
		if p.To == nodes[0].DID {
			refunded += p.Amount
		}
	}
	if sum != 30_000 || credited+burned != 30_000 || refunded != done.Refunded {
		t.Fatalf("escrow flows: %d out (%d refunded), %d credited, %d burned", sum, refunded, credited, burned)
	}
	query(0, &poster, "mana", "balance", nodes[0].DID)
	if poster.Escrowed != 0 {
		t.Fatalf("poster still escrows %d", poster.Escrowed)
	}
	// node3 disagreed: half of the 6000 its bid held is burned from its
	// bond, and it loses 1000 of reputation; node1 and node2 gain 100.
	for _, i := range []int{1, 2, 3} {
		wantRep, wantBond := uint64(10_100), uint64(50_000)
		if i == 3 {
			wantRep, wantBond = 9_000, 47_000
		}
		var e client.ExecutorView
		query(i, &e, "mesh", "executor", nodes[i].DID)
		if e.Reputation != wantRep || e.Bond != wantBond || e.Reserved != 0 || e.Open != 0 {
			t.Fatalf("node%d executor: %+v", i, e)
		}
		var acc client.ManaBalance
		query(i, &acc, "mana", "balance", nodes[i].DID)
		if acc.Escrowed != wantBond {
			t.Fatalf("node%d escrows %d, want its bond %d", i, acc.Escrowed, wantBond)
		}
	}
	// A receipt or a commitment after settlement is refused.
	refused(1, mesh.ErrJobClosed.Code(), "tx", "mesh", "submit-receipt", "--job", one, "--output-cid", out.String(), "--fuel", "1")
	refused(1, mesh.ErrJobClosed.Code(), "tx", "mesh", "commit-receipt", "--job", one, "--output-cid", out.String(), "--fuel", "1")

	// The receipts are anchored: proven links both ways, on every node.
	witnesses := nodes[2].RPC + "," + nodes[3].RPC
	var links client.LinksView
	query(1, &links, "dag", "links", receipts[1], "--prove", "--witnesses", witnesses)
	if len(links.To) != 1 || links.To[0].Kind != "receipt" || links.To[0].AnchoredBy != nodes[1].DID ||
		strings.Join(links.To[0].Links, ",") != strings.Join([]string{one, module.String(), input.String(), out.String()}, ",") {
		t.Fatalf("links of node1's receipt: %+v", links)
	}
	query(1, &links, "dag", "links", one, "--prove", "--witnesses", witnesses)
	if len(links.From) != 3 {
		t.Fatalf("entries linking to the job: %+v", links.From)
	}

	// Job two, node1's: node0 bids and never answers: at the deadline the
	// job fails, the escrow comes back, node0's reputation drops and with
	// it the capacity its root-federation seat gives it, and a fifth of
	// the 500 its bid held is burned from its bond (slash_absent_bps).
	// (A poster may not bid on its own job: mesh/31.)
	tx(0, "tx", "mesh", "register-executor", "--bond", "1000", "--price-floor", "1")
	var before client.ManaBalance
	query(0, &before, "mana", "balance", nodes[0].DID)
	decodeJSON(t, n.cli(t, 1, append([]string{"tx", "mesh", "post-job", "--module", module.String(), "--input", input.String(),
		"--fuel-limit", "100", "--max-price", "5", "--bid-window", "6", "--deadline", "4"}, flags(1)...)...), &posted)
	if posted.Code != 0 || posted.CID == "" {
		t.Fatalf("post-job: %+v", posted)
	}
	// Node1 printed it once committed; node0 bids on it next.
	n.waitHeight(posted.Height, 60*time.Second, all(4)...)
	two := posted.CID
	tx(0, "tx", "mesh", "bid", two, "--price", "5")
	failed := waitStatus(two, "failed")
	if failed.Refunded != 500 || failed.Reason != mesh.ReasonNoAgreement || len(failed.Bids) != 1 || failed.Bids[0].Slashed != 100 {
		t.Fatalf("failed job: %+v", failed)
	}
	var absent client.ExecutorView
	query(0, &absent, "mesh", "executor", nodes[0].DID)
	if absent.Bond != 900 || absent.Reputation != 9500 || absent.Open != 0 {
		t.Fatalf("node0 executor after its absence: %+v", absent)
	}
	var after client.ManaBalance
	query(0, &after, "mana", "balance", nodes[0].DID)
	if before.MembershipCapacity == 0 || after.MembershipCapacity != before.MembershipCapacity*9500/10000 || after.Escrowed != 900 {
		t.Fatalf("node0's capacity from membership: %d before, %d after (escrowed %d)", before.MembershipCapacity, after.MembershipCapacity, after.Escrowed)
	}
	var jobs []client.JobView
	query(1, &jobs, "mesh", "jobs", "--prove", "--witnesses", witnesses)
	if len(jobs) != 2 {
		t.Fatalf("every job: %+v", jobs)
	}
	query(1, &jobs, "mesh", "jobs", "--poster", nodes[1].DID, "--status", "failed", "--prove", "--witnesses", witnesses)
	if len(jobs) != 1 || jobs[0].ID != two {
		t.Fatalf("node1's failed jobs: %+v", jobs)
	}
	query(1, &jobs, "mesh", "jobs", "--poster", nodes[0].DID, "--status", "failed")
	if len(jobs) != 0 {
		t.Fatalf("node0's failed jobs: %+v", jobs)
	}
	h := n.height(0)
	sameOnEvery(h, "mesh", "job", one)
	sameOnEvery(h, "mesh", "job", two)
	sameOnEvery(h, "mesh", "executors")
	sameOnEvery(h, "dag", "links", one)
	n.checkAppHashes(h)
}

// blockEvents returns the end-of-block events of height h from node0.
func blockEvents(t *testing.T, n *network, h int64) []modules.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := n.client(0).RPC.BlockResults(ctx, &h)
	if err != nil {
		t.Fatal(err)
	}
	var out []modules.Event
	for _, ev := range res.FinalizeBlockEvents {
		e := modules.Event{Type: ev.Type}
		for _, a := range ev.Attributes {
			e.Attributes = append(e.Attributes, modules.Attribute{Key: a.Key, Value: a.Value, Index: a.Index})
		}
		out = append(out, e)
	}
	return out
}

func itoa(h int64) string { return strconv.FormatInt(h, 10) }
