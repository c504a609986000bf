package store

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
)

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		prefix []byte
		want   []byte
	}{
		{nil, nil},
		{[]byte{}, nil},
		{[]byte{0x01}, []byte{0x02}},
		{[]byte{0x01, 0x02}, []byte{0x01, 0x03}},
		{[]byte{0x01, 0xFF}, []byte{0x02}},
		{[]byte{0x01, 0xFF, 0xFF}, []byte{0x02}},
		{[]byte{0xFF}, nil},
		{[]byte{0xFF, 0xFF}, nil},
		{[]byte{0x00}, []byte{0x01}},
	}
	for _, tt := range tests {
		got := PrefixEnd(tt.prefix)
		if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("PrefixEnd(%X) = %X, want %X", tt.prefix, got, tt.want)
		}
	}
}

func TestPrefixEndDoesNotAlias(t *testing.T) {
	prefix := []byte{0x01, 0x02}
	end := PrefixEnd(prefix)
	end[0] = 0x09
	if prefix[0] != 0x01 {
		t.Fatalf("PrefixEnd modified its argument: %X", prefix)
	}
}

func TestCacheReadWriteNested(t *testing.T) {
	s := newMemStore(t, Options{})
	tree := s.Working()
	setAll(tree, "a", "1", "b", "2")

	block := NewCache(tree)
	if got := block.Get([]byte("a")); string(got) != "1" {
		t.Fatalf("block.Get(a) = %q, want read-through %q", got, "1")
	}
	block.Set([]byte("a"), []byte("10"))
	block.Delete([]byte("b"))
	block.Set([]byte("c"), []byte("3"))

	tx := NewCache(block)
	tx.Set([]byte("b"), []byte("20"))
	tx.Delete([]byte("c"))
	tx.Set([]byte("d"), []byte("4"))
	tx.Set([]byte("e"), []byte("5"))

	type view struct {
		name string
		kv   KVStore
		want map[string]string // absent keys are missing
	}
	views := []view{
		{"tree", tree, map[string]string{"a": "1", "b": "2"}},
		{"block", block, map[string]string{"a": "10", "c": "3"}},
		{"tx", tx, map[string]string{"a": "10", "b": "20", "d": "4", "e": "5"}},
	}
	for _, v := range views {
		for _, k := range []string{"a", "b", "c", "d", "e", "zz"} {
			want, present := v.want[k]
			got := v.kv.Get([]byte(k))
			if present && (got == nil || string(got) != want) {
				t.Errorf("%s.Get(%s) = %q, want %q", v.name, k, got, want)
			}
			if !present && got != nil {
				t.Errorf("%s.Get(%s) = %q, want nil", v.name, k, got)
			}
			if has := v.kv.Has([]byte(k)); has != present {
				t.Errorf("%s.Has(%s) = %v, want %v", v.name, k, has, present)
			}
		}
	}

	tx.Write()
	if got := block.Get([]byte("b")); string(got) != "20" {
		t.Errorf("after tx.Write, block.Get(b) = %q, want %q", got, "20")
	}
	if block.Has([]byte("c")) {
		t.Error("after tx.Write, block still has c")
	}
	if tree.Has([]byte("d")) {
		t.Error("tx.Write reached the tree through the block cache")
	}
	block.Write()
	want := []string{"a=10", "b=20", "d=4", "e=5"}
	if got := dump(t, tree.Iterator(nil, nil)); !slices.Equal(got, want) {
		t.Errorf("tree after both writes = %v, want %v", got, want)
	}
	if got := dump(t, block.Iterator(nil, nil)); !slices.Equal(got, want) {
		t.Errorf("block cache after Write = %v, want the tree's %v", got, want)
	}
}

func TestCacheSetCopiesArguments(t *testing.T) {
	c := NewCache(newMemStore(t, Options{}).Working())
	key, value := []byte("k"), []byte("v")
	c.Set(key, value)
	key[0], value[0] = 'x', 'x'
	if got := c.Get([]byte("k")); string(got) != "v" {
		t.Fatalf("Get(k) = %q after the caller reused its buffers, want %q", got, "v")
	}
}

