package mesh

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// TestCopiedReceiptRefused is the attack the commit phase stops: exB runs
// nothing, waits for exA's receipt to be public and submits the same
// output and fuel under its own name. Without commit-then-reveal it was
// paid and gained reputation. Now exB must commit before any receipt is
// revealed, so the copy does not open its commitment (mesh/37), nor does
// exA's own commitment copied into exB's slot (it names exA and exA's
// receipt); exB ends absent, slashed, and the job fails without paying it.
func TestCopiedReceiptRefused(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB} {
		e.register(1, d, 1, 100_000)
	}
	m := spec(2)
	m.Agreement = 2
	job := e.post(2, m)
	e.bid(3, exA, job, 5)
	e.bid(3, exB, job, 5)
	e.endBlock(7)
	honest := receiptFor(exA, job, "out", 100)
	e.mustCommit(8, exA, honest)
	// exB has no result yet: it copies exA's commitment, the only thing
	// public, which closes the commit phase.
	evs, err := e.do(8, exB, func(ctx modules.Context) error {
		return e.k.CommitReceipt(ctx, &meshv1.MsgCommitReceipt{Job: job, Commitment: e.job(job).Bids[0].Commitment})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := eventsOf(evs, EventTypeReceiptCommitted, "executor", "closed"); fmt.Sprint(got) != fmt.Sprintf("[executor=%s closed=true]", exB) {
		t.Fatalf("commit event %v", got)
	}
	if err := e.submit(9, exA, honest); err != nil {
		t.Fatal(err)
	}
	// exA's receipt is public now: exB signs the same result as its own,
	// and cannot reveal it; nor can it reveal exA's block.
	copied := receiptFor(exB, job, "out", 100)
	wantCode(t, e.submit(9, exB, copied), ErrCommitmentMismatch)
	wantCode(t, e.submit(9, exB, honest), ErrUnauthorized)
	// Nor commit again to the copy.
	wantCode(t, e.commit(9, exB, copied), ErrAlreadyCommitted)
	evs = e.endBlock(17)
	want := fmt.Sprintf("[executor=%s outcome=unresolved paid=0 slashed=0 executor=%s outcome=absent paid=0 slashed=1000]", exA, exB)
	if got := eventsOf(evs, EventTypeExecutorSettled, "executor", "outcome", "paid", "slashed"); fmt.Sprint(got) != want {
		t.Fatalf("settled:\n%v\nwant\n%s", got, want)
	}
	if x := e.executor(exB); x.Bond != 99_000 || x.Reputation != 9500 {
		t.Fatalf("exB %v", x)
	}
}

// TestCommitRevealCodes: each bad commit or reveal gets its exact code and
// changes nothing.
func TestCommitRevealCodes(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB, exC, exD} {
		e.register(1, d, 1, 100_000)
	}
	job := e.post(2, spec(3)) // window closes at 7, deadline 17, commit deadline 15
	for _, d := range []string{exA, exB, exC} {
		e.bid(3, d, job, 5)
	}
	open := e.post(2, func() *meshv1.MsgPostJob { m := spec(1); m.Sequence = 1; return m }())
	e.endBlock(7)
	if j := e.job(job); j.CommitDeadline != 15 || j.DeadlineHeight != 17 {
		t.Fatalf("commit deadline %d, deadline %d; want 15 and 17", j.CommitDeadline, j.DeadlineHeight)
	}
	ra, rb, rc := receiptFor(exA, job, "out", 100), receiptFor(exB, job, "out", 100), receiptFor(exC, job, "out", 100)
	commitmentOf := func(block []byte) []byte {
		c, _, err := receipt.BlockCommitment(block)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	commitMsg := func(id []byte, c []byte) func(modules.Context) error {
		return func(ctx modules.Context) error {
			return e.k.CommitReceipt(ctx, &meshv1.MsgCommitReceipt{Job: id, Commitment: c})
		}
	}
	stateless := []struct {
		name string
		msg  *meshv1.MsgCommitReceipt
		want *modules.Error
	}{
		{"short job id", &meshv1.MsgCommitReceipt{Job: job[:31], Commitment: commitmentOf(ra)}, ErrInvalidJobID},
		{"no commitment", &meshv1.MsgCommitReceipt{Job: job}, ErrInvalidCommitment},
		{"short commitment", &meshv1.MsgCommitReceipt{Job: job, Commitment: commitmentOf(ra)[:31]}, ErrInvalidCommitment},
		{"long commitment", &meshv1.MsgCommitReceipt{Job: job, Commitment: append(commitmentOf(ra), 0)}, ErrInvalidCommitment},
	}
	for _, tc := range stateless {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, ValidateCommitReceipt(tc.msg), tc.want) })
	}
	if err := ValidateCommitReceipt(&meshv1.MsgCommitReceipt{Job: job, Commitment: commitmentOf(ra)}); err != nil {
		t.Fatal(err)
	}
	e.mustCommit(8, exA, ra)
	type tcase struct {
		name string
		h    int64
		by   string
		fn   func(modules.Context) error
		want *modules.Error
	}
	reveal := func(block []byte) func(modules.Context) error {
		return func(ctx modules.Context) error {
			return e.k.SubmitReceipt(ctx, &meshv1.MsgSubmitReceipt{Receipt: block})
		}
	}
	run := func(cases []tcase) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := e.job(job)
				evs, err := e.do(tc.h, tc.by, tc.fn)
				wantCode(t, err, tc.want)
				if len(evs) != 0 {
					t.Fatalf("events from a refused message: %v", evs)
				}
				if after := e.job(job); !bytes.Equal(mustMarshal(t, before), mustMarshal(t, after)) {
					t.Fatalf("a refused message changed the job")
				}
			})
		}
	}
	run([]tcase{
		{"commit by an executor not assigned", 8, exD, commitMsg(job, commitmentOf(ra)), ErrNotAssigned},
		{"commit on an unknown job", 8, exA, commitMsg(bytes.Repeat([]byte{2}, 32), commitmentOf(ra)), ErrJobNotFound},
		{"commit on a job not assigned yet", 6, exA, commitMsg(open, commitmentOf(ra)), ErrJobClosed},
		{"second commit", 8, exA, commitMsg(job, commitmentOf(rb)), ErrAlreadyCommitted},
		{"reveal while the commit phase is open", 9, exA, reveal(ra), ErrRevealTooEarly},
		{"reveal without commitment", 9, exB, reveal(rb), ErrNoCommitment},
	})
	e.mustCommit(15, exB, rb) // the last height that takes commitments
	run([]tcase{
		{"commit after the commit deadline", 16, exC, commitMsg(job, commitmentOf(rc)), ErrCommitClosed},
		{"reveal without commitment after the phase", 16, exC, reveal(rc), ErrNoCommitment},
		{"reveal of another result than committed", 16, exA, reveal(receiptFor(exA, job, "other", 100)), ErrCommitmentMismatch},
		{"reveal of the same result with other fuel", 16, exA, reveal(receiptFor(exA, job, "out", 99)), ErrCommitmentMismatch},
	})
	// The committed receipts open their commitments and settle the job at
	// once: exC, which can no longer commit, is absent.
	for _, p := range []struct {
		d string
		b []byte
	}{{exA, ra}, {exB, rb}} {
		if err := e.submit(16, p.d, p.b); err != nil {
			t.Fatal(err)
		}
	}
	evs := e.endBlock(16)
	want := fmt.Sprintf("[executor=%s outcome=agreed slashed=0 executor=%s outcome=agreed slashed=0 executor=%s outcome=absent slashed=1000]", exA, exB, exC)
	if got := eventsOf(evs, EventTypeExecutorSettled, "executor", "outcome", "slashed"); fmt.Sprint(got) != want {
		t.Fatalf("settled:\n%v\nwant\n%s", got, want)
	}
	run([]tcase{{"commit on a closed job", 16, exC, commitMsg(job, commitmentOf(rc)), ErrJobClosed}})
}

