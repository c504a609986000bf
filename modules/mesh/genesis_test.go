package mesh

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

var allDIDs = map[string]bool{poster: true, exA: true, exB: true, exC: true, exD: true, nobody: true}

// TestGenesisRoundTrip: a state with an open job, an assigned job with an
// agreeing receipt and a completed job exports to a section that
// validates, and that imports into a state that exports the same and
// settles the same.
func TestGenesisRoundTrip(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB, exC} {
		e.register(1, d, 1, 100_000)
	}
	done := e.post(2, spec(1))
	e.bid(2, exA, done, 5)
	m := spec(1)
	m.Sequence = 1
	assigned := e.post(2, m)
	e.bid(2, exB, assigned, 6)
	e.endBlock(7)
	ra := receiptFor(exA, done, "out", 10)
	e.mustCommit(8, exA, ra)
	if err := e.submit(8, exA, ra); err != nil {
		t.Fatal(err)
	}
	e.endBlock(8)
	m2 := spec(3)
	m2.Sequence = 2
	open := e.post(9, m2)
	e.bid(9, exC, open, 7)

	g, err := e.k.ExportGenesis(e.ctx(9))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Executors) != 3 || len(g.Jobs) != 3 {
		t.Fatalf("exported %d executors and %d jobs", len(g.Executors), len(g.Jobs))
	}
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var back Genesis
	if err := modules.DecodeGenesis(raw, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(allDIDs); err != nil {
		t.Fatal(err)
	}
	f := newEnv(t)
	// The escrows live in the mana section: carry it over too.
	mg, err := e.mana.ExportGenesis(e.ctx(9))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.mana.InitGenesis(f.ctx(10), mg, []string{exA, exB, exC, exD, nobody, poster}); err != nil {
		t.Fatal(err)
	}
	if err := f.k.InitGenesis(f.ctx(10), back); err != nil {
		t.Fatal(err)
	}
	// exA's reputation (10100) scales its cooperative bonus again after
	// the import, as before the export.
	if got, want := f.account(exA).Capacity, e.account(exA).Capacity; got != want || want != 1_020_200 {
		t.Fatalf("exA's capacity after import %d, before %d, want 1020200", got, want)
	}
	again, err := f.k.ExportGenesis(f.ctx(10))
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := json.Marshal(again)
	if string(raw) != string(raw2) {
		t.Fatalf("re-export differs:\n%s\n%s", raw, raw2)
	}
	// The imported state keeps the schedules: the open job's window closes
	// at 14 (9 + 5), and the assigned job fails at its deadline 17.
	if got := f.job(open).WindowClose; got != 14 {
		t.Fatalf("window close %d", got)
	}
	for h := int64(10); h <= 17; h++ {
		f.endBlock(h)
	}
	if f.job(open).Status != meshv1.JobStatus_JOB_STATUS_FAILED || f.job(assigned).Status != meshv1.JobStatus_JOB_STATUS_FAILED {
		t.Fatalf("imported schedules did not run: %s, %s", f.job(open).Status, f.job(assigned).Status)
	}
}

func TestGenesisValidate(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	e.register(1, exB, 1, 100_000)
	job := e.post(2, spec(1))
	e.bid(2, exA, job, 5)
	e.bid(2, exB, job, 5)
	good, err := e.k.ExportGenesis(e.ctx(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := good.Validate(allDIDs); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(g *Genesis){
		"no params":                    func(g *Genesis) { g.Params = nil },
		"unregistered":                 func(g *Genesis) { g.Executors[0].Did = "did:icn:zz" },
		"executor twice":               func(g *Genesis) { g.Executors = append(g.Executors, g.Executors[0]) },
		"reservation mismatch":         func(g *Genesis) { g.Executors[0].Reserved = 1 },
		"job id not derived":           func(g *Genesis) { g.Jobs[0].Id[0] ^= 1 },
		"escrow mismatch":              func(g *Genesis) { g.Jobs[0].Escrow++ },
		"bid of unknown":               func(g *Genesis) { g.Jobs[0].Bids[0].Executor = exB },
		"bad status":                   func(g *Genesis) { g.Jobs[0].Status = 9 },
		"reputation above the ceiling": func(g *Genesis) { g.Executors[0].Reputation = ReputationCeiling + 1 },
		"terms hold fewer bids": func(g *Genesis) {
			g.Jobs[0].Bids = append(g.Jobs[0].Bids, g.Jobs[0].Bids[0])
			g.Jobs[0].Terms.MaxBids = 1
		},
		"terms max_bids 0":               func(g *Genesis) { g.Jobs[0].Terms.MaxBids = 0 },
		"terms max_bids above 64":        func(g *Genesis) { g.Jobs[0].Terms.MaxBids = MaxBidsPerJob + 1 },
		"terms slash above 10000":        func(g *Genesis) { g.Jobs[0].Terms.SlashBps = 10_001 },
		"terms absent slash above 10000": func(g *Genesis) { g.Jobs[0].Terms.SlashAbsentBps = 10_001 },
		"left with a bond":               func(g *Genesis) { g.Executors[0].Status = statusLeft },
		"commitment on an open bid":      func(g *Genesis) { g.Jobs[0].Bids[0].Commitment = make([]byte, 32) },
		"short commitment": func(g *Genesis) {
			g.Jobs[0].Status, g.Jobs[0].CommitDeadline = jobAssigned, g.Jobs[0].DeadlineHeight-1
			g.Jobs[0].Bids[0].Assigned, g.Jobs[0].Bids[0].Commitment = true, make([]byte, 31)
		},
		"commit deadline at the deadline": func(g *Genesis) {
			g.Jobs[0].Status, g.Jobs[0].CommitDeadline, g.Jobs[0].Bids[0].Assigned = jobAssigned, g.Jobs[0].DeadlineHeight, true
		},
		"slash_absent_bps above 10000": func(g *Genesis) { g.Params.SlashAbsentBps = 10_001 },
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			g, _ := e.k.ExportGenesis(e.ctx(2))
			mutate(&g)
			wantCode(t, g.Validate(allDIDs), ErrInvalidGenesis)
		})
	}
}

