package mesh

import (
	"fmt"
	"testing"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// setParams runs set_mesh_params with p at h on behalf of by.
func (e *env) setParams(h int64, by string, p *meshv1.Params) ([]modules.Event, error) {
	return e.do(h, by, func(ctx modules.Context) error {
		return e.k.SetMeshParams(ctx, &meshv1.MsgSetMeshParams{Params: p})
	})
}

func (e *env) params() *meshv1.Params {
	e.t.Helper()
	p, err := e.k.Params(e.ctx(0))
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// TestSetMeshParams: only the root federation changes the params, only to
// params ValidateParams accepts; the change waits until the block's
// end-of-block hook has run and applies from the next block.
func TestSetMeshParams(t *testing.T) {
	e := newEnv(t)
	p := DefaultParams()
	p.MinBond, p.MaxBidsPerJob = 500, 4
	for _, by := range []string{exA, nobody, poster} {
		_, err := e.setParams(2, by, p)
		wantCode(t, err, ErrNotRoot)
	}
	invalid := map[string]func(*meshv1.Params){
		"max_bids_per_job 0":         func(p *meshv1.Params) { p.MaxBidsPerJob = 0 },
		"max_bids_per_job 65":        func(p *meshv1.Params) { p.MaxBidsPerJob = MaxBidsPerJob + 1 },
		"max_jobs_per_block 0":       func(p *meshv1.Params) { p.MaxJobsPerBlock = 0 },
		"min_bond 0":                 func(p *meshv1.Params) { p.MinBond = 0 },
		"slash_bps 10001":            func(p *meshv1.Params) { p.SlashBps = 10_001 },
		"slash_absent_bps 10001":     func(p *meshv1.Params) { p.SlashAbsentBps = 10_001 },
		"max_reputation below 10000": func(p *meshv1.Params) { p.MaxReputation = NeutralReputation - 1 },
		"gain above the cap":         func(p *meshv1.Params) { p.ReputationGain = p.MaxReputation + 1 },
		"max_bid_window 0":           func(p *meshv1.Params) { p.MaxBidWindow = 0 },
		"max_deadline 0":             func(p *meshv1.Params) { p.MaxDeadline = 0 },
		// post_job takes no deadline below MinDeadline: no job could be posted.
		"max_deadline 1":           func(p *meshv1.Params) { p.MaxDeadline = MinDeadline - 1 },
		"gain interval above 10^6": func(p *meshv1.Params) { p.ReputationGainInterval = 1_000_001 },
	}
	for name, mutate := range invalid {
		t.Run(name, func(t *testing.T) {
			bad := DefaultParams()
			mutate(bad)
			wantCode(t, ValidateSetMeshParams(&meshv1.MsgSetMeshParams{Params: bad}), ErrInvalidParams)
			_, err := e.setParams(2, root, bad)
			wantCode(t, err, ErrInvalidParams)
		})
	}
	wantCode(t, ValidateSetMeshParams(&meshv1.MsgSetMeshParams{}), ErrInvalidParams)
	if e.kv.Has(PendingParamsKey()) || e.params().MinBond != DefaultParams().MinBond {
		t.Fatal("a refused change wrote params")
	}

	evs, err := e.setParams(2, root, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := eventsOf(evs, EventTypeParamsSet, "by"); fmt.Sprint(got) != fmt.Sprintf("[by=%s]", root) {
		t.Fatalf("events %v", got)
	}
	// Within the block the old params hold: a bond of 100 still registers.
	e.register(2, exA, 1, 100)
	e.endBlock(2)
	if got := e.params(); got.MinBond != 500 || got.MaxBidsPerJob != 4 || e.kv.Has(PendingParamsKey()) {
		t.Fatalf("params after the block: %v (pending left: %v)", got, e.kv.Has(PendingParamsKey()))
	}
	_, err = e.do(3, exB, func(ctx modules.Context) error {
		return e.k.RegisterExecutor(ctx, &meshv1.MsgRegisterExecutor{Capabilities: caps(), PriceFloor: 1, Bond: 100})
	})
	wantCode(t, err, ErrInvalidBond)
}

// TestParamsChangeKeepsJobTerms: a job posted before a change keeps its
// window, deadline, bid limit and slashes, although every one of them is
// tightened; new jobs get the new limits; the end-of-block hook of the
// block that changed max_jobs_per_block still used the old one.
func TestParamsChangeKeepsJobTerms(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB, exC, exD} {
		e.register(1, d, 1, 100_000)
	}
	// exA's reputation is 15000; lowering max_reputation below it must not
	// make its agreeing receipt cost it reputation.
	x := e.executor(exA)
	x.Reputation = 15_000
	if err := e.k.setExecutor(e.ctx(1), x); err != nil {
		t.Fatal(err)
	}
	three := e.post(2, spec(3)) // window closes at 7, deadline 17
	one := e.post(2, spec(1))
	p := DefaultParams()
	p.MaxBidsPerJob, p.MaxBidWindow, p.MaxDeadline = 1, 1, 2
	p.SlashBps, p.SlashAbsentBps, p.MaxReputation = 10_000, 10_000, NeutralReputation
	if _, err := e.setParams(3, root, p); err != nil {
		t.Fatal(err)
	}
	e.endBlock(3)

	// Three bids on a job whose terms allow 16, under params that allow 1.
	e.bid(4, exA, three, 10)
	e.bid(4, exB, three, 8)
	e.bid(4, exC, three, 6)
	e.bid(4, exD, one, 5)
	if j := e.job(three); len(j.Bids) != 3 || j.WindowClose != 7 || j.DeadlineHeight != 17 {
		t.Fatalf("old job after the change: %d bids, window %d, deadline %d", len(j.Bids), j.WindowClose, j.DeadlineHeight)
	}
	// New jobs follow the new params.
	for name, m := range map[string]*meshv1.MsgPostJob{"window 5": spec(1), "replication 2": spec(2)} {
		m.Input = testCID(0x55, name).Bytes()
		if name == "replication 2" {
			m.BidWindow, m.Deadline = 1, 2
		}
		_, err := e.do(4, poster, func(ctx modules.Context) error { return e.k.PostJob(ctx, m) })
		wantCode(t, err, ErrInvalidJob)
	}

	// A second change lowers max_jobs_per_block to 1 in the block where
	// both windows close: that block's hook still closes both.
	p2 := DefaultParams()
	p2.MaxJobsPerBlock = 1
	p2.MaxBidsPerJob, p2.MaxBidWindow, p2.MaxDeadline = 1, 1, 2
	p2.SlashBps, p2.SlashAbsentBps, p2.MaxReputation = 10_000, 10_000, NeutralReputation
	if _, err := e.setParams(7, root, p2); err != nil {
		t.Fatal(err)
	}
	evs := e.endBlock(7)
	if got := eventsOf(evs, EventTypeJobAssigned, "deadline", "commit_deadline"); fmt.Sprint(got) != "[deadline=17 commit_deadline=15 deadline=17 commit_deadline=15]" {
		t.Fatalf("assigned %v", got)
	}
	if e.params().MaxJobsPerBlock != 1 {
		t.Fatal("the second change did not apply")
	}

	// The old job settles with the slash_bps it was posted under (5000):
	// exC's bid reserved 6000, it loses 3000, not 6000.
	ra, rb, rc := receiptFor(exA, three, "out", 700), receiptFor(exB, three, "out", 700), receiptFor(exC, three, "wrong", 700)
	e.mustCommit(8, exA, ra, exB, rb, exC, rc)
	for _, r := range []struct {
		d     string
		block []byte
	}{{exA, ra}, {exB, rb}, {exC, rc}} {
		if err := e.submit(8, r.d, r.block); err != nil {
			t.Fatal(err)
		}
	}
	evs = e.endBlock(8)
	want := []string{
		fmt.Sprintf("executor=%s outcome=agreed slashed=0 reputation=15000", exA),
		fmt.Sprintf("executor=%s outcome=agreed slashed=0 reputation=10000", exB),
		fmt.Sprintf("executor=%s outcome=disagreed slashed=3000 reputation=9000", exC),
	}
	if got := eventsOf(evs, EventTypeExecutorSettled, "executor", "outcome", "slashed", "reputation"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("settled:\n%v\nwant\n%v", got, want)
	}
	if x := e.executor(exC); x.Bond != 97_000 || e.escrowAmount(BondEscrowID(exC)) != 97_000 {
		t.Fatalf("exC %v", x)
	}
	// The other job's executor never answers: at the deadline it loses the
	// slash_absent_bps of its terms (2000 of the 5000 it reserved).
	evs = e.endBlock(17)
	if got := eventsOf(evs, EventTypeExecutorSettled, "executor", "outcome", "slashed"); fmt.Sprint(got) != fmt.Sprintf("[executor=%s outcome=absent slashed=1000]", exD) {
		t.Fatalf("settled at the deadline: %v", got)
	}
	if x := e.executor(exD); x.Bond != 99_000 {
		t.Fatalf("exD %v", x)
	}
}

// TestRaisedMinBond: an executor registered under a lower min_bond stays
// registered and keeps bidding with the bond it has; min_bond binds only
// when an executor sets its bond: registering, and updating its offer,
// which must then bring the bond up to min_bond. Leaving returns the
// whole bond.
func TestRaisedMinBond(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	p := DefaultParams()
	p.MinBond = 200_000
	if _, err := e.setParams(2, root, p); err != nil {
		t.Fatal(err)
	}
	e.endBlock(2)
	if x := e.executor(exA); x.Status != statusActive || x.Bond != 100_000 {
		t.Fatalf("exA after the raise: %v", x)
	}
	job := e.post(3, spec(1))
	e.bid(3, exA, job, 5)
	update := func(bond uint64) error {
		_, err := e.do(4, exA, func(ctx modules.Context) error {
			return e.k.UpdateExecutor(ctx, &meshv1.MsgUpdateExecutor{Capabilities: caps(), PriceFloor: 2, Bond: bond})
		})
		return err
	}
	wantCode(t, update(100_000), ErrInvalidBond)
	wantCode(t, update(150_000), ErrInvalidBond)
	_, err := e.do(4, exB, func(ctx modules.Context) error {
		return e.k.RegisterExecutor(ctx, &meshv1.MsgRegisterExecutor{Capabilities: caps(), PriceFloor: 1, Bond: 100_000})
	})
	wantCode(t, err, ErrInvalidBond)
	if err := update(200_000); err != nil {
		t.Fatal(err)
	}
	if x := e.executor(exA); x.Bond != 200_000 || x.Reserved != 5000 || e.escrowAmount(BondEscrowID(exA)) != 200_000 {
		t.Fatalf("exA after topping up: %v", x)
	}
	e.must(5, exA, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) })
	e.endBlock(8) // the window closes: exA left, so the job fails and its bid is released
	if x := e.executor(exA); x.Status != statusLeft || x.Bond != 0 || e.account(exA).Escrowed != 0 {
		t.Fatalf("exA after leaving: %v, account %v", x, e.account(exA))
	}
}
