package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/executor"
	"github.com/intercooperative/icnd/executor/blockstore"
)

// Hand-assembled WASI command modules: _start returns at once, or loops
// forever.
var (
	wasmHeader = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type 0: () -> ()
		0x03, 0x02, 0x01, 0x00, // func 0: type 0
		0x07, 0x0a, 0x01, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00} // export _start
	progReturn = append(append([]byte{}, wasmHeader...), 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b)
	progLoop   = append(append([]byte{}, wasmHeader...), 0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b)
)

func testDaemon(t *testing.T, runTimeout time.Duration) (*Daemon, *blockstore.Store) {
	t.Helper()
	store, err := blockstore.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	state, err := openState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{cfg: Config{Blocks: store, RunTimeout: runTimeout, FetchTimeout: time.Second, Parallel: 1},
		state: state, log: slog.New(slog.DiscardHandler), m: NewMetrics(), jobs: map[string]*JobState{},
		running: map[string]bool{}, fetchAfter: map[string]time.Time{}, runtimes: map[uint32]*executor.Runtime{},
		ready: map[string]bool{}, prefetching: map[string]bool{}, prefetched: make(chan prefetchDone, 1)}
	t.Cleanup(d.closeRuntimes)
	return d, store
}

// TestExecute runs jobs with the real runtime and block store: a result is
// stored and recorded; the safety net gives no receipt; a missing block is
// a fetch failure, retried later.
func TestExecute(t *testing.T) {
	ctx := context.Background()
	// The safety net covers the whole run, compilation included, and a run
	// that outlives it gives no receipt even when the program returned: on
	// a loaded machine the returning program may take longer than the short
	// net the endless one gets below.
	d, store := testDaemon(t, time.Minute)
	input, err := store.Put([]byte("input"))
	if err != nil {
		t.Fatal(err)
	}
	put := func(mod []byte) string {
		c, err := store.Put(mod)
		if err != nil {
			t.Fatal(err)
		}
		return c.String()
	}
	job := func(module string) *client.JobView {
		return &client.JobView{ID: "bafkreijob", Module: module, Input: input.String(), FuelLimit: 1 << 40, MemoryPages: 1}
	}

	rec, fetchFailed, err := d.execute(ctx, job(put(progReturn)))
	if err != nil || fetchFailed {
		t.Fatal(err)
	}
	empty := client.RawCID(nil)
	if rec.Output != empty.String() || rec.Exit != 0 || rec.Status != "ok" || rec.Fuel != 1 {
		t.Fatalf("run: %+v", rec)
	}
	if !store.Has(empty) {
		t.Fatal("the output is not in the block store")
	}

	// The safety net: no result, and the state says so. The endless run
	// would use up its 2^40 fuel only after many minutes: ending within a
	// minute, it was the 300 ms net that stopped it, however loaded the
	// machine.
	d.cfg.RunTimeout = 300 * time.Millisecond
	start := time.Now()
	_, fetchFailed, err = d.execute(ctx, job(put(progLoop)))
	d.cfg.RunTimeout = time.Minute
	if !errors.Is(err, executor.ErrNoReceipt) || fetchFailed {
		t.Fatalf("an endless run: %v", err)
	}
	if took := time.Since(start); took > time.Minute {
		t.Fatalf("the safety net took %s", took)
	}
	st := &JobState{Job: "bafkreijob"}
	d.jobs[st.Job] = st
	d.running[st.Job] = true
	d.finishRun(ctx, runDone{job: st.Job, err: err}, 10)
	saved, _, _ := d.state.Load(st.Job)
	if saved.Run != nil || !strings.Contains(saved.NoReceipt, "no receipt") || d.running[st.Job] {
		t.Fatalf("after the safety net: %+v", saved)
	}

	// A block neither in the store nor reachable.
	missing := job(client.RawCID([]byte("elsewhere")).String())
	_, fetchFailed, err = d.execute(ctx, missing)
	if !fetchFailed || err == nil || !strings.Contains(err.Error(), "not in the block store and no peers configured") {
		t.Fatalf("a missing module: %v, %v", fetchFailed, err)
	}
	st2 := &JobState{Job: "bafkreijob2"}
	d.jobs[st2.Job] = st2
	d.finishRun(ctx, runDone{job: st2.Job, err: err, fetch: true}, 10)
	if st2.NoReceipt != "" || !d.fetchAfter[st2.Job].After(time.Now()) {
		t.Fatalf("a fetch failure is retried later: %+v", st2)
	}

	if n := testutil.ToFloat64(d.m.RunFailures.WithLabelValues("no receipt")); n != 1 {
		t.Errorf("no-receipt failures: %v", n)
	}
	if n := testutil.ToFloat64(d.m.RunFailures.WithLabelValues("fetch")); n != 1 {
		t.Errorf("fetch failures: %v", n)
	}

	// A job asking for memory no runtime can grant.
	bad := job(put(progReturn))
	bad.MemoryPages = 70_000
	if _, _, err := d.execute(ctx, bad); err == nil || !strings.Contains(err.Error(), "70000 memory pages") {
		t.Fatalf("70000 pages: %v", err)
	}
}

