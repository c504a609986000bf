package e2e

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	carv2 "github.com/ipld/go-car/v2"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/daemon"
	"github.com/intercooperative/icnd/modules/mesh"
)

// execProc is one `icnd executor start` process.
type execProc struct {
	t       *testing.T
	name    string
	home    string
	logPath string
	cmd     *exec.Cmd
	log     *os.File
}

func startExecutor(t *testing.T, name, home string) *execProc {
	t.Helper()
	e := &execProc{t: t, name: name, home: home, logPath: filepath.Join(home, "executor.log")}
	e.start()
	t.Cleanup(func() {
		if e.cmd != nil {
			e.stop(syscall.SIGKILL)
		}
		if t.Failed() {
			t.Logf("---- last lines of %s ----\n%s", e.name, tail(e.logPath, 40))
		}
	})
	return e
}

func (e *execProc) start() {
	e.t.Helper()
	log, err := os.OpenFile(e.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(icndBin, "executor", "start", "--home", e.home)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start %s: %v", e.name, err)
	}
	e.cmd, e.log = cmd, log
}

// stop sends sig and waits for the process; it returns its exit error.
func (e *execProc) stop(sig syscall.Signal) error {
	e.t.Helper()
	_ = e.cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- e.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		_ = e.cmd.Process.Kill()
		err = fmt.Errorf("%s did not exit within 20s of %v: %v", e.name, sig, <-done)
	}
	e.log.Close()
	e.cmd = nil
	return err
}

// waitLog waits until the log has a line matching re and returns it.
func (e *execProc) waitLog(re *regexp.Regexp, timeout time.Duration) string {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if lines := matchingLines(e.logPath, re); len(lines) > 0 {
			return lines[0]
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: no log line matching %s within %s\n%s", e.name, re, timeout, tail(e.logPath, 30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func matchingLines(path string, re *regexp.Regexp) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if re.MatchString(sc.Text()) {
			out = append(out, sc.Text())
		}
	}
	return out
}

// jobState reads the executor's state file of job.
func (e *execProc) jobState(job string) *daemon.JobState {
	e.t.Helper()
	bz, err := os.ReadFile(filepath.Join(e.home, daemon.DefaultStateDir, "jobs", job+".json"))
	if err != nil {
		e.t.Fatal(err)
	}
	var st daemon.JobState
	if err := json.Unmarshal(bz, &st); err != nil {
		e.t.Fatal(err)
	}
	return &st
}

// buildSHA256Job compiles testdata/sha256job for WASI preview 1.
func buildSHA256Job(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sha256.wasm")
	cmd := exec.Command("go", "build", "-o", out, "./testdata/sha256job")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build the job: %v\n%s", err, b)
	}
	mod, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

