package app

// HoldLock takes the pool's lock, as a rebase or an admission does, for
// the package's external tests; the returned function releases it.
func (p *Pool) HoldLock() (release func()) {
	p.mu.Lock()
	return p.mu.Unlock
}

// GossipLen returns the number of entries waiting for Reap, dropped ones
// included.
func (p *Pool) GossipLen() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.gossip)
}

// SigCacheLen returns the number of verified signatures the signature
// cache the pool shares with its App holds.
func (p *Pool) SigCacheLen() int {
	p.chk.sigs.mu.Lock()
	defer p.chk.sigs.mu.Unlock()
	return len(p.chk.sigs.entries)
}