func mustMarshal(t *testing.T, j *meshv1.Job) []byte {
	t.Helper()
	b, err := j.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCommittedNotRevealedIsAbsent: an executor that commits and never
// reveals is absent at settlement: it loses reputation and
// slash_absent_bps of its hold, while the job waits for its reveal until
// the deadline.
func TestCommittedNotRevealedIsAbsent(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB, exC} {
		e.register(1, d, 1, 100_000)
	}
	job := e.post(2, spec(3))
	for _, d := range []string{exA, exB, exC} {
		e.bid(3, d, job, 5)
	}
	e.endBlock(7)
	blocks := map[string][]byte{}
	for _, d := range []string{exA, exB, exC} {
		blocks[d] = receiptFor(d, job, "out", 100)
		e.mustCommit(8, d, blocks[d])
	}
	for _, d := range []string{exA, exB} {
		if err := e.submit(9, d, blocks[d]); err != nil {
			t.Fatal(err)
		}
	}
	if evs := e.endBlock(9); len(evs) != 0 {
		t.Fatalf("settled while exC may still reveal: %v", evs)
	}
	evs := e.endBlock(17)
	want := fmt.Sprintf("[executor=%s outcome=agreed slashed=0 reputation=10100 executor=%s outcome=agreed slashed=0 reputation=10100 executor=%s outcome=absent slashed=1000 reputation=9500]", exA, exB, exC)
	if got := eventsOf(evs, EventTypeExecutorSettled, "executor", "outcome", "slashed", "reputation"); fmt.Sprint(got) != want {
		t.Fatalf("settled:\n%v\nwant\n%s", got, want)
	}
	// Conservation: escrow = payments + refund; exC's bond escrow lost
	// exactly the slash.
	paid, refunded, _ := escrowFlows(t, evs, job, poster)
	if paid != 1000 || refunded != 29_000 || e.escrowAmount(job) != 0 {
		t.Fatalf("paid %d refunded %d", paid, refunded)
	}
	if x := e.executor(exC); x.Bond != 99_000 || x.Reserved != 0 || x.Open != 0 || e.escrowAmount(BondEscrowID(exC)) != 99_000 || e.account(exC).Escrowed != 99_000 {
		t.Fatalf("exC %v, account %v", x, e.account(exC))
	}
}

