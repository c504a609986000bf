// Command sdkpeerd is the Cosmos SDK peer of icnd's load benchmark
// (tests/load, `-app cosmos-sdk`): a minimal Cosmos SDK chain with x/auth,
// x/bank and x/consensus over the same CometBFT as icnd, run as real
// validator processes on the node homes `icnd testnet` generates, with
// its state in goleveldb under each home's data directory.
//
//	sdkpeerd genesis --home DIR --accounts 1000
//	sdkpeerd start --home DIR
//	sdkpeerd sign --chain-id ID --accounts 1000 --per-account 200 --size 256 --out FILE
//
// It lives in its own Go module so that icnd's module takes none of the
// SDK's dependencies; the load generator runs it as a binary.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "genesis":
		err = genesisCmd(os.Args[2:])
	case "start":
		err = startCmd(os.Args[2:])
	case "sign":
		err = signCmd(os.Args[2:])
	case "-h", "--help", "help":
		usage()
	default:
		fmt.Fprintf(os.Stderr, "sdkpeerd: unknown command %q\n", os.Args[1])
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdkpeerd:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: sdkpeerd genesis|start|sign [flags]; sdkpeerd CMD -h for flags

  genesis  replace the app_state of HOME/config/genesis.json (a node home of
           `+"`icnd testnet`"+`) with this chain's: bank balances for the benchmark accounts
  start    run the validator of HOME (CometBFT in process, state in HOME/data)
  sign     pre-sign bank sends from the benchmark accounts to a file for the load generator
`)
	os.Exit(2)
}
