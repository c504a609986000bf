package app

import (
	"crypto/sha256"
	"sync"
)

// sigCache remembers which signatures of which transactions have verified,
// and under which public key, so that a node verifies each signature once:
// CheckTx, the app-side mempool or ProcessProposal verifies, FinalizeBlock
// reuses. The key is part of the entry because a key can change between
// the two (rotation), and then the signature must be checked again.
//
// A sponsored transaction carries two signatures over the same sign bytes.
// Entries are keyed by the transaction hash and the role of the signature
// (sigKey), so that the signer's verified signature never vouches for the
// sponsor's, even when both DIDs use the same public key.
//
// The cache is local to the node and never affects results: a miss only
// costs a verification. It is bounded; the oldest entries are evicted first.
//
// A sigCache is one App's handle on a sigStore, which the app-side
// mempool's checker (Pool) shares with the consensus App: a signature the
// pool verified on admission is not verified again in the block. The store
// is safe for concurrent use; the handle's frozen flag belongs to its App.
type sigCache struct {
	*sigStore
	// frozen makes add do nothing, while App.CheckOnly runs: a dry run
	// that any client may repeat with endless distinct transactions must
	// not evict the signatures of transactions that will be executed.
	frozen bool
	// collect, when set (Pool.VerifyBatch), makes verified record each
	// signature the cache does not hold and answer true, so that ante runs
	// its other checks and names the signatures to verify in one batch.
	collect *[]collectedSig
}

// collectedSig is a signature verified named while collecting.
type collectedSig struct {
	key sigKey
	pub []byte
}

// sigStore is the shared, locked content of sigCaches.
type sigStore struct {
	mu      sync.Mutex
	entries map[sigKey]string
	ring    []sigKey
	next    int
	// hits and misses count the lookups of verified, for the node's
	// metrics; they never reach state or results.
	hits, misses uint64
}

// sigKey names one signature of one transaction.
type sigKey struct {
	hash [sha256.Size]byte
	// sponsor is set for Tx.sponsor_signature, clear for Tx.signature.
	sponsor bool
}

// signerSig and sponsorSig name tx's two signatures in the cache.
func signerSig(tx *DecodedTx) sigKey  { return sigKey{hash: tx.Hash} }
func sponsorSig(tx *DecodedTx) sigKey { return sigKey{hash: tx.Hash, sponsor: true} }

func newSigCache(size int) *sigCache {
	if size <= 0 {
		size = 1
	}
	return &sigCache{sigStore: &sigStore{entries: make(map[sigKey]string, size), ring: make([]sigKey, 0, size)}}
}

// share returns a new handle, not frozen, on c's store.
func (c *sigCache) share() *sigCache { return &sigCache{sigStore: c.sigStore} }

// verified reports whether the signature k verified under pubKey, and
// counts the lookup as a hit or a miss: a miss costs a verification.
func (c *sigCache) verified(k sigKey, pubKey []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ok := c.holdsLocked(k, pubKey)
	if c.collect != nil {
		if !ok {
			*c.collect = append(*c.collect, collectedSig{key: k, pub: pubKey})
		}
		return true
	}
	if ok {
		c.hits++
	} else {
		c.misses++
	}
	return ok
}

// holds is verified without counting. Batch verification looks up every
// signature of a block before ante does; counting both lookups would count
// each signature twice.
func (c *sigCache) holds(k sigKey, pubKey []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.holdsLocked(k, pubKey)
}

func (s *sigStore) holdsLocked(k sigKey, pubKey []byte) bool {
	pk, ok := s.entries[k]
	return ok && pk == string(pubKey)
}

// counts returns the hits and misses so far.
func (s *sigStore) counts() (hits, misses uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits, s.misses
}

// add records that the signature k verified under pubKey.
func (c *sigCache) add(k sigKey, pubKey []byte) {
	if c.frozen {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; ok {
		c.entries[k] = string(pubKey)
		return
	}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, k)
	} else {
		delete(c.entries, c.ring[c.next])
		c.ring[c.next] = k
		c.next = (c.next + 1) % len(c.ring)
	}
	c.entries[k] = string(pubKey)
}
