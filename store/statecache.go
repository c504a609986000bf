package store

// DefaultStateCacheBytes is the state cache's budget when
// Options.StateCacheBytes is zero: 128 MiB, several hundred thousand
// entries the size of a DID document, a sequence or a mana account.
const DefaultStateCacheBytes = 128 << 20

// stateEntryOverhead is what one cached entry costs beyond its key and
// value bytes: the map slot (a string and a slice header), the map's
// control bytes and slack, and the rounding of the key and value
// allocations to Go's size classes. Measured at 70 to 90 bytes with Go 1.26
// for keys of 43 bytes and values of 0 to 300; rounded up, so that the
// budget bounds the real memory.
const stateEntryOverhead = 96

// stateCache keeps values of the latest saved version, and the changes the
// working tree has made since, so that the reads a block and CheckTx make
// over and over (signers' documents, sequences and mana accounts) cost a map
// lookup instead of a walk down the IAVL tree through its node cache.
//
// latest maps a key to its value in the latest saved version, or to nil when
// the key is absent there; pending maps a key written since to its working
// value, or to nil when it was deleted. A key in neither is read from the
// tree. The cache never changes what a read returns, only how fast: it is
// filled from the tree and from the same writes that go into the tree, and
// it is dropped whenever the tree is replaced, rolled back or reset.
//
// The two maps together never hold more than max bytes, counted by
// entrySize. When an entry does not fit, latest is dropped whole: crude,
// but cheap, with no bookkeeping on every hit, and hot keys return at once.
// pending must know every key written since the save (a key written but
// not in pending would be read from latest, stale), so it is never trimmed:
// when the working changes alone outgrow the budget the cache forgets them
// and sets overflowed, and the working tree is read without the cache until
// the next save or reset.
//
// What fills latest: reads of the working tree, which executes blocks, and
// reads through a LatestView that its owner admits (CheckTx admits the reads
// of the transactions it accepts). Block reads are admitted at once: a
// block's transactions passed its proposer's CheckTx, and a proposal that
// holds refused ones is rejected after reading at most one block's worth.
// Reads on behalf of clients (ReadOnlyAt) never fill the cache.
type stateCache struct {
	latest  map[string][]byte
	pending map[string][]byte
	// overflowed: the working changes since the save did not fit, pending
	// is empty, and the working tree is read from the tree alone.
	overflowed bool

	latestBytes, pendingBytes int
	max                       int

	hits, misses uint64
}

func newStateCache(maxBytes int) *stateCache {
	return &stateCache{latest: make(map[string][]byte), pending: make(map[string][]byte), max: maxBytes}
}

// entrySize is what an entry counts against the budget.
func entrySize(key string, value []byte) int {
	return len(key) + len(value) + stateEntryOverhead
}

// working returns the working value of key if the cache knows it.
func (c *stateCache) working(key []byte) (value []byte, ok bool) {
	if c.overflowed {
		c.misses++
		return nil, false
	}
	if v, ok := c.pending[string(key)]; ok {
		c.hits++
		return v, true
	}
	return c.lookupLatest(key)
}

// lookupLatest returns the value of key in the latest saved version if the
// cache knows it.
func (c *stateCache) lookupLatest(key []byte) (value []byte, ok bool) {
	v, ok := c.latest[string(key)]
	if ok {
		c.hits++
	} else {
		c.misses++
	}
	return v, ok
}

// rememberWorking records a value the working tree returned for a key the
// cache did not know. While pending tracks every working change, such a key
// was not written since the save, so the value is the saved one.
func (c *stateCache) rememberWorking(key, value []byte) {
	if !c.overflowed {
		c.remember(string(key), value)
	}
}

// remember records a value of the latest saved version (nil: absent).
func (c *stateCache) remember(key string, value []byte) {
	if old, ok := c.latest[key]; ok {
		c.latestBytes -= entrySize(key, old)
		delete(c.latest, key)
	}
	n := entrySize(key, value)
	if c.latestBytes+c.pendingBytes+n > c.max {
		c.dropLatest()
		if c.pendingBytes+n > c.max {
			return
		}
	}
	c.latest[key] = value
	c.latestBytes += n
}

