package mana

import (
	"testing"

	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// TestSpendTreasury: the treasury pays at the spend's height; the
// recipient is credited up to its ceiling and the rest is destroyed.
func TestSpendTreasury(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, &manav1.Account{Balance: 1000, Capacity: 5000, Rate: 10, LastHeight: 1})
	e.put(t, bob, &manav1.Account{Balance: 900, Capacity: 1000, Escrowed: 50, LastHeight: 1})
	// At height 11 alice holds 1100; bob's ceiling is 950, so 50 fits.
	credited, err := e.k.SpendTreasury(e.ctx(11), alice, bob, 300)
	if err != nil {
		t.Fatal(err)
	}
	if credited != 50 {
		t.Fatalf("credited %d, want 50", credited)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 800, Capacity: 5000, Rate: 10, LastHeight: 11})
	wantAccount(t, e.account(t, bob), &manav1.Account{Balance: 950, Capacity: 1000, Escrowed: 50, LastHeight: 11})

	before := e.snapshot(t)
	_, err = e.k.SpendTreasury(e.ctx(11), alice, bob, 801)
	wantErr(t, err, ErrInsufficientMana)
	_, err = e.k.SpendTreasury(e.ctx(11), alice, carol, 1)
	wantErr(t, err, ErrNoAccount)
	if after := e.snapshot(t); len(after) != len(before) {
		t.Fatal("a failed spend wrote state")
	}
	for k, v := range before {
		if e.snapshot(t)[k] != v {
			t.Fatal("a failed spend changed state")
		}
	}
}

// TestBurn: a burned escrow credits nobody and frees its owner's capacity.
func TestBurn(t *testing.T) {
	e := newEnv(t)
	e.put(t, alice, &manav1.Account{Balance: 1000, Capacity: 1000, LastHeight: 1})
	id := []byte("gov/1")
	if err := e.k.Lock(e.ctx(2), alice, id, 100); err != nil {
		t.Fatal(err)
	}
	ctx := e.ctx(3)
	if err := e.k.BurnAll(ctx, id); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 900, Capacity: 1000, LastHeight: 3})
	evs := ctx.Events()
	if len(evs) != 1 || evs[0].Type != EventTypeEscrowBurned || attr(t, evs[0], "amount") != "100" {
		t.Fatalf("events %v", evs)
	}
	wantErr(t, e.k.BurnAll(e.ctx(4), id), ErrEscrowNotFound)
}

func TestValidateSpendTreasury(t *testing.T) {
	const org = "did:icn:abcdefghijklmnopqrstuvwxyz234567"
	const to = "did:icn:bbcdefghijklmnopqrstuvwxyz234567"
	for _, m := range []*manav1.MsgSpendTreasury{
		{Org: org, To: to, Amount: 0},
		{Org: org, To: org, Amount: 1},
		{Org: "did:icn:x", To: to, Amount: 1},
		{Org: org, To: "nobody", Amount: 1},
	} {
		wantErr(t, ValidateSpendTreasury(m), ErrInvalidSpend)
	}
	if err := ValidateSpendTreasury(&manav1.MsgSpendTreasury{Org: org, To: to, Amount: 1}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, ValidateSetManaParams(&manav1.MsgSetManaParams{}), ErrInvalidParams)
}
