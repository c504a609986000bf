package mana

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

var jobID = []byte("job-1")

// full returns a full account of capacity 1000 and rate 10 at height h.
func full(h int64) *manav1.Account {
	return &manav1.Account{Balance: 1000, Capacity: 1000, Rate: 10, LastHeight: h}
}

func TestLock(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, &manav1.Account{Balance: 200, Capacity: 1000, Rate: 10, LastHeight: 10})
	ctx := e.ctx(50) // alice has 200 + 10 × 40 = 600
	if err := e.k.Lock(ctx, alice, jobID, 450); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 150, Capacity: 1000, Rate: 10, Escrowed: 450, LastHeight: 50})
	esc, err := e.k.Escrow(e.ctx(50), jobID)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(esc, &manav1.Escrow{Owner: alice, Amount: 450, Height: 50}) {
		t.Fatalf("escrow = %v", esc)
	}
	evs := ctx.Events()
	if len(evs) != 1 || evs[0].Type != "icn.mana.escrow_locked" ||
		attr(t, evs[0], "id") != "6a6f622d31" || attr(t, evs[0], "owner") != alice || attr(t, evs[0], "amount") != "450" {
		t.Fatalf("events = %+v", evs)
	}

	// Escrowed mana does not regenerate: the ceiling is 1000 - 450.
	acc := e.account(t, alice)
	if got := Effective(acc, 1_000_000); got != 550 {
		t.Fatalf("balance long after the lock = %d, want 550", got)
	}
	if n, ok := BlocksUntilFull(acc, 50); !ok || n != 40 { // (550 - 150) / 10
		t.Fatalf("BlocksUntilFull = %d, %v; want 40", n, ok)
	}
}

func TestLockErrors(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, full(1))
	if err := e.k.Lock(e.ctx(1), alice, jobID, 100); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		did    string
		id     []byte
		amount uint64
		want   *modules.Error
	}{
		{"empty id", alice, nil, 1, ErrInvalidEscrowID},
		{"id too long", alice, bytes.Repeat([]byte{1}, MaxEscrowIDLength+1), 1, ErrInvalidEscrowID},
		{"zero amount", alice, []byte("job-2"), 0, ErrInvalidAmount},
		{"duplicate id", alice, jobID, 1, ErrEscrowExists},
		{"duplicate id of another owner", bob, jobID, 1, ErrEscrowExists},
		{"no account", bob, []byte("job-2"), 1, ErrNoAccount},
		{"more than the balance", alice, []byte("job-2"), 901, ErrInsufficientMana},
		{"more than the balance by far", alice, []byte("job-2"), ^uint64(0), ErrInsufficientMana},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot(t)
			ctx := e.ctx(1)
			wantErr(t, e.k.Lock(ctx, tc.did, tc.id, tc.amount), tc.want)
			if !reflect.DeepEqual(before, e.snapshot(t)) || len(ctx.Events()) != 0 {
				t.Fatal("a refused lock wrote state or emitted an event")
			}
		})
	}
	// The whole balance can be locked.
	if err := e.k.Lock(e.ctx(1), alice, []byte("job-2"), 900); err != nil {
		t.Fatal(err)
	}
	if got := Effective(e.account(t, alice), 1000); got != 0 {
		t.Fatalf("balance with everything locked = %d, want 0", got)
	}
	if got := e.account(t, alice).Escrowed; got != 1000 {
		t.Fatalf("escrowed = %d, want 1000", got)
	}
}

func TestRelease(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, full(10))
	e.put(t, bob, &manav1.Account{Balance: 100, Capacity: 500, Rate: 1, LastHeight: 10})
	if err := e.k.Lock(e.ctx(10), alice, jobID, 300); err != nil {
		t.Fatal(err)
	}
	// At 30 alice is at her ceiling (700) and bob has 120.
	ctx := e.ctx(30)
	if err := e.k.Release(ctx, jobID, bob); err != nil {
		t.Fatal(err)
	}
	// Alice's capacity is free again from 30 on, not retroactively.
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 700, Capacity: 1000, Rate: 10, LastHeight: 30})
	if got := Effective(e.account(t, alice), 35); got != 750 {
		t.Fatalf("alice at 35 = %d, want 750", got)
	}
	wantAccount(t, e.account(t, bob), &manav1.Account{Balance: 420, Capacity: 500, Rate: 1, LastHeight: 30})
	if _, err := e.k.Escrow(e.ctx(30), jobID); err == nil {
		t.Fatal("released escrow still stored")
	}
	evs := ctx.Events()
	if len(evs) != 1 || evs[0].Type != "icn.mana.escrow_released" || attr(t, evs[0], "to") != bob ||
		attr(t, evs[0], "amount") != "300" || attr(t, evs[0], "credited") != "300" || attr(t, evs[0], "burned") != "0" {
		t.Fatalf("events = %+v", evs)
	}
	wantErr(t, e.k.Release(e.ctx(31), jobID, bob), ErrEscrowNotFound)
}

