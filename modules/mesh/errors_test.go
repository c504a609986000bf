package mesh

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/dag"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// TestBidCodes: each bad bid gets its exact code and changes nothing.
func TestBidCodes(t *testing.T) {
	e := newEnv(t)
	e.register(1, exA, 1, 100_000)
	e.register(1, exB, 8, 100_000)
	e.register(1, exC, 1, 5_000) // too small a bond for 10 × 1000
	e.register(1, exD, 1, 100_000)
	x := e.executor(exD)
	x.Capabilities = &meshv1.Capabilities{MaxFuel: 500, MemoryPages: 8, Kinds: []string{"other"}}
	if err := e.k.setExecutor(e.ctx(1), x); err != nil {
		t.Fatal(err)
	}
	m := spec(1)
	m.Requirements.MinReputation = 10_000
	job := e.post(2, m)
	e.bid(3, exA, job, 5)
	cases := []struct {
		name string
		by   string
		h    int64
		msg  *meshv1.MsgBid
		want *modules.Error
	}{
		{"unregistered executor", nobody, 3, &meshv1.MsgBid{Job: job, Price: 5}, ErrNotExecutor},
		{"late bid", exB, 8, &meshv1.MsgBid{Job: job, Price: 9}, ErrBidWindowClosed},
		{"above max price", exB, 3, &meshv1.MsgBid{Job: job, Price: 11}, ErrPriceAboveMax},
		{"below the executor's floor", exB, 3, &meshv1.MsgBid{Job: job, Price: 7}, ErrPriceBelowFloor},
		{"not enough bond", exC, 3, &meshv1.MsgBid{Job: job, Price: 10}, ErrInsufficientBond},
		{"capabilities", exD, 3, &meshv1.MsgBid{Job: job, Price: 5}, ErrRequirementsNotMet},
		{"second bid", exA, 3, &meshv1.MsgBid{Job: job, Price: 4}, ErrAlreadyBid},
		{"unknown job", exB, 3, &meshv1.MsgBid{Job: bytes.Repeat([]byte{1}, 32), Price: 9}, ErrJobNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.job(job)
			_, err := e.do(tc.h, tc.by, func(ctx modules.Context) error { return e.k.Bid(ctx, tc.msg) })
			wantCode(t, err, tc.want)
			if after := e.job(job); len(after.Bids) != len(before.Bids) {
				t.Fatal("a refused bid was recorded")
			}
		})
	}
	// Reputation below the job's minimum.
	x = e.executor(exB)
	x.Reputation = 9_999
	if err := e.k.setExecutor(e.ctx(1), x); err != nil {
		t.Fatal(err)
	}
	_, err := e.do(3, exB, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job, Price: 9}) })
	wantCode(t, err, ErrRequirementsNotMet)
	// The bond covers one bid at 5 × 1000 but not two.
	m2 := spec(1)
	m2.Sequence = 7
	job2 := e.post(3, m2)
	e.bid(3, exC, job2, 5)
	m3 := spec(1)
	m3.Sequence = 8
	job3 := e.post(3, m3)
	_, err = e.do(3, exC, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job3, Price: 1}) })
	wantCode(t, err, ErrInsufficientBond)
}

// TestTooManyBids: a job takes at most max_bids_per_job bids.
func TestTooManyBids(t *testing.T) {
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
	e.bid(2, exA, job, 5)
	e.bid(2, exB, job, 5)
	_, err := e.do(2, exC, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job, Price: 5}) })
	wantCode(t, err, ErrTooManyBids)
}

