package app

import "crypto/sha256"

// txCache keeps transactions that CheckTx accepted, decoded, by the hash of
// their bytes, so that a transaction is decoded once per node on its way
// through CheckTx, recheck, PrepareProposal, ProcessProposal and
// FinalizeBlock. Decoding is a pure function of the bytes, so a hit returns
// exactly what decoding would. The cache is bounded by the bytes of the
// transactions it holds (a decoded transaction takes about twice its encoded
// size); the oldest entries are evicted first.
type txCache struct {
	entries  map[[sha256.Size]byte]*DecodedTx
	order    [][sha256.Size]byte // insertion order; order[head:] is live
	head     int
	bytes    int
	maxBytes int
}

func newTxCache(maxBytes int) *txCache {
	return &txCache{entries: make(map[[sha256.Size]byte]*DecodedTx), maxBytes: max(maxBytes, MaxTxBytes)}
}

func (c *txCache) get(hash [sha256.Size]byte) *DecodedTx { return c.entries[hash] }

func (c *txCache) add(tx *DecodedTx) {
	if _, ok := c.entries[tx.Hash]; ok {
		return
	}
	for c.bytes+len(tx.Raw) > c.maxBytes && c.head < len(c.order) {
		old := c.order[c.head]
		c.head++
		c.bytes -= len(c.entries[old].Raw)
		delete(c.entries, old)
	}
	if c.head > len(c.order)/2 {
		// Reclaim the evicted prefix once it is half the slice.
		c.order = append(c.order[:0], c.order[c.head:]...)
		c.head = 0
	}
	c.order = append(c.order, tx.Hash)
	c.entries[tx.Hash] = tx
	c.bytes += len(tx.Raw)
}

// decode returns the decoded form of raw, from the cache when CheckTx
// accepted the same bytes before. It adds nothing to the cache.
func (a *App) decode(raw []byte) (*DecodedTx, error) {
	if len(raw) > MaxTxBytes {
		return a.msgs.decodeTx(raw, nil)
	}
	hash := sha256.Sum256(raw)
	if tx := a.decoded.get(hash); tx != nil {
		return tx, nil
	}
	return a.msgs.decodeTx(raw, &hash)
}
