package main

import (
	"testing"

	"cosmossdk.io/log/v2"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// TestBankSends runs the app through InitChain with the benchmark
// genesis, a block of signed sends and Commit, and checks each result code
// and the balances.
func TestBankSends(t *testing.T) {
	const chainID = "sdkpeer-test"
	enc := newEncoding()
	app, err := newPeerApp(log.NewNopLogger(), dbm.NewMemDB(), chainID, enc)
	if err != nil {
		t.Fatal(err)
	}
	appState, err := appGenesis(enc, 3)
	if err != nil {
		t.Fatal(err)
	}
	val := abci.Ed25519ValidatorUpdate(ed25519.GenPrivKey().PubKey().Bytes(), 10)
	params := cmttypes.DefaultConsensusParams().ToProto()
	res, err := app.InitChain(&abci.RequestInitChain{ChainId: chainID, InitialHeight: 1,
		ConsensusParams: &params, Validators: []abci.ValidatorUpdate{val}, AppStateBytes: appState})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Validators) != 1 || res.Validators[0].Power != val.Power || !res.Validators[0].PubKey.Equal(val.PubKey) {
		t.Fatalf("InitChain validators %v, want the genesis validator", res.Validators)
	}

	tx := func(from, to int, seq uint64) []byte {
		bz, err := sendTx(enc, chainID, from, to, seq, 256)
		if err != nil {
			t.Fatal(err)
		}
		return bz
	}
	txs := [][]byte{
		tx(0, 1, 0),
		tx(0, 1, 1),
		tx(0, 1, 1), // replayed
		tx(2, 0, 5), // sequence ahead
		tx(2, 0, 0),
	}
	fin, err := app.FinalizeBlock(&abci.RequestFinalizeBlock{Height: 1, Txs: txs})
	if err != nil {
		t.Fatal(err)
	}
	wrong := sdkerrors.ErrWrongSequence.ABCICode()
	want := []uint32{0, 0, wrong, wrong, 0}
	for i, r := range fin.TxResults {
		if r.Code != want[i] {
			t.Errorf("tx %d: code %d (%s), want %d", i, r.Code, r.Log, want[i])
		}
	}
	if _, err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	// After Commit the check state is the committed state.
	ctx := app.NewContext(true)
	for acct, want := range map[int]int64{0: AccountBalance - 2 + 1, 1: AccountBalance + 2, 2: AccountBalance - 1} {
		if got := app.bank.GetBalance(ctx, benchAddress(acct), Denom).Amount.Int64(); got != want {
			t.Errorf("account %d balance %d, want %d", acct, got, want)
		}
	}
	// After the block, CheckTx takes account 0's next sequence (2) and
	// refuses a replay of an executed one.
	check := func(b []byte) uint32 {
		r, err := app.CheckTx(&abci.RequestCheckTx{Tx: b, Type: abci.CheckTxType_New})
		if err != nil {
			t.Fatal(err)
		}
		return r.Code
	}
	if c := check(tx(0, 1, 1)); c != wrong {
		t.Errorf("CheckTx of executed sequence 1: code %d, want %d", c, wrong)
	}
	if c := check(tx(0, 1, 2)); c != 0 {
		t.Errorf("CheckTx of sequence 2: code %d, want 0", c)
	}
	if got := len(tx(0, 1, 0)); got < 256 {
		t.Errorf("a send is %d bytes, want at least 256", got)
	}
}
