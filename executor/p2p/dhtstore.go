package p2p

import (
	"context"
	"sync"

	ds "github.com/ipfs/go-datastore"
	dssync "github.com/ipfs/go-datastore/sync"
)

// maxProviderRecords bounds the DHT provider records a host keeps in memory
// (a record is about 200 bytes: some 50 MiB at the bound). A host in server
// mode stores what any peer sends it in ADD_PROVIDER, for any key, and the
// DHT's default store is an unbounded map: without a bound, one peer could
// fill the host's memory.
var maxProviderRecords = 1 << 18

// boundedDatastore is an in-memory datastore that keeps at most max keys:
// beyond that, a Put of a new key is dropped (the record is simply not held,
// as if it had expired); existing keys are still overwritten and deleted, so
// the DHT's expiry sweep makes room again.
type boundedDatastore struct {
	ds.Batching
	mu      sync.Mutex
	n       int
	max     int
	dropped uint64
}

func newBoundedDatastore(max int) *boundedDatastore {
	return &boundedDatastore{Batching: dssync.MutexWrap(ds.NewMapDatastore()), max: max}
}

// Put implements ds.Write.
func (d *boundedDatastore) Put(ctx context.Context, k ds.Key, v []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	has, err := d.Batching.Has(ctx, k)
	if err != nil {
		return err
	}
	if !has && d.n >= d.max {
		d.dropped++
		return nil
	}
	if err := d.Batching.Put(ctx, k, v); err != nil {
		return err
	}
	if !has {
		d.n++
	}
	return nil
}

// Delete implements ds.Write.
func (d *boundedDatastore) Delete(ctx context.Context, k ds.Key) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	has, err := d.Batching.Has(ctx, k)
	if err != nil || !has {
		return err
	}
	if err := d.Batching.Delete(ctx, k); err != nil {
		return err
	}
	d.n--
	return nil
}

// Batch implements ds.Batching: the batch's writes go through Put and Delete.
func (d *boundedDatastore) Batch(context.Context) (ds.Batch, error) {
	return ds.NewBasicBatch(d), nil
}

// len returns the number of keys held.
func (d *boundedDatastore) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}
