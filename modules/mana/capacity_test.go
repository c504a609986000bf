package mana

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

func TestDerive(t *testing.T) {
	p := DefaultParams(testMsgs) // community 10000/20, cooperative 20000/50, federation 50000/100
	const neutral = NeutralReputation
	cases := []struct {
		name              string
		p                 *manav1.Params
		baseCap, baseRate uint64
		kinds             []string
		reputation        uint64
		wantCap, wantRate uint64
	}{
		{"no membership, no base: nothing", p, 0, 0, nil, neutral, 0, 0},
		{"no membership keeps the base", p, 1000, 5, nil, neutral, 1000, 5},
		{"one cooperative", p, 0, 0, []string{KindCooperative}, neutral, 20_000, 50},
		{"base plus bonuses of every membership", p, 1000, 5,
			[]string{KindCommunity, KindCommunity, KindFederation}, neutral, 1000 + 2*10_000 + 50_000, 5 + 2*20 + 100},
		{"unknown kind adds nothing", p, 0, 0, []string{"guild"}, neutral, 0, 0},
		{"half reputation halves the bonus, not the base", p, 1000, 5, []string{KindCooperative}, 5_000, 1000 + 10_000, 5 + 25},
		{"zero reputation leaves the base", p, 1000, 5, []string{KindFederation}, 0, 1000, 5},
		{"reputation rounds down", p, 0, 0, []string{KindCommunity}, 10_001, 10_001, 20},
		{"reputation above the cap is capped", p, 0, 0, []string{KindCooperative}, 1_000_000, 40_000, 100},
		{"capped at max_capacity and max_rate", &manav1.Params{
			MaxCapacity: 25_000, MaxRate: 60, MaxReputationBps: neutral,
			MembershipBonuses: []*manav1.MembershipBonus{{Kind: KindCooperative, Capacity: 20_000, Rate: 50}},
		}, 10_000, 20, []string{KindCooperative}, neutral, 25_000, 60},
		{"bonus sum saturates instead of wrapping", &manav1.Params{
			MaxCapacity: math.MaxUint64, MaxRate: math.MaxUint64, MaxReputationBps: neutral,
			MembershipBonuses: []*manav1.MembershipBonus{{Kind: KindCommunity, Capacity: math.MaxUint64, Rate: math.MaxUint64}},
		}, 0, 0, []string{KindCommunity, KindCommunity}, neutral, math.MaxUint64, math.MaxUint64},
		{"scaled bonus saturates instead of wrapping", &manav1.Params{
			MaxCapacity: math.MaxUint64 - 1, MaxRate: 7, MaxReputationBps: math.MaxUint64,
			MembershipBonuses: []*manav1.MembershipBonus{{Kind: KindCommunity, Capacity: math.MaxUint64 / 2, Rate: 1}},
		}, 0, 0, []string{KindCommunity}, 3 * neutral, math.MaxUint64 - 1, 3},
		{"base plus bonus saturates, then is capped", &manav1.Params{
			MaxCapacity: 1 << 62, MaxRate: 1 << 62, MaxReputationBps: neutral,
			MembershipBonuses: []*manav1.MembershipBonus{{Kind: KindCommunity, Capacity: math.MaxUint64 - 1, Rate: math.MaxUint64 - 1}},
		}, 2, 2, []string{KindCommunity}, neutral, 1 << 62, 1 << 62},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gotCap, gotRate := Derive(tc.p, tc.baseCap, tc.baseRate, tc.kinds, tc.reputation)
			if gotCap != tc.wantCap || gotRate != tc.wantRate {
				t.Fatalf("Derive = (%d, %d), want (%d, %d)", gotCap, gotRate, tc.wantCap, tc.wantRate)
			}
		})
	}
}

func TestScaleBps(t *testing.T) {
	cases := []struct{ x, bps, want uint64 }{
		{0, math.MaxUint64, 0},
		{12345, NeutralReputation, 12345},
		{3, 3333, 0}, // 0.9999 rounds down
		{math.MaxUint64, NeutralReputation, math.MaxUint64},
		{math.MaxUint64, NeutralReputation + 1, math.MaxUint64}, // saturates
		{math.MaxUint64, 5_000, math.MaxUint64 / 2},
	}
	for _, tc := range cases {
		if got := scaleBps(tc.x, tc.bps); got != tc.want {
			t.Errorf("scaleBps(%d, %d) = %d, want %d", tc.x, tc.bps, got, tc.want)
		}
	}
}

