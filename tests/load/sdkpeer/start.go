package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"cosmossdk.io/log/v2"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	"github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/rs/zerolog"
	"github.com/spf13/viper"

	"github.com/cosmos/cosmos-sdk/server"
	servercmtlog "github.com/cosmos/cosmos-sdk/server/log"
)

// startCmd runs one validator: CometBFT in process with the app over a
// goleveldb database in the home's data directory.
func startCmd(args []string) error {
	fs := flag.NewFlagSet("start", flag.ExitOnError)
	home := fs.String("home", "", "node home: config/config.toml, config/genesis.json, keys and data (required)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: sdkpeerd start --home DIR\n\nRuns the validator of DIR with the CometBFT settings of DIR/config/config.toml\nuntil SIGINT or SIGTERM.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *home == "" {
		fs.Usage()
		os.Exit(2)
	}
	cfg, err := loadCometConfig(*home)
	if err != nil {
		return err
	}
	genDoc, err := types.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return fmt.Errorf("read genesis: %w", err)
	}
	logger := log.NewLogger(os.Stderr, log.LevelOption(logLevel(cfg.LogLevel)), log.ColorOption(false))
	db, err := dbm.NewDB("application", dbm.GoLevelDBBackend, cfg.DBDir())
	if err != nil {
		return err
	}
	app, err := newPeerApp(logger, db, genDoc.ChainID, newEncoding())
	if err != nil {
		return err
	}
	defer app.Close()
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return err
	}
	pv := privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	n, err := node.NewNodeWithContext(ctx, cfg, pv, nodeKey,
		proxy.NewLocalClientCreator(server.NewCometABCIWrapper(app)),
		node.DefaultGenesisDocProviderFunc(cfg),
		cmtcfg.DefaultDBProvider,
		node.DefaultMetricsProvider(cfg.Instrumentation),
		servercmtlog.CometLoggerWrapper{Logger: logger},
	)
	if err != nil {
		return fmt.Errorf("create node: %w", err)
	}
	if err := n.Start(); err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	logger.Info("sdkpeerd started", "chain_id", genDoc.ChainID, "rpc", cfg.RPC.ListenAddress)
	<-ctx.Done()
	if err := n.Stop(); err != nil {
		return err
	}
	n.Wait()
	return nil
}

// loadCometConfig reads home/config/config.toml over CometBFT's defaults,
// as icnd does, so that the peer runs with the same settings.
func loadCometConfig(home string) (*cmtcfg.Config, error) {
	cfg := cmtcfg.DefaultConfig()
	path := filepath.Join(home, "config", "config.toml")
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := v.Unmarshal(cfg); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	cfg.SetRoot(home)
	if err := cfg.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// logLevel is config.toml's log_level when it is a single level (CometBFT
// also takes per-module levels, which this peer does not), else info.
func logLevel(s string) zerolog.Level {
	if l, err := zerolog.ParseLevel(s); err == nil && s != "" {
		return l
	}
	return zerolog.InfoLevel
}
