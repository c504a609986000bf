package mesh

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"testing"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mana"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// escrowFlows sums what the mana events say left the escrow id: paid out
// (to anyone but owner), refunded (to owner) and, of both, burned because
// it did not fit under the recipient's ceiling.
func escrowFlows(t *testing.T, evs []modules.Event, id []byte, owner string) (paid, refunded, burned uint64) {
	t.Helper()
	for _, ev := range evs {
		if ev.Type != mana.EventTypeEscrowPaid || attr(ev, "id") != hex.EncodeToString(id) {
			continue
		}
		amount, _ := strconv.ParseUint(attr(ev, "amount"), 10, 64)
		credited, _ := strconv.ParseUint(attr(ev, "credited"), 10, 64)
		b, _ := strconv.ParseUint(attr(ev, "burned"), 10, 64)
		if credited+b != amount {
			t.Fatalf("escrow_paid event: credited %d + burned %d != amount %d", credited, b, amount)
		}
		burned += b
		if attr(ev, "to") == owner {
			refunded += amount
		} else {
			paid += amount
		}
	}
	return paid, refunded, burned
}

// TestSettle2of3: two receipts agree, one disagrees. The agreeing
// executors are paid their bid × the agreed fuel, the rest is refunded,
// the disagreeing one loses half its reservation and 1000 of reputation,
// and the escrow is exactly payments + refund.
func TestSettle2of3(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB, exC} {
		e.register(1, d, 1, 100_000)
	}
	job := e.post(2, spec(3)) // escrow 3 × 10 × 1000
	if got := e.escrowAmount(job); got != 30_000 {
		t.Fatalf("escrow %d, want 30000", got)
	}
	if got := e.account(poster).Balance; got != startMana-30_000 {
		t.Fatalf("poster balance %d", got)
	}
	e.bid(3, exA, job, 10)
	e.bid(3, exB, job, 8)
	e.bid(3, exC, job, 6)
	e.endBlock(7)
	ra, rb, rc := receiptFor(exA, job, "out", 700), receiptFor(exB, job, "out", 700), receiptFor(exC, job, "wrong", 700)
	e.mustCommit(8, exA, ra, exB, rb, exC, rc)
	if err := e.submit(8, exA, ra); err != nil {
		t.Fatal(err)
	}
	if err := e.submit(8, exC, rc); err != nil {
		t.Fatal(err)
	}
	if evs := e.endBlock(8); len(evs) != 0 {
		t.Fatalf("settled with one agreeing receipt: %v", evs)
	}
	if err := e.submit(9, exB, rb); err != nil {
		t.Fatal(err)
	}
	evs := e.endBlock(9)
	want := []string{
		fmt.Sprintf("executor=%s outcome=agreed paid=7000 slashed=0 reputation=10100", exA),
		fmt.Sprintf("executor=%s outcome=agreed paid=5600 slashed=0 reputation=10100", exB),
		fmt.Sprintf("executor=%s outcome=disagreed paid=0 slashed=3000 reputation=9000", exC),
	}
	if got := eventsOf(evs, EventTypeExecutorSettled, "executor", "outcome", "paid", "slashed", "reputation"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("settled:\n%v\nwant\n%v", got, want)
	}
	if got := eventsOf(evs, EventTypeJobCompleted, "output", "fuel", "paid", "refunded"); fmt.Sprint(got) != fmt.Sprintf("[output=%s fuel=700 paid=12600 refunded=17400]", testCID(0x55, "out")) {
		t.Fatalf("completed: %v", got)
	}
	// Conservation: the escrow is exactly payments + refund (+ what the
	// caps burned, here nothing), and it is closed.
	paid, refunded, burned := escrowFlows(t, evs, job, poster)
	if paid != 12_600 || refunded != 17_400 || burned != 0 || paid+refunded != 30_000 || e.escrowAmount(job) != 0 {
		t.Fatalf("paid %d, refunded %d, burned %d, escrow left %d", paid, refunded, burned, e.escrowAmount(job))
	}
	// Balances: exB (rate 0) is paid 5600 on top of what its bond left it;
	// exC's bond is 3000 smaller; the poster has the refund back.
	if acc := e.account(exB); acc.Balance != startMana-100_000+5600 || acc.Escrowed != 100_000 {
		t.Fatalf("exB account %v", acc)
	}
	if acc, x := e.account(exC), e.executor(exC); acc.Escrowed != 97_000 || x.Bond != 97_000 || x.Reserved != 0 || e.escrowAmount(BondEscrowID(exC)) != 97_000 {
		t.Fatalf("exC account %v, executor %v", acc, x)
	}
	if got := e.account(poster).Balance; got != startMana-30_000+17_400 {
		t.Fatalf("poster balance %d", got)
	}
	// exA is seated in a cooperative (bonus capacity 20000): its capacity
	// follows its reputation, 1000000 + 20000 × 10100 / 10000.
	if got := e.account(exA).Capacity; got != 1_020_200 {
		t.Fatalf("exA capacity %d, want 1020200", got)
	}
	j := e.job(job)
	if j.Status != jobCompleted || j.Fuel != 700 || j.Refunded != 17_400 || j.ClosedHeight != 9 {
		t.Fatalf("job %v", j)
	}
	// The deadline no longer fires.
	if evs := e.endBlock(17); len(evs) != 0 {
		t.Fatalf("deadline after settlement: %v", evs)
	}
	// A receipt after settlement is refused.
	wantCode(t, e.submit(10, exB, receiptFor(exB, job, "out", 700)), ErrJobClosed)
}

