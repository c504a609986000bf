package store

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/opt"
)

const (
	// DefaultCacheSize is the IAVL node cache size used when
	// Options.CacheSize is zero.
	DefaultCacheSize = 100_000

	// dbName is the name of the goleveldb database OpenDir opens.
	dbName = "application"

	// skipFastStorage is passed to every IAVL tree this package creates, and
	// must never change for a database. IAVL's "fast storage" is a second,
	// flat copy of the latest key/value pairs kept beside the tree. We do
	// without it: the tree is the single source of truth, so a rollback, an
	// import or a crash never leaves an index to rebuild or to disagree with
	// the tree. The price is that a read walks the tree (O(log n) nodes, most
	// of them in the node cache) instead of one database lookup.
	skipFastStorage = true
)

// Options configures a CommitStore.
type Options struct {
	// CacheSize is the IAVL node cache size, in nodes; zero means
	// DefaultCacheSize.
	CacheSize int

	// PruneKeepRecent is how many of the most recent versions to keep; zero
	// keeps every version.
	PruneKeepRecent uint64

	// PruneInterval is how often to prune: after every commit whose version is
	// a multiple of it. Zero means 1. It is ignored when PruneKeepRecent is
	// zero. The versions pruned are refused at once; a goroutine deletes them
	// from the database in the background (prune.go).
	PruneInterval uint64

	// StateCacheBytes bounds the memory, in bytes, of the state cache: the
	// values of the latest version and the working changes the store keeps
	// in memory for hot reads (statecache.go). Zero means
	// DefaultStateCacheBytes.
	StateCacheBytes int

	// InitialVersion is the version of the first commit of an empty store:
	// the genesis initial_height. Zero and one both mean 1. Opening a store
	// that holds a version below it fails.
	InitialVersion uint64
}

// withDefaults validates o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	if o.CacheSize < 0 {
		return o, fmt.Errorf("store: negative cache size %d", o.CacheSize)
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.StateCacheBytes < 0 {
		return o, fmt.Errorf("store: negative state cache size %d bytes", o.StateCacheBytes)
	}
	if o.StateCacheBytes == 0 {
		o.StateCacheBytes = DefaultStateCacheBytes
	}
	if o.PruneInterval == 0 {
		o.PruneInterval = 1
	}
	if o.InitialVersion > math.MaxInt64 {
		return o, fmt.Errorf("store: initial version %d exceeds the largest version %d", o.InitialVersion, int64(math.MaxInt64))
	}
	return o, nil
}

// CommitID identifies a saved version of the tree.
type CommitID struct {
	Version int64
	Hash    []byte
}

// CommitStore is the one IAVL tree of the node: a mutable working tree on top
// of the saved versions kept in the database.
//
// Writes made through Working change only the in-memory working tree; Commit
// alone persists them, as one synced database batch, so a node killed at any
// instant reopens at its last committed version.
//
// A CommitStore is not safe for concurrent use: the caller (the ABCI layer)
// serializes every call, including reads through the views it hands out.
// Its one goroutine, the background pruning (prune.go), shares no state
// with these calls but the database.
type CommitStore struct {
	db      idb.DB
	batches *batchDB // db as IAVL writes it: one batch per commit
	ownsDB  bool     // Close closes db: it was opened by OpenDir
	opts    Options
	tree    *iavl.MutableTree
	cache   *stateCache
	pruner  *pruner
}

// Open returns a CommitStore over db, loaded at its latest saved version (an
// empty store if none). The caller keeps ownership of db: Close does not close
// it. The same database must not be opened twice at once.
func Open(db idb.DB, opts Options) (*CommitStore, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &CommitStore{db: db, batches: newBatchDB(db), opts: opts, cache: newStateCache(opts.StateCacheBytes)}
	if err := s.loadTree(); err != nil {
		return nil, err
	}
	// Versions a run killed before it deleted them are refused again at
	// once, and deleted in the background from the first one on disk.
	// (AvailableVersions lists every version: not for a store that keeps
	// them all.)
	// An empty store's first version is InitialVersion: the versions below
	// it never existed, and counting them as deleted would be wrong.
	next := max(int64(1), int64(opts.InitialVersion))
	if opts.PruneKeepRecent > 0 {
		if vs := s.tree.AvailableVersions(); len(vs) > 0 && vs[0] > 0 {
			next = int64(vs[0])
		}
	}
	s.pruner = newPruner(db, opts.CacheSize, pruneWatermark(s.tree.Version(), opts.PruneKeepRecent, opts.PruneInterval), next)
	s.startPruning()
	return s, nil
}

