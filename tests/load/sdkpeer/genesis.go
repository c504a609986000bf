package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// genesisCmd replaces the app_state of a CometBFT genesis file (one that
// `icnd testnet` wrote: chain ID, validators and consensus parameters stay
// as they are) with the peer chain's.
func genesisCmd(args []string) error {
	fs := flag.NewFlagSet("genesis", flag.ExitOnError)
	home := fs.String("home", "", "node home whose config/genesis.json gets the peer chain's app_state (required)")
	accounts := fs.Int("accounts", 1000, "benchmark accounts to fund, account numbers 0..N-1 in this order")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: sdkpeerd genesis --home DIR [--accounts N]\n\nReplaces the app_state of DIR/config/genesis.json with x/auth accounts and x/bank\nbalances for N benchmark accounts (keys derived from a public string: never a real chain).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *home == "" || *accounts < 1 {
		fs.Usage()
		os.Exit(2)
	}
	appState, err := appGenesis(newEncoding(), *accounts)
	if err != nil {
		return err
	}
	path := filepath.Join(*home, "config", "genesis.json")
	bz, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(bz, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	doc["app_state"] = appState
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

// appGenesis is the app_state: n base accounts with account numbers 0..n-1
// and AccountBalance each.
func appGenesis(enc encoding, n int) (json.RawMessage, error) {
	accs := make(authtypes.GenesisAccounts, n)
	balances := make([]banktypes.Balance, n)
	coins := sdk.NewCoins(sdk.NewCoin(Denom, sdkmath.NewInt(AccountBalance)))
	for i := range n {
		addr := benchAddress(i)
		accs[i] = authtypes.NewBaseAccount(addr, nil, uint64(i), 0)
		balances[i] = banktypes.Balance{Address: addr.String(), Coins: coins}
	}
	packed, err := authtypes.PackAccounts(accs)
	if err != nil {
		return nil, err
	}
	authGen := authtypes.DefaultGenesisState()
	authGen.Accounts = packed
	bankGen := banktypes.DefaultGenesisState()
	bankGen.Balances = balances
	state := map[string]json.RawMessage{
		authtypes.ModuleName: enc.cdc.MustMarshalJSON(authGen),
		banktypes.ModuleName: enc.cdc.MustMarshalJSON(bankGen),
	}
	return json.Marshal(state)
}
