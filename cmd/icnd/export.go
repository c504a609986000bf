package main

import (
	"fmt"
	"os"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/node/home"
)

func exportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export the app state as a genesis file (node stopped)",
		Long: `Write a genesis.json that restarts the chain from the state the stopped node
committed at --height (default: its latest height): the node's genesis with
app_state replaced by the exported state, initial_height = height+1, app_hash the
app hash of that height, and the validators and consensus params in force for
the next height.

The node must be stopped: its databases are locked while it runs.`,
		Example: `  icnd export > exported.json
  icnd export --height 100 --output-document /tmp/genesis-100.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			height, _ := cmd.Flags().GetInt64(flagHeight)
			doc, err := home.Export(homeDir(cmd), height)
			if err != nil {
				return err
			}
			bz, err := cmtjson.MarshalIndent(doc, "", "  ")
			if err != nil {
				return err
			}
			bz = append(bz, '\n')
			out, _ := cmd.Flags().GetString("output-document")
			if out == "" {
				_, err = os.Stdout.Write(bz)
				return err
			}
			if err := os.WriteFile(out, bz, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "exported height %d of chain %s to %s\n", doc.InitialHeight-1, doc.ChainID, out)
			return nil
		},
	}
	cmd.Flags().Int64(flagHeight, 0, "committed height to export (default: latest)")
	cmd.Flags().String("output-document", "", "write the genesis to this file instead of stdout")
	return cmd
}
