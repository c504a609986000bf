package store

import (
	"errors"
	"fmt"

	"github.com/cosmos/iavl"
)

// ConcurrentReader opens saved versions for reads that run concurrently
// with the working tree's writes, Commit and pruning: the app-side
// mempool checks transactions against the last committed version while
// the next block executes.
//
// The views ReadOnlyAt returns are not safe for that. They share their
// nodes with the working tree through IAVL's node cache, and the working
// tree writes to saved nodes it copies on write (iavl v1.3.5, Node.clone
// clears the original's child pointers), a data race with any reader of
// the same node. A ConcurrentReader has its own IAVL node database over
// the same goleveldb database (which is safe for concurrent use), with its
// own node cache behind its own lock, and only ever reads: it shares no
// node with the working tree.
//
// A version read through it must stay saved while it is read: with
// pruning, keep at least two recent versions (Options.PruneKeepRecent of 0
// or at least 2), so that the commit of version v+1 never prunes version
// v under a reader of v. Once the store is closed, rolled back or
// imported into, a ConcurrentReader must not be used; open a new one.
type ConcurrentReader struct {
	tree   *iavl.MutableTree
	pruner *pruner // for its watermark: pruned versions are refused
}

// NewConcurrentReader returns a reader of s's saved versions with a node
// cache of cacheSize nodes (0: DefaultCacheSize). It is safe for
// concurrent use, and its views are safe for concurrent use with each
// other and with every method of s except Close, RollbackTo and Import.
func (s *CommitStore) NewConcurrentReader(cacheSize int) *ConcurrentReader {
	if cacheSize <= 0 {
		cacheSize = DefaultCacheSize
	}
	// The tree is never loaded, written or saved: it is only the handle of
	// its node database, whose GetImmutable reads a version's root from
	// the database itself.
	return &ConcurrentReader{tree: iavl.NewMutableTree(s.db, cacheSize, skipFastStorage, iavl.NewNopLogger()), pruner: s.pruner}
}

// At returns a read-only view of the saved version. It returns an error
// wrapping ErrVersionUnavailable when the version was never saved or has
// been pruned. The view panics, as every view, on Set and Delete.
func (r *ConcurrentReader) At(version int64) (KVStore, error) {
	if version < 1 || version <= r.pruner.watermark.Load() {
		return nil, fmt.Errorf("%w: %d", ErrVersionUnavailable, version)
	}
	t, err := r.tree.GetImmutable(version)
	if errors.Is(err, iavl.ErrVersionDoesNotExist) {
		return nil, fmt.Errorf("%w: %d", ErrVersionUnavailable, version)
	}
	if err != nil {
		return nil, fmt.Errorf("store: loading version %d: %w", version, err)
	}
	return readOnlyStore{tree: t}, nil
}
