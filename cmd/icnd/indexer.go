package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/indexer"
)

func indexerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "indexer",
		Short: "Mirror the chain into PostgreSQL and serve its API and explorer",
		Long: `The indexer follows a node's committed blocks over its RPC and writes blocks,
transactions, events and the current state of DIDs, organizations, memberships,
freezes, credentials, mana accounts and profiles into PostgreSQL, each height
in one database transaction. It serves a read-only JSON API (/v1/...), its
OpenAPI document (/v1/openapi.json), an explorer page (/) and the signed member
sync (POST /v1/sync). See docs/indexer.md.`,
		Example: `  icnd indexer start --node tcp://127.0.0.2:26657 --db 'postgres://icn@/icn?host=/tmp/pg' --listen 127.0.0.1:8088
  icnd indexer rebuild --node tcp://127.0.0.2:26657 --db 'postgres://icn@/icn?host=/tmp/pg'`,
	}
	cmd.AddCommand(indexerRunCmd("start", false), indexerRunCmd("rebuild", true))
	return cmd
}

func indexerRunCmd(use string, rebuild bool) *cobra.Command {
	short := "Follow the chain from where the mirror stopped, and serve the API"
	long := `Apply the schema migrations the database lacks, then index every committed
height the mirror does not hold yet, each in one database transaction, and keep
following the node (websocket notifications and polling). An empty mirror starts
at the node's first block (or --from-height) by reading the whole state there.
SIGINT or SIGTERM stops it between heights; a kill at any instant loses nothing.`
	if rebuild {
		short = "Empty the chain's tables and index again from the node's first block, then follow"
		long = `Empty every table that mirrors the chain, in one transaction, and index again
from the node's first block (or --from-height), then follow like start. The
member contacts and the audit log, which the chain cannot reproduce, are kept;
the erasures are replayed as their blocks pass. With --stop-height it exits
once that height is indexed.`
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := indexerConfig(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runIndexer(ctx, cfg, rebuild)
		},
	}
	f := cmd.Flags()
	f.String(flagNode, defaultNode, "CometBFT RPC address of the node to follow")
	f.StringSlice(flagWitnesses, nil, "RPC addresses of other nodes that cross-check the headers the sync API verifies against")
	f.String("db", os.Getenv("ICND_INDEXER_DB"), "PostgreSQL connection string (default $ICND_INDEXER_DB)")
	f.String("listen", "127.0.0.1:8088", "address of the API and explorer (\"\" serves nothing)")
	f.String("reader-role", indexer.DefaultReaderRole, "organization role whose holders may read member contacts through the API")
	f.String("trust-dir", "", "folder of the light client's trusted headers (default <home>/indexer-trust)")
	f.Int64("stop-height", 0, "exit once this height is indexed (0: follow forever)")
	f.Int64("from-height", 0, "an empty mirror starts here: the whole state read at this height, then the blocks after it (default: the node's first block)")
	f.String("log-level", "info", "debug, info, warn or error")
	return cmd
}

func indexerConfig(cmd *cobra.Command) (indexer.Config, error) {
	f := cmd.Flags()
	var cfg indexer.Config
	cfg.Node, _ = f.GetString(flagNode)
	cfg.Witnesses, _ = f.GetStringSlice(flagWitnesses)
	cfg.DB, _ = f.GetString("db")
	cfg.Listen, _ = f.GetString("listen")
	cfg.ReaderRole, _ = f.GetString("reader-role")
	cfg.TrustDir, _ = f.GetString("trust-dir")
	cfg.StopHeight, _ = f.GetInt64("stop-height")
	cfg.FromHeight, _ = f.GetInt64("from-height")
	if cfg.DB == "" {
		return cfg, fmt.Errorf("--db is required: a PostgreSQL connection string (or set ICND_INDEXER_DB)")
	}
	if cfg.TrustDir == "" {
		cfg.TrustDir = filepath.Join(homeDir(cmd), "indexer-trust")
	}
	var level slog.Level
	lv, _ := f.GetString("log-level")
	if err := level.UnmarshalText([]byte(lv)); err != nil {
		return cfg, fmt.Errorf("--log-level: %w", err)
	}
	cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	return cfg, nil
}

func runIndexer(ctx context.Context, cfg indexer.Config, rebuild bool) error {
	ix, err := indexer.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer ix.Close()
	if rebuild {
		if err := ix.Reset(ctx); err != nil {
			return err
		}
		cfg.Log.Info("emptied the chain's tables; indexing from the node's first block")
	}
	return ix.Run(ctx)
}
