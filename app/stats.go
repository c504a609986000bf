package app

import "github.com/intercooperative/icnd/store"

// Stats are counters and sizes of the node's own caches and state, for its
// metrics. They are read-only views: nothing here reaches state or results.
type Stats struct {
	// StateKeys is the number of keys in the working tree (after Commit,
	// the committed state).
	StateKeys int64
	// SigCacheHits and SigCacheMisses count the signature checks the
	// signature cache answered and those that verified a signature, since
	// the App was opened.
	SigCacheHits, SigCacheMisses uint64
	// PreparedReused counts the blocks this node proposed whose execution
	// in PrepareProposal its ProcessProposal reused.
	PreparedReused uint64
	// StateCache is the state cache's size and counters.
	StateCache store.StateCacheStats
	// Pruning is the store's background pruning: the versions refused, those
	// deleted and those still on disk.
	Pruning store.PruneStats
}

// Stats returns the App's current Stats. Like every App method it must not
// run concurrently with another.
func (a *App) Stats() Stats {
	hits, misses := a.sigs.counts()
	return Stats{
		StateKeys:      a.cms.Size(),
		SigCacheHits:   hits,
		SigCacheMisses: misses,
		PreparedReused: a.preparedReused,
		StateCache:     a.cms.StateCacheStats(),
		Pruning:        a.cms.PruneStats(),
	}
}

// MsgNames returns the names of raw's messages as in the Msg oneof
// ("anchor", ...), or nil when raw does not decode. It reads the decoded
// transaction cache and changes nothing.
func (a *App) MsgNames(raw []byte) []string {
	tx, err := a.decode(raw)
	if err != nil {
		return nil
	}
	return tx.MsgNames
}
