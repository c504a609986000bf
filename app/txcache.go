package app

import "crypto/sha256"

// txCache keeps recently decoded transactions by the hash of their bytes, so
// that a transaction is decoded once per node on its way through CheckTx,
// recheck, PrepareProposal, ProcessProposal and FinalizeBlock. Decoding is a
// pure function of the bytes, so a hit returns exactly what decoding would.
// Only transactions that decoded are kept. The oldest entries are evicted
// first.
type txCache struct {
	entries map[[sha256.Size]byte]*DecodedTx
	ring    [][sha256.Size]byte
	next    int
}

func newTxCache(size int) *txCache {
	size = max(size, 1)
	return &txCache{entries: make(map[[sha256.Size]byte]*DecodedTx, size), ring: make([][sha256.Size]byte, 0, size)}
}

func (c *txCache) get(hash [sha256.Size]byte) *DecodedTx { return c.entries[hash] }

func (c *txCache) add(tx *DecodedTx) {
	if _, ok := c.entries[tx.Hash]; ok {
		return
	}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, tx.Hash)
	} else {
		delete(c.entries, c.ring[c.next])
		c.ring[c.next] = tx.Hash
		c.next = (c.next + 1) % len(c.ring)
	}
	c.entries[tx.Hash] = tx
}

// decode returns the decoded form of raw, from the cache when the same
// bytes were decoded before.
func (a *App) decode(raw []byte) (*DecodedTx, error) {
	if len(raw) > MaxTxBytes {
		return DecodeTx(raw)
	}
	hash := sha256.Sum256(raw)
	if tx := a.decoded.get(hash); tx != nil {
		return tx, nil
	}
	tx, err := decodeTx(raw, &hash)
	if err != nil {
		return nil, err
	}
	a.decoded.add(tx)
	return tx, nil
}
