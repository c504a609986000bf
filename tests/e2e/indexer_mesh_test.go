package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/indexer"
	"github.com/intercooperative/icnd/internal/pgtest"
)

// meshTables are the mesh's and the dag's mirror tables.
var meshTables = []string{"mesh_executors", "mesh_jobs", "mesh_bids", "mesh_receipts", "dag_entries"}

// TestIndexerMesh runs a 2-validator network, PostgreSQL and the indexer
// while jobs go through the mesh: one completes (node1 executes node0's
// job, and node0 anchors a note linking to it), one is cancelled while
// node0's bid holds part of its bond (no event names node0: the mirror
// must re-read the job's bidders), one fails at its deadline, and node0
// leaves. The mirror's jobs, bids, receipts and executors then equal what
// the chain answers; the API and the explorer show them; a rebuild equals
// the live mirror and so does a mirror that read the whole state at the
// last height.
func TestIndexerMesh(t *testing.T) {
	pg := pgtest.New(t)
	ctx := context.Background()
	dbName, err := pg.CreateDatabase(ctx, "indexer_mesh")
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgx.Connect(ctx, pg.DSN(dbName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)

	n := startNetwork(t, 2)
	n.waitHeight(2, 60*time.Second, all(2)...)
	nodes := n.manifest.Nodes
	logDir := t.TempDir()
	listen := freeAddr(t)
	api := "http://" + listen
	ixArgs := []string{"--node", nodes[0].RPC, "--db", pg.URL(dbName), "--listen", listen,
		"--home", nodes[0].Home, "--trust-dir", filepath.Join(logDir, "trust")}
	ix := startIndexer(t, logDir, append([]string{"start"}, ixArgs...)...)

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
	query := func(v any, args ...string) {
		t.Helper()
		var out struct {
			Result json.RawMessage `json:"result"`
		}
		decodeJSON(t, n.cli(t, 0, append(append([]string{"query"}, args...), "--output", "json")...), &out)
		decodeJSON(t, string(out.Result), v)
	}
	post := func(i int, args ...string) string {
		t.Helper()
		var posted struct {
			txOut
			CID string `json:"cid"`
		}
		module, input := client.RawCID([]byte("module.wasm")), client.RawCID([]byte("input"))
		decodeJSON(t, n.cli(t, i, append(append([]string{"tx", "mesh", "post-job", "--module", module.String(), "--input", input.String()}, args...), flags(i)...)...), &posted)
		if posted.Code != 0 || posted.CID == "" {
			t.Fatalf("post-job: %+v", posted)
		}
		return posted.CID
	}
	waitStatus := func(id, status string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			var v client.JobView
			query(&v, "mesh", "job", id)
			if v.Status == status {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s is %s, not %s", id, v.Status, status)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	tx(1, "tx", "mesh", "register-executor", "--bond", "50000", "--price-floor", "1", "--kind", "wasi-p1")
	tx(0, "tx", "mesh", "register-executor", "--bond", "1000", "--price-floor", "1")

	// Job one completes: node1 is paid 8 × 700.
	one := post(0, "--fuel-limit", "1000", "--max-price", "10", "--replication", "1", "--bid-window", "6", "--deadline", "30")
	tx(1, "tx", "mesh", "bid", one, "--price", "8")
	waitStatus(one, "assigned")
	var rc struct {
		txOut
		CID string `json:"cid"`
	}
	out := client.RawCID([]byte("the output"))
	// node1 commits to its receipt, then (the only executor: the commit
	// phase is over) reveals it.
	block := filepath.Join(t.TempDir(), "receipt.cbor")
	tx(1, "tx", "mesh", "commit-receipt", "--job", one, "--output-cid", out.String(), "--fuel", "700", "--write", block)
	decodeJSON(t, n.cli(t, 1, append([]string{"tx", "mesh", "submit-receipt", block}, flags(1)...)...), &rc)
	if rc.Code != 0 {
		t.Fatalf("receipt: %+v", rc)
	}
	waitStatus(one, "completed")
	note := client.RawCID([]byte("minutes: the job ran"))
	tx(0, "tx", "dag", "anchor", note.String(), "--kind", "note", "--link", one)

	// Job two is cancelled with node0's bid on it.
	two := post(1, "--fuel-limit", "100", "--max-price", "5", "--bid-window", "40", "--deadline", "4")
	tx(0, "tx", "mesh", "bid", two, "--price", "5")
	cancelled := tx(1, "tx", "mesh", "cancel-job", two)
	waitIndexed(t, db, cancelled.Height, 30*time.Second)
	var chainExec client.ExecutorView
	query(&chainExec, "mesh", "executor", nodes[0].DID, "--height", strconv.FormatInt(cancelled.Height, 10))
	var mirrorExec indexer.ExecutorDetail
	waitAPI(t, api)
	getAPI(t, api+"/v1/executors/"+nodes[0].DID, 200, &mirrorExec)
	if chainExec.Reserved != 0 || chainExec.Open != 0 || mirrorExec.Executor.Reserved != "0" || mirrorExec.Executor.Open != 0 {
		t.Errorf("node0 after the cancellation freed its bid: chain %+v, mirror %+v", chainExec, mirrorExec.Executor)
	}

	// Job three fails: node0 is assigned and never answers.
	three := post(1, "--fuel-limit", "100", "--max-price", "5", "--bid-window", "6", "--deadline", "4")
	tx(0, "tx", "mesh", "bid", three, "--price", "4")
	waitStatus(three, "failed")
	left := tx(0, "tx", "mesh", "leave")

	// Nothing changes the mesh after node0 leaves: the chain read at that
	// height and the mirror, once it is indexed, must agree.
	waitIndexed(t, db, left.Height, 60*time.Second)
	at := []string{"--height", strconv.FormatInt(left.Height, 10)}

	// The jobs: the mirror's rows equal the chain's records.
	waitAPI(t, api)
	for _, id := range []string{one, two, three} {
		var chain client.JobView
		query(&chain, append([]string{"mesh", "job", id}, at...)...)
		var mirror indexer.JobDetail
		getAPI(t, api+"/v1/jobs/"+id, 200, &mirror)
		if got, want := jobText(mirror), chainJobText(&chain); got != want {
			t.Errorf("job %s:\nmirror %s\nchain  %s", id, got, want)
		}
		if (id == one) != (len(mirror.Receipts) == 1) {
			t.Errorf("job %s: receipts %+v", id, mirror.Receipts)
		}
	}
	var done indexer.JobDetail
	getAPI(t, api+"/v1/jobs/"+one, 200, &done)
	var entry client.EntryView
	query(&entry, append([]string{"dag", "entry", rc.CID, "--anchorer", nodes[1].DID}, at...)...)
	r := done.Receipts[0]
	if r.CID != rc.CID || r.Executor != nodes[1].DID || r.Output != out.String() || r.Fuel != "700" || r.AnchoredHeight != entry.Height || entry.Height == 0 {
		t.Errorf("receipt in the mirror %+v, entry on chain %+v", r, entry)
	}
	links := map[string]string{}
	for _, l := range done.Links {
		links[l.CID] = l.Kind + " " + l.Anchorer
	}
	if len(links) != 2 || links[rc.CID] != "receipt "+nodes[1].DID || links[note.String()] != "note "+nodes[0].DID {
		t.Errorf("dag entries linking to job one: %v", links)
	}

	// The executors: the mirror's rows equal the chain's records.
	var chainExecs []client.ExecutorView
	query(&chainExecs, append([]string{"mesh", "executors"}, at...)...)
	var mirrorExecs struct{ Items []indexer.Executor }
	getAPI(t, api+"/v1/executors", 200, &mirrorExecs)
	var got, want []string
	for _, e := range mirrorExecs.Items {
		got = append(got, fmt.Sprintf("%s %s bond %s reserved %s open %d reputation %s floor %s kinds %v", e.DID, e.Status, e.Bond, e.Reserved, e.Open, e.Reputation, e.PriceFloor, e.Kinds))
	}
	for _, e := range chainExecs {
		want = append(want, fmt.Sprintf("%s %s bond %d reserved %d open %d reputation %d floor %d kinds %v", e.DID, e.Status, e.Bond, e.Reserved, e.Open, e.Reputation, e.PriceFloor, e.Kinds))
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != 2 {
		t.Errorf("executors:\nmirror %s\nchain  %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
	}
	var earner indexer.ExecutorDetail
	getAPI(t, api+"/v1/executors/"+nodes[1].DID, 200, &earner)
	if earner.Earned != "5600" || len(earner.Bids) != 1 || earner.Bids[0].JobStatus != "completed" {
		t.Errorf("node1 as an executor: %+v", earner)
	}
	getAPI(t, api+"/v1/jobs/not-a-job", 400, nil)
	getAPI(t, api+"/v1/executors/"+nodes[0].DID+"x", 400, nil)

	t.Run("explorer in headless Chromium", func(t *testing.T) {
		dir := t.ArtifactDir()
		for _, p := range []struct {
			name, path string
			want       []string
		}{
			{"jobs", "/jobs", []string{one, "completed", "cancelled", "failed", nodes[1].DID[:8]}},
			{"job", "/jobs/" + one, []string{rc.CID, out.String(), note.String(), "receipt", "note", "5600"}},
			{"executor", "/executors/" + nodes[1].DID, []string{"5600", "wasi-p1", one[:8]}},
		} {
			dom := chromium(t, "--dump-dom", api+p.path)
			for _, w := range p.want {
				if !strings.Contains(dom, w) {
					t.Errorf("%s page lacks %q", p.name, w)
				}
			}
			shot := filepath.Join(dir, p.name+".png")
			chromium(t, "--screenshot="+shot, api+p.path)
			if st, err := os.Stat(shot); err != nil || st.Size() < 1000 {
				t.Errorf("screenshot %s: %v", shot, err)
			}
		}
		t.Logf("screenshots in %s", dir)
	})

	// A rebuild equals the live mirror, table by table.
	if err := ix.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("the indexer did not stop cleanly on SIGTERM: %v", err)
	}
	last := indexedHeight(t, db)
	tables := append(append([]string{}, mirrorTables...), meshTables...)
	live := tableDigests(t, db, tables)
	rb := startIndexer(t, logDir, append([]string{"rebuild", "--stop-height", fmt.Sprint(last)}, ixArgs...)...)
	if err := rb.cmd.Wait(); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	rebuilt := tableDigests(t, db, tables)
	for _, tab := range tables {
		if live[tab] != rebuilt[tab] {
			t.Errorf("table %s: live %s, rebuilt %s", tab, live[tab], rebuilt[tab])
		}
	}
	t.Logf("rebuilt %d heights: %v", last, rebuilt)

	// The tables kept from events equal the state read whole at the last
	// height: no event that changed a mesh record was missed.
	scanDB, err := pg.CreateDatabase(ctx, "indexer_mesh_scan")
	if err != nil {
		t.Fatal(err)
	}
	scanArgs := append([]string{"start", "--from-height", fmt.Sprint(last), "--stop-height", fmt.Sprint(last)}, ixArgs...)
	scanArgs[slicesIndex(scanArgs, "--db")+1] = pg.URL(scanDB)
	scanArgs[slicesIndex(scanArgs, "--listen")+1] = ""
	sc := startIndexer(t, logDir, scanArgs...)
	if err := sc.cmd.Wait(); err != nil {
		t.Fatalf("index from height %d: %v", last, err)
	}
	sdb, err := pgx.Connect(ctx, pg.DSN(scanDB))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close(ctx)
	for _, tab := range append([]string{"mana_accounts"}, meshTables...) {
		a, b := stateDigest(t, db, tab), stateDigest(t, sdb, tab)
		if a != b {
			t.Errorf("table %s kept from events differs from the state read at height %d:\n%s\n%s", tab, last, a, b)
		}
		if a == "" {
			t.Errorf("table %s is empty: the comparison checks nothing", tab)
		}
	}
}

// jobText and chainJobText render a job, its bids and receipts, from the
// mirror and from the chain, in one form.
func jobText(d indexer.JobDetail) string {
	j := d.Job
	s := fmt.Sprintf("%s %s poster %s escrow %s k %d/%d window %d commit %d deadline %d output %q fuel %s refunded %s reason %q closed %d",
		j.ID, j.Status, j.Poster, j.Escrow, j.Agreement, j.Replication, j.WindowClose, j.CommitDeadline, j.DeadlineHeight, j.Output, j.Fuel,
		j.Refunded, j.Reason, j.ClosedHeight)
	receipts := map[string]indexer.Receipt{}
	for _, r := range d.Receipts {
		receipts[r.Executor] = r
	}
	for _, b := range d.Bids {
		r := receipts[b.Executor]
		s += fmt.Sprintf("; bid %s %s assigned %v commitment %q paid %s slashed %s receipt %q %q %s", b.Executor, b.Price, b.Assigned,
			b.Commitment, b.Paid, b.Slashed, r.CID, r.Output, orZero(r.Fuel))
	}
	return s
}

func chainJobText(j *client.JobView) string {
	output, fuel := j.Output, strconv.FormatUint(j.Fuel, 10)
	s := fmt.Sprintf("%s %s poster %s escrow %d k %d/%d window %d commit %d deadline %d output %q fuel %s refunded %d reason %q closed %d",
		j.ID, j.Status, j.Poster, j.Escrow, j.Agreement, j.Replication, j.WindowClose, j.CommitDeadline, j.DeadlineHeight, output, fuel,
		j.Refunded, j.Reason, j.ClosedHeight)
	for _, b := range j.Bids {
		s += fmt.Sprintf("; bid %s %d assigned %v commitment %q paid %d slashed %d receipt %q %q %d", b.Executor, b.Price, b.Assigned,
			b.Commitment, b.Paid, b.Slashed, b.Receipt, b.Output, b.Fuel)
	}
	return s
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// waitAPI waits until the indexer's API answers.
func waitAPI(t *testing.T, api string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(api + "/v1/status")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the indexer's API at %s does not answer: %v", api, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// getAPI GETs url, checks the status and decodes the body into v (if v
// is not nil).
func getAPI(t *testing.T, url string, want int, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body) //nolint:errcheck // a short body fails the decode below
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d %s, want %d", url, resp.StatusCode, body.String(), want)
	}
	if v != nil {
		if err := json.Unmarshal(body.Bytes(), v); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
}

// chromium runs headless Chromium (Debian's package) with args and
// returns its output.
func chromium(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (make install-chromium): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--window-size=412,915", "--hide-scrollbars"}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}
