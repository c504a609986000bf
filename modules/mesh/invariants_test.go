package mesh

import (
	"math/rand"
	"testing"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// checkInvariants checks doc.go's invariants over the whole mesh state.
func checkInvariants(t *testing.T, e *env) {
	t.Helper()
	ctx := e.ctx(0)
	held := map[string]uint64{}
	open := map[string]uint32{}
	err := modules.Walk(ctx.Store, JobsPrefix(), func(_ []byte, j *meshv1.Job) (bool, error) {
		var paid uint64
		for _, b := range j.Bids {
			if len(b.Commitment) != 0 && !b.Assigned || len(b.Receipt) != 0 && len(b.Commitment) == 0 {
				t.Fatalf("job %x: bid of %s with commitment %x (assigned %v) and receipt %x", j.Id, b.Executor, b.Commitment, b.Assigned, b.Receipt)
			}
			if j.Status == jobOpen || j.Status == jobAssigned && b.Assigned {
				held[b.Executor] += b.Reserved
				open[b.Executor]++
			}
			paid += b.Paid
		}
		switch j.Status {
		case jobOpen, jobAssigned:
			if got := e.escrowAmount(j.Id); got != j.Escrow {
				t.Fatalf("job %x (%s) escrow holds %d, want %d", j.Id, j.Status, got, j.Escrow)
			}
		default:
			if got := e.escrowAmount(j.Id); got != 0 {
				t.Fatalf("closed job %x still escrows %d", j.Id, got)
			}
			if paid+j.Refunded != j.Escrow {
				t.Fatalf("job %x: paid %d + refunded %d != escrow %d", j.Id, paid, j.Refunded, j.Escrow)
			}
			// An assigned executor that revealed nothing lost exactly the
			// slash_absent_bps of the job's terms of its bid's hold,
			// whatever the params say now; an unassigned one, or one whose
			// receipt a failed job leaves unresolved, nothing.
			for _, b := range j.Bids {
				absent := b.Assigned && len(b.Receipt) == 0
				if absent && b.Slashed != mulBps(b.Reserved, j.Terms.SlashAbsentBps) || !b.Assigned && b.Slashed != 0 || j.Status == jobFailed && len(b.Receipt) != 0 && b.Slashed != 0 {
					t.Fatalf("job %x (%s): bid of %s (assigned %v, receipt %x) slashed %d of %d", j.Id, j.Status, b.Executor, b.Assigned, b.Receipt, b.Slashed, b.Reserved)
				}
			}
		}
		if len(j.Bids) > int(j.Terms.MaxBids) || j.Terms.MaxBids < j.Spec.Replication {
			t.Fatalf("job %x: %d bids, replication %d, terms %v", j.Id, len(j.Bids), j.Spec.Replication, j.Terms)
		}
		if !ctx.Store.Has(JobByStatusKey(j.Status, j.Id)) || !ctx.Store.Has(JobByPosterKey(j.Poster, j.Id)) {
			t.Fatalf("job %x lacks an index entry", j.Id)
		}
		return false, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = modules.Walk(ctx.Store, ExecutorsPrefix(), func(_ []byte, x *meshv1.Executor) (bool, error) {
		if x.Reserved != held[x.Did] || x.Open != open[x.Did] || x.Reserved > x.Bond {
			t.Fatalf("executor %s: reserved %d in %d, bids hold %d in %d, bond %d", x.Did, x.Reserved, x.Open, held[x.Did], open[x.Did], x.Bond)
		}
		if got := e.escrowAmount(BondEscrowID(x.Did)); got != x.Bond {
			t.Fatalf("executor %s: bond %d, escrow holds %d", x.Did, x.Bond, got)
		}
		if x.Reputation > maxRandomReputation {
			t.Fatalf("executor %s: reputation %d", x.Did, x.Reputation)
		}
		return false, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Store.Has(PendingParamsKey()) {
		t.Fatal("pending params left after the end of block")
	}
	// What the state holds validates as a genesis section: a chain exports
	// and restarts whatever params changes it went through.
	g, err := e.k.ExportGenesis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(allDIDs); err != nil {
		t.Fatalf("the exported state does not validate: %v", err)
	}
}

// maxRandomReputation is the largest max_reputation randomParams sets (the
// default, 20000, is below it).
const maxRandomReputation = 25_000

// randomParams are valid params, each drawn over a range that the random
// operations below meet: tighter and looser bid limits, windows, bonds,
// slashes and reputation caps.
func randomParams(rng *rand.Rand) *meshv1.Params {
	p := DefaultParams()
	p.MaxBidsPerJob = uint32(1 + rng.Intn(4))
	p.MaxJobsPerBlock = uint32(1 + rng.Intn(3))
	p.MinBond = uint64(100 + rng.Intn(60_000))
	p.SlashBps, p.SlashAbsentBps = uint64(rng.Intn(10_001)), uint64(rng.Intn(10_001))
	p.MaxReputation = NeutralReputation + uint64(rng.Intn(int(maxRandomReputation-NeutralReputation+1)))
	p.ReputationGain = uint64(rng.Intn(500))
	p.MaxBidWindow, p.MaxDeadline = uint64(1+rng.Intn(6)), uint64(2+rng.Intn(10))
	p.ReputationGainInterval = uint64(rng.Intn(5))
	return p
}

// TestRandomInvariants plays random but valid-or-refused operations, a
// fixed seed per run, and checks every invariant after each block: holds,
// bonds and escrows always add up, whatever the mix of bids, receipts,
// cancellations, updates, departures, failures and settlements. Seeds 21
// to 30 run with two bids per job and one job per block and schedule, so
// that bids evict one another and the per-block bound defers selections,
// settlements and deadlines. Seeds 11 to 20 also have the root federation
// change the params at random, between and within the jobs' lives.
func TestRandomInvariants(t *testing.T) {
	for seed := int64(1); seed <= 30; seed++ {
		e := newEnv(t)
		if seed > 20 {
			e.setMaxJobsPerBlock(1)
			p, _ := e.k.Params(e.ctx(1))
			p.MaxBidsPerJob = 2
			if err := modules.Save(e.kv, ParamsKey(), p); err != nil {
				t.Fatal(err)
			}
		}
		rng := rand.New(rand.NewSource(seed))
		// A source of its own, so that seeds without params changes play
		// the operations they always did.
		paramsRng := rand.New(rand.NewSource(-seed))
		// Every refusal a client can cause has a registered code: an
		// uncoded error from a handler would stop the node.
		coded := func(_ []modules.Event, err error) {
			t.Helper()
			if cs, _ := modules.ResultCode(err); err != nil && cs != Codespace && cs != "mana" && cs != "dag" {
				t.Fatalf("seed %d: an error without a registered code: %v (%s)", seed, err, cs)
			}
		}
		executors := []string{exA, exB, exC, exD}
		var jobs [][]byte
		outputs := []string{"x", "y"}
		for _, d := range executors {
			e.register(1, d, 1, 50_000)
		}
		for h := int64(1); h <= 60; h++ {
			for range 2 + rng.Intn(8) {
				d := executors[rng.Intn(len(executors))]
				pick := func() []byte { return jobs[len(jobs)-1-rng.Intn(min(len(jobs), 4))] } // mostly recent jobs
				switch op := rng.Intn(20); {
				case op == 0:
					coded(e.do(h, d, func(ctx modules.Context) error {
						return e.k.RegisterExecutor(ctx, &meshv1.MsgRegisterExecutor{Capabilities: caps(), PriceFloor: 1, Bond: uint64(100 + rng.Intn(60_000))})
					}))
				case op == 1:
					coded(e.do(h, d, func(ctx modules.Context) error {
						return e.k.UpdateExecutor(ctx, &meshv1.MsgUpdateExecutor{Capabilities: caps(), PriceFloor: 1, Bond: uint64(100 + rng.Intn(60_000))})
					}))
				case op == 2:
					coded(e.do(h, d, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) }))
				case op <= 4:
					m := spec(uint32(1 + rng.Intn(3)))
					m.BidWindow, m.Deadline, m.Sequence = uint64(2+rng.Intn(4)), uint64(3+rng.Intn(8)), uint64(h)*100+uint64(rng.Intn(100))
					if _, err := e.do(h, poster, func(ctx modules.Context) error { return e.k.PostJob(ctx, m) }); err == nil {
						jobs = append(jobs, JobID(poster, m))
					}
				case op <= 12 && len(jobs) > 0:
					j := pick()
					coded(e.do(h, d, func(ctx modules.Context) error {
						return e.k.Bid(ctx, &meshv1.MsgBid{Job: j, Price: uint64(1 + rng.Intn(10))})
					}))
				case op <= 18 && len(jobs) > 0:
					j := pick()
					if rng.Intn(5) > 0 { // mostly an executor the job assigned
						for _, b := range e.job(j).Bids {
							if b.Assigned && rng.Intn(2) == 0 {
								d = b.Executor
							}
						}
					}
					out := outputs[0]
					if rng.Intn(5) == 0 {
						out = outputs[1]
					}
					fuel := []uint64{500, 500, 500, 500, 500, 700, 1200}[rng.Intn(7)]
					// Commit first, then reveal (which opens the commitment
					// only if out and fuel come out the same), mostly.
					committed := false
					for _, b := range e.job(j).Bids {
						committed = committed || b.Executor == d && len(b.Commitment) != 0
					}
					if !committed && rng.Intn(4) > 0 || committed && rng.Intn(4) == 0 {
						coded(nil, e.commit(h, d, receiptFor(d, j, out, fuel)))
					} else {
						coded(nil, e.submit(h, d, receiptFor(d, j, out, fuel)))
					}
				case len(jobs) > 0:
					j := pick()
					coded(e.do(h, poster, func(ctx modules.Context) error { return e.k.CancelJob(ctx, &meshv1.MsgCancelJob{Job: j}) }))
				}
			}
			if seed > 10 && seed <= 20 && paramsRng.Intn(4) == 0 {
				if _, err := e.setParams(h, root, randomParams(paramsRng)); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
			e.endBlock(h)
			checkInvariants(t, e)
		}
		// Every job ends closed once its deadline is behind.
		for h := int64(61); h <= 300; h++ {
			e.endBlock(h)
		}
		checkInvariants(t, e)
		for _, j := range jobs {
			if s := e.job(j).Status; s == jobOpen || s == jobAssigned {
				t.Fatalf("seed %d: job %x still %s", seed, j, s)
			}
		}
	}
}
