package app

// HoldLock takes the pool's lock, as a rebase or an admission does, for
// the package's external tests; the returned function releases it.
func (p *Pool) HoldLock() (release func()) {
	p.mu.Lock()
	return p.mu.Unlock
}
