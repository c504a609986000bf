package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/node/home"
)

func snapshotsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "snapshots",
		Short: "List, export and restore state snapshots (docs/state-sync.md)",
		Long: `A node takes a snapshot of its state every state-sync.snapshot-interval heights
(app.toml) under data/snapshots and serves it to nodes that join by state sync.
These commands list those snapshots, write one (or any retained height) to a
file, and restore such a file into an empty home.`,
	}
	cmd.AddCommand(snapshotsListCmd(), snapshotsExportCmd(), snapshotsRestoreCmd())
	return cmd
}

func snapshotsListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the snapshots this node has taken (the node may run)",
		Long: `List the snapshots in the home's data/snapshots, the most recent first: height,
format, number of chunks, size of the stream, and the app hash of that height.`,
		Example: `  icnd snapshots list
  icnd snapshots list --output json --home localnet/.data/node0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := jsonOutput(cmd)
			if err != nil {
				return err
			}
			list, err := home.ListSnapshots(homeDir(cmd))
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(os.Stdout, list)
			}
			if len(list) == 0 {
				fmt.Fprintln(os.Stdout, "no snapshots (see state-sync.snapshot-interval in app.toml)")
				return nil
			}
			fmt.Fprintf(os.Stdout, "%-10s %-6s %-7s %-12s %s\n", "HEIGHT", "FORMAT", "CHUNKS", "BYTES", "APP HASH")
			for _, s := range list {
				fmt.Fprintf(os.Stdout, "%-10d %-6d %-7d %-12d %X\n", s.Height, s.Format, len(s.ChunkHashes), s.Size, []byte(s.AppHash))
			}
			return nil
		},
	}
	addOutputFlag(cmd)
	return cmd
}

func snapshotsExportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export FILE",
		Short: "Write the state at a height to a snapshot file",
		Long: `Write the snapshot stream of the state at --height to FILE (which must not
exist). A snapshot the node has taken at that height is copied, and the node
may run. Otherwise the state is exported from the app store: the node must be
stopped, and the height still retained (default: the last committed height).`,
		Example: `  icnd snapshots export /backup/state.snap
  icnd snapshots export --height 1000 /backup/state-1000.snap`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := jsonOutput(cmd)
			if err != nil {
				return err
			}
			height, _ := cmd.Flags().GetInt64(flagHeight)
			res, err := home.ExportSnapshot(homeDir(cmd), height, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(os.Stdout, res)
			}
			printFields(os.Stdout,
				[2]string{"file", res.Path},
				[2]string{"height", fmt.Sprint(res.Height)},
				[2]string{"app_hash", fmt.Sprintf("%X", []byte(res.AppHash))},
				[2]string{"bytes", fmt.Sprint(res.Size)},
				[2]string{"from", map[bool]string{true: "stored snapshot", false: "app store"}[res.Stored]},
			)
			return nil
		},
	}
	cmd.Flags().Int64(flagHeight, 0, "height to export (default: the last committed height)")
	addOutputFlag(cmd)
	return cmd
}

func snapshotsRestoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore a snapshot file into an empty home, then bootstrap CometBFT's state",
		Long: `Restore the snapshot file FILE into the stopped node's empty home (a fresh
"icnd init" with the chain's genesis.json), so that "icnd start" block-syncs on
from the snapshot's height instead of replaying from genesis.

CometBFT needs its own state at that height too: the command fetches it with
the light client set in config.toml's [statesync] section (rpc_servers of two
or more nodes of the chain, trust_height, trust_hash, trust_period; enable may
stay false), which also checks the file's app hash against the chain's header
at the next height. Without that section, or when the check fails, nothing is
left changed.`,
		Example: `  icnd snapshots restore /backup/state-1000.snap --home /srv/icnd`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := jsonOutput(cmd)
			if err != nil {
				return err
			}
			// CometBFT's bootstrap logs to stdout, which is for the result.
			stdout := os.Stdout
			os.Stdout = os.Stderr
			res, err := home.RestoreSnapshot(cmd.Context(), homeDir(cmd), args[0])
			os.Stdout = stdout
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(os.Stdout, res)
			}
			printFields(os.Stdout,
				[2]string{"restored height", fmt.Sprint(res.Height)},
				[2]string{"app_hash", fmt.Sprintf("%X", []byte(res.AppHash))},
				[2]string{"chain_id", res.ChainID},
			)
			return nil
		},
	}
	addOutputFlag(cmd)
	return cmd
}
