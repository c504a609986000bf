package abci

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/viper"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/store"
)

// LoadCometConfig reads home/config/config.toml over CometBFT's defaults and
// validates it.
func LoadCometConfig(home string) (*cmtcfg.Config, error) {
	cfg := cmtcfg.DefaultConfig()
	path := filepath.Join(home, "config", "config.toml")
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read %s: %w (run `icnd init` first)", path, err)
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

// OpenApp opens the app store under home's data directory and the App
// over it. The caller closes the returned store.
func OpenApp(home string, cometCfg *cmtcfg.Config, appCfg AppConfig) (*app.App, *store.CommitStore, error) {
	genDoc, err := types.GenesisDocFromFile(cometCfg.GenesisFile())
	if err != nil {
		return nil, nil, fmt.Errorf("read genesis: %w", err)
	}
	cms, err := store.OpenDir(cometCfg.DBDir(), store.Options{
		CacheSize:       appCfg.Store.IAVLCacheSize,
		StateCacheBytes: appCfg.Store.StateCacheBytes,
		PruneKeepRecent: appCfg.Store.PruningKeepRecent,
		PruneInterval:   appCfg.Store.PruningInterval,
		InitialVersion:  uint64(max(genDoc.InitialHeight, 1)),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("open app store: %w", err)
	}
	a, err := app.New(cms, app.Options{
		SigCacheSize:   appCfg.Store.SigCacheSize,
		ProposalMaxTxs: appCfg.Store.ProposalMaxTxs,
		MempoolMaxTxs:  appCfg.Mempool.MaxTxs,
	})
	if err != nil {
		cms.Close()
		return nil, nil, err
	}
	if id := a.ChainID(); id != "" && id != genDoc.ChainID {
		cms.Close()
		return nil, nil, fmt.Errorf("app store belongs to chain %q but genesis.json is for %q", id, genDoc.ChainID)
	}
	return a, cms, nil
}

// loadFilePV loads the validator key and sign state. CometBFT's
// LoadFilePV exits the process on a missing or malformed file; the files
// are checked here first so that the operator gets an error naming them.
func loadFilePV(keyFile, stateFile string) (*privval.FilePV, error) {
	for _, f := range []struct {
		path string
		into any
	}{{keyFile, new(privval.FilePVKey)}, {stateFile, new(privval.FilePVLastSignState)}} {
		bz, err := os.ReadFile(f.path)
		if err != nil {
			return nil, fmt.Errorf("validator key: %w", err)
		}
		if err := cmtjson.Unmarshal(bz, f.into); err != nil {
			return nil, fmt.Errorf("validator key: %s is malformed: %w", f.path, err)
		}
	}
	return privval.LoadFilePV(keyFile, stateFile), nil
}

// Run starts a CometBFT node in process over the app in home and blocks
// until ctx is cancelled, then stops the node cleanly.
func Run(ctx context.Context, home, version string, logger cmtlog.Logger) error {
	cometCfg, err := LoadCometConfig(home)
	if err != nil {
		return err
	}
	appCfg, err := LoadAppConfig(home)
	if err != nil {
		return err
	}
	applyMemoryLimit(appCfg.Runtime, logger)
	if appCfg.Debug.CPUProfile != "" {
		path := appCfg.Debug.CPUProfile
		if !filepath.IsAbs(path) {
			path = filepath.Join(home, path)
		}
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	appPool := cometCfg.Mempool.Type == cmtcfg.MempoolTypeApp
	if appPool {
		if err := checkPoolConfig(cometCfg, appCfg); err != nil {
			return err
		}
	}
	a, cms, err := OpenApp(home, cometCfg, appCfg)
	if err != nil {
		return err
	}
	// Closed below once the node has stopped; here on the paths that
	// return before.
	storeOpen := true
	defer func() {
		if storeOpen {
			cms.Close()
		}
	}()

	nodeKey, err := p2p.LoadNodeKey(cometCfg.NodeKeyFile())
	if err != nil {
		return fmt.Errorf("load node key: %w", err)
	}
	pv, err := loadFilePV(cometCfg.PrivValidatorKeyFile(), cometCfg.PrivValidatorStateFile())
	if err != nil {
		return err
	}
	abciApp := NewApplication(a, version, logger.With("module", "icnd"))
	abciApp.admission.max = appCfg.Mempool.MaxTxs
	if appPool {
		// The pool's reader has a node cache of its own, as large as the
		// store's.
		if err := abciApp.EnablePool(cms.NewConcurrentReader(appCfg.Store.IAVLCacheSize), poolOptions(cometCfg, appCfg)); err != nil {
			return err
		}
	}
	abciApp.SetSnapshots(NewSnapshotStore(filepath.Join(cometCfg.DBDir(), SnapshotsDir), 0), appCfg.StateSync)
	if cometCfg.Instrumentation.Prometheus {
		// The registry CometBFT serves on prometheus_listen_addr.
		abciApp.SetMetrics(NewMetrics(prometheus.DefaultRegisterer))
	}
	// Before CometBFT opens the index: put back the heights a stop or a
	// kill during a commit left out of it.
	if _, err := ReindexTip(cometCfg, cmtcfg.DefaultDBProvider, logger.With("module", "reindex")); err != nil {
		return fmt.Errorf("start-up re-index: %w", err)
	}
	var consensusApp abcitypes.Application = abciApp
	if appCfg.DagP2P.Enable {
		genDoc, err := types.GenesisDocFromFile(cometCfg.GenesisFile())
		if err != nil {
			return fmt.Errorf("read genesis: %w", err)
		}
		dn, err := startDagNet(ctx, home, genDoc.ChainID, appCfg.DagP2P, logger.With("module", "dag-p2p"))
		if err != nil {
			return err
		}
		defer dn.Close()
		consensusApp = &announcingApp{Application: abciApp, net: dn}
	}
	n, err := node.NewNodeWithContext(ctx, cometCfg, pv, nodeKey,
		newClientCreator(abciApp, consensusApp),
		node.DefaultGenesisDocProviderFunc(cometCfg),
		cmtcfg.DefaultDBProvider,
		node.DefaultMetricsProvider(cometCfg.Instrumentation),
		logger,
	)
	if err != nil {
		return fmt.Errorf("create node: %w", err)
	}
	exemptRelayed(n.Switch(), abciApp)
	verifyRelayedInBatches(n.Switch(), abciApp)
	if err := n.Start(); err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	logger.Info("icnd started", "chain_id", a.ChainID(), "height", a.LastCommit().Version, "rpc", cometCfg.RPC.ListenAddress)
	var halted error
	select {
	case <-ctx.Done():
		// The cause names the signal (signal.NotifyContext in main).
		logger.Info("stopping icnd", "cause", context.Cause(ctx))
	case halted = <-abciApp.Halted():
		logger.Error("the application cannot go on; stopping the node", "err", halted)
	}
	if halted != nil {
		halted = fmt.Errorf("node halted: %w", halted)
	}
	if err := n.Stop(); err != nil {
		// Stop fails only on a node that is not running.
		return errors.Join(halted, fmt.Errorf("stop node: %w", err))
	}
	n.Wait()
	// CometBFT closed its block and state stores in Stop. The mempool's
	// update after the last Commit (its rechecks) runs in a goroutine of its
	// own that holds the mempool's lock until it ends and that Stop does not
	// wait for: taking the lock waits for it, and keeps any later one from
	// calling the app. Then nothing calls the app any more.
	n.Mempool().Lock()
	// The app-side mempool's admissions run in goroutines of CometBFT's
	// that Stop does not wait for either: closing the pool waits for the
	// ones under way and refuses the later ones.
	if abciApp.pool != nil {
		abciApp.pool.Close()
	}
	height := a.LastCommit().Version
	storeOpen = false
	if err := cms.Close(); err != nil {
		return errors.Join(halted, fmt.Errorf("close app store: %w", err))
	}
	if halted != nil {
		return halted
	}
	logger.Info("icnd stopped, stores closed", "height", height)
	return nil
}

// applyMemoryLimit sets the runtime's soft memory limit from app.toml's
// [runtime] memory-limit-mib, unless GOMEMLIMIT is set in the environment
// (the runtime has applied it already) or the setting is 0. It returns the
// limit in force, in bytes (math.MaxInt64: none).
func applyMemoryLimit(cfg RuntimeConfig, logger cmtlog.Logger) int64 {
	if os.Getenv("GOMEMLIMIT") != "" || cfg.MemoryLimitMiB == 0 {
		return debug.SetMemoryLimit(-1)
	}
	limit := cfg.MemoryLimitMiB << 20
	debug.SetMemoryLimit(limit)
	logger.Info("soft memory limit", "MiB", cfg.MemoryLimitMiB)
	return limit
}
