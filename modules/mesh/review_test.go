package mesh

import (
	"fmt"
	"testing"

	"github.com/intercooperative/icnd/modules"
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
	var jobs [][]byte
	for i, d := range []string{exA, exB} {
		m := spec(1)
		m.Sequence = uint64(i)
		job := e.post(2, m)
		e.bid(3, d, job, 5)
		jobs = append(jobs, job)
	}
	e.endBlock(7)
	e.endBlock(8) // the second window close, deferred by the bound
	for i, d := range []string{exA, exB} {
		if j := e.job(jobs[i]); j.Status != jobAssigned || j.DeadlineHeight != 17 {
			t.Fatalf("job %d: %s, deadline %d", i, j.Status, j.DeadlineHeight)
		}
		if err := e.submit(17, d, receiptFor(d, jobs[i], "out", 100)); err != nil {
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
