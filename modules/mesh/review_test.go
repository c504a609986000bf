package mesh

import (
	"fmt"
	"testing"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// setMaxJobsPerBlock lowers the per-block bound of the end-block hook.
func (e *env) setMaxJobsPerBlock(n uint32) {
	e.t.Helper()
	p, err := e.k.Params(e.ctx(1))
	if err != nil {
		e.t.Fatal(err)
	}
	p.MaxJobsPerBlock = n
	if err := modules.Save(e.kv, ParamsKey(), p); err != nil {
		e.t.Fatal(err)
	}
}

// TestDeferredSettlementAtDeadline: receipts agree in the deadline block,
// but the per-block bound defers the job's settlement; the deadline, drained
// in the same block, must settle the job rather than fail it. Before the
// fix, whoever filled the block's settlements (cheap self-posted jobs)
// turned another job's agreement into "no agreement by the deadline": its
// agreeing executors went unpaid.
func TestDeferredSettlementAtDeadline(t *testing.T) {
	e := newEnv(t)
	e.setMaxJobsPerBlock(1)
	e.register(1, exA, 1, 100_000)
	e.register(1, exB, 1, 100_000)
	// Windows close at 7 and 8; both deadlines are 17.
	var jobs [][]byte
	for i, d := range []string{exA, exB} {
		m := spec(1)
		m.Sequence, m.Deadline = uint64(i), 10-uint64(i)
		job := e.post(2+int64(i), m)
		e.bid(3+int64(i), d, job, 5)
		jobs = append(jobs, job)
	}
	e.endBlock(7)
	e.endBlock(8)
	for i, d := range []string{exA, exB} {
		if j := e.job(jobs[i]); j.Status != jobAssigned || j.DeadlineHeight != 17 {
			t.Fatalf("job %d: %s, deadline %d", i, j.Status, j.DeadlineHeight)
		}
		r := receiptFor(d, jobs[i], "out", 100)
		e.mustCommit(15, d, r)
		if err := e.submit(17, d, r); err != nil {
			t.Fatal(err)
		}
	}
	evs := e.endBlock(17)
	if got := eventsOf(evs, EventTypeJobFailed, "reason"); len(got) != 0 {
		t.Fatalf("a job whose receipts agreed before its deadline failed: %v", got)
	}
	if got := eventsOf(evs, EventTypeJobCompleted, "paid", "refunded"); fmt.Sprint(got) != "[paid=500 refunded=9500 paid=500 refunded=9500]" {
		t.Fatalf("completed: %v", got)
	}
	for i, d := range []string{exA, exB} {
		j := e.job(jobs[i])
		if j.Status != jobCompleted || j.Bids[0].Paid != 500 || j.ClosedHeight != 17 {
			t.Fatalf("job %d: %v", i, j)
		}
		if x := e.executor(d); x.Reputation != NeutralReputation+100 || x.Reserved != 0 || x.Open != 0 {
			t.Fatalf("%s: %v", d, x)
		}
	}
	// The deferred settlement entry, drained next block, changes nothing.
	if evs := e.endBlock(18); len(evs) != 0 {
		t.Fatalf("second settlement: %v", evs)
	}
}

// TestSelfBid: a poster that is also an executor may not bid on its own
// job (it would pay itself from its own escrow and gain reputation, hence
// mana capacity, for a few fees); it may bid on others' jobs.
func TestSelfBid(t *testing.T) {
	e := newEnv(t)
	e.register(1, poster, 1, 100_000)
	e.register(1, exA, 1, 100_000)
	job := e.post(2, spec(1))
	_, err := e.do(3, poster, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job, Price: 5}) })
	wantCode(t, err, ErrSelfDealing)
	if x := e.executor(poster); x.Reserved != 0 || x.Open != 0 {
		t.Fatalf("refused bid holds the bond: %v", x)
	}
	// exA's job takes the poster's bid.
	var other []byte
	e.must(3, exA, func(ctx modules.Context) error {
		m := spec(1)
		other = JobID(exA, m)
		return e.k.PostJob(ctx, m)
	})
	e.bid(4, poster, other, 5)
	if x := e.executor(poster); x.Reserved != 5000 || x.Open != 1 {
		t.Fatalf("bid on another's job: %v", x)
	}
}