func TestCacheSetPanicsOnInvalidArguments(t *testing.T) {
	s := newMemStore(t, Options{})
	for name, kv := range map[string]KVStore{"cache": NewCache(s.Working()), "tree": s.Working()} {
		mustPanic(t, name+" Set(nil key)", func() { kv.Set(nil, []byte("v")) })
		mustPanic(t, name+" Set(empty key)", func() { kv.Set([]byte{}, []byte("v")) })
		mustPanic(t, name+" Set(nil value)", func() { kv.Set([]byte("k"), nil) })
		mustPanic(t, name+" Set(empty value)", func() { kv.Set([]byte("k"), []byte{}) })
	}
}

func TestCacheWriteAppliesInAscendingOrder(t *testing.T) {
	parent := &recordingStore{KVStore: newMemStore(t, Options{}).Working()}
	setAll(parent, "d", "old")
	parent.ops = nil

	block := NewCache(parent)
	block.Set([]byte("m"), []byte("1"))
	block.Delete([]byte("d"))
	block.Set([]byte("b"), []byte("2"))

	tx := NewCache(block)
	tx.Set([]byte("z"), []byte("3"))
	tx.Delete([]byte("a")) // absent everywhere: still forwarded
	tx.Set([]byte("c"), []byte("4"))
	tx.Set([]byte("b"), []byte("5")) // overwrites the block cache's b
	tx.Delete([]byte("c"))           // the last write to a key wins
	tx.Write()
	block.Write()

	want := []string{"delete a", "set b=5", "delete c", "delete d", "set m=1", "set z=3"}
	if !slices.Equal(parent.ops, want) {
		t.Errorf("parent received %q, want %q", parent.ops, want)
	}

	parent.ops = nil
	block.Write()
	tx.Write()
	if len(parent.ops) != 0 {
		t.Errorf("a second Write sent %q; Write must empty the cache", parent.ops)
	}
}

func TestCacheDiscard(t *testing.T) {
	parent := &recordingStore{KVStore: newMemStore(t, Options{}).Working()}
	setAll(parent, "a", "1", "b", "2")
	parent.ops = nil

	c := NewCache(parent)
	c.Set([]byte("a"), []byte("10"))
	c.Delete([]byte("b"))
	c.Set([]byte("c"), []byte("3"))
	c.Discard()

	if len(parent.ops) != 0 {
		t.Errorf("Discard wrote to the parent: %q", parent.ops)
	}
	if got := dump(t, parent.Iterator(nil, nil)); !slices.Equal(got, []string{"a=1", "b=2"}) {
		t.Errorf("parent after Discard = %v, want [a=1 b=2]", got)
	}
	if got := dump(t, c.Iterator(nil, nil)); !slices.Equal(got, []string{"a=1", "b=2"}) {
		t.Errorf("cache after Discard = %v, want the parent's [a=1 b=2]", got)
	}
	c.Write()
	if len(parent.ops) != 0 {
		t.Errorf("Write after Discard wrote %q", parent.ops)
	}
}

