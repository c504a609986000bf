package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/daemon"
)

func executorCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "executor",
		Short: "Run mesh jobs for pay: the executor daemon",
		Long: `An executor runs the mesh's compute jobs off chain (docs/executor.md). Its home
(--home) holds executor.toml, the block store (blocks/) and the daemon's state
(state/). Register its DID first with 'icnd tx mesh register-executor'; then
'icnd executor start' follows a node, bids on the jobs its policy accepts, runs
those it is assigned and commits and reveals their signed receipts.`,
		Example: `  icnd executor init --home ~/.icnd-executor --node tcp://127.0.0.3:26657 --key carol --keyring-backend test
  icnd tx mesh register-executor --bond 50000 --price-floor 1 --max-fuel 100000000 --from carol --keyring-backend test
  icnd executor start --home ~/.icnd-executor`,
	}
	cmd.AddCommand(executorInitCmd(), executorStartCmd())
	return cmd
}

// addExecutorFlags adds the flags that override executor.toml.
func addExecutorFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String(flagNode, "", "chain.node: CometBFT RPC address of the node to follow")
	f.String(flagChainID, "", "chain.chain-id: the chain id (default: ask the node)")
	f.String("key", "", "key.name: the keyring key of the executor's DID")
	f.String(flagKeyringBackend, "", "key.keyring-backend: file, test or memory")
	f.String("keyring-dir", "", "key.keyring-dir: directory whose keyring-<backend>/ holds the key (default: --home)")
	f.Uint64("price", 0, "bid.price: price per unit of fuel bid (0: the registered floor)")
	f.Uint64("max-fuel", 0, "bid.max-fuel: largest fuel limit bid on (0: as registered)")
	f.StringSlice("p2p-listen", nil, "p2p.listen: multiaddrs the libp2p host listens on")
	f.StringSlice("bootstrap", nil, "p2p.bootstrap: full multiaddrs (with /p2p/<id>) of peers to join through")
	f.Bool("no-p2p", false, "p2p.enabled = false: fetch nothing from peers, announce nothing")
	f.String("metrics-listen", "", "metrics.listen: address serving /metrics (\"none\": none)")
	f.String("log-level", "", "log-level: debug, info, warn or error")
	f.Int("parallel", 0, "run.parallel: jobs run at once")
	f.String("run-timeout", "", "run.timeout: wall-clock safety net of one run, e.g. 2m")
}

// applyExecutorFlags overrides fc with the flags given.
func applyExecutorFlags(cmd *cobra.Command, fc *daemon.FileConfig) {
	f := cmd.Flags()
	str := func(name string, dst *string) {
		if f.Changed(name) {
			*dst, _ = f.GetString(name)
		}
	}
	str(flagNode, &fc.Chain.Node)
	str(flagChainID, &fc.Chain.ChainID)
	str("key", &fc.Key.Name)
	str(flagKeyringBackend, &fc.Key.KeyringBackend)
	if f.Changed("keyring-dir") {
		// A path on the command line is the shell's, relative to the
		// working directory; in the file, paths are relative to the home.
		dir, _ := f.GetString("keyring-dir")
		if abs, err := filepath.Abs(dir); err == nil && dir != "" {
			dir = abs
		}
		fc.Key.KeyringDir = dir
	}
	str("log-level", &fc.LogLevel)
	str("run-timeout", &fc.Run.Timeout)
	if f.Changed("metrics-listen") {
		fc.Metrics.Listen, _ = f.GetString("metrics-listen")
		if fc.Metrics.Listen == "none" {
			fc.Metrics.Listen = ""
		}
	}
	if f.Changed("price") {
		fc.Bid.Price, _ = f.GetUint64("price")
	}
	if f.Changed("max-fuel") {
		fc.Bid.MaxFuel, _ = f.GetUint64("max-fuel")
	}
	if f.Changed("parallel") {
		fc.Run.Parallel, _ = f.GetInt("parallel")
	}
	if f.Changed("p2p-listen") {
		fc.P2P.Listen, _ = f.GetStringSlice("p2p-listen")
	}
	if f.Changed("bootstrap") {
		fc.P2P.Bootstrap, _ = f.GetStringSlice("bootstrap")
	}
	if off, _ := f.GetBool("no-p2p"); off {
		fc.P2P.Enabled = false
	}
}

func executorInitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented executor.toml into the executor's home",
		Long: `Write --home/executor.toml with the defaults, overridden by the flags given
(the same flags as 'icnd executor start'). It never replaces an existing file.
Every key is commented; docs/executor.md section 3 lists them.`,
		Example: `  icnd executor init --home ~/.icnd-executor --node tcp://127.0.0.3:26657 --key carol --keyring-backend test
  icnd executor init --home exec1 --key node1 --keyring-dir localnet/.data/node1 --keyring-backend test \
      --p2p-listen /ip4/127.0.0.1/tcp/4011 --metrics-listen 127.0.0.1:26671`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fc := daemon.DefaultFileConfig()
			applyExecutorFlags(cmd, &fc)
			if err := fc.Validate(); err != nil {
				return err
			}
			path, err := daemon.WriteFileConfig(homeDir(cmd), fc)
			if err != nil {
				return err
			}
			fmt.Println(path)
			return nil
		},
	}
	addExecutorFlags(cmd)
	return cmd
}

func executorStartCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Follow the chain, bid, run assigned jobs and submit their receipts",
		Long: `Run the executor of --home until SIGINT or SIGTERM. It reads executor.toml
(flags override it), unlocks the signing key, checks that the node answers and
that the key's DID is a registered executor, then follows the node's blocks
(websocket and polling; heights missed while it was down are processed in
order). For a job its policy accepts it fetches the module and input (its
block store, then libp2p peers) and, once it has them, bids; for a job it is
assigned it runs them with the job's fuel limit and memory, stores and
announces the output, and commits to then reveals its signed receipt. Every step is recorded in
--home/state/jobs/<job>.json before its transaction is sent, so that after a
crash or a restart it resumes and never sends a bid, a commitment or a
receipt twice. Metrics are served on metrics.listen (/metrics).`,
		Example: `  icnd executor start --home ~/.icnd-executor
  icnd executor start --home exec1 --node tcp://127.0.0.3:26657 --bootstrap /ip4/127.0.0.1/tcp/4011/p2p/12D3KooW...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := homeDir(cmd)
			fc, err := daemon.LoadFileConfig(home)
			if err != nil {
				return err
			}
			applyExecutorFlags(cmd, &fc)
			if err := fc.Validate(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runExecutor(ctx, home, fc)
		},
	}
	addExecutorFlags(cmd)
	return cmd
}

func runExecutor(ctx context.Context, home string, fc daemon.FileConfig) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(fc.LogLevel)); err != nil {
		return fmt.Errorf("log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	runTimeout, fetchTimeout, poll, err := fc.Durations()
	if err != nil {
		return err
	}
	engine, err := fc.Engine()
	if err != nil {
		return err
	}

	// The key first: nothing else is worth starting without it.
	krDir := daemon.Path(home, fc.Key.KeyringDir)
	if krDir == "" {
		krDir = home
	}
	kr, err := keyring.New(krDir, fc.Key.KeyringBackend, passphrase)
	if err != nil {
		return err
	}
	rec, err := kr.Get(fc.Key.Name)
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("key %q is not in the %s keyring of %s: create or import it there (`icnd keys add %s --home %s --keyring-backend %s`), or set key.name and key.keyring-dir in %s",
			fc.Key.Name, fc.Key.KeyringBackend, krDir, fc.Key.Name, krDir, fc.Key.KeyringBackend, daemon.Path(home, daemon.ConfigFile))
	}
	if err != nil {
		return err
	}
	if _, err := kr.PrivateKey(fc.Key.Name); err != nil {
		return fmt.Errorf("unlock key %q: %w", fc.Key.Name, err)
	}
	did := client.NewKeyInfo(rec).DID
	name := fc.Key.Name
	sign := func(b []byte) ([]byte, error) { return kr.Sign(name, b) }

	c, err := client.Dial(fc.Chain.Node)
	if err != nil {
		return err
	}
	chainID, err := c.ResolveChainID(ctx, fc.Chain.ChainID)
	if err != nil {
		return err
	}
	store, err := blockstore.Open(daemon.Path(home, fc.BlocksDir), 0)
	if err != nil {
		return err
	}
	metrics := daemon.NewMetrics()
	cfg := daemon.Config{Node: fc.Chain.Node, ChainID: chainID, DID: did, KeyID: fc.Key.KeyID, Sign: sign,
		StateDir: daemon.Path(home, fc.StateDir), Blocks: store,
		Policy:     daemon.Policy{Price: fc.Bid.Price, MaxFuel: fc.Bid.MaxFuel, MemoryPages: fc.Bid.MemoryPages, Kinds: fc.Bid.Kinds},
		RunTimeout: runTimeout, FetchTimeout: fetchTimeout, Parallel: fc.Run.Parallel, Engine: engine, Poll: poll,
		TxTimeoutBlocks: fc.Chain.TxTimeoutBlocks, Metrics: metrics, Log: log}

	if fc.P2P.Enabled {
		network, hints, closeNet, err := startP2P(ctx, home, fc, chainID, store, log)
		if err != nil {
			return fmt.Errorf("libp2p: %w", err)
		}
		defer closeNet()
		cfg.Network, cfg.Hints = network, hints
	}
	d, err := daemon.New(ctx, cfg)
	if err != nil {
		return err
	}
	if fc.Metrics.Listen != "" {
		ln, err := net.Listen("tcp", fc.Metrics.Listen)
		if err != nil {
			return fmt.Errorf("metrics.listen: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", metrics.Handler())
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "err", err)
			}
		}()
		defer srv.Close()
		log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	}
	err = d.Run(ctx)
	log.Info("executor stopped")
	return err
}