// TestLeavingExecutorNotSelected: an executor that leaves after bidding is
// not assigned at the window's close, even with the best bid; its hold is
// freed and, that being its last, its bond returned.
func TestLeavingExecutorNotSelected(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	e.register(1, exB, 1, 100_000)
	job := e.post(2, spec(1))
	e.bid(3, exA, job, 1) // the best price
	e.bid(3, exB, job, 9)
	e.must(4, exA, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) })
	if x := e.executor(exA); x.Status != statusLeaving || x.Open != 1 {
		t.Fatalf("exA %v", x)
	}
	evs := e.endBlock(7)
	if got := eventsOf(evs, EventTypeJobAssigned, "executors"); fmt.Sprint(got) != fmt.Sprintf("[executors=%s]", exB) {
		t.Fatalf("assigned %v", got)
	}
	if got := eventsOf(evs, EventTypeExecutorLeft, "did", "status", "returned"); fmt.Sprint(got) != fmt.Sprintf("[did=%s status=left returned=100000]", exA) {
		t.Fatalf("left %v", got)
	}
	if x := e.executor(exA); x.Status != statusLeft || x.Open != 0 || x.Reserved != 0 || e.account(exA).Escrowed != 0 {
		t.Fatalf("exA %v", x)
	}
	// With only leaving bidders, the job fails for too few bids.
	m := spec(1)
	m.Sequence = 1
	other := e.post(8, m)
	e.bid(8, exB, other, 5)
	e.must(9, exB, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) })
	if got := eventsOf(e.endBlock(13), EventTypeJobFailed, "reason"); fmt.Sprint(got) != "[reason=too few bids]" {
		t.Fatalf("failed %v", got)
	}
}

// TestParamsSlashAbsent: slash_absent_bps defaults to 2000 and may not
// exceed 10000.
func TestParamsSlashAbsent(t *testing.T) {
	if got := DefaultParams().SlashAbsentBps; got != 2000 {
		t.Fatalf("default slash_absent_bps %d", got)
	}
	p := DefaultParams()
	p.SlashAbsentBps = 10_001
	if err := ValidateParams(p); err == nil {
		t.Fatal("slash_absent_bps 10001 accepted")
	}
	p.SlashAbsentBps = 10_000
	if err := ValidateParams(p); err != nil {
		t.Fatal(err)
	}
}

// TestCommitDeadline: the reveal phase is the last max(1, deadline/4)
// blocks of the deadline, and a deadline must leave room for both phases.
func TestCommitDeadline(t *testing.T) {
	for _, c := range []struct{ deadline, reveal uint64 }{{2, 1}, {3, 1}, {7, 1}, {8, 2}, {10, 2}, {100, 25}} {
		if got := RevealBlocks(c.deadline); got != int64(c.reveal) {
			t.Errorf("RevealBlocks(%d) = %d, want %d", c.deadline, got, c.reveal)
		}
	}
	m := spec(1)
	m.Deadline = 1
	wantCode(t, ValidatePostJob(m), ErrInvalidJob)
	m.Deadline = 2
	if err := ValidatePostJob(m); err != nil {
		t.Fatal(err)
	}
}

// TestFullJobEvictsLeavingBid: on a full job, the bid of an executor that
// left since it bid is the one a new bid replaces, however well it ranks:
// selection would skip it anyway.
func TestFullJobEvictsLeavingBid(t *testing.T) {
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
	e.bid(2, exA, job, 1) // the best bid
	e.bid(2, exB, job, 5)
	e.must(3, exA, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) })
	// exC's bid ranks after both, yet replaces the leaving exA's.
	evs := e.must(3, exC, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job, Price: 9}) })
	if got := eventsOf(evs, EventTypeBidEvicted, "executor", "by"); fmt.Sprint(got) != fmt.Sprintf("[executor=%s by=%s]", exA, exC) {
		t.Fatalf("evicted %v", got)
	}
	if x := e.executor(exA); x.Status != statusLeft || x.Open != 0 || x.Bond != 0 {
		t.Fatalf("exA %v", x)
	}
}
