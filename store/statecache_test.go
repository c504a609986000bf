package store

import (
	"testing"
)

// TestStateCacheIsInvisible runs reads and writes through the working tree
// and the latest read-only view across commits, resets and rollbacks, and
// requires every read to equal what the tree itself holds.
func TestStateCacheIsInvisible(t *testing.T) {
	s := newMemStore(t, Options{StateCacheSize: 4})
	w := s.Working()
	get := func(kv KVStore, key string) string { return string(kv.Get([]byte(key))) }

	w.Set([]byte("a"), []byte("1"))
	w.Set([]byte("b"), []byte("1"))
	commit(t, s) // v1: a=1 b=1
	if got := get(w, "a"); got != "1" {
		t.Fatalf("working a = %q", got)
	}
	v1, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	if got := get(v1, "b"); got != "1" {
		t.Fatalf("v1 b = %q", got)
	}
	if v1.Has([]byte("zz")) { // caches an absence
		t.Fatal("absent key reported present")
	}

	// Working changes are visible in the working tree only.
	w.Set([]byte("a"), []byte("2"))
	w.Delete([]byte("b"))
	w.Set([]byte("zz"), []byte("new"))
	if get(w, "a") != "2" || w.Has([]byte("b")) || get(w, "zz") != "new" {
		t.Fatalf("working view: a=%q b=%v zz=%q", get(w, "a"), w.Has([]byte("b")), get(w, "zz"))
	}
	if get(v1, "a") != "1" || !v1.Has([]byte("b")) || v1.Has([]byte("zz")) {
		t.Fatal("uncommitted changes leaked into the latest saved version")
	}

	// Reset drops them.
	s.ResetWorking()
	if get(w, "a") != "1" || !w.Has([]byte("b")) || w.Has([]byte("zz")) {
		t.Fatalf("after reset: a=%q b=%v zz=%v", get(w, "a"), w.Has([]byte("b")), w.Has([]byte("zz")))
	}

	// Commit folds them in; a view of the older version stops using the cache.
	w.Set([]byte("a"), []byte("3"))
	w.Delete([]byte("b"))
	commit(t, s) // v2: a=3
	if get(v1, "a") != "1" || !v1.Has([]byte("b")) {
		t.Fatal("a view of version 1 reads version 2 after the commit")
	}
	v2, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	if get(v2, "a") != "3" || v2.Has([]byte("b")) {
		t.Fatalf("v2: a=%q b=%v", get(v2, "a"), v2.Has([]byte("b")))
	}

	// More keys than the cache holds: still exact.
	for i := 0; i < 20; i++ {
		w.Set([]byte{'k', byte(i)}, []byte{byte(i) + 1})
	}
	commit(t, s) // v3
	for i := 0; i < 20; i++ {
		if got := w.Get([]byte{'k', byte(i)}); len(got) != 1 || got[0] != byte(i)+1 {
			t.Fatalf("k%d = %v", i, got)
		}
	}

	// Rollback to v2 forgets v3's values.
	if err := s.RollbackTo(2); err != nil {
		t.Fatal(err)
	}
	if w.Has([]byte{'k', 0}) || get(w, "a") != "3" {
		t.Fatal("rollback left cached values of the discarded version")
	}
}

// TestStateCacheSetCopies checks that the cache does not alias a caller's
// buffer.
func TestStateCacheSetCopies(t *testing.T) {
	s := newMemStore(t, Options{})
	w := s.Working()
	buf := []byte("v")
	w.Set([]byte("k"), buf)
	buf[0] = 'x'
	if got := string(w.Get([]byte("k"))); got != "v" {
		t.Fatalf("Get = %q after the caller reused its buffer", got)
	}
}

// TestReadOnlyAtLeavesTheCacheAlone checks that reads on behalf of clients
// (queries with keys they choose) never grow the state cache.
func TestReadOnlyAtLeavesTheCacheAlone(t *testing.T) {
	s := newMemStore(t, Options{})
	s.Working().Set([]byte("a"), []byte("1"))
	commit(t, s)
	ro, err := s.ReadOnlyAt(1)
	if err != nil {
		t.Fatal(err)
	}
	before := len(s.cache.latest)
	for i := 0; i < 100; i++ {
		ro.Get([]byte{'q', byte(i)})
	}
	if n := len(s.cache.latest) - before; n != 0 {
		t.Fatalf("client reads put %d keys in the state cache", n)
	}
}
