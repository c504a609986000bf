package modules

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/intercooperative/icnd/store"
)

// Schedule is a module's queue of work "at height H": entries keyed by
// height, then by an id the module chooses, under one sub-prefix of the
// module's prefix. Its end-of-block hook drains what is due, in key order,
// so work at one height runs in the byte order of the ids on every node.
//
// Key layout: prefix | sub | height (8 bytes big-endian) | id. The id is
// the key's last part, so it needs no length. The value is the module's
// (never empty: the store holds no empty values).
type Schedule struct {
	Prefix, Sub byte
}

// MaxScheduleID bounds a scheduled entry's id.
const MaxScheduleID = MaxKeyPart

// ErrBadSchedule is returned for a height below 1 or an id that is empty
// or longer than MaxScheduleID. Heights and ids often come from messages:
// callers check them first, and get this plain error (a broken invariant)
// if they did not.
var ErrBadSchedule = errors.New("modules: schedule entry must have a height of at least 1 and an id of 1 to 255 bytes")

// Key is the key of the entry id at height.
func (s Schedule) Key(height int64, id []byte) ([]byte, error) {
	if height < 1 || len(id) == 0 || len(id) > MaxScheduleID {
		return nil, fmt.Errorf("%w: height %d, id of %d bytes", ErrBadSchedule, height, len(id))
	}
	k := make([]byte, 0, 2+8+len(id))
	k = append(k, s.Prefix, s.Sub)
	k = binary.BigEndian.AppendUint64(k, uint64(height))
	return append(k, id...), nil
}

// Add queues value under id at height, replacing an entry with the same
// height and id. Callers choose a height after the current block: work
// queued for the current height or earlier runs at the next drain.
func (s Schedule) Add(kv store.KVStore, height int64, id, value []byte) error {
	k, err := s.Key(height, id)
	if err != nil {
		return err
	}
	kv.Set(k, value)
	return nil
}

// Remove drops the entry id at height, if queued (a cancelled deadline).
func (s Schedule) Remove(kv store.KVStore, height int64, id []byte) error {
	k, err := s.Key(height, id)
	if err != nil {
		return err
	}
	kv.Delete(k)
	return nil
}

// Due is one scheduled entry that fell due.
type Due struct {
	Height int64
	ID     []byte
	Value  []byte
}

// Drain removes and returns up to limit entries due at or before height,
// earliest first and in the byte order of the ids within a height. Entries beyond limit stay
// queued for the next drain, so one block's work is bounded. The caller
// owns the returned slices.
func (s Schedule) Drain(kv store.KVStore, height int64, limit int) ([]Due, error) {
	if height < 1 || limit < 1 {
		return nil, nil
	}
	start := []byte{s.Prefix, s.Sub}
	end := binary.BigEndian.AppendUint64([]byte{s.Prefix, s.Sub}, uint64(height)+1)
	var due []Due
	var keys [][]byte
	it := kv.Iterator(start, end)
	for ; it.Valid() && len(due) < limit; it.Next() {
		key := it.Key()
		if len(key) < 11 {
			it.Close()
			return nil, fmt.Errorf("modules: malformed schedule key %x", key)
		}
		due = append(due, Due{
			Height: int64(binary.BigEndian.Uint64(key[2:10])),
			ID:     append([]byte(nil), key[10:]...),
			Value:  append([]byte(nil), it.Value()...),
		})
		keys = append(keys, append([]byte(nil), key...))
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	// Delete after iterating: a store's iterator need not survive writes
	// to the range it walks.
	for _, k := range keys {
		kv.Delete(k)
	}
	return due, nil
}
