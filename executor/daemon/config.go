package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/intercooperative/icnd/executor"
)

// ConfigFile is the executor's configuration file below its home.
const ConfigFile = "executor.toml"

// Files and directories below the executor's home.
const (
	DefaultBlocksDir = "blocks"
	DefaultStateDir  = "state"
	DefaultP2PKey    = "p2p.key"
)

// FileConfig is executor.toml (docs/executor.md, section 3.3). Relative
// paths are relative to the executor's home.
type FileConfig struct {
	Chain   ChainConfig   `toml:"chain" comment:"The node the executor follows and sends its transactions to."`
	Key     KeyConfig     `toml:"key" comment:"The key that signs bids, commitments and receipts: the executor's DID, registered with 'icnd tx mesh register-executor'."`
	Bid     BidConfig     `toml:"bid" comment:"Which jobs to bid on. The registered record (icnd query mesh executor DID) bounds every value; 0 or empty means: as registered."`
	Run     RunConfig     `toml:"run" comment:"Running jobs."`
	P2P     P2PConfig     `toml:"p2p" comment:"The libp2p host: fetches modules and inputs from peers, serves outputs and receipts (docs/executor.md, section 2)."`
	Metrics MetricsConfig `toml:"metrics" comment:"Prometheus metrics."`
	// BlocksDir is the block store.
	BlocksDir string `toml:"blocks-dir" comment:"The block store: modules, inputs, outputs and receipts, by CID."`
	// StateDir keeps the last height processed and one file per job.
	StateDir string `toml:"state-dir" comment:"The daemon's state: the last height processed and one JSON file per job (what was sent, in which transaction)."`
	// LogLevel is debug, info, warn or error.
	LogLevel string `toml:"log-level" comment:"debug, info, warn or error."`
}

// ChainConfig names the node.
type ChainConfig struct {
	Node            string `toml:"node" comment:"CometBFT RPC address of the node."`
	ChainID         string `toml:"chain-id" comment:"The chain id; empty: ask the node (when set, the node's must match)."`
	Poll            string `toml:"poll" comment:"How often to ask the node for new blocks when no websocket notification comes."`
	TxTimeoutBlocks int64  `toml:"tx-timeout-blocks" comment:"Blocks a transaction may wait to be included (its timeout height) before another may be sent in its place."`
}

// KeyConfig names the signing key.
type KeyConfig struct {
	Name           string `toml:"name" comment:"Name of the key in the keyring."`
	KeyringBackend string `toml:"keyring-backend" comment:"file (encrypted: the passphrase is asked at start), test (unencrypted, for development) or memory."`
	KeyringDir     string `toml:"keyring-dir" comment:"The directory whose keyring-<backend>/ holds the key; empty: the executor's home."`
	KeyID          string `toml:"key-id" comment:"The key's id in the DID document."`
}

// BidConfig is the bidding policy.
type BidConfig struct {
	Price       uint64   `toml:"price" comment:"Price per unit of fuel bid; 0: the registered price floor. Jobs whose max price is lower are not bid on."`
	MaxFuel     uint64   `toml:"max-fuel" comment:"Largest fuel limit bid on."`
	MemoryPages uint64   `toml:"memory-pages" comment:"Most memory (64 KiB pages) a job may ask for."`
	Kinds       []string `toml:"kinds" comment:"Module kinds bid on."`
}

// RunConfig sets how jobs run.
type RunConfig struct {
	Timeout      string `toml:"timeout" comment:"Wall-clock safety net of one run. A run it stops gives no receipt (the fuel limit, not this, bounds a job)."`
	FetchTimeout string `toml:"fetch-timeout" comment:"How long to look for a module or an input."`
	Parallel     int    `toml:"parallel" comment:"Jobs run at once."`
	Engine       string `toml:"engine" comment:"wazero engine: compiler or interpreter (results and fuel are the same)."`
}

// P2PConfig sets the libp2p host.
type P2PConfig struct {
	Enabled   bool     `toml:"enabled" comment:"Run the libp2p host; off: modules and inputs must be in the block store."`
	Listen    []string `toml:"listen" comment:"Multiaddrs to listen on."`
	Bootstrap []string `toml:"bootstrap" comment:"Full multiaddrs (with /p2p/<id>) of peers to join the network through; one is enough."`
	KeyFile   string   `toml:"key-file" comment:"The libp2p identity (Ed25519), created if missing."`
}

// MetricsConfig sets the metrics listener.
type MetricsConfig struct {
	Listen string `toml:"listen" comment:"Address serving /metrics; empty: none."`
}