// startPruning runs the background pruning if the store prunes.
func (s *CommitStore) startPruning() {
	if s.opts.PruneKeepRecent > 0 {
		s.pruner.start()
	}
}

// OpenDir opens, creating it if needed, the goleveldb database "application"
// in dir and returns a CommitStore over it. Close closes the database.
func OpenDir(dir string, opts Options) (*CommitStore, error) {
	db, err := idb.NewGoLevelDBWithOpts(dbName, dir, levelDBOptions())
	if err != nil {
		return nil, fmt.Errorf("store: opening database in %s: %w", dir, err)
	}
	s, err := Open(db, opts)
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	s.ownsDB = true
	return s, nil
}

// loadTree replaces s.tree with a fresh tree over s.db, loaded at the latest
// saved version. A fresh tree starts with empty caches, which matters after
// versions were deleted under the previous one.
func (s *CommitStore) loadTree() error {
	iavlOpts := []iavl.Option{
		// Commit is the durability point: fsync its batch.
		iavl.SyncOption(true),
		// Never flush a commit's batch early; see batchDB.
		iavl.FlushThresholdOption(math.MaxInt),
	}
	if s.opts.InitialVersion > 1 {
		iavlOpts = append(iavlOpts, iavl.InitialVersionOption(s.opts.InitialVersion))
	}
	tree := iavl.NewMutableTree(s.batches, s.opts.CacheSize, skipFastStorage, iavl.NewNopLogger(), iavlOpts...)
	if _, err := tree.Load(); err != nil {
		return fmt.Errorf("store: loading the latest version: %w", err)
	}
	s.tree = tree
	s.cache.reset()
	return nil
}

// Working returns the working tree. Writes go straight into it (callers
// normally write through a Cache) and are lost unless Commit follows. The
// tree must not be written while an iterator over it is open.
func (s *CommitStore) Working() KVStore {
	return workingStore{s: s}
}

// WorkingHash returns the root hash the working tree will have once
// committed: the app hash FinalizeBlock reports. For an empty tree it is the
// SHA-256 of the empty string.
func (s *CommitStore) WorkingHash() []byte {
	return bytes.Clone(s.tree.WorkingHash())
}

// Size returns the number of keys in the working tree; after Commit, in
// the committed state. It is the root node's leaf count, read in constant
// time.
func (s *CommitStore) Size() int64 {
	return s.tree.Size()
}

// Commit saves the working tree as the next version. When the version is a
// multiple of PruneInterval, every version up to PruneKeepRecent below it is
// refused from then on (ErrVersionUnavailable) and left to the background
// pruning to delete: Commit never waits for it. The version is durable when
// Commit returns, even with an error; the CommitID is returned in that case
// too. An error of the background pruning is returned by every Commit after
// it, so that the node stops.
func (s *CommitStore) Commit() (CommitID, error) {
	hash, version, err := s.tree.SaveVersion()
	if err != nil {
		return CommitID{}, fmt.Errorf("store: saving version: %w", err)
	}
	s.cache.committed()
	id := CommitID{Version: version, Hash: bytes.Clone(hash)}
	if s.opts.PruneKeepRecent > 0 && uint64(version)%s.opts.PruneInterval == 0 {
		s.pruner.raise(pruneWatermark(version, s.opts.PruneKeepRecent, s.opts.PruneInterval))
	}
	return id, s.pruner.failure()
}

// LastBatch describes the database batch of the last Commit: how many
// records and bytes it wrote (the background pruning writes its own
// batches, not counted here). It is zero until then, and always zero over a
// database other than the goleveldb one OpenDir opens. It is for benchmarks
// and metrics.
func (s *CommitStore) LastBatch() BatchStats {
	return s.batches.lastWritten()
}

// PruneStats describes the background pruning: the versions refused, and
// those still to delete from the database.
func (s *CommitStore) PruneStats() PruneStats {
	return s.pruner.snapshot()
}

// LastCommitID returns the last saved version and its root hash. When nothing
// has been saved it returns version 0 and the hash of the empty tree (the
// SHA-256 of the empty string), never a nil hash.
func (s *CommitStore) LastCommitID() CommitID {
	return CommitID{Version: s.tree.Version(), Hash: bytes.Clone(s.tree.Hash())}
}