// TestGenesisAfterParamsChange: what a params change leaves behind
// validates, so that such a chain exports and restarts: a reputation above
// a lowered max_reputation, a job with more bids than a lowered
// max_bids_per_job (its terms allow them), and a job recorded before jobs
// carried terms.
func TestGenesisAfterParamsChange(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	e.register(1, exB, 1, 100_000)
	job := e.post(2, spec(1))
	e.bid(2, exA, job, 5)
	e.bid(2, exB, job, 5)
	g, err := e.k.ExportGenesis(e.ctx(2))
	if err != nil {
		t.Fatal(err)
	}
	g.Params.MaxBidsPerJob = 1
	g.Params.MaxReputation = NeutralReputation
	g.Executors[0].Reputation = NeutralReputation + 500
	if err := g.Validate(allDIDs); err != nil {
		t.Fatal(err)
	}
	g.Jobs[0].Terms = nil
	if err := g.Validate(allDIDs); err != nil {
		t.Fatal(err)
	}
}

// TestGenesisJobWithoutTerms: a job recorded before jobs carried terms (a
// genesis written by an older release) gets, at import, those of the
// genesis params, under which it was posted; a later params change then
// cannot raise the slash on the bond its bid reserved, as for any job
// posted on this chain.
func TestGenesisJobWithoutTerms(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	job := e.post(2, spec(1)) // window closes at 7, deadline 17
	e.bid(2, exA, job, 5)     // reserves 5000
	e.endBlock(7)
	g, err := e.k.ExportGenesis(e.ctx(7))
	if err != nil {
		t.Fatal(err)
	}
	g.Jobs[0].Terms = nil
	if err := g.Validate(allDIDs); err != nil {
		t.Fatal(err)
	}
	f := newEnv(t)
	mg, err := e.mana.ExportGenesis(e.ctx(7))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.mana.InitGenesis(f.ctx(8), mg, []string{exA, exB, exC, exD, nobody, poster}); err != nil {
		t.Fatal(err)
	}
	if err := f.k.InitGenesis(f.ctx(8), g); err != nil {
		t.Fatal(err)
	}
	want := newTerms(DefaultParams())
	if got := f.job(job).Terms; got == nil || *got != *want {
		t.Fatalf("terms after import: %v, want %v", got, want)
	}
	p := DefaultParams()
	p.SlashBps, p.SlashAbsentBps = 10_000, 10_000
	if _, err := f.setParams(8, root, p); err != nil {
		t.Fatal(err)
	}
	f.endBlock(8)
	// exA never answers: at the deadline it loses the 2000 bps it bid
	// under (1000 of 5000), not the 10000 the params say now.
	evs := f.endBlock(17)
	if got := eventsOf(evs, EventTypeExecutorSettled, "executor", "outcome", "slashed"); fmt.Sprint(got) != fmt.Sprintf("[executor=%s outcome=absent slashed=1000]", exA) {
		t.Fatalf("settled at the deadline: %v", got)
	}
	if x := f.executor(exA); x.Bond != 99_000 {
		t.Fatalf("exA %v", x)
	}
}