// TestReputationGainInterval: an executor gains reputation at most once
// per reputation_gain_interval blocks, however many jobs it settles; it is
// paid for all of them. Without the bound, a seated member with a friend
// posting 1-fuel jobs farmed reputation to the maximum, doubling its
// membership capacity, at ~100 mana of fees per +100.
func TestReputationGainInterval(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	capacity0 := e.account(exA).Capacity
	var jobs [][]byte
	for i := range 5 {
		m := spec(1)
		m.FuelLimit, m.MaxPrice = 1, 1
		m.Sequence = uint64(i)
		job := e.post(2, m)
		e.bid(3, exA, job, 1)
		jobs = append(jobs, job)
	}
	e.endBlock(7)
	for _, job := range jobs {
		r := receiptFor(exA, job, "out", 1)
		e.mustCommit(8, exA, r)
		if err := e.submit(8, exA, r); err != nil {
			t.Fatal(err)
		}
	}
	evs := e.endBlock(8)
	want := "[outcome=agreed paid=1 reputation=10100 outcome=agreed paid=1 reputation=10100 outcome=agreed paid=1 reputation=10100 outcome=agreed paid=1 reputation=10100 outcome=agreed paid=1 reputation=10100]"
	if got := eventsOf(evs, EventTypeExecutorSettled, "outcome", "paid", "reputation"); fmt.Sprint(got) != want {
		t.Fatalf("settled:\n%v\nwant\n%s", got, want)
	}
	if x := e.executor(exA); x.Reputation != 10_100 || x.LastGainHeight != 8 {
		t.Fatalf("exA %v", x)
	}
	// exA is seated in a cooperative (bonus 20000): one gain, 20000 × 1%.
	if got := e.account(exA).Capacity; got != capacity0+200 {
		t.Fatalf("capacity %d, want %d", got, capacity0+200)
	}
	// 99 blocks later: still nothing; 100 blocks later: the next gain.
	settleOne := func(h int64, seq uint64) string {
		m := spec(1)
		m.FuelLimit, m.MaxPrice, m.BidWindow, m.Deadline = 1, 1, 1, 5
		m.Sequence = seq
		job := e.post(h, m)
		e.bid(h, exA, job, 1)
		e.endBlock(h + 1)
		r := receiptFor(exA, job, "out", 1)
		e.mustCommit(h+2, exA, r)
		if err := e.submit(h+2, exA, r); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(eventsOf(e.endBlock(h+2), EventTypeExecutorSettled, "reputation"))
	}
	if got := settleOne(105, 10); got != "[reputation=10100]" {
		t.Fatalf("gain at height 107 (99 blocks later): %s", got)
	}
	if got := settleOne(106, 11); got != "[reputation=10200]" {
		t.Fatalf("gain at height 108 (100 blocks later): %s", got)
	}
	if x := e.executor(exA); x.LastGainHeight != 108 {
		t.Fatalf("last gain %d", x.LastGainHeight)
	}
}

// TestReputationGainIntervalSurvivesLeaving: leaving and registering again
// keeps the height of the last gain, so it does not restart the interval.
func TestReputationGainIntervalSurvivesLeaving(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	settleOne := func(h int64, seq uint64) string {
		m := spec(1)
		m.FuelLimit, m.MaxPrice, m.BidWindow, m.Deadline = 1, 1, 1, 5
		m.Sequence = seq
		job := e.post(h, m)
		e.bid(h, exA, job, 1)
		e.endBlock(h + 1)
		r := receiptFor(exA, job, "out", 1)
		e.mustCommit(h+2, exA, r)
		if err := e.submit(h+2, exA, r); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(eventsOf(e.endBlock(h+2), EventTypeExecutorSettled, "reputation"))
	}
	if got := settleOne(2, 0); got != "[reputation=10100]" {
		t.Fatalf("first gain: %s", got)
	}
	e.must(5, exA, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) })
	e.register(6, exA, 1, 100_000)
	if x := e.executor(exA); x.Reputation != 10_100 || x.LastGainHeight != 4 {
		t.Fatalf("registered again: %v", x)
	}
	if got := settleOne(7, 1); got != "[reputation=10100]" {
		t.Fatalf("gain 5 blocks after the last one, across a leave: %s", got)
	}
}

