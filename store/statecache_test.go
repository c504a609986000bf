package store

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// TestStateCacheIsInvisible runs reads and writes through the working tree
// and the latest read-only view across commits, resets and rollbacks, and
// requires every read to equal what the tree itself holds.
func TestStateCacheIsInvisible(t *testing.T) {
	// Room for about four small entries.
	s := newMemStore(t, Options{StateCacheBytes: 4 * (stateEntryOverhead + 3)})
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
	if v1.Has([]byte("zz")) {
		t.Fatal("absent key reported present")
	}
	v1.Admit() // caches the absence

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

// TestLatestViewAdmitsOnRequest checks that reads through a LatestView
// enter the state cache only when admitted, and only while the view's
// version is the latest.
func TestLatestViewAdmitsOnRequest(t *testing.T) {
	s := newMemStore(t, Options{})
	setAll(s.Working(), "a", "1", "b", "2")
	commit(t, s)
	s.cache.reset() // start from an empty cache; the commit folded a and b in
	v, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	cached := func(key string) bool { _, ok := s.cache.latest[key]; return ok }

	if v.Get([]byte("a")) == nil || v.Has([]byte("absent")) {
		t.Fatal("wrong values")
	}
	if cached("a") || cached("absent") {
		t.Fatal("reads entered the cache before Admit")
	}
	v.Discard()
	v.Admit()
	if cached("a") || cached("absent") {
		t.Fatal("discarded reads entered the cache")
	}

	if v.Get([]byte("a")) == nil || v.Has([]byte("absent")) {
		t.Fatal("wrong values")
	}
	v.Admit()
	if !cached("a") || !cached("absent") || s.StateCacheStats().Entries != 2 {
		t.Fatalf("admitted reads: cache holds %d entries", s.StateCacheStats().Entries)
	}

	// A view of a version that is no longer the latest admits nothing.
	s.Working().Set([]byte("b"), []byte("3"))
	commit(t, s)
	s.cache.reset()
	if got := string(v.Get([]byte("b"))); got != "2" {
		t.Fatalf("old view reads b = %q, want its own version's 2", got)
	}
	v.Admit()
	if cached("b") {
		t.Fatal("a value of an older version entered the cache")
	}
	if got := string(s.Working().Get([]byte("b"))); got != "3" {
		t.Fatalf("working b = %q", got)
	}
}

// TestStateCacheModel runs a long deterministic mix of writes, deletes,
// reads of the working tree and of the latest version (admitted or
// discarded), commits and resets against a plain model of the state, under
// budgets from a few entries to all of them. Every read must equal the
// model, and the cache must never hold more bytes than its budget.
func TestStateCacheModel(t *testing.T) {
	for _, budget := range []int{stateEntryOverhead, 3 * (stateEntryOverhead + 8), 6 * (stateEntryOverhead + 8), DefaultStateCacheBytes} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			s := newMemStore(t, Options{StateCacheBytes: budget})
			rng := rand.New(rand.NewPCG(1, uint64(budget)))
			saved, working := map[string]string{}, map[string]string{}
			var view *LatestView
			key := func() string { return fmt.Sprint("k", rng.IntN(10)) }
			for step := 0; step < 20_000; step++ {
				switch op := rng.IntN(100); {
				case op < 30:
					k, v := key(), fmt.Sprint("v", step)
					s.Working().Set([]byte(k), []byte(v))
					working[k] = v
				case op < 40:
					k := key()
					s.Working().Delete([]byte(k))
					delete(working, k)
				case op < 65:
					k := key()
					if got, want := s.Working().Get([]byte(k)), working[k]; string(got) != want || (got == nil) != (want == "") {
						t.Fatalf("step %d: working %s = %q, want %q", step, k, got, want)
					}
				case op < 90:
					if view == nil {
						continue
					}
					k := key()
					if got, want := view.Get([]byte(k)), saved[k]; string(got) != want || (got == nil) != (want == "") {
						t.Fatalf("step %d: latest %s = %q, want %q", step, k, got, want)
					}
					if rng.IntN(2) == 0 {
						view.Admit()
					} else {
						view.Discard()
					}
				case op < 97:
					commit(t, s)
					saved = maps.Clone(working)
					var err error
					if view, err = s.Latest(); err != nil {
						t.Fatal(err)
					}
				default:
					s.ResetWorking()
					working = maps.Clone(saved)
				}
				if st := s.StateCacheStats(); st.Bytes > st.MaxBytes || st.Bytes < 0 {
					t.Fatalf("step %d: cache holds %d bytes, budget %d", step, st.Bytes, st.MaxBytes)
				}
			}
			if st := s.StateCacheStats(); budget == DefaultStateCacheBytes && st.Hits == 0 {
				t.Fatalf("a cache with room for everything never hit: %+v", st)
			}
		})
	}
}

// TestStateCacheOverflow: a block whose writes alone outgrow the budget
// turns the cache off for the working tree until the next save, and reads
// stay exact throughout.
func TestStateCacheOverflow(t *testing.T) {
	s := newMemStore(t, Options{StateCacheBytes: 3 * (stateEntryOverhead + 4)})
	w := s.Working()
	setAll(w, "a", "1", "b", "1")
	commit(t, s)
	setAll(w, "a", "2", "c", "2", "d", "2", "e", "2")
	if !s.cache.overflowed {
		t.Fatal("four writes fit a budget of three entries")
	}
	for k, want := range map[string]string{"a": "2", "b": "1", "e": "2"} {
		if got := string(w.Get([]byte(k))); got != want {
			t.Fatalf("working %s = %q, want %q", k, got, want)
		}
	}
	v, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(v.Get([]byte("a"))); got != "1" {
		t.Fatalf("latest a = %q during the overflowed block", got)
	}
	v.Admit()
	commit(t, s)
	if s.cache.overflowed || s.StateCacheStats().Entries != 0 {
		t.Fatalf("after the save: overflowed %v, %d entries", s.cache.overflowed, s.StateCacheStats().Entries)
	}
	if got := string(w.Get([]byte("a"))); got != "2" {
		t.Fatalf("a = %q after the save", got)
	}
}
