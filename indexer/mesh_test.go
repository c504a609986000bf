package indexer

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/mesh"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

const (
	poster    = "did:icn:pppppppppppppppppppppppppppppppp"
	exec1     = "did:icn:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
	exec2     = "did:icn:ffffffffffffffffffffffffffffffff"
	anchorer3 = "did:icn:gggggggggggggggggggggggggggggggg"
)

var (
	jobID                  = []byte(strings.Repeat("j", 32))
	jobCID                 = mesh.JobCID(jobID)
	moduleCID, inputCID    = client.RawCID([]byte("module")), client.RawCID([]byte("input"))
	outputCID, otherOutput = client.RawCID([]byte("output")), client.RawCID([]byte("other"))
	receipt1, receipt2     = client.RawCID([]byte("receipt 1")), client.RawCID([]byte("receipt 2"))
	noteCID                = client.RawCID([]byte("a note about the job"))
)

func marshal(t *testing.T, m interface{ Marshal() ([]byte, error) }) []byte {
	t.Helper()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func executorRecord(t *testing.T, did string, bond, reputation uint64, status meshv1.ExecutorStatus) record {
	return record{ref: executorRef(did), value: marshal(t, &meshv1.Executor{Did: did, Bond: bond, Reputation: reputation, Status: status,
		PriceFloor: 1, Capabilities: &meshv1.Capabilities{MaxFuel: 5000, MemoryPages: 16, Kinds: []string{"wasi-p1"}}, RegisteredHeight: 1})}
}

func jobRecord(t *testing.T, j *meshv1.Job) record {
	r, err := jobRef(jobCID.String())
	if err != nil {
		t.Fatal(err)
	}
	return record{ref: r, value: marshal(t, j)}
}

func entryRecord(t *testing.T, c cid.Cid, anchorer, kind string, height int64, links ...cid.Cid) record {
	r, err := dagEntryRef(c.String(), anchorer)
	if err != nil {
		t.Fatal(err)
	}
	e := &dagv1.Entry{Cid: c.Bytes(), Kind: kind, AnchoredBy: anchorer, Height: height}
	for _, l := range links {
		e.Links = append(e.Links, l.Bytes())
	}
	return record{ref: r, value: marshal(t, e)}
}

// assignedJob is the job of these tests at its assignment: two bids, both
// assigned, exec1's receipt in.
func assignedJob() *meshv1.Job {
	return &meshv1.Job{Id: jobID, Poster: poster, Status: meshv1.JobStatus_JOB_STATUS_ASSIGNED, Escrow: 20_000, PostedHeight: 1,
		WindowClose: 3, CommitDeadline: 6, DeadlineHeight: 10, Agreement: 2,
		Spec: &meshv1.MsgPostJob{Module: moduleCID.Bytes(), Input: inputCID.Bytes(), FuelLimit: 1000, MaxPrice: 10, Replication: 2,
			BidWindow: 2, Deadline: 7, Sequence: 4, Requirements: &meshv1.Requirements{Kind: "wasi-p1", MemoryPages: 8}},
		Bids: []*meshv1.Bid{
			{Executor: exec1, Price: 8, Reserved: 8000, Height: 2, Assigned: true, Commitment: []byte{0xab, 0xcd}, Receipt: receipt1.Bytes(),
				Output: outputCID.Bytes(), Fuel: 700},
			{Executor: exec2, Price: 9, Reserved: 9000, Height: 2, Assigned: true},
		}}
}

// TestMeshRecords: jobs, bids, receipts, executors and dag entries are
// written as the records read; a receipt's anchored height comes from its
// entry whichever is written first; a rewritten job replaces its bids and
// receipts; a job gone takes them with it.
func TestMeshRecords(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	h1 := block(1)
	// The receipt's entry comes after the job in the batch (dag keys sort
	// after mesh keys), and was anchored at height 6 (the record says so).
	h1.records = []record{
		executorRecord(t, exec1, 50_000, 10_000, meshv1.ExecutorStatus_EXECUTOR_STATUS_ACTIVE),
		jobRecord(t, assignedJob()),
		entryRecord(t, receipt1, exec1, dag.KindReceipt, 6, jobCID, moduleCID, inputCID, outputCID),
	}
	if err := apply(ctx, ix.pool, "c", h1); err != nil {
		t.Fatal(err)
	}
	var status, out string
	var executors []string
	var escrow string
	if err := ix.pool.QueryRow(ctx, "SELECT status, executors, output, escrow::text FROM mesh_jobs WHERE id = $1", jobCID.String()).
		Scan(&status, &executors, &out, &escrow); err != nil {
		t.Fatal(err)
	}
	if status != "assigned" || strings.Join(executors, ",") != exec1+","+exec2 || out != "" || escrow != "20000" {
		t.Fatalf("job row: %s %v %q %s", status, executors, out, escrow)
	}
	var rc, rout string
	var anchored int64
	if err := ix.pool.QueryRow(ctx, "SELECT cid, output, anchored_height FROM mesh_receipts WHERE job = $1 AND executor = $2", jobCID.String(), exec1).
		Scan(&rc, &rout, &anchored); err != nil {
		t.Fatal(err)
	}
	if rc != receipt1.String() || rout != outputCID.String() || anchored != 6 {
		t.Fatalf("receipt row: %s %s anchored %d", rc, rout, anchored)
	}

	// Height 2: exec2's receipt (its entry already written at an earlier
	// height: the job's row finds it), settlement, a second entry linking
	// to the job by someone else.
	h2 := block(2)
	settled := assignedJob()
	settled.Status, settled.Output, settled.Fuel, settled.Refunded, settled.ClosedHeight = meshv1.JobStatus_JOB_STATUS_COMPLETED, outputCID.Bytes(), 700, 8100, 2
	settled.Bids[0].Paid = 5600
	settled.Bids[1].Receipt, settled.Bids[1].Output, settled.Bids[1].Fuel, settled.Bids[1].Slashed = receipt2.Bytes(), otherOutput.Bytes(), 650, 4500
	h2.records = []record{
		executorRecord(t, exec2, 45_500, 9_000, meshv1.ExecutorStatus_EXECUTOR_STATUS_ACTIVE),
		jobRecord(t, settled),
	}
	h2.records = append(h2.records, entryRecord(t, noteCID, anchorer3, "note", 2, jobCID))
	// exec2's entry written in a height of its own before the job's.
	if _, err := ix.pool.Exec(ctx, `INSERT INTO dag_entries (cid, anchorer, kind, links, anchored_height, height) VALUES ($1, $2, 'receipt', $3, 2, 2)`,
		receipt2.String(), exec2, []string{jobCID.String()}); err != nil {
		t.Fatal(err)
	}
	if err := apply(ctx, ix.pool, "c", h2); err != nil {
		t.Fatal(err)
	}
	rows, err := ix.pool.Query(ctx, "SELECT executor || ' ' || cid || ' ' || output || ' ' || fuel || ' ' || anchored_height FROM mesh_receipts ORDER BY executor")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := []string{
		exec1 + " " + receipt1.String() + " " + outputCID.String() + " 700 6",
		exec2 + " " + receipt2.String() + " " + otherOutput.String() + " 650 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("receipts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Height 3: the job loses exec2's bid (as an eviction would) and then
	// the whole record: bids and receipts follow.
	h3 := block(3)
	one := assignedJob()
	one.Bids = one.Bids[:1]
	h3.records = []record{jobRecord(t, one)}
	if err := apply(ctx, ix.pool, "c", h3); err != nil {
		t.Fatal(err)
	}
	var bids, receipts int
	count := func() {
		t.Helper()
		if err := ix.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM mesh_bids), (SELECT count(*) FROM mesh_receipts)").Scan(&bids, &receipts); err != nil {
			t.Fatal(err)
		}
	}
	if count(); bids != 1 || receipts != 1 {
		t.Fatalf("after the bid left: %d bids, %d receipts", bids, receipts)
	}
	h4 := block(4)
	gone := jobRecord(t, one)
	gone.value = nil
	h4.records = []record{gone}
	if err := apply(ctx, ix.pool, "c", h4); err != nil {
		t.Fatal(err)
	}
	if count(); bids != 0 || receipts != 0 {
		t.Fatalf("after the job went: %d bids, %d receipts", bids, receipts)
	}
}