func TestReleaseBurnsWhatDoesNotFit(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, full(10))
	e.put(t, bob, &manav1.Account{Balance: 400, Capacity: 500, Rate: 1, LastHeight: 10})
	if err := e.k.Lock(e.ctx(10), alice, jobID, 300); err != nil {
		t.Fatal(err)
	}
	ctx := e.ctx(20) // bob has 410: only 90 fit
	if err := e.k.Release(ctx, jobID, bob); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, bob), &manav1.Account{Balance: 500, Capacity: 500, Rate: 1, LastHeight: 20})
	if acc := e.account(t, alice); acc.Escrowed != 0 || acc.Balance != 700 {
		t.Fatalf("alice = %v: the burned part must not come back to the owner", acc)
	}
	ev := ctx.Events()[0]
	if attr(t, ev, "credited") != "90" || attr(t, ev, "burned") != "210" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestReleaseToOwner(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, full(10))
	if err := e.k.Lock(e.ctx(10), alice, jobID, 300); err != nil {
		t.Fatal(err)
	}
	if err := e.k.Release(e.ctx(12), jobID, alice); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), full(12))
}

func TestReleaseErrors(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, full(10))
	if err := e.k.Lock(e.ctx(10), alice, jobID, 300); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		id   []byte
		to   string
		want *modules.Error
	}{
		{"empty id", nil, alice, ErrInvalidEscrowID},
		{"id too long", bytes.Repeat([]byte{1}, MaxEscrowIDLength+1), alice, ErrInvalidEscrowID},
		{"unknown id", []byte("job-2"), alice, ErrEscrowNotFound},
		{"recipient without an account", jobID, carol, ErrNoAccount},
		{"recipient too long to be a DID", jobID, string(bytes.Repeat([]byte{'x'}, 300)), ErrNoAccount},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot(t)
			ctx := e.ctx(11)
			wantErr(t, e.k.Release(ctx, tc.id, tc.to), tc.want)
			if !reflect.DeepEqual(before, e.snapshot(t)) || len(ctx.Events()) != 0 {
				t.Fatal("a refused release wrote state or emitted an event")
			}
		})
	}
}

func TestRefund(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, full(10))
	if err := e.k.Lock(e.ctx(10), alice, jobID, 300); err != nil {
		t.Fatal(err)
	}
	if err := e.k.Charge(e.ctx(10), alice, 500); err != nil {
		t.Fatal(err)
	}
	ctx := e.ctx(20) // alice has 200 + 10 × 10 = 300 of a 700 ceiling
	if err := e.k.Refund(ctx, jobID); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 600, Capacity: 1000, Rate: 10, LastHeight: 20})
	ev := ctx.Events()[0]
	if ev.Type != "icn.mana.escrow_refunded" || attr(t, ev, "to") != alice || attr(t, ev, "credited") != "300" || attr(t, ev, "burned") != "0" {
		t.Fatalf("event = %+v", ev)
	}
	wantErr(t, e.k.Refund(e.ctx(21), jobID), ErrEscrowNotFound)
	wantErr(t, e.k.Refund(e.ctx(21), nil), ErrInvalidEscrowID)
}