// ReadOnlyAt returns an immutable view of a saved version. Set and Delete on
// it panic. It returns an error wrapping ErrVersionUnavailable when the
// version was never saved or has been pruned. The view must not be used after
// the version is pruned or rolled back.
func (s *CommitStore) ReadOnlyAt(version int64) (KVStore, error) {
	t, err := s.immutableAt(version)
	if err != nil {
		return nil, err
	}
	return readOnlyStore{tree: t}, nil
}

// Latest returns a read-only view of the latest saved version that reads
// through the state cache, and fills it only with the reads its owner
// admits (LatestView), for the node's own hot reads (the app's CheckTx
// state). Reads on behalf of clients, with keys they choose, should use
// ReadOnlyAt, which leaves the cache alone. Once a later version is saved
// the view reads its own version from the tree. It returns an error
// wrapping ErrVersionUnavailable when nothing is saved.
func (s *CommitStore) Latest() (*LatestView, error) {
	version := s.tree.Version()
	t, err := s.immutableAt(version)
	if err != nil {
		return nil, err
	}
	return &LatestView{readOnlyStore: readOnlyStore{tree: t}, s: s, version: version, reads: make(map[string][]byte)}, nil
}

func (s *CommitStore) immutableAt(version int64) (*iavl.ImmutableTree, error) {
	// The tree's own record of its first version is stale once the
	// background pruning deleted versions: the watermark decides.
	if version < 1 || version <= s.pruner.watermark.Load() || !s.tree.VersionExists(version) {
		return nil, fmt.Errorf("%w: %d", ErrVersionUnavailable, version)
	}
	t, err := s.tree.GetImmutable(version)
	if err != nil {
		return nil, fmt.Errorf("store: loading version %d: %w", version, err)
	}
	return t, nil
}

// AvailableVersions returns the saved versions still retained, ascending.
func (s *CommitStore) AvailableVersions() []int64 {
	var out []int64
	pruned := s.pruner.watermark.Load()
	for _, v := range s.tree.AvailableVersions() {
		// IAVL reports version 0 for a store with no version, and versions
		// the background pruning has not deleted yet.
		if int64(v) > pruned && v > 0 {
			out = append(out, int64(v))
		}
	}
	return out
}

// RollbackTo makes version, which must be retained, the latest saved version:
// every later version is deleted from the database, and uncommitted working
// changes are dropped. It is for `icnd rollback`.
func (s *CommitStore) RollbackTo(version int64) error {
	if version < 1 || version <= s.pruner.watermark.Load() || !s.tree.VersionExists(version) {
		return fmt.Errorf("%w: %d", ErrVersionUnavailable, version)
	}
	s.cache.reset()
	// The pruning only deletes versions below version, but a rollback is
	// rare enough not to reason about two writers.
	s.pruner.halt()
	defer s.startPruning()
	if err := s.tree.LoadVersionForOverwriting(version); err != nil {
		return fmt.Errorf("store: rolling back to version %d: %w", version, err)
	}
	return nil
}

// ResetWorking drops the uncommitted changes of the working tree, returning it
// to the last saved version.
func (s *CommitStore) ResetWorking() {
	s.tree.Rollback()
	s.cache.dropPending()
}

// Close stops the background pruning, waiting for the version it is
// deleting (one batch; the rest is resumed by the next Open), then releases
// the tree, and the database if OpenDir opened it. It returns the pruning's
// error, if any. The store must not be used afterwards.
func (s *CommitStore) Close() error {
	s.pruner.halt()
	err := errors.Join(s.pruner.failure(), s.tree.Close())
	if s.ownsDB {
		err = errors.Join(err, s.db.Close())
	}
	return err
}

// levelDBOptions tunes goleveldb for IAVL's write pattern: each commit is one
// large batch of fresh, incompressible node records (hashes and keys).
//   - A 64 MiB memtable takes several commits before it is flushed, instead
//     of rotating (and stalling on compaction) on almost every commit with
//     the 4 MiB default.
//   - Level-0 compaction and write throttling start later, so a burst of
//     flushes does not stall a commit.
//   - No compression: hashes do not compress, snappy only costs CPU.
//   - The bloom filter (IAVL's own default) spares disk reads for absent
//     node keys.
func levelDBOptions() *opt.Options {
	return &opt.Options{
		Filter:                 filter.NewBloomFilter(10),
		WriteBuffer:            64 << 20,
		CompactionTableSize:    8 << 20,
		CompactionL0Trigger:    8,
		WriteL0SlowdownTrigger: 16,
		WriteL0PauseTrigger:    24,
		Compression:            opt.NoCompression,
		BlockCacheCapacity:     64 << 20,
	}
}