// TestMeshRefs: each mesh event names the records it changes, as keys of
// the store; a job's record brings in its bidders' executors; malformed
// CIDs are errors, not silently nothing.
func TestMeshRefs(t *testing.T) {
	keys := func(rs []ref) string {
		var s []string
		for _, r := range rs {
			s = append(s, string(r.key))
		}
		return strings.Join(s, "|")
	}
	job := string(mesh.JobKey(jobID))
	for _, tc := range []struct {
		ev   modules.TypedEvent
		want []string
	}{
		{mesh.EventExecutorRegistered{DID: exec1}, []string{string(mesh.ExecutorKey(exec1))}},
		{mesh.EventExecutorLeft{DID: exec1, Status: "left"}, []string{string(mesh.ExecutorKey(exec1))}},
		{mesh.EventJobPosted{Job: jobCID.String(), Poster: poster}, []string{job}},
		{mesh.EventBid{Job: jobCID.String(), Executor: exec2}, []string{job, string(mesh.ExecutorKey(exec2))}},
		{mesh.EventReceiptAccepted{Job: jobCID.String(), Executor: exec1, Receipt: receipt1.String()},
			[]string{job, string(dag.EntryKey(receipt1.Bytes(), exec1))}},
		{mesh.EventExecutorSettled{Job: jobCID.String(), Executor: exec2}, []string{job, string(mesh.ExecutorKey(exec2))}},
		{dag.EventAnchored{CID: noteCID.String(), AnchoredBy: anchorer3}, []string{string(dag.EntryKey(noteCID.Bytes(), anchorer3))}},
	} {
		rs, err := refsOf(tc.ev)
		if err != nil {
			t.Fatalf("%s: %v", tc.ev.EventType(), err)
		}
		if keys(rs) != strings.Join(tc.want, "|") {
			t.Errorf("%s: keys %q, want %q", tc.ev.EventType(), keys(rs), strings.Join(tc.want, "|"))
		}
	}
	for _, ev := range []modules.TypedEvent{
		mesh.EventJobCompleted{Job: "bafy-not-a-cid"},
		mesh.EventJobFailed{Job: moduleCID.String() + "x"},
		mesh.EventReceiptAccepted{Job: jobCID.String(), Receipt: "nope"},
		dag.EventAnchored{CID: ""},
	} {
		if _, err := refsOf(ev); err == nil {
			t.Errorf("%+v: no error", ev)
		}
	}
	rec := jobRecord(t, assignedJob())
	have := map[string]bool{string(mesh.ExecutorKey(exec1)): true}
	more, err := derivedRefs([]record{rec}, have)
	if err != nil || keys(more) != string(mesh.ExecutorKey(exec2)) {
		t.Fatalf("bidders not yet read: %q, %v", keys(more), err)
	}
	if more, err := derivedRefs([]record{rec}, have); err != nil || len(more) != 0 {
		t.Fatalf("bidders read twice: %q, %v", keys(more), err)
	}
}

