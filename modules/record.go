package modules

import (
	"fmt"

	"github.com/intercooperative/icnd/store"
)

// Record is a stored protobuf value: every generated gogoproto message is
// one. Encoding is deterministic, so equal records are equal bytes.
type Record interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// recordPtr constrains a type parameter to a pointer to T that is a Record,
// so that the helpers can allocate a fresh T for every value they decode
// (never reusing a struct across unmarshals).
type recordPtr[T any] interface {
	*T
	Record
}

// Load reads the record stored under key into a fresh value. It returns
// (nil, false, nil) when the key is absent. Stored bytes that do not decode
// are a broken invariant: the error carries no registered code, so the node
// stops. The caller owns the returned value.
func Load[T any, P recordPtr[T]](kv store.KVStore, key []byte) (P, bool, error) {
	bz := kv.Get(key)
	if bz == nil {
		return nil, false, nil
	}
	v := P(new(T))
	if err := v.Unmarshal(bz); err != nil {
		return nil, false, fmt.Errorf("corrupt record under key %x: %w", key, err)
	}
	return v, true, nil
}

// Save encodes r and stores it under key. A record that encodes to no
// bytes is refused with an error (the store holds no empty values).
func Save(kv store.KVStore, key []byte, r Record) error {
	bz, err := r.Marshal()
	if err != nil {
		return fmt.Errorf("encode record for key %x: %w", key, err)
	}
	if len(bz) == 0 {
		// The store refuses empty values. A record whose every field is
		// at its default encodes to nothing; callers keep a field that is
		// always set (an id, a height) so that this cannot happen.
		return fmt.Errorf("record for key %x encodes to no bytes", key)
	}
	kv.Set(key, bz)
	return nil
}

// Walk calls fn with each record under prefix, in key order, each decoded
// into a fresh value that fn may keep. It stops at the first error fn
// returns, or when fn returns stop. A value that does not decode is a broken
// invariant, as in Load.
func Walk[T any, P recordPtr[T]](kv store.KVStore, prefix []byte, fn func(key []byte, v P) (stop bool, err error)) error {
	it := kv.Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		v := P(new(T))
		if err := v.Unmarshal(it.Value()); err != nil {
			return fmt.Errorf("corrupt record under key %x: %w", it.Key(), err)
		}
		stop, err := fn(it.Key(), v)
		if err != nil || stop {
			return err
		}
	}
	return nil
}