// panicNetwork is a peer network with a bug: its Fetch panics.
type panicNetwork struct{}

func (panicNetwork) Fetch(context.Context, cid.Cid) ([]byte, error) { panic("a bug in the fetch path") }
func (panicNetwork) Provide(context.Context, cid.Cid) error         { return nil }

// TestRunPanicDoesNotCrash: a panic while running a job (a bug in the
// fetcher, the instrumenter, wazero) ends that run with no result; the
// daemon, and its other jobs, live on.
func TestRunPanicDoesNotCrash(t *testing.T) {
	ctx := context.Background()
	d, _ := testDaemon(t, time.Second)
	d.cfg.Network = panicNetwork{}
	d.done = make(chan runDone, 1)
	st := &JobState{Job: "bafkreipanic"}
	d.jobs[st.Job] = st
	v := &client.JobView{ID: st.Job, Module: client.RawCID([]byte("module")).String(), Input: client.RawCID([]byte("input")).String(),
		FuelLimit: 100, MemoryPages: 1}
	d.startRun(ctx, st, v)
	select {
	case r := <-d.done:
		if r.err == nil || !strings.Contains(r.err.Error(), "a bug in the fetch path") {
			t.Fatalf("run of a panicking fetcher: %+v", r)
		}
	case <-time.After(time.Minute):
		t.Fatal("no result from a run that panicked")
	}
}

