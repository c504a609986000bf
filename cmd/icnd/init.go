package main

import (
	"errors"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/node/home"
)

func initCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init MONIKER",
		Short: "Create a node home: config, node and validator keys, genesis",
		Long: `Create the home directory of a node, like "cometbft init": config/config.toml
and config/app.toml (kept when present), the node key and validator key (kept
when present), and a genesis.json for --chain-id with the default app state and
this node as the only validator (power 10).

An existing genesis.json is never replaced without --overwrite.`,
		Example: `  icnd init mynode --chain-id icn-test
  icnd init mynode --chain-id icn-test --home /srv/icnd --overwrite`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := jsonOutput(cmd)
			if err != nil {
				return err
			}
			chainID, _ := cmd.Flags().GetString(flagChainID)
			if chainID == "" {
				return errors.New("--chain-id is required")
			}
			overwrite, _ := cmd.Flags().GetBool("overwrite")
			res, err := home.Init(home.InitOptions{Home: homeDir(cmd), Moniker: args[0], ChainID: chainID, Overwrite: overwrite})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(os.Stdout, res)
			}
			fields := [][2]string{
				{"home", res.Home},
				{"moniker", res.Moniker},
				{"chain_id", res.ChainID},
				{"node_id", res.NodeID},
				{"validator", res.ValidatorAddress},
				{"created", strings.Join(res.Created, ", ")},
			}
			if len(res.Kept) > 0 {
				fields = append(fields, [2]string{"kept", strings.Join(res.Kept, ", ")})
			}
			printFields(os.Stdout, fields...)
			return nil
		},
	}
	cmd.Flags().String(flagChainID, "", "chain id of the new genesis (required)")
	cmd.Flags().Bool("overwrite", false, "replace an existing genesis.json")
	addOutputFlag(cmd)
	return cmd
}
