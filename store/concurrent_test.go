package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentReaderDuringCommits reads the last committed version in
// several goroutines while the working tree is written, committed and
// pruned (keeping 2 versions), as the app-side mempool does during block
// execution: the readers use the view of version v under a read lock, and
// the writer swaps the view to v+1 under the write lock after committing
// v+1, so that no read of v overlaps the commit of v+2, which prunes v.
// Run it with -race: the views share no node with the working tree. Every
// read sees exactly its version's value, and every version is read while
// the next ones are written and committed: the writer waits for a read of
// the version it published before it commits the next one, so that the
// overlap does not depend on the scheduler.
func TestConcurrentReaderDuringCommits(t *testing.T) {
	const keys, versions = 200, 60
	s := newMemStore(t, Options{PruneKeepRecent: 2, PruneInterval: 1, CacheSize: 500})
	key := func(i int) []byte { return fmt.Appendf(nil, "key-%03d", i) }
	value := func(v int64, i int) string { return fmt.Sprintf("v%d-%d", v, i) }
	write := func(v int64) {
		// Each version rewrites every key, so every node of the previous
		// version is copied on write.
		for i := range keys {
			s.Working().Set(key(i), []byte(value(v, i)))
		}
	}
	write(1)
	if _, err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	r := s.NewConcurrentReader(100)
	var mu sync.RWMutex
	latest := int64(1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	// readTo is the highest version a reader read in full.
	var readTo atomic.Int64
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := g; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				mu.RLock()
				v := latest
				view, err := r.At(v)
				if err != nil {
					mu.RUnlock()
					t.Errorf("At(%d): %v", v, err)
					return
				}
				ok := readAll(t, view, v, keys, key, value, n)
				mu.RUnlock()
				if !ok {
					return
				}
				for was := readTo.Load(); was < v && !readTo.CompareAndSwap(was, v); was = readTo.Load() {
				}
			}
		}()
	}
	for v := int64(2); v <= versions && !t.Failed(); v++ {
		// The readers read version v-1 before and during the commit of v.
		for deadline := time.Now().Add(time.Minute); readTo.Load() < v-1 && !t.Failed(); {
			if time.Now().After(deadline) {
				t.Errorf("no reader read version %d within a minute", v-1)
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
		if t.Failed() {
			break
		}
		write(v)
		id, err := s.Commit()
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		latest = id.Version
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
	if _, err := r.At(1); err == nil {
		t.Fatal("At of a pruned version succeeded")
	}
	if _, err := r.At(versions + 1); !errors.Is(err, ErrVersionUnavailable) {
		t.Fatalf("At of a version never saved: %v, want ErrVersionUnavailable", err)
	}
}

// readAll checks every n%7-th key of view, and iterates over a range.
func readAll(t *testing.T, view KVStore, v int64, keys int, key func(int) []byte, value func(int64, int) string, n int) bool {
	for i := n % 7; i < keys; i += 7 {
		if got := string(view.Get(key(i))); got != value(v, i) {
			t.Errorf("version %d key %d: got %q, want %q", v, i, got, value(v, i))
			return false
		}
	}
	it := view.Iterator(key(0), key(10))
	for ; it.Valid(); it.Next() {
	}
	if err := it.Close(); err != nil {
		t.Errorf("iterator: %v", err)
		return false
	}
	return true
}
