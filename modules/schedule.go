package modules

import (
	"encoding/binary"
	"fmt"

	"github.com/intercooperative/icnd/store"
)

// Schedule is a module's queue of work "at height H": entries keyed by
// height, then by an id the module chooses, under one sub-prefix of the
// module's prefix. Its end-of-block hook drains what is due, in key order,
// so work at one height runs in id order on every node.
//
// Key layout: prefix | sub | height (8 bytes big-endian) | len(id) | id.
// The value is the module's (never empty: the store holds no empty values).
type Schedule struct {
	Prefix, Sub byte
}

// MaxScheduleID bounds a scheduled entry's id.
const MaxScheduleID = MaxKeyPart

// Key is the key of the entry id at height.
func (s Schedule) Key(height int64, id []byte) []byte {
	if height < 1 {
		panic(fmt.Sprintf("modules: schedule at height %d", height))
	}
	if len(id) == 0 || len(id) > MaxScheduleID {
		panic(fmt.Sprintf("modules: schedule id of %d bytes", len(id)))
	}
	k := make([]byte, 0, 2+8+1+len(id))
	k = append(k, s.Prefix, s.Sub)
	k = binary.BigEndian.AppendUint64(k, uint64(height))
	k = append(k, byte(len(id)))
	return append(k, id...)
}

// Add queues value under id at height, replacing an entry with the same
// height and id. Callers choose a height after the current block: work
// queued for the current height or earlier runs at the next drain.
func (s Schedule) Add(kv store.KVStore, height int64, id, value []byte) {
	kv.Set(s.Key(height, id), value)
}

// Remove drops the entry id at height, if queued (a cancelled deadline).
func (s Schedule) Remove(kv store.KVStore, height int64, id []byte) {
	kv.Delete(s.Key(height, id))
}

// Due is one scheduled entry that fell due.
type Due struct {
	Height int64
	ID     []byte
	Value  []byte
}

// Drain removes and returns up to limit entries due at or before height,
// earliest first and in id order within a height. Entries beyond limit stay
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
		if len(key) < 11 || int(key[10]) != len(key)-11 {
			it.Close()
			return nil, fmt.Errorf("modules: malformed schedule key %x", key)
		}
		due = append(due, Due{
			Height: int64(binary.BigEndian.Uint64(key[2:10])),
			ID:     append([]byte(nil), key[11:]...),
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