func TestRefundAfterCapacityShrank(t *testing.T) {
	e := newEnv(t)
	e.memberships[alice] = []string{KindCooperative}
	e.put(t, alice, &manav1.Account{Balance: 20_000, Capacity: 20_000, Rate: 50, LastHeight: 10})
	if err := e.k.Lock(e.ctx(10), alice, jobID, 8_000); err != nil {
		t.Fatal(err)
	}
	// Alice moves to a community (capacity 10000) while 8000 is locked: her
	// balance is cut to 2000.
	e.memberships[alice] = []string{KindCommunity}
	if err := e.k.MembershipChanged(e.ctx(10), alice); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 2_000, Capacity: 10_000, Rate: 20, Escrowed: 8_000, LastHeight: 10})
	ctx := e.ctx(10)
	if err := e.k.Refund(ctx, jobID); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 10_000, Capacity: 10_000, Rate: 20, LastHeight: 10})
	ev := ctx.Events()[0]
	if attr(t, ev, "credited") != "8000" || attr(t, ev, "burned") != "0" {
		t.Fatalf("event = %+v", ev)
	}

	// Alice then leaves every organization with 6000 locked. Only her base
	// grant of 5000 remains, below what she has locked, so her balance is
	// cut to 0, and a refund restores only 5000 of the 6000.
	if err := e.k.Lock(e.ctx(10), alice, jobID, 6_000); err != nil {
		t.Fatal(err)
	}
	acc := e.account(t, alice)
	acc.BaseCapacity = 5_000
	e.put(t, alice, acc)
	e.memberships[alice] = nil
	if err := e.k.MembershipChanged(e.ctx(10), alice); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Capacity: 5_000, BaseCapacity: 5_000, Escrowed: 6_000, LastHeight: 10})
	ctx = e.ctx(11)
	if err := e.k.Refund(ctx, jobID); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 5_000, Capacity: 5_000, BaseCapacity: 5_000, LastHeight: 11})
	ev = ctx.Events()[0]
	if attr(t, ev, "credited") != "5000" || attr(t, ev, "burned") != "1000" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestEscrowCorruptState(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, full(10))
	if err := e.k.Lock(e.ctx(10), alice, jobID, 300); err != nil {
		t.Fatal(err)
	}
	// An account whose escrowed total is below one of its escrows is a
	// broken invariant, not a result code.
	acc := e.account(t, alice)
	acc.Escrowed = 100
	e.put(t, alice, acc)
	err := e.k.Refund(e.ctx(11), jobID)
	if err == nil {
		t.Fatal("refund over a corrupt escrowed total succeeded")
	}
	if space, _ := modules.ResultCode(err); space != modules.CodespaceInternal {
		t.Fatalf("corrupt state reported as %v, want an internal error", err)
	}
}

// TestPartialEscrow: LockMore adds to an escrow, Pay moves parts of it to
// a DID and to its owner (capped at the recipient's ceiling, the excess
// burned), Burn destroys a part; the escrow closes at 0.
func TestPartialEscrow(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, full(10))
	e.put(t, bob, &manav1.Account{Balance: 420, Capacity: 500, Rate: 1, LastHeight: 10})
	if err := e.k.Lock(e.ctx(10), alice, jobID, 300); err != nil {
		t.Fatal(err)
	}
	if err := e.k.LockMore(e.ctx(10), jobID, 100); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 600, Capacity: 1000, Rate: 10, Escrowed: 400, LastHeight: 10})
	wantErr(t, e.k.LockMore(e.ctx(10), jobID, 601), ErrInsufficientMana)
	wantErr(t, e.k.LockMore(e.ctx(10), []byte("nope"), 1), ErrEscrowNotFound)
	wantErr(t, e.k.LockMore(e.ctx(10), jobID, 0), ErrInvalidAmount)

	// Pay 100 to bob, who has room for 80 (500 - 420): 20 burn.
	ctx := e.ctx(10)
	credited, err := e.k.Pay(ctx, jobID, bob, 100)
	if err != nil || credited != 80 {
		t.Fatalf("Pay = %d, %v; want 80", credited, err)
	}
	wantAccount(t, e.account(t, bob), &manav1.Account{Balance: 500, Capacity: 500, Rate: 1, LastHeight: 10})
	ev := ctx.Events()[0]
	if ev.Type != "icn.mana.escrow_paid" || attr(t, ev, "credited") != "80" || attr(t, ev, "burned") != "20" || attr(t, ev, "remaining") != "300" {
		t.Fatalf("event = %+v", ev)
	}
	// Burn 50: alice's escrowed total falls, her balance does not rise.
	if err := e.k.Burn(e.ctx(10), jobID, 50); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 600, Capacity: 1000, Rate: 10, Escrowed: 250, LastHeight: 10})
	wantErr(t, e.k.Burn(e.ctx(10), jobID, 251), ErrInvalidAmount)
	wantErr(t, e.k.Burn(e.ctx(10), jobID, 0), ErrInvalidAmount)
	if _, err := e.k.Pay(e.ctx(10), jobID, bob, 251); !errors.Is(err, ErrInvalidAmount) {
		t.Fatalf("overpay: %v", err)
	}
	if _, err := e.k.Pay(e.ctx(10), jobID, carol, 1); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("pay to no account: %v", err)
	}
	// Refund the rest to alice: the escrow closes.
	if credited, err := e.k.Pay(e.ctx(10), jobID, alice, 250); err != nil || credited != 250 {
		t.Fatalf("refund = %d, %v", credited, err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 850, Capacity: 1000, Rate: 10, LastHeight: 10})
	wantErr(t, e.k.Burn(e.ctx(10), jobID, 1), ErrEscrowNotFound)
}