// TestHostErrorRetried: a run that fails on the executor's side (here the
// block store cannot take the output: its shard directory is a file) is not
// a result, and not the end of the job either: it is run again later, before
// the commit deadline, once the operator has fixed the machine. Giving up
// would leave the executor absent, and slashed, for a passing local fault.
func TestHostErrorRetried(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := blockstore.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := testDaemon(t, 10*time.Second)
	d.cfg.Blocks = store
	module, _ := store.Put(progReturn)
	input, _ := store.Put([]byte("input"))
	out := client.RawCID(nil).String()
	shard := filepath.Join(dir, out[len(out)-2:])
	if err := os.WriteFile(shard, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	v := &client.JobView{ID: "bafkreihost", Module: module.String(), Input: input.String(), FuelLimit: 100, MemoryPages: 1}
	rec, fetchFailed, err := d.execute(ctx, v)
	if err == nil || fetchFailed || rec != nil || !strings.Contains(err.Error(), "store the output") {
		t.Fatalf("a store that cannot take the output: %+v, %v, %v", rec, fetchFailed, err)
	}
	st := &JobState{Job: v.ID}
	d.jobs[st.Job] = st
	d.running[st.Job] = true
	d.finishRun(ctx, runDone{job: st.Job, err: err}, 10)
	saved, _, _ := d.state.Load(st.Job)
	if st.NoReceipt != "" || (saved != nil && saved.NoReceipt != "") || !d.fetchAfter[st.Job].After(time.Now()) || d.running[st.Job] {
		t.Fatalf("a host error is given up for good: %+v (retry after %v)", st, d.fetchAfter[st.Job])
	}
	if n := testutil.ToFloat64(d.m.RunFailures.WithLabelValues("host error")); n != 1 {
		t.Errorf("host errors: %v", n)
	}
	// Fixed: the next run gives the result.
	if err := os.Remove(shard); err != nil {
		t.Fatal(err)
	}
	if rec, _, err := d.execute(ctx, v); err != nil || rec.Output != out {
		t.Fatalf("after the fix: %+v, %v", rec, err)
	}
}

// TestRepeatedJobLookedAtOnce: a job the policy refuses is counted and
// logged once however often it comes back (a peer announcing it again and
// again, its event after an announcement), and a repeated announcement
// costs no chain query (the daemon here has no node: a query would panic).
func TestRepeatedJobLookedAtOnce(t *testing.T) {
	ctx := context.Background()
	d, _ := testDaemon(t, time.Second)
	d.me = &client.ExecutorView{DID: "did:icn:me", Status: "active", MaxFuel: 100, MemoryPages: 16, Kinds: []string{"wasi-p1"},
		PriceFloor: 1, Bond: 1000}
	job := client.RawCID([]byte("a job")).String()
	big := JobTerms{Poster: "did:icn:p", Kind: "wasi-p1", MemoryPages: 16, FuelLimit: 1_000_000, MaxPrice: 5}
	d.consider(5, job, big)
	d.consider(6, job, big)
	for range 100 {
		d.hint(ctx, job, 7)
	}
	if n := testutil.ToFloat64(d.m.JobsSeen); n != 1 {
		t.Fatalf("jobs seen: %v, want 1", n)
	}
	if len(d.jobs) != 0 {
		t.Fatalf("tracked: %v", d.jobs)
	}
}

// TestRunFailureLabels: a job's exit code does not become a label value, or
// a poster could make the executor export one series per code it picks.
func TestRunFailureLabels(t *testing.T) {
	d, _ := testDaemon(t, time.Second)
	for c := range uint64(3) {
		d.countRun(&RunRecord{Fuel: 10, Exit: uint64(executor.StatusExitBase) + 7 + c, Status: (executor.StatusExitBase + executor.Status(7+c)).String()})
	}
	d.countRun(&RunRecord{Fuel: 5, Exit: uint64(executor.StatusTrap), Status: executor.StatusTrap.String()})
	d.countRun(&RunRecord{Fuel: 5, Exit: uint64(executor.StatusOK), Status: executor.StatusOK.String()})
	if n := testutil.CollectAndCount(d.m.RunFailures); n != 2 {
		t.Fatalf("%d run_failures series, want 2 (exit, trap)", n)
	}
	if n := testutil.ToFloat64(d.m.RunFailures.WithLabelValues("exit")); n != 3 {
		t.Fatalf("exit failures: %v", n)
	}
	if n, f := testutil.ToFloat64(d.m.JobsRun), testutil.ToFloat64(d.m.FuelUsed); n != 5 || f != 40 {
		t.Fatalf("jobs run %v, fuel %v", n, f)
	}
}

// TestBidOnlyWhatCanRun: the daemon bids on a job only once its module and
// input are in its block store. One it cannot fetch is not bid on (and
// looked for again after a while), so a poster cannot get executors slashed
// as absent by posting a job whose blocks nobody serves.
func TestBidOnlyWhatCanRun(t *testing.T) {
	ctx := context.Background()
	d, store := testDaemon(t, time.Second)
	module := client.RawCID(progReturn)
	input, _ := store.Put([]byte("input"))
	st := &JobState{Job: "bafkreiprefetch"}
	d.jobs[st.Job] = st
	v := &client.JobView{ID: st.Job, Status: "open", Module: module.String(), Input: input.String(), FuelLimit: 100, MemoryPages: 1}
	if d.inputsReady(ctx, st, v) {
		t.Fatal("ready without the module")
	}
	var r prefetchDone
	select {
	case r = <-d.prefetched:
	case <-time.After(time.Minute):
		t.Fatal("the prefetch did not end")
	}
	if r.err == nil || !strings.Contains(r.err.Error(), "module "+module.String()) {
		t.Fatalf("prefetch of a missing module: %+v", r)
	}
	d.finishPrefetch(ctx, r, 10)
	if d.ready[st.Job] || d.prefetching[st.Job] || !d.fetchAfter[st.Job].After(time.Now()) {
		t.Fatalf("after a failed prefetch: ready %v, prefetching %v, retry after %v", d.ready[st.Job], d.prefetching[st.Job], d.fetchAfter[st.Job])
	}
	// Not looked for again before the retry time, even once it is there.
	if _, err := store.Put(progReturn); err != nil {
		t.Fatal(err)
	}
	if d.inputsReady(ctx, st, v) || d.prefetching[st.Job] {
		t.Fatal("looked for again at once")
	}
	d.fetchAfter[st.Job] = time.Now().Add(-time.Second)
	if !d.inputsReady(ctx, st, v) || !d.ready[st.Job] {
		t.Fatal("not ready with both blocks in the store")
	}
}

// TestPrefetchBounded: however many jobs are posted with blocks nobody
// serves, at most maxPrefetch fetches run at once; the others wait.
func TestPrefetchBounded(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, _ := testDaemon(t, time.Second)
	d.cfg.Network = blockingNetwork{}
	d.prefetched = make(chan prefetchDone)
	for i := range maxPrefetch + 5 {
		st := &JobState{Job: fmt.Sprintf("bafkreijob%d", i)}
		d.jobs[st.Job] = st
		v := &client.JobView{ID: st.Job, Module: client.RawCID([]byte(st.Job)).String(), Input: client.RawCID([]byte("in")).String(), MemoryPages: 1}
		d.inputsReady(ctx, st, v)
	}
	if len(d.prefetching) != maxPrefetch {
		t.Fatalf("%d fetches at once, want %d", len(d.prefetching), maxPrefetch)
	}
	cancel()
	d.wg.Wait()
}

// blockingNetwork serves nothing: a fetch waits until it is cancelled.
type blockingNetwork struct{}

func (blockingNetwork) Fetch(ctx context.Context, _ cid.Cid) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}
func (blockingNetwork) Provide(context.Context, cid.Cid) error { return nil }