// DefaultFileConfig is what `icnd executor init` writes.
func DefaultFileConfig() FileConfig {
	return FileConfig{
		Chain:     ChainConfig{Node: "tcp://127.0.0.1:26657", Poll: "1s", TxTimeoutBlocks: 10},
		Key:       KeyConfig{Name: "executor", KeyringBackend: "file", KeyID: "key-1"},
		Run:       RunConfig{Timeout: "2m", FetchTimeout: "30s", Parallel: 1, Engine: "compiler"},
		P2P:       P2PConfig{Enabled: true, Listen: []string{"/ip4/0.0.0.0/tcp/4010"}, Bootstrap: []string{}, KeyFile: DefaultP2PKey},
		Metrics:   MetricsConfig{Listen: "127.0.0.1:26670"},
		BlocksDir: DefaultBlocksDir,
		StateDir:  DefaultStateDir,
		LogLevel:  "info",
		Bid:       BidConfig{Kinds: []string{}},
	}
}

// Durations returns the run timeout, fetch timeout and poll interval.
func (c FileConfig) Durations() (run, fetch, poll time.Duration, err error) {
	parse := func(key, s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("%s = %q: want a positive duration such as \"30s\"", key, s)
		}
		return d, nil
	}
	if run, err = parse("run.timeout", c.Run.Timeout); err != nil {
		return
	}
	if fetch, err = parse("run.fetch-timeout", c.Run.FetchTimeout); err != nil {
		return
	}
	poll, err = parse("chain.poll", c.Chain.Poll)
	return
}

// Engine returns run.engine.
func (c FileConfig) Engine() (executor.Engine, error) {
	switch c.Run.Engine {
	case "compiler", "":
		return executor.EngineCompiler, nil
	case "interpreter":
		return executor.EngineInterpreter, nil
	}
	return 0, fmt.Errorf("run.engine = %q: want compiler or interpreter", c.Run.Engine)
}

// Validate checks values that would otherwise fail late.
func (c FileConfig) Validate() error {
	switch {
	case c.Chain.Node == "":
		return errors.New("chain.node is empty: set the node's RPC address")
	case c.Key.Name == "":
		return errors.New("key.name is empty: name the keyring key of the executor's DID")
	case c.Key.KeyID == "":
		return errors.New("key.key-id is empty")
	case c.Run.Parallel < 1:
		return fmt.Errorf("run.parallel = %d: want at least 1", c.Run.Parallel)
	case c.Chain.TxTimeoutBlocks < 1:
		return fmt.Errorf("chain.tx-timeout-blocks = %d: want at least 1", c.Chain.TxTimeoutBlocks)
	case c.BlocksDir == "" || c.StateDir == "":
		return errors.New("blocks-dir and state-dir must be set")
	case c.Key.KeyringBackend != "file" && c.Key.KeyringBackend != "test" && c.Key.KeyringBackend != "memory":
		return fmt.Errorf("key.keyring-backend = %q: want file, test or memory", c.Key.KeyringBackend)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("log-level = %q: want debug, info, warn or error", c.LogLevel)
	}
	if _, _, _, err := c.Durations(); err != nil {
		return err
	}
	_, err := c.Engine()
	return err
}

// Path resolves p against home.
func Path(home, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(home, p)
}

// LoadFileConfig reads home/executor.toml. An unknown key is an error, so a
// typo never passes silently.
func LoadFileConfig(home string) (FileConfig, error) {
	cfg := DefaultFileConfig()
	path := filepath.Join(home, ConfigFile)
	bz, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, fmt.Errorf("%s does not exist: create it with `icnd executor init --home %s`", path, home)
	}
	if err != nil {
		return cfg, err
	}
	dec := toml.NewDecoder(bytes.NewReader(bz))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) {
			return cfg, fmt.Errorf("%s: unknown keys:\n%s", path, strict.String())
		}
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// WriteFileConfig writes cfg to home/executor.toml, refusing to replace
// an existing file.
func WriteFileConfig(home string, cfg FileConfig) (string, error) {
	bz, err := toml.Marshal(cfg)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(home, ConfigFile)
	header := []byte("# icnd executor configuration (docs/executor.md, section 3). Flags of\n" +
		"# `icnd executor start` override these values.\n\n")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("%s exists already: edit it, or remove it to write the defaults again", path)
	}
	if err != nil {
		return "", err
	}
	if _, err := f.Write(append(header, bz...)); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}
