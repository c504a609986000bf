package abci

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pelletier/go-toml/v2"

	"github.com/intercooperative/icnd/store"
)

// AppConfigFile is the app's config file below the home directory, beside
// CometBFT's config.toml.
const AppConfigFile = "config/app.toml"

// AppConfig is config/app.toml: settings of this node's app that never
// affect consensus results.
type AppConfig struct {
	Store     StoreConfig     `toml:"store" comment:"The application state store (IAVL)."`
	Mempool   MempoolConfig   `toml:"mempool" comment:"Admission to CometBFT's mempool (its own settings are in config.toml [mempool])."`
	StateSync StateSyncConfig `toml:"state-sync" comment:"Snapshots of the state, served to nodes that join by state sync (docs/state-sync.md)."`
	Runtime   RuntimeConfig   `toml:"runtime" comment:"The node process's Go runtime."`
	Debug     DebugConfig     `toml:"debug" comment:"Diagnostics."`
	DagP2P    DagP2PConfig    `toml:"dag-p2p" comment:"The mesh's libp2p network (docs/executor.md, section 2): when enabled, the node serves the blocks in data/blocks to executors and announces posted jobs. Off by default."`
}

// StoreConfig sets the IAVL store's cache and pruning.
type StoreConfig struct {
	// IAVLCacheSize is the number of IAVL nodes kept in memory.
	IAVLCacheSize int `toml:"iavl-cache-size" comment:"IAVL nodes kept in memory."`
	// PruningKeepRecent is how many recent versions stay queryable; 0 keeps all.
	PruningKeepRecent uint64 `toml:"pruning-keep-recent" comment:"How many recent heights stay queryable (and provable); 0 keeps every height."`
	// PruningInterval is how often, in blocks, old versions are deleted.
	PruningInterval uint64 `toml:"pruning-interval" comment:"Delete versions older than the window every this many blocks."`
	// StateCacheBytes bounds the memory of the cache of the latest state's
	// values, in bytes.
	StateCacheBytes int `toml:"state-cache-bytes" comment:"Bytes of memory for values of the latest state (reads of hot keys skip the IAVL tree): keys, values and about 100 bytes per entry. Only reads of accepted transactions and of blocks enter it."`
	// ProposalMaxTxs caps the transactions in blocks this node proposes.
	ProposalMaxTxs int `toml:"proposal-max-txs" comment:"At most this many transactions in a block this node proposes (0: only the block byte limit). Keeps blocks short enough to process within the consensus timeouts when the mempool is full; blocks of other proposers are accepted whatever their size."`
	// SigCacheSize bounds the verified-signature cache.
	SigCacheSize int `toml:"sig-cache-size" comment:"Transactions whose verified signature is remembered between CheckTx and FinalizeBlock."`
}

// MempoolConfig bounds what CheckTx admits.
type MempoolConfig struct {
	// MaxTxs is the most transactions the mempool may hold; 0: no limit
	// beyond config.toml's mempool.size.
	MaxTxs int `toml:"max-txs" comment:"At most this many transactions wait in the mempool (0: only config.toml's mempool.size). Beyond it, new transactions are refused at once with code tx/40 \"mempool is full\", without waiting for the block being executed; the sender retries later. About two blocks at store.proposal-max-txs: a shorter queue cuts latency but leaves blocks part-empty under overload (docs/PERFORMANCE.md, \"Overload\"); a longer one only adds latency and rechecks after every block."`
}

// StateSyncConfig sets when snapshots are taken and how many are kept.
type StateSyncConfig struct {
	// SnapshotInterval is the height interval of snapshots; 0 takes none.
	SnapshotInterval uint64 `toml:"snapshot-interval" comment:"Take a snapshot of the state after every commit at a multiple of this height, under data/snapshots, and serve it to nodes that state sync. 0 takes none. A snapshot is taken in the commit path: the next block waits for the export (45 MB of state took 3.4 s on 2 cores), so prefer enabling it on full nodes rather than validators. See docs/state-sync.md."`
	// SnapshotKeepRecent is how many snapshots are kept.
	SnapshotKeepRecent uint32 `toml:"snapshot-keep-recent" comment:"How many of the most recent snapshots to keep (at least 1 when snapshot-interval is set)."`
}

