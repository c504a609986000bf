package mana

import (
	"bytes"
	"reflect"
	"testing"

	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

func TestGenesisValidate(t *testing.T) {
	dids := map[string]bool{alice: true, bob: true}
	good := func() Genesis {
		g := DefaultGenesis(testMsgs)
		g.Accounts = []GenesisAccount{{DID: alice, Balance: 900, Capacity: 1000, Rate: 1}}
		g.Escrows = []GenesisEscrow{{ID: []byte("job-1"), Owner: alice, Amount: 100, Height: 3}}
		return g
	}
	if err := good().Validate(testMsgs, dids); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(g *Genesis){
		"unknown account DID":        func(g *Genesis) { g.Accounts[0].DID = carol },
		"account listed twice":       func(g *Genesis) { g.Accounts = append(g.Accounts, g.Accounts[0]) },
		"base above max_capacity":    func(g *Genesis) { g.Accounts[0].Capacity = g.Params.MaxCapacity + 1 },
		"base rate above max_rate":   func(g *Genesis) { g.Accounts[0].Rate = g.Params.MaxRate + 1 },
		"escrow without id":          func(g *Genesis) { g.Escrows[0].ID = nil },
		"escrow id too long":         func(g *Genesis) { g.Escrows[0].ID = bytes.Repeat([]byte{1}, MaxEscrowIDLength+1) },
		"escrow listed twice":        func(g *Genesis) { g.Escrows = append(g.Escrows, g.Escrows[0]) },
		"escrow of an unknown owner": func(g *Genesis) { g.Escrows[0].Owner = carol },
		"escrow of nothing":          func(g *Genesis) { g.Escrows[0].Amount = 0 },
		"invalid params":             func(g *Genesis) { g.Params.MaxCapacity = 0 },
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			g := good()
			g.Params = DefaultParams(testMsgs)
			mutate(&g)
			wantErr(t, g.Validate(testMsgs, dids), ErrInvalidGenesis)
		})
	}
}

func TestGenesisDerivesAndRoundTrips(t *testing.T) {
	e := newEnv(t)
	e.memberships[bob] = []string{KindCooperative}
	g := DefaultGenesis(testMsgs)
	g.Accounts = []GenesisAccount{
		{DID: alice, Balance: 900, Capacity: 1000, Rate: 1},
		// Bob's balance fits only because his cooperative adds 20000.
		{DID: bob, Balance: 15_000, Capacity: 0, Rate: 0},
	}
	g.Escrows = []GenesisEscrow{
		{ID: []byte("job-2"), Owner: bob, Amount: 3_000, Height: 4},
		{ID: []byte("job-1"), Owner: bob, Amount: 2_000, Height: 3},
	}
	if err := e.k.InitGenesis(e.ctx(7), g, []string{alice, bob, carol}); err != nil {
		t.Fatal(err)
	}
	wantAccount(t, e.account(t, alice), &manav1.Account{Balance: 900, Capacity: 1000, Rate: 1, BaseCapacity: 1000, BaseRate: 1, LastHeight: 7})
	wantAccount(t, e.account(t, bob), &manav1.Account{Balance: 15_000, Capacity: 20_000, Rate: 50, Escrowed: 5_000, LastHeight: 7})
	wantAccount(t, e.account(t, carol), &manav1.Account{LastHeight: 7})

	out, err := e.k.ExportGenesis(e.ctx(7))
	if err != nil {
		t.Fatal(err)
	}
	want := []GenesisAccount{
		{DID: alice, Balance: 901, Capacity: 1000, Rate: 1}, // regenerated to height 8
		{DID: bob, Balance: 15_000, Capacity: 0, Rate: 0},   // the base, not the derived capacity
		{DID: carol},
	}
	if !reflect.DeepEqual(out.Accounts, want) {
		t.Fatalf("exported accounts = %+v, want %+v", out.Accounts, want)
	}
	wantEscrows := []GenesisEscrow{
		{ID: []byte("job-1"), Owner: bob, Amount: 2_000, Height: 3},
		{ID: []byte("job-2"), Owner: bob, Amount: 3_000, Height: 4},
	}
	if !reflect.DeepEqual(out.Escrows, wantEscrows) {
		t.Fatalf("exported escrows = %+v, want %+v", out.Escrows, wantEscrows)
	}
}

func TestInitGenesisRefusesBalanceAboveCeiling(t *testing.T) {
	e := newEnv(t)
	g := DefaultGenesis(testMsgs)
	g.Accounts = []GenesisAccount{{DID: alice, Balance: 800, Capacity: 1000}}
	g.Escrows = []GenesisEscrow{{ID: []byte("job-1"), Owner: alice, Amount: 300}}
	wantErr(t, e.k.InitGenesis(e.ctx(1), g, []string{alice}), ErrInvalidGenesis)
}