// TestCancelAfterWindowClose: once the window has closed the poster can no
// longer cancel, even while the per-block bound defers the selection.
func TestCancelAfterWindowClose(t *testing.T) {
	e := newEnv(t)
	e.setMaxJobsPerBlock(1)
	e.register(1, exA, 1, 100_000)
	var jobs [][]byte
	for i := range 2 {
		m := spec(1)
		m.Sequence = uint64(i)
		job := e.post(2, m)
		e.bid(3, exA, job, 5)
		jobs = append(jobs, job)
	}
	e.endBlock(7) // one window close runs, the other waits
	var waiting []byte
	for _, j := range jobs {
		if e.job(j).Status == jobOpen {
			waiting = j
		}
	}
	if waiting == nil {
		t.Fatal("no selection was deferred")
	}
	_, err := e.do(8, poster, func(ctx modules.Context) error { return e.k.CancelJob(ctx, &meshv1.MsgCancelJob{Job: waiting}) })
	wantCode(t, err, ErrJobNotOpen)
	e.endBlock(8)
	if j := e.job(waiting); j.Status != jobAssigned || !j.Bids[0].Assigned {
		t.Fatalf("deferred selection: %v", j)
	}
}

// TestDeferredSelectionKeepsDeadline: a selection deferred by the
// per-block bound moves the deadline by as much, so the assigned executor
// keeps its whole deadline: a receipt at the moved deadline is accepted,
// and an absent executor is penalised only after it.
func TestDeferredSelectionKeepsDeadline(t *testing.T) {
	e := newEnv(t)
	e.setMaxJobsPerBlock(1)
	e.register(1, exA, 1, 100_000)
	e.register(1, exB, 1, 100_000)
	var jobs [][]byte
	for i, d := range []string{exA, exB} {
		m := spec(1)
		m.Sequence = uint64(i)
		job := e.post(2, m)
		e.bid(3, d, job, 5)
		jobs = append(jobs, job)
	}
	e.endBlock(7)
	evs := e.endBlock(8)
	if got := eventsOf(evs, EventTypeJobAssigned, "deadline"); fmt.Sprint(got) != "[deadline=18]" {
		t.Fatalf("deferred selection: %v", got)
	}
	late, who := jobs[1], exB
	if e.job(jobs[0]).DeadlineHeight == 18 {
		late, who = jobs[0], exA
	}
	if got := e.job(late).DeadlineHeight; got != 18 {
		t.Fatalf("deadline %d, want 18", got)
	}
	// The other job's deadline (17) passes; the late one's executor still
	// has block 18.
	e.endBlock(17)
	r := receiptFor(who, late, "out", 100)
	// The commit deadline moved with it: 16, not 15.
	e.mustCommit(16, who, r)
	if err := e.submit(18, who, r); err != nil {
		t.Fatalf("receipt at the moved deadline: %v", err)
	}
	if got := eventsOf(e.endBlock(18), EventTypeJobCompleted, "paid"); fmt.Sprint(got) != "[paid=500]" {
		t.Fatalf("completed: %v", got)
	}
}

// TestFullJobEvictsWorstBid: a job with max_bids_per_job bids takes a bid
// that ranks strictly before its worst one, which it replaces (its hold
// released); a bid that does not is mesh/18. Before, the first bidders
// locked every later, better bid out of the job.
func TestFullJobEvictsWorstBid(t *testing.T) {
	e := newEnv(t)
	p, _ := e.k.Params(e.ctx(1))
	p.MaxBidsPerJob = 2
	if err := modules.Save(e.kv, ParamsKey(), p); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{exA, exB, exC} {
		e.register(1, d, 1, 100_000)
	}
	job := e.post(2, spec(1))
	e.bid(2, exA, job, 9)
	e.bid(2, exB, job, 8)
	bid := func(d string, price uint64) ([]modules.Event, error) {
		return e.do(3, d, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job, Price: price}) })
	}
	_, err := bid(exC, 9) // ties with the worst: refused
	wantCode(t, err, ErrTooManyBids)
	_, err = bid(exC, 10) // worse than the worst
	wantCode(t, err, ErrTooManyBids)
	if x := e.executor(exC); x.Reserved != 0 || x.Open != 0 {
		t.Fatalf("refused bids hold exC's bond: %v", x)
	}
	evs, err := bid(exC, 7)
	if err != nil {
		t.Fatal(err)
	}
	if got := eventsOf(evs, EventTypeBidEvicted, "executor", "by"); fmt.Sprint(got) != fmt.Sprintf("[executor=%s by=%s]", exA, exC) {
		t.Fatalf("evicted: %v", got)
	}
	if x := e.executor(exA); x.Reserved != 0 || x.Open != 0 {
		t.Fatalf("evicted exA still holds: %v", x)
	}
	if x := e.executor(exC); x.Reserved != 7000 || x.Open != 1 {
		t.Fatalf("exC: %v", x)
	}
	j := e.job(job)
	if len(j.Bids) != 2 || j.Bids[0].Executor != exB || j.Bids[1].Executor != exC {
		t.Fatalf("bids: %v", j.Bids)
	}
	e.endBlock(7)
	if j := e.job(job); !j.Bids[1].Assigned || j.Bids[0].Assigned {
		t.Fatalf("selection: %v", j.Bids)
	}
}