func TestSettle1of1(t *testing.T) {
	e := newEnv(t)
	e.register(1, exB, 1, 100_000)
	job := e.post(2, spec(1))
	e.bid(2, exB, job, 7)
	e.endBlock(7)
	rb := receiptFor(exB, job, "out", 1000)
	e.mustCommit(7, exB, rb)
	if err := e.submit(7, exB, rb); err != nil {
		t.Fatal(err)
	}
	evs := e.endBlock(7)
	paid, refunded, _ := escrowFlows(t, evs, job, poster)
	if paid != 7000 || refunded != 3000 {
		t.Fatalf("paid %d, refunded %d; want 7000 and 3000", paid, refunded)
	}
	if acc := e.account(exB); acc.Balance != startMana-100_000+7000 {
		t.Fatalf("exB balance %d", acc.Balance)
	}
	if x := e.executor(exB); x.Reputation != 10_100 || x.Open != 0 || x.Reserved != 0 {
		t.Fatalf("exB %v", x)
	}
}

// TestDisagreement111: three different results never reach k = 2; at the
// deadline the job fails, the escrow is refunded whole, and the answering
// executors keep bond and reputation (nobody can tell who was wrong).
func TestDisagreement111(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB, exC} {
		e.register(1, d, 1, 100_000)
	}
	job := e.post(2, spec(3))
	for _, d := range []string{exA, exB, exC} {
		e.bid(3, d, job, 5)
	}
	e.endBlock(7)
	blocks := make([][]byte, 3)
	for i, d := range []string{exA, exB, exC} {
		blocks[i] = receiptFor(d, job, fmt.Sprint("out-", i), 500)
		e.mustCommit(10, d, blocks[i])
	}
	for i, d := range []string{exA, exB, exC} {
		if err := e.submit(10, d, blocks[i]); err != nil {
			t.Fatal(err)
		}
	}
	if evs := e.endBlock(16); len(evs) != 0 {
		t.Fatalf("events before the deadline: %v", evs)
	}
	evs := e.endBlock(17)
	if got := eventsOf(evs, EventTypeJobFailed, "reason", "refunded"); fmt.Sprint(got) != "[reason=no agreement by the deadline refunded=30000]" {
		t.Fatalf("failed: %v", got)
	}
	if got := eventsOf(evs, EventTypeExecutorSettled, "outcome", "reputation"); fmt.Sprint(got) != "[outcome=unresolved reputation=10000 outcome=unresolved reputation=10000 outcome=unresolved reputation=10000]" {
		t.Fatalf("settled: %v", got)
	}
	paid, refunded, _ := escrowFlows(t, evs, job, poster)
	if paid != 0 || refunded != 30_000 || e.account(poster).Balance != startMana {
		t.Fatalf("paid %d refunded %d, poster %d", paid, refunded, e.account(poster).Balance)
	}
	for _, d := range []string{exA, exB, exC} {
		if x := e.executor(d); x.Bond != 100_000 || x.Reserved != 0 || x.Open != 0 {
			t.Fatalf("%s: %v", d, x)
		}
	}
	if j := e.job(job); j.Status != jobFailed || j.Reason != ReasonNoAgreement {
		t.Fatalf("job %v", j)
	}
	wantCode(t, e.submit(18, exA, receiptFor(exA, job, "late", 1)), ErrJobClosed)
}

