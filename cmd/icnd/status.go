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
		Short: "Show a node's chain, latest block, sync state, peers and voting power",
		Long: `Ask the node at --node for its chain id, node id, latest height, block hash,
app hash and block time, whether it is still catching up, how many peers it
is connected to, and its validator key's address and voting power (0 when it
is not in the validator set). --output json prints the same fields under
stable names: chain_id, node_id, moniker, latest_height, latest_block_hash,
latest_app_hash, latest_block_time, catching_up, peers, validator_address,
voting_power.`,
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
				[2]string{"peers", strconv.Itoa(st.Peers)},
				[2]string{"validator_address", st.ValidatorAddress},
				[2]string{"voting_power", strconv.FormatInt(st.VotingPower, 10)},
			)
			return nil
		},
	}
	cmd.Flags().String(flagNode, defaultNode, "CometBFT RPC address of the node")
	addOutputFlag(cmd)
	return cmd
}
