package store

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"testing"
)

// overlay is a model of one Cache's buffered changes: a value, or nil for a
// deletion.
type overlay map[string][]byte

// modelView is what a stack of overlays over base shows, as sorted
// "key=value" strings within [start, end).
func modelView(base map[string]string, layers []overlay, start, end string) []string {
	view := make(map[string]string, len(base))
	for k, v := range base {
		view[k] = v
	}
	for _, l := range layers {
		for k, v := range l {
			if v == nil {
				delete(view, k)
			} else {
				view[k] = string(v)
			}
		}
	}
	var out []string
	for k, v := range view {
		if (start == "" || k >= start) && (end == "" || k < end) {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}

// openIter is an iterator held open while the caches change, with what it
// must show: the view when it was created.
type openIter struct {
	it        Iterator
	want      []string
	ascending bool
}

// TestCacheStackMatchesModel runs random operations on a working tree, a
// block Cache and a transaction Cache over it, and a second transaction
// Cache that writes into the block while the first one's iterators are
// open, checking every read and iterator against a model. Iterators stay
// open across Set, Delete and Discard of their Cache and writes into its
// parent, while B-tree nodes go back to the shared free list and are reused
// by later caches: an iterator must still show the entries of the moment it
// was created. Keys are few and short, so that trees split and entries are
// overwritten and deleted often.
func TestCacheStackMatchesModel(t *testing.T) {
	for seed := int64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runCacheModel(t, seed) })
	}
}

func runCacheModel(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	s := newMemStore(t, Options{})
	tree := s.Working()
	base := map[string]string{}
	key := func() string { return fmt.Sprintf("k%03d", rng.Intn(300)) }
	bound := func() string {
		if rng.Intn(3) == 0 {
			return ""
		}
		return key()
	}
	block, blockM := NewCache(tree), overlay{}
	tx, txM := NewCache(block), overlay{}
	var open []openIter

	check := func(it openIter, step int) {
		got := dump(t, it.it)
		want := it.want
		if !it.ascending {
			want = reversed(want)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: iterator shows\n%v\nwant\n%v", step, got, want)
		}
	}
	closeAll := func(step int) {
		for _, it := range open {
			check(it, step)
		}
		open = nil
	}
	for step := 0; step < 6000; step++ {
		switch op := rng.Intn(100); {
		case op < 35:
			k, v := key(), fmt.Sprint(step)
			tx.Set([]byte(k), []byte(v))
			txM[k] = []byte(v)
		case op < 45:
			k := key()
			tx.Delete([]byte(k))
			txM[k] = nil
		case op < 55:
			k := key()
			want := modelView(base, []overlay{blockM, txM}, k, k+"\x00")
			got, has := tx.Get([]byte(k)), tx.Has([]byte(k))
			if (len(want) == 1) != has || (has && k+"="+string(got) != want[0]) || (!has && got != nil) {
				t.Fatalf("step %d: tx Get(%s) = %q, Has %v; model %v", step, k, got, has, want)
			}
		case op < 65:
			start, end := bound(), bound()
			if start != "" && end != "" && start > end {
				start, end = end, start
			}
			asc := rng.Intn(2) == 0
			it := openIter{want: modelView(base, []overlay{blockM, txM}, start, end), ascending: asc}
			if asc {
				it.it = tx.Iterator(bz(start), bz(end))
			} else {
				it.it = tx.ReverseIterator(bz(start), bz(end))
			}
			open = append(open, it)
		case op < 72:
			// Another transaction writes into the block under the open
			// iterators, then its cache is emptied (nodes recycled).
			other := NewCache(block)
			for i := rng.Intn(80); i > 0; i-- {
				k := key()
				if rng.Intn(4) == 0 {
					other.Delete([]byte(k))
					blockM[k] = nil
				} else {
					v := fmt.Sprint("o", step, "/", i)
					other.Set([]byte(k), []byte(v))
					blockM[k] = []byte(v)
				}
			}
			other.Write()
			other.Discard()
		case op < 78:
			tx.Discard()
			txM = overlay{}
		case op < 86:
			// Write must wait for the iterators over tx to close.
			closeAll(step)
			tx.Write()
			for k, v := range txM {
				blockM[k] = v
			}
			txM = overlay{}
		case op < 90:
			closeAll(step)
			tx.Write()
			for k, v := range txM {
				blockM[k] = v
			}
			txM = overlay{}
			block.Write()
			for k, v := range blockM {
				if v == nil {
					delete(base, k)
				} else {
					base[k] = string(v)
				}
			}
			blockM = overlay{}
		case op < 95:
			if len(open) > 0 {
				i := rng.Intn(len(open))
				check(open[i], step)
				open = slices.Delete(open, i, i+1)
			}
		default:
			// The open iterators keep the block's entries as they were.
			block.Discard()
			blockM = overlay{}
		}
		if len(open) > 8 {
			check(open[0], step)
			open = open[1:]
		}
	}
	closeAll(-1)
	if got, want := dump(t, tx.Iterator(nil, nil)), modelView(base, []overlay{blockM, txM}, "", ""); !slices.Equal(got, want) {
		t.Fatalf("final view\n%v\nwant\n%v", got, want)
	}
}
