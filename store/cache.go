package store

import (
	"bytes"

	"github.com/google/btree"
)

// btreeDegree is the degree of the B-tree that orders a Cache's buffered
// writes. It affects speed only; 32 (up to 63 pointers a node) keeps the tree
// shallow while copy-on-write clones stay cheap.
const btreeDegree = 32

// cacheEntry is one buffered write: a value to set, or a deletion. The B-tree
// holds entries by value, so that neither an insertion nor a lookup allocates
// one. The bytes an entry points to are never modified once inserted, so
// iterators may hold entries while the Cache changes, and Write hands them to
// a parent Cache without copying them.
type cacheEntry struct {
	key     []byte
	value   []byte // nil when deleted
	deleted bool
}

func lessEntry(a, b cacheEntry) bool { return bytes.Compare(a.key, b.key) < 0 }

// cacheFreeList recycles the B-tree nodes of every Cache: the app makes
// several caches per transaction and empties each after its Write. A
// FreeListG is safe for concurrent use.
var cacheFreeList = btree.NewFreeListG[cacheEntry](btree.DefaultFreeListSize)

// Cache is a write-back cache over a parent KVStore. Reads fall through to the
// parent; writes and deletes are buffered. Write applies the buffered changes
// to the parent in ascending key order and empties the cache; Discard drops
// them. Iterators over a Cache merge the buffered changes with the parent's
// iterator: deleted keys are hidden, new and overwritten keys show their
// buffered value, and key order is kept.
//
// Caches nest: the app keeps a block-level Cache over the working tree and a
// transaction-level Cache over the block cache.
//
// Set and Delete copy their arguments, so the caller may reuse its buffers.
// Get returns the buffered value itself: the caller must not modify it.
// The Cache may be written while iterators over it are open; an iterator sees
// the buffered changes as they were when it was created. Write must not be
// called while an iterator over the Cache is open, because it modifies the
// parent under that iterator. A Cache is not safe for concurrent use.
type Cache struct {
	parent KVStore
	// writes holds the buffered changes. It is part of the Cache to save an
	// allocation, and its zero value (an empty tree that reads work on)
	// stays until the first Set or Delete, since many caches are only read.
	writes btree.BTreeG[cacheEntry]
	// ready is set once writes is initialised.
	ready bool
}

var _ KVStore = (*Cache)(nil)

// NewCache returns an empty Cache over parent.
func NewCache(parent KVStore) *Cache {
	return &Cache{parent: parent}
}

// lookup returns the buffered entry for key, if any.
func (c *Cache) lookup(key []byte) (cacheEntry, bool) {
	return c.writes.Get(cacheEntry{key: key})
}

// insert buffers e, replacing an entry for the same key.
func (c *Cache) insert(e cacheEntry) {
	if !c.ready {
		c.writes, c.ready = *btree.NewWithFreeListG(btreeDegree, lessEntry, cacheFreeList), true
	}
	c.writes.ReplaceOrInsert(e)
}

// Get implements KVStore.
func (c *Cache) Get(key []byte) []byte {
	if e, ok := c.lookup(key); ok {
		return e.value
	}
	return c.parent.Get(key)
}

// Has implements KVStore.
func (c *Cache) Has(key []byte) bool {
	if e, ok := c.lookup(key); ok {
		return !e.deleted
	}
	return c.parent.Has(key)
}

// Set implements KVStore.
func (c *Cache) Set(key, value []byte) {
	mustValidateSet(key, value)
	// One allocation holds both copies; the capacity limits keep an append
	// to either from reaching the other.
	buf := make([]byte, len(key)+len(value))
	n := copy(buf, key)
	copy(buf[n:], value)
	c.insert(cacheEntry{key: buf[:n:n], value: buf[n:]})
}

// Delete implements KVStore. The deletion is buffered even when the key is
// absent from the parent; Write then deletes it there, which does nothing.
func (c *Cache) Delete(key []byte) {
	c.insert(cacheEntry{key: bytes.Clone(key), deleted: true})
}

// Iterator implements KVStore.
func (c *Cache) Iterator(start, end []byte) Iterator {
	return newMergedIterator(c.parent.Iterator(start, end), newCacheWalk(c.snapshot(), start, end, true), true)
}

// ReverseIterator implements KVStore.
func (c *Cache) ReverseIterator(start, end []byte) Iterator {
	return newMergedIterator(c.parent.ReverseIterator(start, end), newCacheWalk(c.snapshot(), start, end, false), false)
}

// snapshot returns a copy-on-write clone of the buffered changes for an
// iterator, or nil when there are none.
func (c *Cache) snapshot() *btree.BTreeG[cacheEntry] {
	if c.writes.Len() == 0 {
		return nil
	}
	return c.writes.Clone()
}

// Write applies the buffered changes to the parent in ascending key order and
// empties the cache. No iterator over the Cache may be open. A parent that is
// itself a Cache receives the entries as they are, without copying their
// bytes again.
func (c *Cache) Write() {
	if c.writes.Len() == 0 {
		return
	}
	if p, ok := c.parent.(*Cache); ok {
		c.writes.Ascend(func(e cacheEntry) bool {
			p.insert(e)
			return true
		})
		c.Discard()
		return
	}
	c.writes.Ascend(func(e cacheEntry) bool {
		if e.deleted {
			c.parent.Delete(e.key)
		} else {
			c.parent.Set(e.key, e.value)
		}
		return true
	})
	c.Discard()
}