// TestAbsentExecutor: 2-of-3 agree, the third never commits nor reveals:
// it loses 500 of reputation and slash_absent_bps (20%) of its bid's
// reservation (5 × 1000) from its bond.
func TestAbsentExecutor(t *testing.T) {
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
	// exC may still commit until the commit deadline (17 - 10/4 = 15):
	// nobody reveals before.
	wantCode(t, e.submit(15, exA, receiptFor(exA, job, "out", 100)), ErrRevealTooEarly)
	if evs := e.endBlock(15); len(evs) != 0 {
		t.Fatalf("events in the commit phase: %v", evs)
	}
	// After it, exC can no longer commit, so it cannot answer: the two
	// reveals settle the job at once.
	wantCode(t, e.commit(16, exC, receiptFor(exC, job, "out", 100)), ErrCommitClosed)
	for _, d := range []string{exA, exB} {
		if err := e.submit(16, d, receiptFor(d, job, "out", 100)); err != nil {
			t.Fatal(err)
		}
	}
	evs := e.endBlock(16)
	if got := eventsOf(evs, EventTypeExecutorSettled, "executor", "outcome", "slashed", "reputation"); len(got) != 3 || got[2] != fmt.Sprintf("executor=%s outcome=absent slashed=1000 reputation=9500", exC) {
		t.Fatalf("settled: %v", got)
	}
	if x := e.executor(exC); x.Bond != 99_000 || x.Reserved != 0 || x.Reputation != 9500 || e.escrowAmount(BondEscrowID(exC)) != 99_000 {
		t.Fatalf("exC %v", x)
	}
	paid, refunded, _ := escrowFlows(t, evs, job, poster)
	if paid != 1000 || refunded != 29_000 {
		t.Fatalf("paid %d refunded %d", paid, refunded)
	}
}

// TestDeadlineWithoutReceipts: nobody answers; the job fails at its
// deadline with a full refund and the assigned executor loses reputation
// and 20% of its bid's reservation (5 × 1000).
func TestDeadlineWithoutReceipts(t *testing.T) {
	e := newEnv(t)
	e.register(1, exB, 1, 100_000)
	e.register(1, exC, 1, 100_000)
	job := e.post(2, spec(1))
	e.bid(3, exB, job, 5)
	e.bid(3, exC, job, 6) // not selected: its hold is freed at the close, once
	e.endBlock(7)
	if x := e.executor(exC); x.Reserved != 0 || x.Open != 0 {
		t.Fatalf("unselected exC holds %d in %d", x.Reserved, x.Open)
	}
	// Another open bid of exC, which the failing job must not free.
	m := spec(1)
	m.Sequence = 1
	other := e.post(8, m)
	e.bid(8, exC, other, 7)
	evs := e.endBlock(17)
	if x := e.executor(exC); x.Reserved != 7000 || x.Open != 1 {
		t.Fatalf("exC holds %d in %d after the failure, want its other bid's 7000 in 1", x.Reserved, x.Open)
	}
	if got := eventsOf(evs, EventTypeExecutorSettled, "outcome", "slashed", "reputation"); fmt.Sprint(got) != "[outcome=absent slashed=1000 reputation=9500]" {
		t.Fatalf("settled: %v", got)
	}
	if x := e.executor(exB); x.Bond != 99_000 || x.Reserved != 0 || x.Open != 0 || e.escrowAmount(BondEscrowID(exB)) != 99_000 {
		t.Fatalf("exB %v", x)
	}
	// The other job's escrow is still locked.
	if _, refunded, _ := escrowFlows(t, evs, job, poster); refunded != 10_000 || e.account(poster).Balance != startMana-10_000 {
		t.Fatalf("refunded %d, poster balance %d", refunded, e.account(poster).Balance)
	}
	wantCode(t, e.submit(18, exB, receiptFor(exB, job, "out", 1)), ErrJobClosed)
}

// TestTooFewBids: k = 2 of 3 with one bid fails at the window's close.
func TestTooFewBids(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	job := e.post(2, spec(3))
	e.bid(3, exA, job, 5)
	evs := e.endBlock(7)
	if got := eventsOf(evs, EventTypeJobFailed, "reason", "refunded"); fmt.Sprint(got) != "[reason=too few bids refunded=30000]" {
		t.Fatalf("failed: %v", got)
	}
	if x := e.executor(exA); x.Reserved != 0 || x.Open != 0 || x.Reputation != NeutralReputation {
		t.Fatalf("exA %v", x)
	}
	if e.account(poster).Balance != startMana || e.escrowAmount(job) != 0 {
		t.Fatal("escrow not refunded")
	}
}

