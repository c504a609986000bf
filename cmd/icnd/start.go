package main

import (
	"fmt"
	"os"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/abci"
)

func startCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "start",
		Short: "Run the node until interrupted",
		Long: `Run the node of --home: CometBFT (consensus, p2p, RPC, metrics) with the ICN
application in process. Settings come from config/config.toml and
config/app.toml; logs go to stdout at config.toml's log_level and log_format.
SIGINT or SIGTERM stops the node cleanly.`,
		Example: `  icnd start
  icnd start --home localnet/.data/node0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := abci.LoadCometConfig(homeDir(cmd))
			if err != nil {
				return err
			}
			logger := cmtlog.NewTMLogger(cmtlog.NewSyncWriter(os.Stdout))
			if cfg.LogFormat == cmtcfg.LogFormatJSON {
				logger = cmtlog.NewTMJSONLogger(cmtlog.NewSyncWriter(os.Stdout))
			}
			logger, err = cmtflags.ParseLogLevel(cfg.LogLevel, logger, cmtcfg.DefaultLogLevel)
			if err != nil {
				return fmt.Errorf("config.toml log_level: %w", err)
			}
			return abci.Run(cmd.Context(), homeDir(cmd), version, logger)
		},
	}
}