// TestReceiptCodes: each bad receipt gets its exact code; a refused
// receipt anchors nothing.
func TestReceiptCodes(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB, exC} {
		e.register(1, d, 1, 100_000)
	}
	job := e.post(2, spec(3))
	e.bid(3, exA, job, 5)
	e.bid(3, exB, job, 5)
	e.bid(3, exC, job, 5)
	open := e.post(2, func() *meshv1.MsgPostJob { m := spec(1); m.Sequence = 1; return m }())
	e.endBlock(7)
	build := func(mutate func(r *receipt.Receipt)) []byte {
		r := &receipt.Receipt{ChainID: chainID, Job: JobCID(job), Executor: exA, KeyID: "key-1", Module: moduleCID, Input: inputCID,
			Output: testCID(cid.Raw, "out"), Fuel: 10}
		mutate(r)
		if err := r.Sign(keyOf(r.Executor)); err != nil {
			t.Fatal(err)
		}
		b, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := build(func(*receipt.Receipt) {})
	forged := func() []byte {
		r, _ := receipt.Decode(good)
		_ = r.Sign(keyOf(exC)) // signed with another DID's key
		b, _ := r.Encode()
		return b
	}()
	// A link whose CID is not canonical: the module CID with a sha2-512
	// code point swapped in.
	badCID := bytes.Replace(good, moduleCID.Bytes()[:4], []byte{0x01, 0x55, 0x13, 0x20}, 1)
	gitCodec := build(func(r *receipt.Receipt) { r.Output = testCID(cid.GitRaw, "out") })
	// Every assigned executor commits, which closes the commit phase: the
	// checks below are those of the reveal.
	rb := receiptFor(exB, job, "out", 10)
	e.mustCommit(8, exA, good, exB, rb, exC, receiptFor(exC, job, "out", 10))
	if err := e.submit(8, exB, rb); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		by    string
		h     int64
		block []byte
		want  *modules.Error
	}{
		{"garbage", exA, 8, []byte{1, 2, 3}, ErrMalformedReceipt},
		{"malformed cid in a link", exA, 8, badCID, ErrInvalidCID},
		{"a codec the dag refuses", exA, 8, gitCodec, ErrInvalidCID},
		{"not assigned", exD, 8, build(func(r *receipt.Receipt) { r.Executor = exD }), ErrNotAssigned},
		{"sent by another DID", exB, 8, good, ErrUnauthorized},
		{"forged signature", exA, 8, forged, ErrForgedReceipt},
		{"unknown key", exA, 8, build(func(r *receipt.Receipt) { r.KeyID = "key-9" }), ErrForgedReceipt},
		{"duplicate", exB, 8, receiptFor(exB, job, "other", 10), ErrDuplicateReceipt},
		{"after the deadline", exA, 18, good, ErrAfterDeadline},
		{"fuel over the limit", exA, 8, build(func(r *receipt.Receipt) { r.Fuel = 1001 }), ErrFuelOverLimit},
		{"other module", exA, 8, build(func(r *receipt.Receipt) { r.Module = testCID(cid.Raw, "m2") }), ErrReceiptMismatch},
		{"other chain", exA, 8, build(func(r *receipt.Receipt) { r.ChainID = "other" }), ErrReceiptMismatch},
		{"unknown job", exA, 8, build(func(r *receipt.Receipt) { r.Job = JobCID(bytes.Repeat([]byte{2}, 32)) }), ErrJobNotFound},
		{"job not assigned yet", exA, 6, build(func(r *receipt.Receipt) { r.Job = JobCID(open) }), ErrJobClosed},
		{"not a job cid", exA, 8, build(func(r *receipt.Receipt) { r.Job = testCID(cid.DagCBOR, "x") }), ErrInvalidJobID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := e.do(tc.h, tc.by, func(ctx modules.Context) error {
				return e.k.SubmitReceipt(ctx, &meshv1.MsgSubmitReceipt{Receipt: tc.block})
			})
			wantCode(t, err, tc.want)
			if len(evs) != 0 {
				t.Fatalf("events from a refused receipt: %v", evs)
			}
			// The stateless check agrees where it can decide.
			if tc.want == ErrMalformedReceipt || tc.want == ErrInvalidCID {
				wantCode(t, ValidateSubmitReceipt(&meshv1.MsgSubmitReceipt{Receipt: tc.block}), tc.want)
			}
		})
	}
	// The good receipt is accepted and anchored under its executor, with
	// its four links indexed both ways.
	if err := e.submit(8, exA, good); err != nil {
		t.Fatal(err)
	}
	rc := receipt.CID(good)
	ent, err := e.dag.Entry(e.ctx(0), rc, exA)
	if err != nil || ent.Kind != KindReceipt || len(ent.Links) != 4 {
		t.Fatalf("anchored entry %v, %v", ent, err)
	}
	for _, l := range []cid.Cid{JobCID(job), moduleCID, inputCID, testCID(cid.Raw, "out")} {
		if !e.kv.Has(dag.BacklinkKey(l.Bytes(), rc.Bytes(), exA)) {
			t.Fatalf("no backlink from %s to %s", rc, l)
		}
	}
}