func TestCreateAccountDerivesCapacity(t *testing.T) {
	e := newEnv(t)
	if err := e.k.CreateAccount(e.ctx(5), alice); err != nil {
		t.Fatal(err)
	}
	// A new DID that belongs to nothing has zero capacity: it cannot spam.
	wantAccount(t, e.account(t, alice), &manav1.Account{LastHeight: 5})
	if err := e.k.Charge(e.ctx(1000), alice, 1); !errors.Is(err, ErrInsufficientMana) {
		t.Fatalf("charge of a new account: %v, want ErrInsufficientMana", err)
	}

	// With a base grant in params and a membership already recorded (an
	// organization's DID registered into a federation, say), both count.
	p := DefaultParams(testMsgs)
	p.NewAccountCapacity, p.NewAccountRate = 100, 1
	if err := e.k.SetParams(e.ctx(5), p); err != nil {
		t.Fatal(err)
	}
	e.memberships[bob] = []string{KindFederation}
	if err := e.k.CreateAccount(e.ctx(6), bob); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, bob), &manav1.Account{BaseCapacity: 100, BaseRate: 1, Capacity: 50_100, Rate: 101, LastHeight: 6})
}

func TestMembershipChanged(t *testing.T) {
	e := newEnv(t)
	if err := e.k.CreateAccount(e.ctx(10), alice); err != nil {
		t.Fatal(err)
	}

	// Joining a cooperative at height 20: the balance regenerated under the
	// old capacity (0) stays 0; the new capacity and rate apply from 20.
	e.memberships[alice] = []string{KindCooperative}
	ctx := e.ctx(20)
	if err := e.k.MembershipChanged(ctx, alice); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Capacity: 20_000, Rate: 50, LastHeight: 20})
	evs := ctx.Events()
	if len(evs) != 1 || evs[0].Type != "icn.mana.capacity_changed" ||
		attr(t, evs[0], "did") != alice || attr(t, evs[0], "capacity") != "20000" || attr(t, evs[0], "rate") != "50" || attr(t, evs[0], "balance") != "0" {
		t.Fatalf("events = %+v", evs)
	}
	if got := Effective(e.account(t, alice), 60); got != 2000 { // 50 × 40 blocks
		t.Fatalf("balance at 60 = %d, want 2000", got)
	}

	// Joining a federation too at height 60: 2000 earned at rate 50 is kept,
	// and from 60 on the rate is 150.
	e.memberships[alice] = []string{KindCooperative, KindFederation}
	if err := e.k.MembershipChanged(e.ctx(60), alice); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 2000, Capacity: 70_000, Rate: 150, LastHeight: 60})
	if got := Effective(e.account(t, alice), 70); got != 3500 {
		t.Fatalf("balance at 70 = %d, want 3500", got)
	}

	// Leaving the federation at height 260: 2000 + 150 × 200 = 32000 is cut
	// to the new capacity, 20000.
	e.memberships[alice] = []string{KindCooperative}
	if err := e.k.MembershipChanged(e.ctx(260), alice); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 20_000, Capacity: 20_000, Rate: 50, LastHeight: 260})

	// Nothing changed: nothing is written, no event.
	before := e.snapshot(t)
	ctx = e.ctx(300)
	if err := e.k.MembershipChanged(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, e.snapshot(t)) || len(ctx.Events()) != 0 {
		t.Fatal("an unchanged capacity wrote state or emitted an event")
	}

	// Reputation scales the bonus; the mesh module calls the same hook.
	e.reputation[alice] = 15_000
	if err := e.k.MembershipChanged(e.ctx(300), alice); err != nil {
		t.Fatal(err)
	}
	if acc := e.account(t, alice); acc.Capacity != 30_000 || acc.Rate != 75 {
		t.Fatalf("with reputation 1.5: capacity %d rate %d, want 30000 and 75", acc.Capacity, acc.Rate)
	}

	// Leaving everything: capacity 0, balance 0.
	e.memberships[alice] = nil
	if err := e.k.MembershipChanged(e.ctx(301), alice); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Capacity: 0, Rate: 0, LastHeight: 301})
}

func TestMembershipChangedKeepsEscrowOutOfTheCeiling(t *testing.T) {
	e := newEnv(t)
	e.memberships[alice] = []string{KindCooperative}
	e.put(t, alice, &manav1.Account{Balance: 15_000, Capacity: 20_000, Rate: 50, Escrowed: 5_000, LastHeight: 10})
	// Moving down to a community (capacity 10000) with 5000 escrowed: the
	// balance may hold at most 5000.
	e.memberships[alice] = []string{KindCommunity}
	if err := e.k.MembershipChanged(e.ctx(10), alice); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 5_000, Capacity: 10_000, Rate: 20, Escrowed: 5_000, LastHeight: 10})
}