// TestGenesisEscrowsMustExist: a mesh section whose bonds and job escrows
// the mana section does not hold is refused at InitChain (mesh/29), not
// left to stop the chain at the end of a later block when the job settles.
func TestGenesisEscrowsMustExist(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	job := e.post(2, spec(1))
	e.bid(2, exA, job, 5)
	g, err := e.k.ExportGenesis(e.ctx(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(allDIDs); err != nil {
		t.Fatal(err)
	}
	// A fresh chain whose mana section has the accounts but no escrows.
	f := newEnv(t)
	wantCode(t, f.k.InitGenesis(f.ctx(1), g), ErrInvalidGenesis)
	// With the bond but a job escrow of another amount: refused too.
	f = newEnv(t)
	f.must(1, exA, func(ctx modules.Context) error { return f.mana.Lock(ctx, exA, BondEscrowID(exA), 100_000) })
	f.must(1, poster, func(ctx modules.Context) error { return f.mana.Lock(ctx, poster, job, 9_999) })
	wantCode(t, f.k.InitGenesis(f.ctx(1), g), ErrInvalidGenesis)
	// With both: accepted.
	f = newEnv(t)
	f.must(1, exA, func(ctx modules.Context) error { return f.mana.Lock(ctx, exA, BondEscrowID(exA), 100_000) })
	f.must(1, poster, func(ctx modules.Context) error { return f.mana.Lock(ctx, poster, job, 10_000) })
	if err := f.k.InitGenesis(f.ctx(1), g); err != nil {
		t.Fatal(err)
	}
}

// TestSlowExecutorNotAbsent: with k = 2 of 3 agreeing early, the third
// executor still has until the deadline: its agreeing receipt, sent later,
// is paid and gains like the others. Before, the job settled as soon as
// two agreed and the third, honest but slower, lost 500 of reputation as
// "absent" (five gains' worth) in every such job.
func TestSlowExecutorNotAbsent(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB, exC} {
		e.register(1, d, 1, 100_000)
	}
	job := e.post(2, spec(3))
	for _, d := range []string{exA, exB, exC} {
		e.bid(3, d, job, 5)
	}
	e.endBlock(7)
	for _, d := range []string{exA, exB} {
		e.mustCommit(8, d, receiptFor(d, job, "out", 100))
	}
	if evs := e.endBlock(8); len(evs) != 0 {
		t.Fatalf("settled while exC may still answer: %v", evs)
	}
	// exC commits last, which closes the commit phase; all reveal.
	e.mustCommit(11, exC, receiptFor(exC, job, "out", 100))
	for _, d := range []string{exA, exB} {
		if err := e.submit(11, d, receiptFor(d, job, "out", 100)); err != nil {
			t.Fatal(err)
		}
	}
	if evs := e.endBlock(11); len(evs) != 0 {
		t.Fatalf("settled while exC may still reveal: %v", evs)
	}
	if err := e.submit(12, exC, receiptFor(exC, job, "out", 100)); err != nil {
		t.Fatalf("exC's receipt before the deadline: %v", err)
	}
	evs := e.endBlock(12)
	want := fmt.Sprintf("[executor=%s outcome=agreed paid=500 reputation=10100 executor=%s outcome=agreed paid=500 reputation=10100 executor=%s outcome=agreed paid=500 reputation=10100]", exA, exB, exC)
	if got := eventsOf(evs, EventTypeExecutorSettled, "executor", "outcome", "paid", "reputation"); fmt.Sprint(got) != want {
		t.Fatalf("settled:\n%v\nwant\n%s", got, want)
	}
	if j := e.job(job); j.Status != jobCompleted || j.ClosedHeight != 12 || j.Refunded != 30_000-1500 {
		t.Fatalf("job %v", j)
	}
}