// newLayeredCaches builds the stack used by the iterator tests:
//
//	tree:  a=1 b=2 c=3 d=4 e=5 g=7
//	block: delete b, c=30, bb=22, f=6, delete x (absent)
//	tx:    b=20 (back again), delete c, a=10, h=8, delete f
func newLayeredCaches(t *testing.T) (tree KVStore, block, tx *Cache) {
	s := newMemStore(t, Options{})
	setAll(s.Working(), "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "g", "7")
	commit(t, s)

	block = NewCache(s.Working())
	block.Delete([]byte("b"))
	setAll(block, "c", "30", "bb", "22", "f", "6")
	block.Delete([]byte("x"))

	tx = NewCache(block)
	setAll(tx, "b", "20", "a", "10", "h", "8")
	tx.Delete([]byte("c"))
	tx.Delete([]byte("f"))
	return s.Working(), block, tx
}

func TestCacheIterators(t *testing.T) {
	tests := []struct {
		layer      string // "block" or "tx"
		start, end string // "" is unbounded
		want       []string
	}{
		{"block", "", "", []string{"a=1", "bb=22", "c=30", "d=4", "e=5", "f=6", "g=7"}},
		{"block", "b", "d", []string{"bb=22", "c=30"}},
		{"block", "bb", "c", []string{"bb=22"}},
		{"block", "b", "bb", nil},
		{"block", "c", "c", nil},
		{"block", "d", "b", nil},
		{"block", "", "b", []string{"a=1"}},
		{"block", "e", "", []string{"e=5", "f=6", "g=7"}},
		{"block", "x", "", nil},
		{"block", "f", "g", []string{"f=6"}},
		{"tx", "", "", []string{"a=10", "b=20", "bb=22", "d=4", "e=5", "g=7", "h=8"}},
		{"tx", "a", "c", []string{"a=10", "b=20", "bb=22"}},
		{"tx", "c", "e", []string{"d=4"}},
		{"tx", "c", "d", nil},
		{"tx", "f", "", []string{"g=7", "h=8"}},
		{"tx", "", "a", nil},
		{"tx", "a", "a\x00", []string{"a=10"}},
		{"tx", "h", "i", []string{"h=8"}},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s[%q,%q)", tt.layer, tt.start, tt.end)
		t.Run(name, func(t *testing.T) {
			_, block, tx := newLayeredCaches(t)
			kv := KVStore(block)
			if tt.layer == "tx" {
				kv = tx
			}
			if got := dump(t, kv.Iterator(bz(tt.start), bz(tt.end))); !slices.Equal(got, tt.want) {
				t.Errorf("Iterator = %v, want %v", got, tt.want)
			}
			if got := dump(t, kv.ReverseIterator(bz(tt.start), bz(tt.end))); !slices.Equal(got, reversed(tt.want)) {
				t.Errorf("ReverseIterator = %v, want %v", got, reversed(tt.want))
			}
		})
	}
}

func TestCacheIteratorOverUncommittedParent(t *testing.T) {
	s := newMemStore(t, Options{})
	setAll(s.Working(), "a", "1", "c", "3")
	c := NewCache(s.Working())
	setAll(c, "b", "2")
	c.Delete([]byte("c"))
	want := []string{"a=1", "b=2"}
	if got := dump(t, c.Iterator(nil, nil)); !slices.Equal(got, want) {
		t.Errorf("Iterator = %v, want %v", got, want)
	}
}

func TestCacheIteratorIgnoresLaterWrites(t *testing.T) {
	_, block, _ := newLayeredCaches(t)
	it := block.Iterator(nil, nil)
	var got []string
	for ; it.Valid(); it.Next() {
		got = append(got, string(it.Key())+"="+string(it.Value()))
		// Deleting while iterating is the common pattern: it must neither
		// disturb this iterator nor be lost.
		block.Delete(it.Key())
		block.Set([]byte("c2"), []byte("new"))
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{"a=1", "bb=22", "c=30", "d=4", "e=5", "f=6", "g=7"}
	if !slices.Equal(got, want) {
		t.Errorf("iteration while writing = %v, want %v", got, want)
	}
	if got := dump(t, block.Iterator(nil, nil)); !slices.Equal(got, []string{"c2=new"}) {
		t.Errorf("after deleting every key = %v, want [c2=new]", got)
	}
}

// TestCacheIteratorManyEntries crosses the cache walk's chunk boundaries in
// both directions, comparing with a plain sorted model.
func TestCacheIteratorManyEntries(t *testing.T) {
	s := newMemStore(t, Options{})
	model := map[string]string{}
	for i := 0; i < 300; i += 2 {
		k, v := fmt.Sprintf("k%03d", i), fmt.Sprintf("tree%d", i)
		s.Working().Set([]byte(k), []byte(v))
		model[k] = v
	}
	c := NewCache(s.Working())
	for i := 0; i < 300; i++ {
		k := fmt.Sprintf("k%03d", i)
		switch {
		case i%6 == 0:
			c.Delete([]byte(k))
			delete(model, k)
		case i%2 == 1, i%10 == 4:
			v := fmt.Sprintf("cache%d", i)
			c.Set([]byte(k), []byte(v))
			model[k] = v
		}
	}
	bounds := [][2]string{{"", ""}, {"k050", "k251"}, {"k001", "k002"}, {"k100", ""}, {"", "k200"}}
	for _, b := range bounds {
		var want []string
		for k, v := range model {
			if (b[0] == "" || k >= b[0]) && (b[1] == "" || k < b[1]) {
				want = append(want, k+"="+v)
			}
		}
		sort.Strings(want)
		if got := dump(t, c.Iterator(bz(b[0]), bz(b[1]))); !slices.Equal(got, want) {
			t.Errorf("Iterator%q: got %d entries, want %d\n got  %v\n want %v", b, len(got), len(want), got, want)
		}
		if got := dump(t, c.ReverseIterator(bz(b[0]), bz(b[1]))); !slices.Equal(got, reversed(want)) {
			t.Errorf("ReverseIterator%q: got %d entries, want %d", b, len(got), len(want))
		}
	}
}

func TestMergedIteratorPanicsWhenExhausted(t *testing.T) {
	c := NewCache(newMemStore(t, Options{}).Working())
	it := c.Iterator(nil, nil)
	defer it.Close()
	if it.Valid() {
		t.Fatal("iterator over an empty cache is valid")
	}
	mustPanic(t, "Key", func() { it.Key() })
	mustPanic(t, "Next", func() { it.Next() })
}

// TestCacheDiscardKeepsOpenIterators: Discard returns the cache's B-tree
// nodes to a free list that every Cache shares; an iterator opened before
// must still see its snapshot while other caches reuse those nodes.
func TestCacheDiscardKeepsOpenIterators(t *testing.T) {
	s := newMemStore(t, Options{})
	c := NewCache(s.Working())
	var want []string
	for i := 0; i < 500; i++ {
		k, v := fmt.Sprintf("k%03d", i), fmt.Sprintf("v%d", i)
		c.Set([]byte(k), []byte(v))
		want = append(want, k+"="+v)
	}
	it := c.Iterator(nil, nil)
	c.Discard()
	other := NewCache(s.Working())
	for i := 0; i < 500; i++ {
		other.Set([]byte(fmt.Sprintf("k%03d", i)), []byte("overwritten"))
	}
	c.Set([]byte("k000"), []byte("again"))
	if got := dump(t, it); !slices.Equal(got, want) {
		t.Errorf("iterator after Discard: got %d entries, want %d\n got  %.5v\n want %.5v", len(got), len(want), got, want)
	}
	if got := dump(t, c.Iterator(nil, nil)); !slices.Equal(got, []string{"k000=again"}) {
		t.Errorf("cache after Discard and Set = %v, want [k000=again]", got)
	}
}

// TestCacheWriteIntoParentCache: a child Cache hands its entries to a parent
// Cache; later changes in the child (which is reused) and in the caller's
// buffers must not reach what the parent holds.
func TestCacheWriteIntoParentCache(t *testing.T) {
	tree, block, tx := newLayeredCaches(t)
	key, value := []byte("k"), []byte("v1")
	tx.Set(key, value)
	value[1] = '9'
	tx.Write()
	tx.Set([]byte("k"), []byte("v2"))
	tx.Delete([]byte("a"))
	if got := string(block.Get([]byte("k"))); got != "v1" {
		t.Errorf("block k = %q, want v1", got)
	}
	want := []string{"a=10", "b=20", "bb=22", "d=4", "e=5", "g=7", "h=8", "k=v1"}
	if got := dump(t, block.Iterator(nil, nil)); !slices.Equal(got, want) {
		t.Errorf("block after tx.Write = %v, want %v", got, want)
	}
	if got := dump(t, tx.Iterator(nil, nil)); !slices.Equal(got, []string{"b=20", "bb=22", "d=4", "e=5", "g=7", "h=8", "k=v2"}) {
		t.Errorf("tx after its Write and new changes = %v", got)
	}
	tx.Discard()
	block.Write()
	if got := dump(t, tree.Iterator(nil, nil)); !slices.Equal(got, want) {
		t.Errorf("tree after block.Write = %v, want %v", got, want)
	}
}

// TestCacheReadsDoNotAllocate pins the allocation behaviour the transaction
// pipeline relies on: reading a buffered or an absent key allocates nothing.
func TestCacheReadsDoNotAllocate(t *testing.T) {
	_, block, tx := newLayeredCaches(t)
	keys := [][]byte{[]byte("a"), []byte("c"), []byte("bb"), []byte("zz")}
	n := testing.AllocsPerRun(100, func() {
		for _, k := range keys {
			_ = tx.Get(k)
			_ = tx.Has(k)
			_ = block.Has(k)
		}
	})
	if n != 0 {
		t.Errorf("Get and Has allocate %v times per run, want 0", n)
	}
}

// TestCachesOnSeparateGoroutines: caches share one free list of B-tree
// nodes; caches used by different goroutines (each its own) must not race
// through it. Run with -race.
func TestCachesOnSeparateGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parent := NewCache(nil)
			for round := range 50 {
				c := NewCache(parent)
				for i := range 200 {
					c.Set([]byte(fmt.Sprintf("g%d/k%03d", g, i)), []byte(fmt.Sprintf("%d", round)))
				}
				if round%2 == 0 {
					c.Write()
				} else {
					c.Discard()
				}
				parent.Discard()
			}
		}()
	}
	wg.Wait()
}
