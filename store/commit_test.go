package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"testing"

	corestore "cosmossdk.io/core/store"
	idb "github.com/cosmos/iavl/db"
)

// emptyTreeHash is the root hash of an IAVL tree with no keys.
var emptyTreeHash = sha256.New().Sum(nil)

func TestEmptyStore(t *testing.T) {
	s := newMemStore(t, Options{})
	id := s.LastCommitID()
	if id.Version != 0 || !bytes.Equal(id.Hash, emptyTreeHash) {
		t.Errorf("LastCommitID = {%d, %X}, want {0, %X}", id.Version, id.Hash, emptyTreeHash)
	}
	if got := s.WorkingHash(); !bytes.Equal(got, emptyTreeHash) {
		t.Errorf("WorkingHash = %X, want %X", got, emptyTreeHash)
	}
	if got := s.AvailableVersions(); len(got) != 0 {
		t.Errorf("AvailableVersions = %v, want none", got)
	}
	if got := dump(t, s.Working().Iterator(nil, nil)); got != nil {
		t.Errorf("empty tree iterates %v", got)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	if _, err := OpenDir(t.TempDir(), Options{CacheSize: -1}); err == nil {
		t.Error("OpenDir accepted a negative cache size")
	}
	if _, err := OpenDir(t.TempDir(), Options{InitialVersion: 1 << 63}); err == nil {
		t.Error("OpenDir accepted an initial version above MaxInt64")
	}
}

// TestGoldenHash pins IAVL's hashing: a change here changes every app hash
// and forks the chain.
func TestGoldenHash(t *testing.T) {
	s := newMemStore(t, Options{})
	setAll(s.Working(), "a", "1", "b", "2")
	id := commit(t, s)
	const want = "94b037ab65e50f94eb827902a873ee796cb04e3c9ad38c9860d84cbad668a9e7"
	if got := hex.EncodeToString(id.Hash); id.Version != 1 || got != want {
		t.Errorf("commit = {%d, %s}, want {1, %s}", id.Version, got, want)
	}
}

func TestCommitPersistsAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	setAll(s.Working(), "a", "1", "b", "2")
	commit(t, s)
	s.Working().Delete([]byte("a"))
	setAll(s.Working(), "b", "20", "c", "3")
	id2 := commit(t, s)
	setAll(s.Working(), "uncommitted", "x")
	s.Working().Delete([]byte("b"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.LastCommitID(); got.Version != 2 || !bytes.Equal(got.Hash, id2.Hash) {
		t.Errorf("LastCommitID after reopen = {%d, %X}, want {2, %X}", got.Version, got.Hash, id2.Hash)
	}
	if got := s.WorkingHash(); !bytes.Equal(got, id2.Hash) {
		t.Errorf("WorkingHash after reopen = %X, want the committed %X", got, id2.Hash)
	}
	if got := dump(t, s.Working().Iterator(nil, nil)); !slices.Equal(got, []string{"b=20", "c=3"}) {
		t.Errorf("state after reopen = %v, want [b=20 c=3]", got)
	}
	if got := s.AvailableVersions(); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("AvailableVersions = %v, want [1 2]", got)
	}
	old, err := s.ReadOnlyAt(1)
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(t, old.Iterator(nil, nil)); !slices.Equal(got, []string{"a=1", "b=2"}) {
		t.Errorf("version 1 after reopen = %v, want [a=1 b=2]", got)
	}
	if id := commit(t, s); id.Version != 3 || !bytes.Equal(id.Hash, id2.Hash) {
		t.Errorf("empty commit after reopen = {%d, %X}, want {3, %X}", id.Version, id.Hash, id2.Hash)
	}
}

func TestWorkingHash(t *testing.T) {
	s := newMemStore(t, Options{})
	h0 := s.WorkingHash()
	s.Working().Set([]byte("a"), []byte("1"))
	h1 := s.WorkingHash()
	if bytes.Equal(h0, h1) {
		t.Fatal("WorkingHash did not change on Set")
	}
	s.Working().Set([]byte("a"), []byte("2"))
	h2 := s.WorkingHash()
	if bytes.Equal(h1, h2) {
		t.Fatal("WorkingHash did not change on overwrite")
	}
	s.Working().Set([]byte("b"), []byte("3"))
	h3 := s.WorkingHash()
	if bytes.Equal(h2, h3) {
		t.Fatal("WorkingHash did not change on a second key")
	}
	if last := s.LastCommitID(); !bytes.Equal(last.Hash, emptyTreeHash) {
		t.Fatalf("LastCommitID moved before Commit: %X", last.Hash)
	}
	id := commit(t, s)
	if !bytes.Equal(id.Hash, h3) {
		t.Errorf("Commit hash %X != WorkingHash before it %X", id.Hash, h3)
	}
	if last := s.LastCommitID(); last.Version != 1 || !bytes.Equal(last.Hash, h3) {
		t.Errorf("LastCommitID = {%d, %X}, want {1, %X}", last.Version, last.Hash, h3)
	}
	s.Working().Delete([]byte("b"))
	if bytes.Equal(s.WorkingHash(), h3) {
		t.Error("WorkingHash did not change on Delete")
	}
}

func TestSameWritesSameHashes(t *testing.T) {
	blocks := [][]string{
		{"set acct/1 100", "set acct/2 200", "set param/x 1"},
		{"delete acct/1", "set acct/3 300", "set acct/2 250"},
		{},
		{"set acct/1 50", "delete param/x", "delete missing"},
	}
	a, b := newMemStore(t, Options{}), newMemStore(t, Options{})
	for i, block := range blocks {
		// Store b receives each block's writes in reverse order; the block
		// Cache writes them sorted, so the trees must still agree.
		ca, cb := NewCache(a.Working()), NewCache(b.Working())
		for j := range block {
			applyOp(ca, block[j])
			applyOp(cb, block[len(block)-1-j])
		}
		ca.Write()
		cb.Write()
		if !bytes.Equal(a.WorkingHash(), b.WorkingHash()) {
			t.Fatalf("block %d: working hashes differ: %X vs %X", i, a.WorkingHash(), b.WorkingHash())
		}
		ida, idb := commit(t, a), commit(t, b)
		if ida.Version != int64(i+1) || ida.Version != idb.Version || !bytes.Equal(ida.Hash, idb.Hash) {
			t.Fatalf("block %d: commits differ: {%d, %X} vs {%d, %X}", i, ida.Version, ida.Hash, idb.Version, idb.Hash)
		}
	}
}

// applyOp applies "set key value" or "delete key" to kv.
func applyOp(kv KVStore, op string) {
	fields := bytes.Fields([]byte(op))
	switch string(fields[0]) {
	case "set":
		kv.Set(fields[1], fields[2])
	case "delete":
		kv.Delete(fields[1])
	default:
		panic("unknown op " + op)
	}
}

func TestReadOnlyAt(t *testing.T) {
	s := newMemStore(t, Options{})
	setAll(s.Working(), "a", "1")
	commit(t, s)
	setAll(s.Working(), "a", "2", "b", "2")
	commit(t, s)
	s.Working().Delete([]byte("a"))
	commit(t, s)
	setAll(s.Working(), "uncommitted", "x")

	tests := []struct {
		version int64
		want    []string
	}{
		{1, []string{"a=1"}},
		{2, []string{"a=2", "b=2"}},
		{3, []string{"b=2"}},
	}
	for _, tt := range tests {
		kv, err := s.ReadOnlyAt(tt.version)
		if err != nil {
			t.Fatalf("ReadOnlyAt(%d): %v", tt.version, err)
		}
		if got := dump(t, kv.Iterator(nil, nil)); !slices.Equal(got, tt.want) {
			t.Errorf("version %d = %v, want %v", tt.version, got, tt.want)
		}
		if got := dump(t, kv.ReverseIterator(nil, nil)); !slices.Equal(got, reversed(tt.want)) {
			t.Errorf("version %d reversed = %v, want %v", tt.version, got, reversed(tt.want))
		}
		if got, want := kv.Has([]byte("a")), tt.version < 3; got != want {
			t.Errorf("version %d: Has(a) = %v, want %v", tt.version, got, want)
		}
		mustPanic(t, "Set on a read-only version", func() { kv.Set([]byte("a"), []byte("9")) })
		mustPanic(t, "Delete on a read-only version", func() { kv.Delete([]byte("a")) })
	}
	old, _ := s.ReadOnlyAt(1)
	if got := old.Get([]byte("a")); string(got) != "1" {
		t.Errorf("version 1 Get(a) = %q, want %q", got, "1")
	}
	if got := old.Get([]byte("b")); got != nil {
		t.Errorf("version 1 Get(b) = %q, want nil", got)
	}
	for _, v := range []int64{-1, 0, 4} {
		if _, err := s.ReadOnlyAt(v); !errors.Is(err, ErrVersionUnavailable) {
			t.Errorf("ReadOnlyAt(%d) error = %v, want ErrVersionUnavailable", v, err)
		}
	}
}

func TestPruning(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		commits int
		want    []int64
	}{
		{"keep everything", Options{}, 5, []int64{1, 2, 3, 4, 5}},
		{"keep 2", Options{PruneKeepRecent: 2}, 5, []int64{4, 5}},
		{"keep 2 every 3", Options{PruneKeepRecent: 2, PruneInterval: 3}, 7, []int64{5, 6, 7}},
		{"keep more than saved", Options{PruneKeepRecent: 10}, 5, []int64{1, 2, 3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := OpenDir(dir, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for v := 1; v <= tt.commits; v++ {
				setAll(s.Working(), "k", string(rune('0'+v)), "stable", "s")
				commit(t, s)
			}
			check := func(when string) {
				if got := s.AvailableVersions(); !slices.Equal(got, tt.want) {
					t.Errorf("%s: AvailableVersions = %v, want %v", when, got, tt.want)
				}
				for v := int64(1); v <= int64(tt.commits); v++ {
					kv, err := s.ReadOnlyAt(v)
					if !slices.Contains(tt.want, v) {
						if !errors.Is(err, ErrVersionUnavailable) {
							t.Errorf("%s: ReadOnlyAt(%d) of a pruned version: error %v, want ErrVersionUnavailable", when, v, err)
						}
						continue
					}
					if err != nil {
						t.Fatalf("%s: ReadOnlyAt(%d): %v", when, v, err)
					}
					if got, want := string(kv.Get([]byte("k"))), string(rune('0'+v)); got != want {
						t.Errorf("%s: version %d k = %q, want %q", when, v, got, want)
					}
					if got := string(kv.Get([]byte("stable"))); got != "s" {
						t.Errorf("%s: version %d stable = %q, want %q", when, v, got, "s")
					}
				}
			}
			check("before reopen")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s, err = OpenDir(dir, tt.opts); err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			check("after reopen")
		})
	}
}

func TestPruningKeepsHashes(t *testing.T) {
	pruned, full := newMemStore(t, Options{PruneKeepRecent: 1}), newMemStore(t, Options{})
	for v := 1; v <= 6; v++ {
		for _, s := range []*CommitStore{pruned, full} {
			setAll(s.Working(), "k", string(rune('0'+v)), "v"+string(rune('0'+v)), "x")
			if v%2 == 0 {
				s.Working().Delete([]byte("v" + string(rune('0'+v-1))))
			}
		}
		a, b := commit(t, pruned), commit(t, full)
		if !bytes.Equal(a.Hash, b.Hash) {
			t.Fatalf("version %d: pruned store hash %X != unpruned %X", v, a.Hash, b.Hash)
		}
	}
}

func TestResetWorking(t *testing.T) {
	s := newMemStore(t, Options{})
	setAll(s.Working(), "a", "1")
	id := commit(t, s)
	setAll(s.Working(), "a", "2", "b", "2")
	s.ResetWorking()
	if got := dump(t, s.Working().Iterator(nil, nil)); !slices.Equal(got, []string{"a=1"}) {
		t.Errorf("after ResetWorking = %v, want [a=1]", got)
	}
	if !bytes.Equal(s.WorkingHash(), id.Hash) {
		t.Errorf("WorkingHash after ResetWorking = %X, want %X", s.WorkingHash(), id.Hash)
	}

	empty := newMemStore(t, Options{})
	setAll(empty.Working(), "a", "1")
	empty.ResetWorking()
	if !bytes.Equal(empty.WorkingHash(), emptyTreeHash) || empty.Working().Has([]byte("a")) {
		t.Error("ResetWorking on a store with no version did not empty the tree")
	}
}

func TestRollbackTo(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	setAll(s.Working(), "a", "1")
	id1 := commit(t, s)
	setAll(s.Working(), "a", "2")
	id2 := commit(t, s)
	setAll(s.Working(), "a", "3")
	commit(t, s)
	setAll(s.Working(), "uncommitted", "x")

	for _, v := range []int64{0, 4} {
		if err := s.RollbackTo(v); !errors.Is(err, ErrVersionUnavailable) {
			t.Errorf("RollbackTo(%d) error = %v, want ErrVersionUnavailable", v, err)
		}
	}
	if err := s.RollbackTo(2); err != nil {
		t.Fatalf("RollbackTo(2): %v", err)
	}
	if got := s.LastCommitID(); got.Version != 2 || !bytes.Equal(got.Hash, id2.Hash) {
		t.Errorf("LastCommitID = {%d, %X}, want {2, %X}", got.Version, got.Hash, id2.Hash)
	}
	if got := dump(t, s.Working().Iterator(nil, nil)); !slices.Equal(got, []string{"a=2"}) {
		t.Errorf("state after RollbackTo(2) = %v, want [a=2]", got)
	}
	if _, err := s.ReadOnlyAt(3); !errors.Is(err, ErrVersionUnavailable) {
		t.Errorf("ReadOnlyAt(3) after rollback: error %v, want ErrVersionUnavailable", err)
	}
	if err := s.RollbackTo(1); err != nil {
		t.Fatalf("RollbackTo(1): %v", err)
	}
	if got := s.LastCommitID(); got.Version != 1 || !bytes.Equal(got.Hash, id1.Hash) {
		t.Errorf("LastCommitID = {%d, %X}, want {1, %X}", got.Version, got.Hash, id1.Hash)
	}

	// Version 2 is written again, with different content.
	setAll(s.Working(), "a", "two", "b", "b")
	id2b := commit(t, s)
	if id2b.Version != 2 || bytes.Equal(id2b.Hash, id2.Hash) {
		t.Errorf("new version 2 = {%d, %X}; want version 2 with a hash other than %X", id2b.Version, id2b.Hash, id2.Hash)
	}
	v2, err := s.ReadOnlyAt(2)
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(t, v2.Iterator(nil, nil)); !slices.Equal(got, []string{"a=two", "b=b"}) {
		t.Errorf("new version 2 before reopen = %v, want [a=two b=b]", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = OpenDir(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.LastCommitID(); got.Version != 2 || !bytes.Equal(got.Hash, id2b.Hash) {
		t.Errorf("after reopen LastCommitID = {%d, %X}, want {2, %X}", got.Version, got.Hash, id2b.Hash)
	}
	if got := s.AvailableVersions(); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("after reopen AvailableVersions = %v, want [1 2]", got)
	}
	if got := dump(t, s.Working().Iterator(nil, nil)); !slices.Equal(got, []string{"a=two", "b=b"}) {
		t.Errorf("after reopen state = %v, want [a=two b=b]", got)
	}
	v1, err := s.ReadOnlyAt(1)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(v1.Get([]byte("a"))); got != "1" {
		t.Errorf("version 1 a = %q, want 1", got)
	}
}

func TestInitialVersion(t *testing.T) {
	dir := t.TempDir()
	opts := Options{InitialVersion: 100}
	s, err := OpenDir(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	setAll(s.Working(), "a", "1")
	if id := commit(t, s); id.Version != 100 {
		t.Errorf("first commit version = %d, want 100", id.Version)
	}
	if id := commit(t, s); id.Version != 101 {
		t.Errorf("second commit version = %d, want 101", id.Version)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = OpenDir(dir, opts); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.AvailableVersions(); !slices.Equal(got, []int64{100, 101}) {
		t.Errorf("AvailableVersions = %v, want [100 101]", got)
	}
	if id := commit(t, s); id.Version != 102 {
		t.Errorf("commit after reopen version = %d, want 102", id.Version)
	}
}

func TestInitialVersionOneIsDefault(t *testing.T) {
	for _, iv := range []uint64{0, 1} {
		s := newMemStore(t, Options{InitialVersion: iv})
		if id := commit(t, s); id.Version != 1 {
			t.Errorf("InitialVersion %d: first version %d, want 1", iv, id.Version)
		}
	}
}

// TestCommitIsOneSyncedBatch checks what crash safety rests on: a commit
// reaches the database as a single synced batch, which goleveldb applies
// atomically, even when the version is far larger than IAVL's default flush
// threshold of 100 kB.
func TestCommitIsOneSyncedBatch(t *testing.T) {
	db := &countingDB{DB: idb.NewMemDB()}
	s, err := Open(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	value := bytes.Repeat([]byte("v"), 200)
	for i := 0; i < 5000; i++ {
		s.Working().Set(fmt.Appendf(nil, "key/%05d", i), value)
	}
	if db.writes != 0 || db.syncedWrites != 0 {
		t.Fatalf("writes before Commit: %d plain, %d synced", db.writes, db.syncedWrites)
	}
	commit(t, s)
	if db.writes != 0 || db.syncedWrites != 1 {
		t.Errorf("Commit wrote %d plain and %d synced batches, want 0 and 1", db.writes, db.syncedWrites)
	}
}

// countingDB counts the batches written to it.
type countingDB struct {
	idb.DB
	writes, syncedWrites int
}

func (d *countingDB) NewBatch() corestore.Batch {
	return &countingBatch{Batch: d.DB.NewBatch(), db: d}
}

func (d *countingDB) NewBatchWithSize(size int) corestore.Batch {
	return &countingBatch{Batch: d.DB.NewBatchWithSize(size), db: d}
}

type countingBatch struct {
	corestore.Batch
	db *countingDB
}

func (b *countingBatch) Write() error {
	b.db.writes++
	return b.Batch.Write()
}

func (b *countingBatch) WriteSync() error {
	b.db.syncedWrites++
	return b.Batch.WriteSync()
}