func TestMembershipChangedErrors(t *testing.T) {
	e := newEnv(t)
	wantErr(t, e.k.MembershipChanged(e.ctx(1), alice), ErrNoAccount)

	e.put(t, alice, &manav1.Account{LastHeight: 1})
	e.k = NewKeeper(failing{}, e.reputation)
	if err := e.k.MembershipChanged(e.ctx(2), alice); !errors.Is(err, errBroken) {
		t.Fatalf("memberships error: %v", err)
	}
	e.k = NewKeeper(e.memberships, failing{})
	if err := e.k.MembershipChanged(e.ctx(2), alice); !errors.Is(err, errBroken) {
		t.Fatalf("reputation error: %v", err)
	}
}

func TestValidateParamsCapsAndBonuses(t *testing.T) {
	known := []modules.MsgSpec{{Name: "anchor", Cost: 10}}
	mutate := func(f func(p *manav1.Params)) *manav1.Params {
		p := DefaultParams(known)
		f(p)
		return p
	}
	if err := ValidateParams(mutate(func(*manav1.Params) {}), known); err != nil {
		t.Fatal(err)
	}
	bad := map[string]*manav1.Params{
		"max_capacity 0":               mutate(func(p *manav1.Params) { p.MaxCapacity = 0 }),
		"max_rate 0":                   mutate(func(p *manav1.Params) { p.MaxRate = 0 }),
		"reputation cap below neutral": mutate(func(p *manav1.Params) { p.MaxReputationBps = NeutralReputation - 1 }),
		"unknown kind":                 mutate(func(p *manav1.Params) { p.MembershipBonuses[0].Kind = "guild" }),
		"unsorted kinds": mutate(func(p *manav1.Params) {
			p.MembershipBonuses[0], p.MembershipBonuses[1] = p.MembershipBonuses[1], p.MembershipBonuses[0]
		}),
		"duplicate kind": mutate(func(p *manav1.Params) { p.MembershipBonuses[1].Kind = KindCommunity }),
		"null row":       mutate(func(p *manav1.Params) { p.MembershipBonuses[2] = nil }),
	}
	for name, p := range bad {
		t.Run(name, func(t *testing.T) {
			wantErr(t, ValidateParams(p, known), ErrInvalidParams)
		})
	}
}

// TestWorkedExample replays the membership, reputation and escrow examples
// of docs/state.md, section 7.4.
func TestWorkedExample(t *testing.T) {
	e := newEnv(t)
	const member, executor = alice, bob
	e.reputation[member] = 12_500
	e.put(t, member, &manav1.Account{LastHeight: 1000})
	e.memberships[member] = []string{KindCommunity, KindCooperative}
	if err := e.k.MembershipChanged(e.ctx(1000), member); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, member), &manav1.Account{Capacity: 37_500, Rate: 87, LastHeight: 1000})

	e.memberships[member] = []string{KindCooperative}
	if err := e.k.MembershipChanged(e.ctx(1100), member); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, member), &manav1.Account{Balance: 8700, Capacity: 25_000, Rate: 62, LastHeight: 1100})

	if err := e.k.Lock(e.ctx(1100), member, jobID, 5000); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, member), &manav1.Account{Balance: 3700, Capacity: 25_000, Rate: 62, Escrowed: 5000, LastHeight: 1100})

	e.put(t, executor, &manav1.Account{Balance: 18_000, Capacity: 20_000, LastHeight: 1200})
	ctx := e.ctx(1200)
	if err := e.k.Release(ctx, jobID, executor); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, member), &manav1.Account{Balance: 9900, Capacity: 25_000, Rate: 62, LastHeight: 1200})
	wantAccount(t, e.account(t, executor), &manav1.Account{Balance: 20_000, Capacity: 20_000, LastHeight: 1200})
	if ev := ctx.Events()[0]; attr(t, ev, "credited") != "2000" || attr(t, ev, "burned") != "3000" {
		t.Fatalf("release event = %+v", ev)
	}
	if got := Effective(e.account(t, member), 1300); got != 16_100 {
		t.Fatalf("owner at 1300 = %d, want 16100", got)
	}
}
