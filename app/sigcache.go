package app

import "crypto/sha256"

// sigCache remembers which transaction hashes have a signature that
// verified, and under which public key, so that a node verifies each
// signature once: CheckTx or ProcessProposal verifies, FinalizeBlock reuses.
// The key is part of the entry because a key can change between the two
// (rotation), and then the signature must be checked again.
//
// The cache is local to the node and never affects results: a miss only
// costs a verification. It is bounded; the oldest entries are evicted first.
type sigCache struct {
	entries map[[sha256.Size]byte]string
	ring    [][sha256.Size]byte
	next    int
}

func newSigCache(size int) *sigCache {
	if size <= 0 {
		size = 1
	}
	return &sigCache{entries: make(map[[sha256.Size]byte]string, size), ring: make([][sha256.Size]byte, 0, size)}
}

// verified reports whether hash was verified under pubKey.
func (c *sigCache) verified(hash [sha256.Size]byte, pubKey []byte) bool {
	k, ok := c.entries[hash]
	return ok && k == string(pubKey)
}

// add records that hash verified under pubKey.
func (c *sigCache) add(hash [sha256.Size]byte, pubKey []byte) {
	if _, ok := c.entries[hash]; ok {
		c.entries[hash] = string(pubKey)
		return
	}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, hash)
	} else {
		delete(c.entries, c.ring[c.next])
		c.ring[c.next] = hash
		c.next = (c.next + 1) % len(c.ring)
	}
	c.entries[hash] = string(pubKey)
}
