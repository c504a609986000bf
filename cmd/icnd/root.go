package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "icnd",
		Short: "InterCooperative Network node and client",
		Long: `icnd runs a node of the InterCooperative Network (a CometBFT validator or full
node with the ICN application in process) and is the command-line client for it:
keys, transactions, queries with light-client-verified proofs, genesis tools and
an N-validator testnet generator.

The node's files live in --home (default ~/.icnd): CometBFT's config/config.toml,
the app's config/app.toml, config/genesis.json, the data/ directory and the
client keyrings.`,
		Example: `  icnd init mynode --chain-id icn-test
  icnd keys add alice
  icnd genesis add-account alice --balance 200000 --capacity 200000 --rate 100
  icnd start
  icnd status`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String(flagHome, defaultHome(), "node and client home directory")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return fmt.Errorf("%w (see `%s --help`)", err, cmd.CommandPath())
	})
	root.AddCommand(
		initCmd(),
		keysCmd(),
		genesisCmd(),
		testnetCmd(),
		startCmd(),
		statusCmd(),
		txCmd(),
		queryCmd(),
		credentialCmd(),
		exportCmd(),
		rollbackCmd(),
		snapshotsCmd(),
		indexerCmd(),
		executorCmd(),
		profileCmd(),
		jobCmd(),
		versionCmd(),
		dagCmd(),
	)
	explainArgErrors(root)
	return root
}

// explainArgErrors makes a wrong number of arguments name the command and
// its usage line, since usage is not dumped on errors.
func explainArgErrors(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return fmt.Errorf("%s: %w; usage: %s", cmd.CommandPath(), err, cmd.UseLine())
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		explainArgErrors(sub)
	}
}

func defaultHome() string {
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".icnd"
	}
	return filepath.Join(dir, ".icnd")
}
