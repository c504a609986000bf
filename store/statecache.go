package store

// DefaultStateCacheSize is the number of keys of the latest version whose
// values the store keeps in memory when Options.StateCacheSize is zero.
const DefaultStateCacheSize = 500_000

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
type stateCache struct {
	latest  map[string][]byte
	pending map[string][]byte
	max     int
}

func newStateCache(max int) *stateCache {
	return &stateCache{latest: make(map[string][]byte), pending: make(map[string][]byte), max: max}
}

// working returns the working value of key if the cache knows it.
func (c *stateCache) working(key []byte) (value []byte, ok bool) {
	if v, ok := c.pending[string(key)]; ok {
		return v, true
	}
	v, ok := c.latest[string(key)]
	return v, ok
}

// remember records a value read from the latest version (nil: absent).
func (c *stateCache) remember(key, value []byte) {
	if len(c.latest) >= c.max {
		// Dropping everything is crude but cheap, and keeps the bound
		// without bookkeeping on every hit; hot keys return at once.
		clear(c.latest)
	}
	c.latest[string(key)] = value
}

// write records a working change (nil value: deleted).
func (c *stateCache) write(key, value []byte) {
	c.pending[string(key)] = value
}

// saved folds the pending changes into latest once they are saved.
func (c *stateCache) saved() {
	if len(c.latest)+len(c.pending) > c.max {
		clear(c.latest)
	}
	for k, v := range c.pending {
		c.latest[k] = v
	}
	clear(c.pending)
}

// dropPending forgets the working changes (the working tree was reset).
func (c *stateCache) dropPending() { clear(c.pending) }

// reset forgets everything (the tree was replaced or rolled back).
func (c *stateCache) reset() {
	clear(c.latest)
	clear(c.pending)
}

// latestStore is the read-only view of the latest saved version: it reads
// through the state cache while that version is still the latest, and
// straight from its immutable tree once a later version is saved.
type latestStore struct {
	readOnlyStore
	s       *CommitStore
	version int64
}

func (v latestStore) Get(key []byte) []byte {
	if v.s.tree.Version() != v.version {
		return v.readOnlyStore.Get(key)
	}
	if value, ok := v.s.cache.latest[string(key)]; ok {
		return value
	}
	value := v.readOnlyStore.Get(key)
	v.s.cache.remember(key, value)
	return value
}

func (v latestStore) Has(key []byte) bool {
	return v.Get(key) != nil
}

var _ KVStore = latestStore{}
