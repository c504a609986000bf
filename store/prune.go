package store

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"
)

// pruner deletes, in its own goroutine, the versions that fell out of the
// pruning window, so that Commit never waits for pruning: IAVL v1 finds a
// version's orphans by walking it against the next version, reading the
// nodes back from the database, which takes tens of seconds for the 100
// versions of one pruning interval at 100,000 keys (docs/PERFORMANCE.md).
//
// What is pruned stays a function of the commits alone: Commit raises the
// watermark at once, exactly as synchronous pruning would delete (every
// version up to latest-PruneKeepRecent, at versions that are multiples of
// PruneInterval), and every read path refuses a version at or below the
// watermark with ErrVersionUnavailable, whether or not the goroutine has
// deleted it yet. The goroutine only catches up on disk. Pruning never
// touches the tree's hashes, so results do not depend on its timing.
//
// IAVL's own AsyncPruningOption is not used: its goroutine adds its deletes
// to the batch the next SaveVersion writes, so a version's deletion is split
// across commits at arbitrary points (a kill in between leaks the nodes
// whose root was already deleted, forever), it rewrites nodes of the shared
// node cache (the nonce of reformatted roots) while the working tree may
// hold them, and Close waits for the whole pending range and then drops its
// unwritten deletes. This pruner has its own IAVL node database over the
// same goleveldb database (as ConcurrentReader), shares no node with the
// working tree, and deletes one version per synced batch, in ascending
// order, so the versions left on disk are always one contiguous range: a
// kill at any instant leaves either a version whole or gone, and the next
// Open resumes where the last written batch stopped.
//
// Deleting version v removes only nodes no later version holds (IAVL's
// orphans of v against v+1), and v+1 is at most the watermark plus one,
// which is retained; so the goroutine never removes a node of a retained
// version, and readers of retained versions (queries, snapshots, the
// ConcurrentReader) are unaffected by it.
type pruner struct {
	db        *batchDB // its own, so LastBatch keeps describing commits
	cacheSize int

	// watermark is the highest version refused as pruned (0: none). Only
	// the owner's goroutine writes it (Commit, Open); any goroutine reads
	// it (ConcurrentReader).
	watermark atomic.Int64

	wake chan struct{} // buffered 1: work may be pending
	stop chan struct{} // closed by halt
	done chan struct{} // closed when the goroutine returns

	mu     sync.Mutex
	next   int64 // the lowest version still on disk that may be deleted
	err    error // the first error; the goroutine stops on it
	stats  PruneStats
	notify chan struct{} // closed and replaced whenever next advances or err is set
}

// PruneStats describes the background pruning's work so far, for
// benchmarks and metrics.
type PruneStats struct {
	// Watermark is the highest version refused as pruned.
	Watermark int64
	// Deleted is the number of versions the goroutine deleted, and Busy the
	// time it spent deleting them.
	Deleted int64
	Busy    time.Duration
	// Backlog is the number of refused versions still on disk.
	Backlog int64
}

func newPruner(db idb.DB, cacheSize int, watermark, next int64) *pruner {
	p := &pruner{db: newBatchDB(db), cacheSize: cacheSize, next: next, notify: make(chan struct{})}
	p.watermark.Store(watermark)
	return p
}

// start runs the goroutine; it must not be running.
func (p *pruner) start() {
	p.wake = make(chan struct{}, 1)
	p.stop = make(chan struct{})
	p.done = make(chan struct{})
	go p.run()
	p.poke()
}

// halt stops the goroutine and waits for it: it finishes the version it is
// deleting (one batch), never more. It may be called when not running.
func (p *pruner) halt() {
	if p.done == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.done = nil
}

// restartAt records that version is the first on disk (after an import
// into the empty store, whose pruning had nothing to do).
func (p *pruner) restartAt(version int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = version
}

// raise refuses every version up to to, and wakes the goroutine.
func (p *pruner) raise(to int64) {
	if to > p.watermark.Load() {
		p.watermark.Store(to)
		p.poke()
	}
}

func (p *pruner) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// failure returns the error that stopped the goroutine, if any.
func (p *pruner) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *pruner) snapshot() PruneStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.stats
	st.Watermark = p.watermark.Load()
	st.Backlog = max(0, st.Watermark-p.next+1)
	return st
}

func (p *pruner) run() {
	defer close(p.done)
	for {
		select {
		case <-p.stop:
			return
		case <-p.wake:
		}
		if !p.catchUp() {
			return
		}
	}
}

// catchUp deletes the versions from next up to the watermark, one batch
// each. It reports false when it stopped for good (halt or an error).
func (p *pruner) catchUp() bool {
	p.mu.Lock()
	from := p.next
	p.mu.Unlock()
	to := p.watermark.Load()
	if from > to {
		return true
	}
	// A fresh node database per run: IAVL caches the latest version when it
	// first reads it and checks every deletion against it, so a long-lived
	// one would refuse versions saved after that. Within a run, the node
	// cache serves the nodes version v+1 shares with v+2.
	tree := iavl.NewMutableTree(p.db, p.cacheSize, skipFastStorage, iavl.NewNopLogger(),
		// Every deletion batch is durable before the next one is written,
		// so the versions on disk stay one contiguous range even after a
		// power loss (see pruner).
		iavl.SyncOption(true),
		// One batch per version: never flushed early (see batchDB).
		iavl.FlushThresholdOption(math.MaxInt),
	)
	defer tree.Close()
	for v := from; v <= to; v++ {
		select {
		case <-p.stop:
			return false
		default:
		}
		start := time.Now() // for PruneStats.Busy only: never reaches state or results
		err := tree.DeleteVersionsTo(v)
		p.mu.Lock()
		if err != nil {
			p.err = fmt.Errorf("store: pruning version %d: %w", v, err)
		} else {
			p.next = v + 1
			p.stats.Deleted++
			p.stats.Busy += time.Since(start)
		}
		close(p.notify)
		p.notify = make(chan struct{})
		p.mu.Unlock()
		if err != nil {
			return false
		}
	}
	return true
}

// wait blocks until every version up to the watermark is deleted, or the
// goroutine failed. It is for tests and benchmarks.
func (p *pruner) wait() error {
	for {
		p.mu.Lock()
		done, err, ch := p.next > p.watermark.Load(), p.err, p.notify
		p.mu.Unlock()
		if err != nil || done {
			return err
		}
		<-ch
	}
}

// pruneWatermark returns the highest version synchronous pruning would
// have deleted once latest was saved: latest's last multiple of interval,
// less keep (0 when none, or when keep is 0).
func pruneWatermark(latest int64, keep, interval uint64) int64 {
	if keep == 0 || latest <= 0 {
		return 0
	}
	due := uint64(latest) - uint64(latest)%interval
	if due <= keep {
		return 0
	}
	return int64(due - keep)
}
