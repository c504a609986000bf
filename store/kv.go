package store

// KVStore is the read-write view of state that modules see.
//
// Keys are compared as unsigned bytes (bytes.Compare). A key is never empty;
// a value is never nil but may be empty. Slices returned by Get and by an
// Iterator belong to the store: the caller must not modify them. Slices passed
// to Set may be retained by the store: the caller must not modify them after
// the call.
//
// The methods have no error results. A failure of the database underneath
// (a missing node, an I/O error) means the store is broken; it panics with an
// error wrapping ErrStoreFailure, and the node must stop.
type KVStore interface {
	// Get returns the value stored under key, or nil when the key is absent.
	Get(key []byte) []byte

	// Has reports whether a value is stored under key.
	Has(key []byte) bool

	// Set stores value under key. It panics if key is empty or value is nil:
	// both are programmer errors.
	Set(key, value []byte)

	// Delete removes key. Deleting an absent key does nothing.
	Delete(key []byte)

	// Iterator returns an iterator over the keys in [start, end) in ascending
	// order. A nil start or end leaves that side unbounded. The caller must
	// Close the iterator.
	Iterator(start, end []byte) Iterator

	// ReverseIterator is Iterator in descending order: it starts at the largest
	// key below end.
	ReverseIterator(start, end []byte) Iterator
}

// Iterator walks a range of a KVStore in key order. It is positioned on its
// first entry when created.
//
// Key, Value and Next may only be called while Valid reports true. The slices
// returned by Key and Value must not be modified; they stay valid after Next.
type Iterator interface {
	// Valid reports whether the iterator is positioned on an entry. Once it
	// returns false it returns false for good.
	Valid() bool

	// Next moves to the following entry in iteration order.
	Next()

	// Key returns the key of the current entry.
	Key() []byte

	// Value returns the value of the current entry.
	Value() []byte

	// Close releases the iterator and reports an error it met, if any.
	Close() error
}

// PrefixEnd returns the smallest key greater than every key that starts with
// prefix, so that Iterator(prefix, PrefixEnd(prefix)) walks exactly the keys
// with that prefix. It returns nil, an unbounded end, when no such key exists:
// for an empty prefix or one made only of 0xFF bytes.
func PrefixEnd(prefix []byte) []byte {
	end := make([]byte, len(prefix))
	copy(end, prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// mustValidateSet panics unless key and value may be stored.
func mustValidateSet(key, value []byte) {
	if len(key) == 0 {
		panic("store: Set with an empty key")
	}
	if len(value) == 0 {
		// Values are never empty, so that "absent" and "empty" cannot be
		// confused by a client reading a query answer (where both encode
		// as no bytes).
		panic("store: Set with a nil or empty value")
	}
}