func TestCancel(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	job := e.post(2, spec(1))
	e.bid(3, exA, job, 5)
	cancel := func(h int64, by string) error {
		_, err := e.do(h, by, func(ctx modules.Context) error { return e.k.CancelJob(ctx, &meshv1.MsgCancelJob{Job: job}) })
		return err
	}
	wantCode(t, cancel(4, exA), ErrUnauthorized)
	evs := e.must(4, poster, func(ctx modules.Context) error { return e.k.CancelJob(ctx, &meshv1.MsgCancelJob{Job: job}) })
	if got := eventsOf(evs, EventTypeJobCancelled, "refunded"); fmt.Sprint(got) != "[refunded=10000]" {
		t.Fatalf("cancelled: %v", got)
	}
	if e.account(poster).Balance != startMana || e.escrowAmount(job) != 0 {
		t.Fatal("escrow not refunded")
	}
	if x := e.executor(exA); x.Reserved != 0 || x.Open != 0 {
		t.Fatalf("exA %v", x)
	}
	wantCode(t, cancel(5, poster), ErrJobNotOpen)
	_, err := e.do(5, exA, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job, Price: 5}) })
	wantCode(t, err, ErrJobNotOpen)
	if evs := e.endBlock(7); len(evs) != 0 {
		t.Fatalf("window close of a cancelled job: %v", evs)
	}
	// After assignment a job can no longer be cancelled.
	m := spec(1)
	m.Sequence = 1
	job2 := e.post(8, m)
	e.bid(8, exA, job2, 5)
	e.endBlock(13)
	_, err = e.do(14, poster, func(ctx modules.Context) error { return e.k.CancelJob(ctx, &meshv1.MsgCancelJob{Job: job2}) })
	wantCode(t, err, ErrJobNotOpen)
}

// TestExecutorLifecycle: bond locked, raised, lowered; leave with an open
// assignment waits for it; re-registering keeps the reputation.
func TestExecutorLifecycle(t *testing.T) {
	e := newEnv(t)
	e.register(1, exB, 2, 50_000)
	if acc := e.account(exB); acc.Balance != startMana-50_000 || acc.Escrowed != 50_000 {
		t.Fatalf("account %v", acc)
	}
	update := func(h int64, by string, bond uint64) error {
		_, err := e.do(h, by, func(ctx modules.Context) error {
			return e.k.UpdateExecutor(ctx, &meshv1.MsgUpdateExecutor{Capabilities: caps(), PriceFloor: 3, Bond: bond})
		})
		return err
	}
	if err := update(2, exB, 80_000); err != nil {
		t.Fatal(err)
	}
	if acc := e.account(exB); acc.Escrowed != 80_000 || e.escrowAmount(BondEscrowID(exB)) != 80_000 {
		t.Fatalf("raised: %v", acc)
	}
	if err := update(2, exB, 20_000); err != nil {
		t.Fatal(err)
	}
	if acc := e.account(exB); acc.Escrowed != 20_000 || acc.Balance != startMana-20_000 {
		t.Fatalf("lowered: %v", acc)
	}
	wantCode(t, update(2, exB, 99), ErrInvalidBond)
	wantCode(t, update(2, exA, 1000), ErrNotExecutor)
	_, err := e.do(2, exB, func(ctx modules.Context) error {
		return e.k.RegisterExecutor(ctx, &meshv1.MsgRegisterExecutor{Capabilities: caps(), PriceFloor: 1, Bond: 1000})
	})
	wantCode(t, err, ErrAlreadyRegistered)

	job := e.post(3, spec(1))
	e.bid(3, exB, job, 10) // reserves 10000 of 20000
	wantCode(t, update(4, exB, 9_999), ErrBondHeld)
	e.endBlock(8)
	evs := e.must(9, exB, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) })
	if got := eventsOf(evs, EventTypeExecutorLeft, "status", "returned"); fmt.Sprint(got) != "[status=leaving returned=0]" {
		t.Fatalf("leave: %v", got)
	}
	_, err = e.do(9, exB, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job, Price: 5}) })
	wantCode(t, err, ErrJobNotOpen)
	// The leaving executor still answers its assignment and is paid.
	rb := receiptFor(exB, job, "out", 1000)
	e.mustCommit(10, exB, rb)
	if err := e.submit(10, exB, rb); err != nil {
		t.Fatal(err)
	}
	evs = e.endBlock(10)
	if got := eventsOf(evs, EventTypeExecutorLeft, "status", "returned"); fmt.Sprint(got) != "[status=left returned=20000]" {
		t.Fatalf("bond return: %v", got)
	}
	if acc := e.account(exB); acc.Escrowed != 0 || acc.Balance != startMana+10_000 {
		t.Fatalf("after leaving: %v", acc)
	}
	if x := e.executor(exB); x.Status != statusLeft || x.Reputation != 10_100 {
		t.Fatalf("executor %v", x)
	}
	// Re-registering keeps the reputation earned.
	e.register(11, exB, 1, 1000)
	if x := e.executor(exB); x.Status != statusActive || x.Reputation != 10_100 {
		t.Fatalf("re-registered %v", x)
	}
	// Leaving with nothing open returns the bond at once.
	evs = e.must(12, exB, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) })
	if got := eventsOf(evs, EventTypeExecutorLeft, "status", "returned"); fmt.Sprint(got) != "[status=left returned=1000]" {
		t.Fatalf("leave: %v", got)
	}
	_, err = e.do(13, exB, func(ctx modules.Context) error { return e.k.LeaveExecutor(ctx, &meshv1.MsgLeaveExecutor{}) })
	wantCode(t, err, ErrNotExecutor)
}