// TestMeshAPI: the job, executor and explorer routes answer what the
// tables hold, page, and refuse bad parameters with 400 and unknown
// things with 404.
func TestMeshAPI(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	settled := assignedJob()
	settled.Status, settled.Output, settled.Fuel, settled.ClosedHeight = meshv1.JobStatus_JOB_STATUS_COMPLETED, outputCID.Bytes(), 700, 1
	settled.Bids[0].Paid = 5600
	settled.Bids[1].Slashed = 4500
	h := block(1)
	h.records = []record{
		executorRecord(t, exec1, 50_000, 10_100, meshv1.ExecutorStatus_EXECUTOR_STATUS_ACTIVE),
		executorRecord(t, exec2, 45_500, 9_000, meshv1.ExecutorStatus_EXECUTOR_STATUS_LEFT),
		jobRecord(t, settled),
		entryRecord(t, receipt1, exec1, dag.KindReceipt, 1, jobCID, moduleCID, inputCID, outputCID),
		entryRecord(t, noteCID, anchorer3, "note", 1, jobCID),
	}
	if err := apply(ctx, ix.pool, "c", h); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ix.Handler())
	defer srv.Close()
	get := func(path string, want int) string {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("GET %s: %d %s, want %d", path, resp.StatusCode, body, want)
		}
		return string(body)
	}
	var d JobDetail
	if err := json.Unmarshal([]byte(get("/v1/jobs/"+jobCID.String(), 200)), &d); err != nil {
		t.Fatal(err)
	}
	if d.Job.Status != "completed" || d.Job.Output != outputCID.String() || d.Job.Escrow != "20000" || d.Job.FuelLimit != "1000" ||
		d.Job.Module != moduleCID.String() || d.Job.Kind != "wasi-p1" || d.Job.DeadlineBlocks != "7" || len(d.Bids) != 2 ||
		d.Bids[0].Paid != "5600" || d.Bids[0].Commitment != "abcd" || d.Bids[1].Commitment != "" || d.Job.CommitDeadline != 6 || d.Bids[1].Slashed != "4500" || len(d.Receipts) != 1 || d.Receipts[0].CID != receipt1.String() ||
		d.Receipts[0].AnchoredHeight != 1 || len(d.Links) != 2 || d.Links[0].CID+" "+d.Links[1].CID != receipt1.String()+" "+noteCID.String() &&
		d.Links[0].CID+" "+d.Links[1].CID != noteCID.String()+" "+receipt1.String() {
		t.Fatalf("job detail: %+v", d)
	}
	var e ExecutorDetail
	if err := json.Unmarshal([]byte(get("/v1/executors/"+exec1, 200)), &e); err != nil {
		t.Fatal(err)
	}
	if e.Executor.Reputation != "10100" || e.Earned != "5600" || e.Slashed != "0" || len(e.Bids) != 1 || e.Bids[0].JobStatus != "completed" ||
		strings.Join(e.Executor.Kinds, ",") != "wasi-p1" {
		t.Fatalf("executor detail: %+v", e)
	}
	var jobs paged[Job]
	if err := json.Unmarshal([]byte(get("/v1/jobs?status=completed&poster="+poster, 200)), &jobs); err != nil || len(jobs.Items) != 1 {
		t.Fatalf("completed jobs of the poster: %+v, %v", jobs, err)
	}
	if err := json.Unmarshal([]byte(get("/v1/jobs?status=open", 200)), &jobs); err != nil || len(jobs.Items) != 0 {
		t.Fatalf("open jobs: %+v, %v", jobs, err)
	}
	var execs paged[Executor]
	if err := json.Unmarshal([]byte(get("/v1/executors?limit=1", 200)), &execs); err != nil || len(execs.Items) != 1 ||
		execs.Items[0].DID != exec1 || execs.NextOffset == nil || *execs.NextOffset != 1 {
		t.Fatalf("first page of executors: %+v, %v", execs, err)
	}
	if err := json.Unmarshal([]byte(get("/v1/executors?status=left", 200)), &execs); err != nil || len(execs.Items) != 1 || execs.Items[0].DID != exec2 {
		t.Fatalf("executors that left: %+v, %v", execs, err)
	}
	for _, tc := range []struct {
		path string
		want int
		code string
	}{
		{"/v1/jobs?status=done", 400, "bad_status"},
		{"/v1/jobs?poster=alice", 400, "bad_did"},
		{"/v1/jobs?limit=0", 400, "bad_limit"},
		{"/v1/jobs/" + moduleCID.String() + "x", 400, "bad_job"},
		{"/v1/jobs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", 400, "bad_job"}, // a dag-pb CID, not a job's
		{"/v1/jobs/" + mesh.JobCID([]byte(strings.Repeat("k", 32))).String(), 404, "not_found"},
		{"/v1/executors?status=gone", 400, "bad_status"},
		{"/v1/executors/did:icn:x", 400, "bad_did"},
		{"/v1/executors/" + poster, 404, "not_found"},
	} {
		var e struct{ Code, Error string }
		if err := json.Unmarshal([]byte(get(tc.path, tc.want)), &e); err != nil || e.Code != tc.code || e.Error == "" {
			t.Errorf("GET %s: %+v (%v), want code %s", tc.path, e, err, tc.code)
		}
	}
	// The explorer's pages.
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/", []string{"Recent compute jobs", jobCID.String()}},
		{"/jobs", []string{"Executors", exec1, exec2, "completed"}},
		{"/jobs?status=completed", []string{jobCID.String()}},
		{"/jobs/" + jobCID.String(), []string{receipt1.String(), outputCID.String(), noteCID.String(), "note", "2 of 2 must agree", "5600"}},
		{"/executors/" + exec1, []string{"10100 basis points", "5600", jobCID.String()}},
	} {
		body := get(tc.path, 200)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("page %s lacks %q", tc.path, w)
			}
		}
	}
	get("/jobs/nope", 400)
	get("/jobs?status=nope", 400)
	get("/executors/"+poster, 404)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(srv.URL + "/search?q=" + jobCID.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/jobs/"+jobCID.String() {
		t.Fatalf("search for a job: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestResetEmptiesEveryMirrorTable: a rebuild's Reset empties every table
// but the contacts, the audit log and the migrations, so a table added by
// a migration and forgotten in chainTables fails here.
func TestResetEmptiesEveryMirrorTable(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	h := block(1)
	h.records = []record{
		executorRecord(t, exec1, 50_000, 10_000, meshv1.ExecutorStatus_EXECUTOR_STATUS_ACTIVE),
		jobRecord(t, assignedJob()),
		entryRecord(t, receipt1, exec1, dag.KindReceipt, 1, jobCID),
		proposalRecord(t, votingProposal(t)),
		voterRecord(t, 7, ann, &governancev1.Voter{Weight: 1}),
		{ref: delegationRef(cat, govOrg), value: marshal(t, &governancev1.Delegation{Org: govOrg, Delegator: cat, Delegate: ann})},
		{ref: policyRef(govOrg), value: marshal(t, &governancev1.Policy{})},
	}
	if err := apply(ctx, ix.pool, "c", h); err != nil {
		t.Fatal(err)
	}
	if err := ix.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := ix.pool.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{"member_contacts": true, "sync_audit": true, "schema_migrations": true}
	checked := 0
	for _, tab := range tables {
		if kept[tab] {
			continue
		}
		var n int
		if err := ix.pool.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{tab}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("table %s keeps %d rows after Reset: add it to chainTables", tab, n)
		}
		checked++
	}
	if checked < 22 {
		t.Fatalf("checked %d tables", checked)
	}
}