// TestRunAgainAfterCommitment: an executor whose commitment is on chain but
// whose run result is gone (its state directory lost, a new machine) runs
// the job again after the commit deadline: the run is deterministic and the
// signature too, so it rebuilds the receipt it committed to and can still
// reveal it until the deadline, instead of being slashed as absent.
func TestRunAgainAfterCommitment(t *testing.T) {
	ctx := context.Background()
	d, store := testDaemon(t, 10*time.Second)
	d.done = make(chan runDone, 1)
	module, _ := store.Put(progReturn)
	input, _ := store.Put([]byte("input"))
	st := &JobState{Job: "bafkreicommitted"}
	d.jobs[st.Job] = st
	v := &client.JobView{ID: st.Job, Status: "assigned", Module: module.String(), Input: input.String(), FuelLimit: 100, MemoryPages: 1,
		CommitDeadline: 10, DeadlineHeight: 20}
	uncommitted := &client.BidView{Executor: "did:icn:me", Assigned: true}
	d.assigned(ctx, st, v, uncommitted, 12)
	if d.running[st.Job] {
		t.Fatal("ran after the commit deadline without a commitment: the result could never be committed")
	}
	committed := &client.BidView{Executor: "did:icn:me", Assigned: true, Commitment: "ab"}
	d.assigned(ctx, st, v, committed, 12)
	if !d.running[st.Job] {
		t.Fatal("did not run again a job it committed to, before the deadline")
	}
	select {
	case r := <-d.done:
		if r.err != nil || r.rec == nil || r.rec.Status != "ok" {
			t.Fatalf("run: %+v", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no result")
	}
	delete(d.running, st.Job)
	d.assigned(ctx, st, v, committed, 20)
	if d.running[st.Job] {
		t.Fatal("ran at the deadline: a reveal would land after it")
	}
}

// TestAdoptAssigned: a new state directory takes up the jobs the executor is
// assigned to on chain (their bid was made by a state now lost), and only
// those: not another executor's, not a bid that was not selected, not a job
// the directory already closed.
func TestAdoptAssigned(t *testing.T) {
	d, _ := testDaemon(t, time.Second)
	d.cfg.DID = "did:icn:me"
	mine := &client.JobView{ID: "bafkreimine", Status: "assigned", Bids: []*client.BidView{
		{Executor: "did:icn:other", Assigned: true}, {Executor: "did:icn:me", Assigned: true, Price: 3}}}
	others := &client.JobView{ID: "bafkreiothers", Status: "assigned", Bids: []*client.BidView{
		{Executor: "did:icn:other", Assigned: true}, {Executor: "did:icn:me"}}}
	closed := &client.JobView{ID: "bafkreiclosed", Status: "assigned", Bids: []*client.BidView{{Executor: "did:icn:me", Assigned: true}}}
	if err := d.state.Save(&JobState{Job: closed.ID, Closed: "skipped"}); err != nil {
		t.Fatal(err)
	}
	d.adopt(40, []*client.JobView{mine, others, closed})
	if len(d.jobs) != 1 || d.jobs[mine.ID] == nil || d.jobs[mine.ID].Price != 3 || d.jobs[mine.ID].Seen != 40 {
		t.Fatalf("tracked: %v", d.jobs)
	}
	saved, found, err := d.state.Load(mine.ID)
	if err != nil || !found || saved.Closed != "" {
		t.Fatalf("state of the adopted job: %+v, %v, %v", saved, found, err)
	}
	d.adopt(41, []*client.JobView{mine})
	if d.jobs[mine.ID].Seen != 40 {
		t.Fatal("taken up twice")
	}
}