// TestExecutor runs two `icnd executor start` processes, node1's and
// node2's keys, against a 4-validator network, with libp2p between them. A
// WASI program compiled from Go here (the hex SHA-256 of its input) and its
// inputs are put into executor A's block store only; B fetches them from A.
// Job one: both bid, both run, their receipts agree, the job settles with
// the output the test computes itself. Job two: A is killed (SIGKILL) as
// soon as it has broadcast its commitment and restarted; it resumes from
// its state and the chain holds exactly one receipt from each executor,
// its state and log one commitment and one reveal. Before it, A's node
// restarts, and a transaction signed with A's key by hand makes A's
// sequence stale: A reconnects, and corrects its sequence. Job three: both bid,
// then both are stopped (SIGTERM: a clean exit) before the window closes;
// the job fails at its deadline, the escrow comes back whole and both are
// slashed as absent.
func TestExecutor(t *testing.T) {
	n := startNetwork(t, 4)
	n.waitHeight(2, 60*time.Second, all(4)...)
	nodes := n.manifest.Nodes
	module := buildSHA256Job(t)
	flags := func(i int) []string {
		return []string{"--from", nodes[i].KeyName, "--keyring-backend", "test", "--yes", "--output", "json"}
	}
	tx := func(i int, args ...string) {
		t.Helper()
		if res := n.txJSON(t, i, append(args, flags(i)...)...); res.Code != 0 {
			t.Fatalf("icnd %s: %+v", strings.Join(args, " "), res)
		}
	}
	job := func(id string) *client.JobView {
		t.Helper()
		var out struct {
			Result client.JobView `json:"result"`
		}
		decodeJSON(t, n.cli(t, 0, "query", "mesh", "job", id, "--output", "json"), &out)
		return &out.Result
	}
	waitJob := func(id string, timeout time.Duration, done func(*client.JobView) bool) *client.JobView {
		t.Helper()
		deadline := time.Now().Add(timeout)
		for {
			v := job(id)
			if done(v) {
				return v
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s: still %s after %s: %+v", id, v.Status, timeout, v)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	status := func(s string) func(*client.JobView) bool {
		return func(v *client.JobView) bool { return v.Status == s }
	}
	post := func(input []byte, bidWindow, deadline string) string {
		t.Helper()
		var posted struct {
			txOut
			CID string `json:"cid"`
		}
		decodeJSON(t, n.cli(t, 0, append([]string{"tx", "mesh", "post-job", "--module", client.RawCID(module).String(),
			"--input", client.RawCID(input).String(), "--fuel-limit", "500000000", "--max-price", "2", "--replication", "2",
			"--memory-pages", "512", "--bid-window", bidWindow, "--deadline", deadline}, flags(0)...)...), &posted)
		if posted.Code != 0 || posted.CID == "" {
			t.Fatalf("post-job: %+v", posted)
		}
		return posted.CID
	}

	// node1 and node2 register; each executor signs with its node's key.
	for _, i := range []int{1, 2} {
		tx(i, "tx", "mesh", "register-executor", "--bond", "2000000000", "--price-floor", "1",
			"--max-fuel", "1000000000", "--memory-pages", "1024", "--kind", "wasi-p1")
	}
	// node3 never registered: the daemon refuses to start, and says what to do.
	unregistered := filepath.Join(t.TempDir(), "execC")
	runCLI(t, "executor", "init", "--home", unregistered, "--node", nodes[3].RPC, "--key", nodes[3].KeyName,
		"--keyring-backend", "test", "--keyring-dir", nodes[3].Home, "--no-p2p", "--metrics-listen", "none")
	if _, stderr, err := runCLIResult("executor", "start", "--home", unregistered); err == nil ||
		!strings.Contains(stderr, nodes[3].DID+" has no executor record on chain icn-e2e") || !strings.Contains(stderr, "icnd tx mesh register-executor") {
		t.Fatalf("an unregistered executor started: %v\n%s", err, stderr)
	}
	homes := []string{filepath.Join(t.TempDir(), "execA"), filepath.Join(t.TempDir(), "execB")}
	p2pAddr := func(k int) string { return fmt.Sprintf("/ip4/%s/tcp/4010", nodes[k+1].IP) }
	metricsAddr := func(k int) string { return nodes[k+1].IP + ":26670" }
	initExec := func(k int, extra ...string) {
		t.Helper()
		i := k + 1
		runCLI(t, append([]string{"executor", "init", "--home", homes[k], "--node", nodes[i].RPC, "--key", nodes[i].KeyName,
			"--keyring-backend", "test", "--keyring-dir", nodes[i].Home, "--p2p-listen", p2pAddr(k),
			"--metrics-listen", metricsAddr(k), "--log-level", "debug"}, extra...)...)
	}
	initExec(0)
	a := startExecutor(t, "executor A", homes[0])
	line := a.waitLog(regexp.MustCompile(`libp2p host up`), 30*time.Second)
	peer := regexp.MustCompile(regexp.QuoteMeta(p2pAddr(0)) + `/p2p/\w+`).FindString(line)
	if peer == "" {
		t.Fatalf("no address %s/p2p/... in %q", p2pAddr(0), line)
	}
	initExec(1, "--bootstrap", peer)
	b := startExecutor(t, "executor B", homes[1])
	a.waitLog(regexp.MustCompile(`executor started`), 30*time.Second)
	b.waitLog(regexp.MustCompile(`executor started`), 30*time.Second)

	// The module and the inputs are in A's block store only.
	storeA, err := blockstore.Open(filepath.Join(homes[0], daemon.DefaultBlocksDir), 0)
	if err != nil {
		t.Fatal(err)
	}
	inputs := [][]byte{[]byte("the first job's input\n"), []byte(strings.Repeat("job two ", 1000)), []byte("job three")}
	for _, blk := range append([][]byte{module}, inputs...) {
		if _, err := storeA.Put(blk); err != nil {
			t.Fatal(err)
		}
	}
	expected := func(input []byte) string {
		return client.RawCID(fmt.Appendf(nil, "%x\n", sha256.Sum256(input))).String()
	}
	before := scrape(t, metricsAddr(0))

	// Job one: both bid, run, agree; the job settles.
	one := post(inputs[0], "8", "100")
	done := waitJob(one, 90*time.Second, status("completed"))
	if done.Output != expected(inputs[0]) || done.Exit != 0 || done.Fuel == 0 || len(done.Bids) != 2 {
		t.Fatalf("job one: %+v (want output %s)", done, expected(inputs[0]))
	}
	for _, bid := range done.Bids {
		if !bid.Assigned || bid.Receipt == "" || bid.Output != done.Output || bid.Fuel != done.Fuel || bid.Exit != 0 || bid.Paid != bid.Price*done.Fuel {
			t.Fatalf("job one, %s: %+v", bid.Executor, bid)
		}
	}
	t.Logf("job one: output %s, fuel %d", done.Output, done.Fuel)
	// B ran it from blocks fetched from A over libp2p.
	storeB, err := blockstore.Open(filepath.Join(homes[1], daemon.DefaultBlocksDir), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !storeB.Has(client.RawCID(module)) || !storeB.Has(client.RawCID(inputs[0])) {
		t.Fatal("executor B's store lacks the module or the input it ran")
	}
	// Each executor saw the settlement and closed its state.
	waitFor(t, 20*time.Second, func() bool { return a.jobState(one).Closed != "" && b.jobState(one).Closed != "" })
	for _, st := range []*daemon.JobState{a.jobState(one), b.jobState(one)} {
		if st.Closed != "completed" || st.Outcome != "agreed" || st.Bid.Sent() != 1 || st.Commit.Sent() != 1 || st.Reveal.Sent() != 1 ||
			st.Run == nil || st.Run.Output != done.Output || st.Run.Fuel != done.Fuel {
			t.Fatalf("state of job one: %+v", st)
		}
	}
	// The first run instruments and compiles the module; a machine as
	// loaded as the tests' takes seconds.
	t.Logf("job one ran in %d ms on A, %d ms on B", a.jobState(one).Run.Millis, b.jobState(one).Run.Millis)
	// The metrics moved: A saw, bid on, ran, committed and revealed one job.
	after := scrape(t, metricsAddr(0))
	for _, m := range []struct {
		name, outcome string
		delta         float64
	}{
		{"icn_executor_jobs_seen_total", "", 1}, {"icn_executor_bids_sent_total", "", 1}, {"icn_executor_jobs_run_total", "", 1},
		{"icn_executor_fuel_used_total", "", float64(done.Fuel)}, {"icn_executor_receipts_committed_total", "", 1},
		{"icn_executor_receipts_accepted_total", "", 1}, {"icn_executor_jobs_settled_total", "agreed", 1},
	} {
		var labels map[string]string
		if m.outcome != "" {
			labels = map[string]string{"outcome": m.outcome}
		}
		if got := sample(after, m.name, labels) - max(sample(before, m.name, labels), 0); got != m.delta {
			t.Errorf("%s %v moved by %v, want %v", m.name, labels, got, m.delta)
		}
	}
	// Anyone can re-check job one: `icnd job verify` re-runs it from blocks
	// in A's store, reads the job with a proof cross-checked by witnesses,
	// and finds both receipts matching.
	witnesses := nodes[2].RPC + "," + nodes[3].RPC
	var verified struct {
		Match  bool   `json:"match"`
		Output string `json:"output"`
		Local  struct {
			Fuel   uint64 `json:"fuel"`
			Output string `json:"output"`
		} `json:"local"`
		Receipts []struct {
			Executor string `json:"executor"`
			Match    bool   `json:"match"`
		} `json:"receipts"`
	}
	storeDirA := filepath.Join(homes[0], daemon.DefaultBlocksDir)
	decodeJSON(t, n.cli(t, 0, "job", "verify", one, "--store", storeDirA, "--witnesses", witnesses, "--output", "json"), &verified)
	if !verified.Match || verified.Local.Output != done.Output || verified.Local.Fuel != done.Fuel || len(verified.Receipts) != 2 {
		t.Fatalf("job verify of job one: %+v", verified)
	}
	for _, r := range verified.Receipts {
		if !r.Match {
			t.Fatalf("job verify: %s's receipt does not match: %+v", r.Executor, verified)
		}
	}
	// ... and export its DAG as a CAR file: B's receipt comes from B over
	// libp2p. go-car's own reader finds every block under its CID.
	peerB := regexp.MustCompile(regexp.QuoteMeta(p2pAddr(1)) + `/p2p/\w+`).FindString(b.waitLog(regexp.MustCompile(`libp2p host up`), 10*time.Second))
	carFile := filepath.Join(t.TempDir(), "job-one.car")
	n.cli(t, 0, "dag", "export-car", one, carFile, "--store", storeDirA, "--peer", peerB)
	want := map[string]bool{one: true, client.RawCID(module).String(): true, client.RawCID(inputs[0]).String(): true, done.Output: true}
	for _, bid := range done.Bids {
		want[bid.Receipt] = true
	}
	checkCAR(t, carFile, want)

	// node1's key signs a transaction behind A's back: A's next sequence
	// is stale, the node refuses its next transaction, and A corrects it.
	anchored := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(anchored, []byte("signed by hand"), 0o600); err != nil {
		t.Fatal(err)
	}
	tx(1, "tx", "dag", "anchor", "--file", anchored, "--kind", "document")

	// A's node restarts: A loses its websocket and its polls fail until
	// the node is back, then it processes the heights it missed.
	n.kill(1, syscall.SIGTERM)
	time.Sleep(2 * time.Second)
	n.start(1)
	n.waitHeight(n.height(0)+1, 60*time.Second, 1)
	a.waitLog(regexp.MustCompile(`following the chain failed; retrying`), 10*time.Second)

	// Job two: A is killed right after broadcasting its commitment, then
	// restarted.
	two := post(inputs[1], "8", "100")
	a.waitLog(regexp.MustCompile(`msg="commit sent" job=`+two), 90*time.Second)
	if err := a.stop(syscall.SIGKILL); err == nil {
		t.Fatal("executor A survived SIGKILL")
	}
	a.start()
	done = waitJob(two, 90*time.Second, status("completed"))
	if done.Output != expected(inputs[1]) || len(done.Bids) != 2 {
		t.Fatalf("job two: %+v", done)
	}
	for _, bid := range done.Bids {
		if bid.Receipt == "" || bid.Output != done.Output {
			t.Fatalf("job two, %s: %+v", bid.Executor, bid)
		}
	}
	var links client.LinksView
	var out struct {
		Result json.RawMessage `json:"result"`
	}
	decodeJSON(t, n.cli(t, 0, "query", "dag", "links", two, "--output", "json"), &out)
	decodeJSON(t, string(out.Result), &links)
	if len(links.From) != 2 {
		t.Fatalf("receipts anchored for job two: %+v", links.From)
	}
	// A's state file was written before the kill and read after it: one
	// commitment and one reveal.
	waitFor(t, 20*time.Second, func() bool { return a.jobState(two).Closed != "" })
	st := a.jobState(two)
	if st.Commit.Sent() != 1 || st.Reveal.Sent() != 1 || st.Closed != "completed" || st.Outcome != "agreed" {
		t.Fatalf("A's state of job two: %+v", st)
	}
	// Its bid was first refused for the stale sequence, then sent once.
	if st.Bid.Sent() != 1 || len(st.Bid.Attempts) != 2 || !strings.Contains(st.Bid.Attempts[0].Refused, "wrong sequence") {
		t.Fatalf("A's bids on job two: %+v", st.Bid)
	}
	jobLine := func(msg string) *regexp.Regexp { return regexp.MustCompile(`msg="` + msg + `" job=` + two) }
	if got := len(matchingLines(a.logPath, jobLine("commit sent"))); got != 1 {
		t.Fatalf("A logged %d commitments for job two", got)
	}
	if got := len(matchingLines(a.logPath, jobLine("reveal sent"))); got != 1 {
		t.Fatalf("A logged %d reveals for job two", got)
	}
	if len(matchingLines(a.logPath, jobLine("resuming job"))) != 1 {
		t.Fatal("A did not resume job two from its state")
	}

	// Job three: both bid, then both stop before the window closes. The
	// chain does not wait for the test: seeing the bids (a query every
	// 300 ms, each an icnd process) and stopping both executors must fit
	// in the blocks left of the window, or the executors are assigned, run
	// and commit first. A window of 24 blocks leaves some 20 after the
	// bids, and both are stopped at once; the job is checked to be still
	// open after the stops, so that a window too short says so.
	three := post(inputs[2], "24", "6")
	waitJob(three, 30*time.Second, func(v *client.JobView) bool { return len(v.Bids) == 2 })
	stopped := make(chan error, 2)
	for _, e := range []*execProc{a, b} {
		go func() {
			if err := e.stop(syscall.SIGTERM); err != nil {
				stopped <- fmt.Errorf("%s did not stop cleanly on SIGTERM: %v", e.name, err)
				return
			}
			stopped <- nil
		}()
	}
	for range 2 {
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []*execProc{a, b} {
		e.waitLog(regexp.MustCompile(`executor stopped`), time.Second)
	}
	if v := job(three); v.Status != "open" {
		t.Fatalf("job three left the bid window (%s) before both executors were stopped: %+v", v.Status, v)
	}
	failed := waitJob(three, 90*time.Second, status("failed"))
	if failed.Reason != mesh.ReasonNoAgreement || failed.Refunded != failed.Escrow || failed.Escrow != 2*2*500_000_000 {
		t.Fatalf("job three: %+v", failed)
	}
	for _, bid := range failed.Bids {
		if !bid.Assigned || bid.Receipt != "" || bid.Commitment != "" || bid.Slashed != bid.Price*500_000_000/5 || bid.Paid != 0 {
			t.Fatalf("job three, %s: %+v", bid.Executor, bid)
		}
	}
}

func waitFor(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkCAR reads a CARv1 file with go-car's own block reader, checks every
// block's bytes against its CID, and requires exactly the CIDs of want.
func checkCAR(t *testing.T, path string, want map[string]bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br, err := carv2.NewBlockReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	got := map[string]bool{}
	for {
		blk, err := br.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		c, err := blk.Cid().Prefix().Sum(blk.RawData())
		if err != nil || !c.Equals(blk.Cid()) {
			t.Fatalf("%s: block %s hashes to %s (%v)", path, blk.Cid(), c, err)
		}
		got[blk.Cid().String()] = true
	}
	if len(got) != len(want) {
		t.Fatalf("%s holds %d blocks %v, want %d %v", path, len(got), got, len(want), want)
	}
	for c := range want {
		if !got[c] {
			t.Fatalf("%s lacks block %s; it holds %v", path, c, got)
		}
	}
}
