package store

import (
	"fmt"
	"testing"

	idb "github.com/cosmos/iavl/db"
)

// newMemStore opens a CommitStore over an in-memory database.
func newMemStore(t testing.TB, opts Options) *CommitStore {
	t.Helper()
	s, err := Open(idb.NewMemDB(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// setAll sets alternating keys and values: setAll(kv, "a", "1", "b", "2").
func setAll(kv KVStore, pairs ...string) {
	if len(pairs)%2 != 0 {
		panic("setAll: odd number of arguments")
	}
	for i := 0; i < len(pairs); i += 2 {
		kv.Set([]byte(pairs[i]), []byte(pairs[i+1]))
	}
}

// dump drains and closes it, returning its entries as "key=value" strings.
func dump(t testing.TB, it Iterator) []string {
	t.Helper()
	var out []string
	for ; it.Valid(); it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	if err := it.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return out
}

// reversed returns a reversed copy of s.
func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// bz converts an optional bound: "" is nil, an unbounded side.
func bz(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// commit commits s and fails the test on error.
func commit(t testing.TB, s *CommitStore) CommitID {
	t.Helper()
	id, err := s.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return id
}

// recordingStore is a KVStore that logs every Set and Delete it receives
// before passing it on.
type recordingStore struct {
	KVStore
	ops []string
}

func (r *recordingStore) Set(key, value []byte) {
	r.ops = append(r.ops, fmt.Sprintf("set %s=%s", key, value))
	r.KVStore.Set(key, value)
}

func (r *recordingStore) Delete(key []byte) {
	r.ops = append(r.ops, fmt.Sprintf("delete %s", key))
	r.KVStore.Delete(key)
}

// mustPanic fails the test unless f panics.
func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", name)
		}
	}()
	f()
}
