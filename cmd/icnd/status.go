package main

import (
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

func statusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a node's chain, latest block and sync state",
		Long: `Ask the node at --node for its chain id, node id, latest height, block hash,
app hash and block time, and whether it is still catching up.`,
		Example: `  icnd status
  icnd status --node tcp://127.0.0.2:26657 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := jsonOutput(cmd)
			if err != nil {
				return err
			}
			c, err := dial(cmd)
			if err != nil {
				return err
			}
			st, err := c.Status(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(os.Stdout, st)
			}
			printFields(os.Stdout,
				[2]string{"chain_id", st.ChainID},
				[2]string{"node_id", st.NodeID},
				[2]string{"moniker", st.Moniker},
				[2]string{"latest_height", strconv.FormatInt(st.LatestHeight, 10)},
				[2]string{"latest_block_hash", st.LatestBlockHash},
				[2]string{"latest_app_hash", st.LatestAppHash},
				[2]string{"latest_block_time", st.LatestBlockTime.UTC().Format(time.RFC3339Nano)},
				[2]string{"catching_up", strconv.FormatBool(st.CatchingUp)},
			)
			return nil
		},
	}
	cmd.Flags().String(flagNode, defaultNode, "CometBFT RPC address of the node")
	addOutputFlag(cmd)
	return cmd
}
