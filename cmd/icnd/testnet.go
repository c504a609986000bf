package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client/keyring"
	"github.com/intercooperative/icnd/node/testnet"
)

func testnetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Generate the homes of an N-validator network on this machine",
		Long: fmt.Sprintf(`Generate DIR/node0 .. DIR/node{N-1}: one shared genesis with every node as a
validator (power 10), and for each node a funded account whose key, named
node<i>, is in that node's keyring (balance = capacity = %d mana,
regenerating %d per block; default mana params).

Node i listens on --starting-ip-address + i (all of 127.0.0.0/8 is loopback on
Linux, so 127.0.0.2, 127.0.0.3, ... work without setup): p2p on --p2p-port, RPC
on --rpc-port, Prometheus metrics on --prometheus-port; every other node is a
persistent peer. timeout_commit is %s instead of CometBFT's 1s, for quicker
commits on one machine; the other consensus settings are CometBFT's defaults.

For containers, --starting-ip-address is the first container's address on
their network (localnet/docker.sh gives 10.213.0.2). The configs hold no
absolute paths, so each home can be mounted anywhere in its container.

DIR/testnet.json lists each node's home, RPC and p2p addresses, key name and
DID, for scripts and tests. Start a node with "icnd start --home DIR/node0".`,
			testnet.AccountBalance, testnet.AccountRate, testnet.TimeoutCommit),
		Example: `  icnd testnet --validators 4 --output localnet/.data --chain-id icn-localnet
  icnd testnet --validators 3 --output /tmp/net --starting-ip-address 127.0.0.50 --rpc-port 36657
  icnd testnet --validators 4 --output /tmp/net --mempool app`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var opts testnet.Options
			opts.Validators, _ = cmd.Flags().GetInt("validators")
			opts.Output, _ = cmd.Flags().GetString("output")
			opts.ChainID, _ = cmd.Flags().GetString(flagChainID)
			opts.StartingIP, _ = cmd.Flags().GetString("starting-ip-address")
			opts.KeyringBackend, _ = cmd.Flags().GetString(flagKeyringBackend)
			opts.P2PPort, _ = cmd.Flags().GetInt("p2p-port")
			opts.RPCPort, _ = cmd.Flags().GetInt("rpc-port")
			opts.PrometheusPort, _ = cmd.Flags().GetInt("prometheus-port")
			opts.BenchAccounts, _ = cmd.Flags().GetInt("bench-accounts")
			opts.SnapshotInterval, _ = cmd.Flags().GetUint64("snapshot-interval")
			opts.VotingPeriod, _ = cmd.Flags().GetInt64("voting-period")
			opts.Timelock, _ = cmd.Flags().GetInt64("timelock")
			opts.Mempool, _ = cmd.Flags().GetString("mempool")
			if opts.KeyringBackend == keyring.BackendFile {
				opts.Passphrase = passphrase
			}
			m, err := testnet.Generate(opts)
			if err != nil {
				return err
			}
			fmt.Printf("generated %d validators of chain %s in %s\n", len(m.Nodes), m.ChainID, opts.Output)
			for _, n := range m.Nodes {
				fmt.Printf("  %-6s rpc %-24s key %-6s %s\n", n.Name, n.RPC, n.KeyName, n.DID)
			}
			fmt.Printf("manifest: %s\n", filepath.Join(opts.Output, testnet.ManifestFile))
			return nil
		},
	}
	cmd.Flags().Int("validators", 4, "number of validator nodes")
	cmd.Flags().StringP("output", "o", "./testnet", "directory for the node homes and testnet.json")
	cmd.Flags().String(flagChainID, "icn-testnet", "chain id")
	cmd.Flags().String("starting-ip-address", "127.0.0.2", "IPv4 address of node0; node i gets the i-th next address")
	cmd.Flags().Int("p2p-port", testnet.DefaultP2PPort, "p2p port of every node")
	cmd.Flags().Int("rpc-port", testnet.DefaultRPCPort, "RPC port of every node")
	cmd.Flags().Int("prometheus-port", testnet.DefaultPrometheusPort, "Prometheus metrics port of every node")
	cmd.Flags().Int("bench-accounts", 0, "also fund this many benchmark accounts with publicly derivable keys (load tests only; never on a real chain)")
	cmd.Flags().Int64("voting-period", 20, "blocks of voting of the default governance policy (0: the chain default, a day)")
	cmd.Flags().Int64("timelock", 5, "blocks of timelock of the default governance policy (0: the chain default, an hour)")
	cmd.Flags().String("mempool", "flood", `config.toml mempool.type of every node: "flood" (CometBFT's mempool) or "app" (icnd's app-side mempool: admission concurrent with block execution, proposals built by the app; also sets mempool.check_tx_retry_delay to 100ms; docs/mempool.md)`)
	cmd.Flags().Uint64("snapshot-interval", testnet.DefaultSnapshotInterval, "app.toml state-sync.snapshot-interval of every node, so that a new node can join by state sync (0: no snapshots)")
	addKeyringFlag(cmd.Flags(), keyring.BackendTest)
	return cmd
}
