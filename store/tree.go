package store

import (
	"bytes"

	"github.com/cosmos/iavl"
)

// workingStore is the KVStore over the mutable working tree. Writes go
// straight into the IAVL tree; nothing is persisted before Commit. It reaches
// the tree through the CommitStore, which replaces its tree when a failed
// Import is undone, so that the view stays valid for the store's lifetime.
type workingStore struct {
	s *CommitStore
}

var _ KVStore = workingStore{}

func (s workingStore) Get(key []byte) []byte {
	if value, ok := s.s.cache.working(key); ok {
		return value
	}
	value, err := s.s.tree.Get(key)
	if err != nil {
		panic(storeFailure("get", err))
	}
	s.s.cache.rememberWorking(key, value)
	return value
}

func (s workingStore) Has(key []byte) bool {
	return s.Get(key) != nil
}

func (s workingStore) Set(key, value []byte) {
	mustValidateSet(key, value)
	if _, err := s.s.tree.Set(key, value); err != nil {
		panic(storeFailure("set", err))
	}
	s.s.cache.write(key, bytes.Clone(value))
}

func (s workingStore) Delete(key []byte) {
	if _, _, err := s.s.tree.Remove(key); err != nil {
		panic(storeFailure("delete", err))
	}
	s.s.cache.write(key, nil)
}

func (s workingStore) Iterator(start, end []byte) Iterator {
	return s.iterator(start, end, true)
}

func (s workingStore) ReverseIterator(start, end []byte) Iterator {
	return s.iterator(start, end, false)
}

// iterator returns IAVL's own iterator, which already has the method set of
// Iterator. The tree must not be written while it is open. IAVL's iterator
// stops without an error when it cannot load a node (iavl v1.3.5, Iterator.
// Next), so Close reports nil in that case.
func (s workingStore) iterator(start, end []byte, ascending bool) Iterator {
	it, err := s.s.tree.Iterator(start, end, ascending)
	if err != nil {
		panic(storeFailure("iterator", err))
	}
	return it
}

// readOnlyStore is the KVStore over an immutable saved version. Set and
// Delete panic: writing to a past version is a programmer error.
type readOnlyStore struct {
	tree *iavl.ImmutableTree
}

var _ KVStore = readOnlyStore{}

func (s readOnlyStore) Get(key []byte) []byte {
	value, err := s.tree.Get(key)
	if err != nil {
		panic(storeFailure("get", err))
	}
	return value
}

func (s readOnlyStore) Has(key []byte) bool {
	return s.Get(key) != nil
}

func (s readOnlyStore) Set(_, _ []byte) {
	panic("store: Set on a read-only version")
}

func (s readOnlyStore) Delete(_ []byte) {
	panic("store: Delete on a read-only version")
}

func (s readOnlyStore) Iterator(start, end []byte) Iterator {
	return s.iterator(start, end, true)
}

func (s readOnlyStore) ReverseIterator(start, end []byte) Iterator {
	return s.iterator(start, end, false)
}

func (s readOnlyStore) iterator(start, end []byte, ascending bool) Iterator {
	it, err := s.tree.Iterator(start, end, ascending)
	if err != nil {
		panic(storeFailure("iterator", err))
	}
	return it
}