// RuntimeConfig sets the Go runtime of the node process.
type RuntimeConfig struct {
	// MemoryLimitMiB is the runtime's soft memory limit, in MiB; 0 sets
	// none. GOMEMLIMIT in the environment, when set, wins.
	MemoryLimitMiB int64 `toml:"memory-limit-mib" comment:"Soft memory limit of the node process, in MiB (Go's runtime/debug.SetMemoryLimit): as the heap nears it the garbage collector runs more often, instead of letting the heap grow to twice what it holds, so the node's memory stays below it while its caches (store.iavl-cache-size, store.state-cache-bytes, store.sig-cache-size and goleveldb's, about 550 MiB at the defaults) fit. It is soft: a node that needs more uses more, and the collector then takes at most about half the CPU. Raise it with the caches. 0 sets none. The GOMEMLIMIT environment variable, when set, overrides it. See docs/PERFORMANCE.md, \"Memory\"."`
}

// DefaultMemoryLimitMiB is the default soft memory limit: the default
// caches fit well below it, and under overload a node's peak RSS stays below
// 1 GiB (without it, 1.06 GiB in a 60 s run at 3,000 tx/s offered).
const DefaultMemoryLimitMiB = 896

// DebugConfig holds diagnostics switches.
type DebugConfig struct {
	// CPUProfile, when set, is a file the node writes a CPU profile to
	// from start to stop.
	CPUProfile string `toml:"cpu-profile" comment:"Write a CPU profile of the whole run to this file (relative to the home directory). Empty disables it. For live profiles, set rpc.pprof_laddr in config.toml."`
}

// DefaultAppConfig keeps the last 100,000 heights provable and prunes every
// 100 blocks. It takes no snapshots: a snapshot stalls the commit it
// follows, so serving state sync is an operator's choice per node.
func DefaultAppConfig() AppConfig {
	return AppConfig{
		Store: StoreConfig{
			IAVLCacheSize:     200_000,
			PruningKeepRecent: 100_000,
			PruningInterval:   100,
			StateCacheBytes:   store.DefaultStateCacheBytes,
			SigCacheSize:      100_000,
			ProposalMaxTxs:    2_000,
		},
		Mempool:   MempoolConfig{MaxTxs: 4_000},
		Runtime:   RuntimeConfig{MemoryLimitMiB: DefaultMemoryLimitMiB},
		StateSync: StateSyncConfig{SnapshotInterval: 0, SnapshotKeepRecent: 2},
		DagP2P:    DefaultDagP2PConfig(),
	}
}

// Validate checks values that would otherwise fail late.
func (c AppConfig) Validate() error {
	if c.Store.IAVLCacheSize < 0 {
		return errors.New("store.iavl-cache-size must not be negative")
	}
	if c.Store.PruningKeepRecent > 0 && c.Store.PruningInterval == 0 {
		return errors.New("store.pruning-interval must be at least 1 when pruning-keep-recent is set")
	}
	if c.Store.StateCacheBytes < 0 {
		return errors.New("store.state-cache-bytes must not be negative")
	}
	if c.Store.ProposalMaxTxs < 0 {
		return errors.New("store.proposal-max-txs must not be negative")
	}
	if c.Mempool.MaxTxs < 0 {
		return errors.New("mempool.max-txs must not be negative")
	}
	if c.Runtime.MemoryLimitMiB < 0 || c.Runtime.MemoryLimitMiB > 1<<30 {
		return fmt.Errorf("runtime.memory-limit-mib must be between 0 and %d, not %d", 1<<30, c.Runtime.MemoryLimitMiB)
	}
	if c.Store.SigCacheSize < 0 {
		return errors.New("store.sig-cache-size must not be negative")
	}
	if c.StateSync.SnapshotInterval > 0 && c.StateSync.SnapshotKeepRecent == 0 {
		return errors.New("state-sync.snapshot-keep-recent must be at least 1 when snapshot-interval is set")
	}
	if err := c.DagP2P.Validate(); err != nil {
		return err
	}
	return nil
}

// LoadAppConfig reads home/config/app.toml. A missing file yields the
// defaults; an unknown key is an error, so a typo never passes silently.
func LoadAppConfig(home string) (AppConfig, error) {
	cfg := DefaultAppConfig()
	path := filepath.Join(home, AppConfigFile)
	bz, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, err
	}
	dec := toml.NewDecoder(bytes.NewReader(bz))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// WriteAppConfig writes cfg to home/config/app.toml.
func WriteAppConfig(home string, cfg AppConfig) error {
	bz, err := toml.Marshal(cfg)
	if err != nil {
		return err
	}
	path := filepath.Join(home, AppConfigFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	header := []byte("# icnd application config. CometBFT's own settings are in config.toml.\n\n")
	return os.WriteFile(path, append(header, bz...), 0o600)
}
