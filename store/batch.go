package store

import (
	"errors"
	"sync"

	corestore "cosmossdk.io/core/store"
	idb "github.com/cosmos/iavl/db"
	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
)

// maxRetainedBatch bounds the buffer batchDB keeps from one commit for the
// next. A block's batch is a few MiB (docs/PERFORMANCE.md); an import or a
// large genesis makes much larger ones, which are dropped after use rather
// than held for the node's lifetime.
const maxRetainedBatch = 64 << 20

// batchDB is the database IAVL writes through. It does two things:
//
//   - It makes each IAVL commit a single database batch, which the database
//     applies atomically. IAVL writes a version through a batch that it
//     flushes whenever it outgrows Options.FlushThreshold; a crash between two
//     flushes would leave nodes of a version without its root, and IAVL then
//     refuses to load the database. With the threshold at math.MaxInt the
//     batch is never flushed early, but IAVL also asks for each batch to be
//     pre-allocated to the threshold, so batchDB ignores the size hint.
//   - Over goleveldb, it hands the buffer of a written batch to the next one.
//     goleveldb grows a batch of more than 3,000 records by a fixed ~3,000
//     records' worth at a time, copying it each time, so a block's batch of
//     20,000 to 35,000 IAVL nodes was reallocated about 20 times per commit;
//     reusing the previous commit's buffer, which has about the right size
//     already, removes those copies and their garbage. goleveldb copies
//     a batch into its journal and memtable before Write returns, so the
//     buffer is free once Write returns.
//
// A batchDB over another database (the in-memory one of tests) returns that
// database's own batches.
type batchDB struct {
	idb.DB
	level *leveldb.DB // nil unless DB is goleveldb

	mu      sync.Mutex
	spare   *leveldb.Batch // a written batch's buffer, reset; nil if none
	written BatchStats     // the last batch written
}

// BatchStats describes one batch written to the database.
type BatchStats struct {
	Records int // keys set or deleted: IAVL nodes, roots, metadata
	Bytes   int // the batch's encoded size, as goleveldb journals it
}

func newBatchDB(db idb.DB) *batchDB {
	d := &batchDB{DB: db}
	if g, ok := db.(*idb.GoLevelDB); ok {
		d.level = g.RawDB()
	}
	return d
}

// NewBatch returns an empty batch, reusing a written batch's buffer when
// one is free.
func (d *batchDB) NewBatch() corestore.Batch {
	if d.level == nil {
		return d.DB.NewBatch()
	}
	d.mu.Lock()
	b := d.spare
	d.spare = nil
	d.mu.Unlock()
	if b == nil {
		b = new(leveldb.Batch)
	}
	return &levelBatch{db: d, b: b}
}

// NewBatchWithSize is NewBatch: the size hint is ignored (see batchDB).
func (d *batchDB) NewBatchWithSize(int) corestore.Batch {
	return d.NewBatch()
}

// lastWritten returns the stats of the last batch written; zero over a
// database other than goleveldb.
func (d *batchDB) lastWritten() BatchStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.written
}

// release takes back the buffer of a batch that was written or closed.
func (d *batchDB) release(b *leveldb.Batch) {
	if cap(b.Dump()) > maxRetainedBatch {
		return
	}
	b.Reset()
	d.mu.Lock()
	d.spare = b
	d.mu.Unlock()
}

// errBatchClosed is returned by a levelBatch used after Write or Close.
var errBatchClosed = errors.New("store: batch used after Write or Close")

// levelBatch is a goleveldb batch whose buffer returns to its batchDB once
// written or closed. It behaves as IAVL's own goleveldb batch: empty keys
// and nil values are refused, and Write and WriteSync close it.
type levelBatch struct {
	db *batchDB
	b  *leveldb.Batch // nil once written or closed
}

var _ corestore.Batch = (*levelBatch)(nil)

func (b *levelBatch) Set(key, value []byte) error {
	if len(key) == 0 {
		return errors.New("store: batch Set with an empty key")
	}
	if value == nil {
		return errors.New("store: batch Set with a nil value")
	}
	if b.b == nil {
		return errBatchClosed
	}
	b.b.Put(key, value)
	return nil
}

func (b *levelBatch) Delete(key []byte) error {
	if len(key) == 0 {
		return errors.New("store: batch Delete with an empty key")
	}
	if b.b == nil {
		return errBatchClosed
	}
	b.b.Delete(key)
	return nil
}

func (b *levelBatch) Write() error { return b.write(false) }

func (b *levelBatch) WriteSync() error { return b.write(true) }

func (b *levelBatch) write(sync bool) error {
	if b.b == nil {
		return errBatchClosed
	}
	stats := BatchStats{Records: b.b.Len(), Bytes: len(b.b.Dump())}
	if err := b.db.level.Write(b.b, &opt.WriteOptions{Sync: sync}); err != nil {
		return err
	}
	b.db.mu.Lock()
	b.db.written = stats
	b.db.mu.Unlock()
	return b.Close()
}

// Close releases the batch without writing what it holds. It is idempotent.
func (b *levelBatch) Close() error {
	if b.b != nil {
		b.db.release(b.b)
		b.b = nil
	}
	return nil
}

func (b *levelBatch) GetByteSize() (int, error) {
	if b.b == nil {
		return 0, errBatchClosed
	}
	return len(b.b.Dump()), nil
}