// Discard drops the buffered changes; the parent is left as it was.
// Its B-tree nodes go back to the free list: iterators hold clones, whose
// nodes Clear leaves alone.
func (c *Cache) Discard() {
	c.writes.Clear(true)
}

// walkChunk is how many buffered entries a cacheWalk fetches per B-tree
// descent: enough to amortize the descent, few enough that an iterator read
// only for its first entry stays cheap.
const walkChunk = 64

// cacheWalk walks the buffered entries of a Cache that fall in [start, end),
// in one direction, over a copy-on-write clone of the B-tree taken when the
// iterator was created. The B-tree offers only callback iteration, so the walk
// fetches entries in chunks and resumes after the last key it returned.
type cacheWalk struct {
	tree       *btree.BTreeG[cacheEntry] // nil: no buffered entries
	start, end []byte
	ascending  bool
	buf        []cacheEntry
	pos        int
	exhausted  bool // the tree holds no entry in range beyond buf
}

func newCacheWalk(tree *btree.BTreeG[cacheEntry], start, end []byte, ascending bool) *cacheWalk {
	w := &cacheWalk{tree: tree, start: start, end: end, ascending: ascending}
	if tree == nil {
		w.exhausted = true
		return w
	}
	if ascending {
		w.fill(start, false)
	} else {
		w.fill(end, true)
	}
	return w
}

func (w *cacheWalk) valid() bool { return w.pos < len(w.buf) }

func (w *cacheWalk) entry() *cacheEntry { return &w.buf[w.pos] }

func (w *cacheWalk) next() {
	w.pos++
	if w.pos == len(w.buf) && !w.exhausted {
		w.fill(w.buf[w.pos-1].key, true)
	}
}

// fill replaces buf with the next chunk of in-range entries in walk order,
// starting at pivot (nil: at the first key in walk order), and skipping an
// entry equal to pivot when exclusive is set.
func (w *cacheWalk) fill(pivot []byte, exclusive bool) {
	w.buf, w.pos = w.buf[:0], 0
	w.exhausted = true
	collect := func(e cacheEntry) bool {
		if exclusive && bytes.Equal(e.key, pivot) {
			return true
		}
		if w.ascending && w.end != nil && bytes.Compare(e.key, w.end) >= 0 {
			return false
		}
		if !w.ascending && w.start != nil && bytes.Compare(e.key, w.start) < 0 {
			return false
		}
		if len(w.buf) == walkChunk {
			w.exhausted = false
			return false
		}
		w.buf = append(w.buf, e)
		return true
	}
	switch {
	case pivot == nil && w.ascending:
		w.tree.Ascend(collect)
	case pivot == nil:
		w.tree.Descend(collect)
	case w.ascending:
		w.tree.AscendGreaterOrEqual(cacheEntry{key: pivot}, collect)
	default:
		w.tree.DescendLessOrEqual(cacheEntry{key: pivot}, collect)
	}
}

// mergedIterator merges a parent iterator with the buffered entries of a
// Cache over the same range and direction. Where both hold a key, the buffered
// entry wins; buffered deletions hide the parent's key and are never shown.
type mergedIterator struct {
	parent    Iterator
	cache     *cacheWalk
	ascending bool
	fromCache bool // the current entry is cache.entry(), not the parent's
}

func newMergedIterator(parent Iterator, cache *cacheWalk, ascending bool) *mergedIterator {
	it := &mergedIterator{parent: parent, cache: cache, ascending: ascending}
	it.settle()
	return it
}

// settle positions the iterator on the next visible entry: it skips buffered
// deletions and the parent's entries that the cache shadows, and decides which
// side holds the current entry.
func (it *mergedIterator) settle() {
	for it.cache.valid() {
		e := it.cache.entry()
		if !it.parent.Valid() {
			if e.deleted {
				it.cache.next()
				continue
			}
			it.fromCache = true
			return
		}
		c := bytes.Compare(it.parent.Key(), e.key)
		if !it.ascending {
			c = -c
		}
		if c < 0 {
			it.fromCache = false
			return
		}
		if c == 0 {
			it.parent.Next()
		}
		if e.deleted {
			it.cache.next()
			continue
		}
		it.fromCache = true
		return
	}
	it.fromCache = false
}

func (it *mergedIterator) Valid() bool { return it.fromCache || it.parent.Valid() }

func (it *mergedIterator) Next() {
	it.mustBeValid()
	if it.fromCache {
		it.cache.next()
	} else {
		it.parent.Next()
	}
	it.settle()
}

func (it *mergedIterator) Key() []byte {
	it.mustBeValid()
	if it.fromCache {
		return it.cache.entry().key
	}
	return it.parent.Key()
}

func (it *mergedIterator) Value() []byte {
	it.mustBeValid()
	if it.fromCache {
		return it.cache.entry().value
	}
	return it.parent.Value()
}

func (it *mergedIterator) Close() error { return it.parent.Close() }

func (it *mergedIterator) mustBeValid() {
	if !it.Valid() {
		panic("store: use of an exhausted iterator")
	}
}
