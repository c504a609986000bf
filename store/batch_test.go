package store

import (
	"bytes"
	"fmt"
	"testing"

	idb "github.com/cosmos/iavl/db"
)

func openLevelDB(t *testing.T) *idb.GoLevelDB {
	t.Helper()
	db, err := idb.NewGoLevelDBWithOpts(dbName, t.TempDir(), levelDBOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestBatchReusesWrittenBuffer checks that the batch after a written one
// starts with its buffer (no regrowth), holds none of its records, and that
// both batches' writes reach the database.
func TestBatchReusesWrittenBuffer(t *testing.T) {
	db := openLevelDB(t)
	d := newBatchDB(db)
	first := d.NewBatchWithSize(1 << 30)
	value := bytes.Repeat([]byte("v"), 100)
	for i := 0; i < 5000; i++ {
		if err := first.Set(fmt.Appendf(nil, "a/%05d", i), value); err != nil {
			t.Fatal(err)
		}
	}
	buf := first.(*levelBatch).b
	if err := first.WriteSync(); err != nil {
		t.Fatal(err)
	}
	if err := first.Set([]byte("late"), value); err == nil {
		t.Error("Set on a written batch succeeded")
	}
	if err := first.Close(); err != nil {
		t.Errorf("Close after WriteSync: %v", err)
	}

	second := d.NewBatch()
	if got := second.(*levelBatch).b; got != buf {
		t.Fatal("the next batch did not reuse the written batch's buffer")
	}
	if n, err := second.GetByteSize(); err != nil || n != 0 {
		t.Fatalf("reused batch holds %d bytes (%v), want 0", n, err)
	}
	if err := second.Set([]byte("b"), []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := second.Delete([]byte("a/00000")); err != nil {
		t.Fatal(err)
	}
	if err := second.Write(); err != nil {
		t.Fatal(err)
	}

	for key, want := range map[string][]byte{"a/00000": nil, "a/00001": value, "a/04999": value, "b": []byte("2")} {
		got, err := db.Get([]byte(key))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

// TestBatchClosedUnwrittenIsDropped checks that closing a batch without
// writing it writes nothing and still frees its buffer.
func TestBatchClosedUnwrittenIsDropped(t *testing.T) {
	db := openLevelDB(t)
	d := newBatchDB(db)
	b := d.NewBatch()
	if err := b.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	buf := b.(*levelBatch).b
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := b.Write(); err == nil {
		t.Error("Write after Close succeeded")
	}
	if got, _ := db.Get([]byte("k")); got != nil {
		t.Errorf("closed batch wrote k = %q", got)
	}
	if next := d.NewBatch().(*levelBatch).b; next != buf {
		t.Error("a closed batch's buffer was not reused")
	}
}

// TestBatchRefusesWhatIAVLsBatchRefuses checks the argument errors.
func TestBatchRefusesWhatIAVLsBatchRefuses(t *testing.T) {
	b := newBatchDB(openLevelDB(t)).NewBatch()
	if err := b.Set(nil, []byte("v")); err == nil {
		t.Error("Set with an empty key succeeded")
	}
	if err := b.Set([]byte("k"), nil); err == nil {
		t.Error("Set with a nil value succeeded")
	}
	if err := b.Delete(nil); err == nil {
		t.Error("Delete with an empty key succeeded")
	}
}

// TestBatchDropsOversizedBuffer checks that a buffer above
// maxRetainedBatch is not kept for the next batch.
func TestBatchDropsOversizedBuffer(t *testing.T) {
	d := newBatchDB(openLevelDB(t))
	b := d.NewBatch()
	if err := b.Set([]byte("k"), make([]byte, maxRetainedBatch+1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	if d.spare != nil {
		t.Errorf("kept a buffer of %d bytes", cap(d.spare.Dump()))
	}
}

// TestCommitsOverLevelDBReopen commits several versions through reused
// batches into goleveldb, reopens the database, and checks every version's
// hash and contents against the same writes into an in-memory store.
func TestCommitsOverLevelDBReopen(t *testing.T) {
	dir := t.TempDir()
	disk, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mem := newMemStore(t, Options{})
	var ids []CommitID
	for v := 0; v < 5; v++ {
		for _, s := range []*CommitStore{disk, mem} {
			kv := s.Working()
			for i := 0; i < 4000; i++ {
				kv.Set(fmt.Appendf(nil, "k/%d/%05d", v%2, i*7%4000), fmt.Appendf(nil, "v%d-%d", v, i))
			}
			kv.Delete(fmt.Appendf(nil, "k/%d/%05d", 1-v%2, v))
		}
		want := commit(t, mem)
		got := commit(t, disk)
		if got.Version != want.Version || !bytes.Equal(got.Hash, want.Hash) {
			t.Fatalf("version %d: disk %d %X, memory %d %X", v+1, got.Version, got.Hash, want.Version, want.Hash)
		}
		ids = append(ids, got)
	}
	if err := disk.Close(); err != nil {
		t.Fatal(err)
	}
	disk, err = OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer disk.Close()
	if got := disk.LastCommitID(); got.Version != ids[4].Version || !bytes.Equal(got.Hash, ids[4].Hash) {
		t.Fatalf("reopened at %d %X, want %d %X", got.Version, got.Hash, ids[4].Version, ids[4].Hash)
	}
	for _, id := range ids {
		d, err := disk.ReadOnlyAt(id.Version)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mem.ReadOnlyAt(id.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := dump(t, d.Iterator(nil, nil)), dump(t, m.Iterator(nil, nil)); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("version %d: %d entries on disk, %d in memory, or different contents", id.Version, len(got), len(want))
		}
	}
}

// TestImportOverLevelDB imports a snapshot of more than 10,000 nodes into
// goleveldb: IAVL's importer writes every 10,000 nodes from a goroutine
// while it fills the next batch, so both batches come from batchDB at once
// (run with -race). The imported store must equal the source.
func TestImportOverLevelDB(t *testing.T) {
	src := newMemStore(t, Options{})
	kv := src.Working()
	for i := 0; i < 12_000; i++ {
		kv.Set(fmt.Appendf(nil, "key/%06d", i), fmt.Appendf(nil, "value %d", i))
	}
	want := commit(t, src)
	var snapshot bytes.Buffer
	if err := src.Export(want.Version, &snapshot); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.Import(&snapshot)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if got.Version != want.Version || !bytes.Equal(got.Hash, want.Hash) {
		t.Fatalf("Import = {%d, %X}, want {%d, %X}", got.Version, got.Hash, want.Version, want.Hash)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	if dst, err = OpenDir(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	view, err := dst.ReadOnlyAt(want.Version)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(dump(t, view.Iterator(nil, nil))); n != 12_000 {
		t.Errorf("reopened import holds %d keys, want 12000", n)
	}
	if got := dst.LastCommitID(); !bytes.Equal(got.Hash, want.Hash) {
		t.Errorf("reopened at %X, want %X", got.Hash, want.Hash)
	}
}
