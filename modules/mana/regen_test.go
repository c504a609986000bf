package mana

import (
	"errors"
	"math"
	"testing"

	"github.com/intercooperative/icnd/modules"

	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

func TestEffective(t *testing.T) {
	cases := []struct {
		name   string
		acc    manav1.Account
		height int64
		want   uint64
	}{
		{"no time passed", manav1.Account{Balance: 200, Capacity: 1000, Rate: 5, LastHeight: 100}, 100, 200},
		{"height before last", manav1.Account{Balance: 200, Capacity: 1000, Rate: 5, LastHeight: 100}, 90, 200},
		{"regenerates", manav1.Account{Balance: 200, Capacity: 1000, Rate: 5, LastHeight: 100}, 150, 450},
		{"caps at capacity", manav1.Account{Balance: 200, Capacity: 1000, Rate: 5, LastHeight: 100}, 1000, 1000},
		{"exactly full", manav1.Account{Balance: 200, Capacity: 1000, Rate: 5, LastHeight: 100}, 260, 1000},
		{"zero rate", manav1.Account{Balance: 7, Capacity: 1000, Rate: 0, LastHeight: 1}, 1 << 40, 7},
		{"zero capacity", manav1.Account{Balance: 0, Capacity: 0, Rate: 5, LastHeight: 1}, 100, 0},
		{"product overflows", manav1.Account{Balance: 1, Capacity: math.MaxUint64, Rate: math.MaxUint64, LastHeight: 0}, 3, math.MaxUint64},
		{"sum overflows", manav1.Account{Balance: math.MaxUint64 - 1, Capacity: math.MaxUint64, Rate: 10, LastHeight: 0}, 1, math.MaxUint64},
		{"stored balance above capacity is capped", manav1.Account{Balance: 2000, Capacity: 1000, Rate: 0, LastHeight: 0}, 0, 1000},
		{"escrow lowers the ceiling", manav1.Account{Balance: 200, Capacity: 1000, Rate: 5, Escrowed: 300, LastHeight: 100}, 1000, 700},
		{"escrow above capacity leaves nothing", manav1.Account{Balance: 200, Capacity: 1000, Rate: 5, Escrowed: 1200, LastHeight: 100}, 1000, 0},
		{"escrow equal to capacity leaves nothing", manav1.Account{Balance: 0, Capacity: 1000, Rate: 5, Escrowed: 1000, LastHeight: 100}, 1000, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Effective(&tc.acc, tc.height); got != tc.want {
				t.Fatalf("Effective = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestBlocksUntilFull(t *testing.T) {
	acc := &manav1.Account{Balance: 200, Capacity: 1000, Rate: 5, LastHeight: 100}
	if n, ok := BlocksUntilFull(acc, 150); !ok || n != 110 { // 450 now, 550 missing, 5 per block
		t.Fatalf("BlocksUntilFull = %d, %v; want 110", n, ok)
	}
	if n, ok := BlocksUntilFull(&manav1.Account{Balance: 1, Capacity: 10, Rate: 3}, 0); !ok || n != 3 { // rounds up
		t.Fatalf("BlocksUntilFull rounding = %d, %v; want 3", n, ok)
	}
	if n, ok := BlocksUntilFull(&manav1.Account{Capacity: math.MaxUint64, Rate: math.MaxUint64}, 0); !ok || n != 1 {
		t.Fatalf("BlocksUntilFull near overflow = %d, %v; want 1", n, ok)
	}
	if _, ok := BlocksUntilFull(&manav1.Account{Balance: 1, Capacity: 10}, 5); ok {
		t.Fatal("zero rate reported as reaching capacity")
	}
}

func TestTxCost(t *testing.T) {
	p := DefaultParams(testMsgs)
	if got, want := TxCost(p, 300, []string{"anchor"}), uint64(10+300+10); got != want {
		t.Fatalf("TxCost = %d, want %d", got, want)
	}
	if got, want := TxCost(p, 100, []string{"anchor", "register_did"}), uint64(10+100+10+100); got != want {
		t.Fatalf("TxCost two msgs = %d, want %d", got, want)
	}
	huge := &manav1.Params{BaseTxCost: math.MaxUint64, CostPerByte: math.MaxUint64}
	if got := TxCost(huge, 10, []string{"anchor"}); got != math.MaxUint64 {
		t.Fatalf("TxCost does not saturate: %d", got)
	}
}

func TestValidateParams(t *testing.T) {
	// The messages are given, not taken from the table under test, so
	// that a missing or extra row can fail.
	known := []modules.MsgSpec{{Name: "anchor", Cost: 10}, {Name: "register_did", Cost: 100}}
	good := DefaultParams(known)
	if got := len(good.MsgCosts); got != 2 || good.MsgCosts[0].Msg != "anchor" || good.MsgCosts[1].Cost != 100 {
		t.Fatalf("DefaultParams cost table = %v, want anchor 10, register_did 100", good.MsgCosts)
	}
	if err := ValidateParams(good, known); err != nil {
		t.Fatal(err)
	}
	with := func(rows ...*manav1.MsgCost) *manav1.Params {
		p := DefaultParams(known)
		p.MsgCosts = rows
		return p
	}
	bad := map[string]*manav1.Params{
		"nil":              nil,
		"base cost 0":      {BaseTxCost: 0},
		"unknown message":  with(&manav1.MsgCost{Msg: "anchor", Cost: 1}, &manav1.MsgCost{Msg: "nope", Cost: 1}, &manav1.MsgCost{Msg: "register_did", Cost: 1}),
		"unsorted":         with(&manav1.MsgCost{Msg: "register_did"}, &manav1.MsgCost{Msg: "anchor"}),
		"duplicate":        with(&manav1.MsgCost{Msg: "anchor"}, &manav1.MsgCost{Msg: "anchor"}, &manav1.MsgCost{Msg: "register_did"}),
		"null row":         with(nil, &manav1.MsgCost{Msg: "register_did"}),
		"missing message":  with(&manav1.MsgCost{Msg: "anchor", Cost: 1}),
		"zero cost":        with(&manav1.MsgCost{Msg: "anchor", Cost: 0}, &manav1.MsgCost{Msg: "register_did", Cost: 1}),
		"empty cost table": with(),
	}
	for name, p := range bad {
		if err := ValidateParams(p, known); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: got %v, want ErrInvalidParams", name, err)
		}
	}
}
