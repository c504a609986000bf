package mesh

import (
	"testing"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// TestAuthorization: every mesh message acts for ctx.Authority only, and
// each one that touches another's record refuses whoever is not its owner,
// with an exact code. Governance may send post_job and cancel_job for an
// organization (its rows say "any organization"); the executor messages
// are never sent through governance (GovernanceNever), since only a key
// can sign a receipt; set_mesh_params only through the root federation's.
func TestAuthorization(t *testing.T) {
	rows := map[string]modules.Governance{}
	for _, r := range (Module{k: new(Keeper)}).Messages() {
		rows[r.Name] = r.Governance
	}
	want := map[string]modules.Governance{
		"register_executor": modules.GovernanceNever, "update_executor": modules.GovernanceNever,
		"leave_executor": modules.GovernanceNever, "bid": modules.GovernanceNever, "submit_receipt": modules.GovernanceNever,
		"commit_receipt": modules.GovernanceNever,
		"post_job":       modules.GovernanceAny, "cancel_job": modules.GovernanceAny,
		"set_mesh_params": modules.GovernanceRoot,
	}
	for name, g := range want {
		if rows[name] != g {
			t.Errorf("%s: governance %v, want %v", name, rows[name], g)
		}
	}
	if len(rows) != len(want) {
		t.Errorf("rows %v", rows)
	}

	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	// An "organization" authority with no signer (as governance runs it)
	// posts a job from its own mana, and only it may cancel it.
	org := nobody
	cache := e.ctx(2).WithAuthority(org)
	m := spec(1)
	if err := e.k.PostJob(cache, m); err != nil {
		t.Fatal(err)
	}
	job := JobID(org, m)
	if e.job(job).Poster != org || e.account(org).Escrowed != 10_000 {
		t.Fatal("the job is not the organization's")
	}
	e.bid(2, exA, job, 5)
	cases := []struct {
		name string
		by   string
		fn   func(modules.Context) error
		want *modules.Error
	}{
		{"cancel by a bidder", exA, func(ctx modules.Context) error { return e.k.CancelJob(ctx, &meshv1.MsgCancelJob{Job: job}) }, ErrUnauthorized},
		{"cancel by a stranger", exB, func(ctx modules.Context) error { return e.k.CancelJob(ctx, &meshv1.MsgCancelJob{Job: job}) }, ErrUnauthorized},
		{"update by a non-executor", exB, func(ctx modules.Context) error {
			return e.k.UpdateExecutor(ctx, &meshv1.MsgUpdateExecutor{Capabilities: caps(), PriceFloor: 1, Bond: 1000})
		}, ErrNotExecutor},
		{"leave by a non-executor", exB, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) }, ErrNotExecutor},
		{"bid by a non-executor", exB, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job, Price: 5}) }, ErrNotExecutor},
		{"another's receipt", exB, func(ctx modules.Context) error {
			return e.k.SubmitReceipt(ctx, &meshv1.MsgSubmitReceipt{Receipt: receiptFor(exA, job, "out", 1)})
		}, ErrUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.do(3, tc.by, tc.fn)
			wantCode(t, err, tc.want)
		})
	}
	// The organization cancels its own job.
	if err := e.k.CancelJob(e.ctx(3).WithAuthority(org), &meshv1.MsgCancelJob{Job: job}); err != nil {
		t.Fatal(err)
	}
	if e.account(org).Escrowed != 0 || e.executor(exA).Reserved != 0 {
		t.Fatal("cancel did not refund and release")
	}
}

// TestJobsPerBlockBound: at most max_jobs_per_block window closes run in
// one block; the rest run in the next, with the same outcome.
func TestJobsPerBlockBound(t *testing.T) {
	e := newEnv(t)
	p, _ := e.k.Params(e.ctx(1))
	p.MaxJobsPerBlock = 2
	if err := modules.Save(e.kv, ParamsKey(), p); err != nil {
		t.Fatal(err)
	}
	var jobs [][]byte
	for i := range 3 {
		m := spec(1)
		m.Sequence = uint64(i)
		jobs = append(jobs, e.post(2, m))
	}
	if got := eventsOf(e.endBlock(7), EventTypeJobFailed, "reason"); len(got) != 2 {
		t.Fatalf("first block closed %d windows, want 2", len(got))
	}
	if got := eventsOf(e.endBlock(8), EventTypeJobFailed, "reason"); len(got) != 1 {
		t.Fatalf("second block closed %d windows, want 1", len(got))
	}
	for _, j := range jobs {
		if e.job(j).Status != jobFailed {
			t.Fatalf("job %x is %s", j, e.job(j).Status)
		}
	}
}
