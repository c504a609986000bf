package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/node/home"
)

func rollbackCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Roll the stopped node's state back by one height",
		Long: `Recover from an incorrect state transition, like "cometbft rollback": overwrite
CometBFT's state at height n with the state at n-1, then roll the app store
back to n-1 as well. On restart the node re-executes block n. With --hard block
n is also removed from the block store and fetched again from peers. To go back
several heights, repeat it with --hard: without --hard block n stays, so a
second run finds the state already one below the last block and changes
nothing.

The node must be stopped. Nothing is changed unless the app store still holds
height n-1 (see pruning-keep-recent in app.toml).`,
		Example: `  icnd rollback
  icnd rollback --hard --home localnet/.data/node1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			hard, _ := cmd.Flags().GetBool("hard")
			res, err := home.Rollback(homeDir(cmd), hard)
			if err != nil {
				return err
			}
			what := "state"
			if res.BlockRemoved {
				what = "state and block"
			}
			fmt.Fprintf(os.Stdout, "rolled back %s to height %d, app hash %X\n", what, res.Height, res.AppHash)
			if res.AppRolledBackFrom > res.Height {
				fmt.Fprintf(os.Stdout, "app store rolled back from height %d to %d\n", res.AppRolledBackFrom, res.Height)
			}
			return nil
		},
	}
	cmd.Flags().Bool("hard", false, "also remove the last block")
	return cmd
}