// write records a working change (nil value: deleted).
func (c *stateCache) write(key, value []byte) {
	if c.overflowed {
		return
	}
	k := string(key)
	if old, ok := c.pending[k]; ok {
		c.pendingBytes -= entrySize(k, old)
		delete(c.pending, k)
	}
	n := entrySize(k, value)
	if c.latestBytes+c.pendingBytes+n > c.max {
		c.dropLatest()
		if c.pendingBytes+n > c.max {
			c.dropPending()
			c.overflowed = true
			return
		}
	}
	c.pending[k] = value
	c.pendingBytes += n
}

// committed folds the pending changes into latest once they are saved. The
// two maps fit the budget together, so latest fits it alone afterwards.
func (c *stateCache) committed() {
	if c.overflowed {
		// Which keys changed is not known: none of latest can be trusted.
		c.reset()
		return
	}
	for k, v := range c.pending {
		if old, ok := c.latest[k]; ok {
			c.latestBytes -= entrySize(k, old)
		}
		c.latest[k] = v
	}
	c.latestBytes += c.pendingBytes
	c.dropPending()
}

// dropLatest forgets the saved values.
func (c *stateCache) dropLatest() {
	clear(c.latest)
	c.latestBytes = 0
}

// dropPending forgets the working changes (the working tree was reset);
// latest still holds saved values only.
func (c *stateCache) dropPending() {
	clear(c.pending)
	c.pendingBytes = 0
	c.overflowed = false
}

// reset forgets everything (the tree was replaced or rolled back).
func (c *stateCache) reset() {
	c.dropLatest()
	c.dropPending()
}

// StateCacheStats describes the state cache, for tests and diagnostics.
type StateCacheStats struct {
	// Entries is the number of keys held, saved values and working
	// changes together.
	Entries int
	// Bytes is what they count against MaxBytes: keys, values and a fixed
	// overhead per entry. It never exceeds MaxBytes.
	Bytes    int
	MaxBytes int
	// Hits and Misses count reads of the latest or working state that the
	// cache answered, and that went to the tree.
	Hits, Misses uint64
}

// StateCacheStats returns the state cache's current size and counters.
func (s *CommitStore) StateCacheStats() StateCacheStats {
	c := s.cache
	return StateCacheStats{
		Entries:  len(c.latest) + len(c.pending),
		Bytes:    c.latestBytes + c.pendingBytes,
		MaxBytes: c.max,
		Hits:     c.hits,
		Misses:   c.misses,
	}
}

// LatestView is the read-only view of the latest saved version for the
// node's own hot reads (the app's CheckTx state). It answers from the state
// cache while its version is still the latest, and straight from its
// immutable tree once a later version is saved.
//
// Reads it has to take from the tree do not enter the cache at once: the
// view records them until its owner decides. Admit puts them in the cache;
// Discard forgets them. CheckTx admits the reads of a transaction it
// accepts and discards those of one it refuses, so that a flood of refused
// transactions (from unknown signers, say, each reading keys that hold
// nothing) neither fills the cache nor evicts what accepted signers read.
type LatestView struct {
	readOnlyStore
	s       *CommitStore
	version int64
	// reads are the values read from the tree since the last Admit or
	// Discard, by key. They are values of version, so they may enter the
	// cache while version is the latest.
	reads map[string][]byte
}

var _ KVStore = (*LatestView)(nil)

// current reports whether the view's version is still the latest saved
// one, whose values the state cache holds.
func (v *LatestView) current() bool {
	return v.s.tree.Version() == v.version
}

// Get implements KVStore.
func (v *LatestView) Get(key []byte) []byte {
	if !v.current() {
		return v.readOnlyStore.Get(key)
	}
	if value, ok := v.s.cache.lookupLatest(key); ok {
		return value
	}
	if value, ok := v.reads[string(key)]; ok {
		return value
	}
	value := v.readOnlyStore.Get(key)
	v.reads[string(key)] = value
	return value
}

// Has implements KVStore.
func (v *LatestView) Has(key []byte) bool {
	return v.Get(key) != nil
}

// Admit puts the reads recorded since the last Admit or Discard into the
// state cache (if the view's version is still the latest) and forgets them.
// Their order does not matter: the cache changes how fast a read is
// answered, never what it returns.
func (v *LatestView) Admit() {
	if v.current() {
		for k, value := range v.reads {
			v.s.cache.remember(k, value)
		}
	}
	clear(v.reads)
}

// Discard forgets the reads recorded since the last Admit or Discard.
func (v *LatestView) Discard() {
	clear(v.reads)
}