// TestPostJobCodes: stateless and stateful checks of post_job.
func TestPostJobCodes(t *testing.T) {
	e := newEnv(t)
	mut := func(f func(m *meshv1.MsgPostJob)) *meshv1.MsgPostJob { m := spec(3); f(m); return m }
	stateless := []struct {
		name string
		msg  *meshv1.MsgPostJob
		want *modules.Error
	}{
		{"malformed module cid", mut(func(m *meshv1.MsgPostJob) { m.Module = []byte{1, 2} }), ErrInvalidCID},
		{"malformed input cid", mut(func(m *meshv1.MsgPostJob) { m.Input = nil }), ErrInvalidCID},
		{"replication 0", mut(func(m *meshv1.MsgPostJob) { m.Replication = 0 }), ErrInvalidJob},
		{"replication 6", mut(func(m *meshv1.MsgPostJob) { m.Replication = 6 }), ErrInvalidJob},
		{"agreement not a majority", mut(func(m *meshv1.MsgPostJob) { m.Agreement = 1 }), ErrInvalidJob},
		{"agreement above r", mut(func(m *meshv1.MsgPostJob) { m.Agreement = 4 }), ErrInvalidJob},
		{"no fuel", mut(func(m *meshv1.MsgPostJob) { m.FuelLimit = 0 }), ErrInvalidJob},
		{"no price", mut(func(m *meshv1.MsgPostJob) { m.MaxPrice = 0 }), ErrInvalidPrice},
		{"no window", mut(func(m *meshv1.MsgPostJob) { m.BidWindow = 0 }), ErrInvalidJob},
		{"no deadline", mut(func(m *meshv1.MsgPostJob) { m.Deadline = 0 }), ErrInvalidJob},
		{"escrow overflows", mut(func(m *meshv1.MsgPostJob) { m.MaxPrice = 1 << 40; m.FuelLimit = 1 << 30 }), ErrInvalidJob},
		{"no requirements", mut(func(m *meshv1.MsgPostJob) { m.Requirements = nil }), ErrInvalidJob},
		{"bad kind", mut(func(m *meshv1.MsgPostJob) { m.Requirements.Kind = "A B" }), ErrInvalidJob},
		// No executor can run a job without memory, nor one with more than a
		// 32-bit WebAssembly memory can hold (executor.Config).
		{"memory pages 0", mut(func(m *meshv1.MsgPostJob) { m.Requirements.MemoryPages = 0 }), ErrInvalidJob},
		{"memory pages 65537", mut(func(m *meshv1.MsgPostJob) { m.Requirements.MemoryPages = 65537 }), ErrInvalidJob},
	}
	for _, tc := range stateless {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, ValidatePostJob(tc.msg), tc.want) })
	}
	if err := ValidatePostJob(mut(func(m *meshv1.MsgPostJob) { m.Requirements.MemoryPages = 65536 })); err != nil {
		t.Fatalf("memory pages 65536: %v", err)
	}
	if err := ValidatePostJob(mut(func(m *meshv1.MsgPostJob) { m.Requirements.MemoryPages = 0 })); err == nil ||
		!strings.Contains(err.Error(), "requirements: memory_pages 0: want 1 to 65536") {
		t.Fatalf("memory pages 0: %v", err)
	}
	post := func(m *meshv1.MsgPostJob) error {
		_, err := e.do(2, poster, func(ctx modules.Context) error { return e.k.PostJob(ctx, m) })
		return err
	}
	wantCode(t, post(mut(func(m *meshv1.MsgPostJob) { m.BidWindow = 1001 })), ErrInvalidJob)
	e.post(2, spec(3))
	wantCode(t, post(spec(3)), ErrJobExists)
	// The poster's mana bounds the escrow.
	wantCode(t, post(mut(func(m *meshv1.MsgPostJob) { m.Sequence = 1; m.MaxPrice = 1000 })), manaInsufficient())
	// The same request by another poster is another job.
	_, err := e.do(2, exA, func(ctx modules.Context) error { return e.k.PostJob(ctx, spec(3)) })
	if err != nil {
		t.Fatal(err)
	}
}

// TestRegisterCodes: registration's checks.
func TestRegisterCodes(t *testing.T) {
	e := newEnv(t)
	good := func() *meshv1.MsgRegisterExecutor {
		return &meshv1.MsgRegisterExecutor{Capabilities: caps(), PriceFloor: 1, Bond: 1000}
	}
	stateless := []struct {
		name string
		msg  *meshv1.MsgRegisterExecutor
		want *modules.Error
	}{
		{"no capabilities", &meshv1.MsgRegisterExecutor{PriceFloor: 1, Bond: 1}, ErrInvalidCapabilities},
		{"unsorted kinds", &meshv1.MsgRegisterExecutor{Capabilities: &meshv1.Capabilities{MaxFuel: 1, MemoryPages: 1, Kinds: []string{"b", "a"}}, PriceFloor: 1, Bond: 1}, ErrInvalidCapabilities},
		{"no kinds", &meshv1.MsgRegisterExecutor{Capabilities: &meshv1.Capabilities{MaxFuel: 1, MemoryPages: 1}, PriceFloor: 1, Bond: 1}, ErrInvalidCapabilities},
		{"no fuel", &meshv1.MsgRegisterExecutor{Capabilities: &meshv1.Capabilities{MemoryPages: 1, Kinds: []string{"a"}}, PriceFloor: 1, Bond: 1}, ErrInvalidCapabilities},
		{"floor 0", &meshv1.MsgRegisterExecutor{Capabilities: caps(), Bond: 1}, ErrInvalidPrice},
		{"bond 0", &meshv1.MsgRegisterExecutor{Capabilities: caps(), PriceFloor: 1}, ErrInvalidBond},
	}
	for _, tc := range stateless {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, ValidateRegisterExecutor(tc.msg), tc.want) })
	}
	if err := ValidateRegisterExecutor(good()); err != nil {
		t.Fatal(err)
	}
	reg := func(by string, m *meshv1.MsgRegisterExecutor) error {
		_, err := e.do(1, by, func(ctx modules.Context) error { return e.k.RegisterExecutor(ctx, m) })
		return err
	}
	low := good()
	low.Bond = 99
	wantCode(t, reg(exA, low), ErrInvalidBond)
	huge := good()
	huge.Bond = startMana + 1
	wantCode(t, reg(exA, huge), manaInsufficient())
	if err := reg(exA, good()); err != nil {
		t.Fatal(err)
	}
}
