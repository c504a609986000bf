package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/store"
)

// scanStore commits a tree with keys around the prefix {0x10, 0x21}: five
// under it, and neighbours on both sides that a scan must not return.
func scanStore(t *testing.T) (*store.CommitStore, []byte, []Entry) {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	prefix := []byte{0x10, 0x21}
	kv := cms.Working()
	kv.Set([]byte{0x10, 0x20, 0xff}, []byte("before"))
	kv.Set([]byte{0x10, 0x22}, []byte("after"))
	var want []Entry
	for i := 0; i < 5; i++ {
		e := Entry{Key: append(bytes.Clone(prefix), byte(i*2), 'k'), Value: []byte(fmt.Sprint("v", i))}
		kv.Set(e.Key, e.Value)
		want = append(want, e)
	}
	// A key that is its predecessor plus 0x00, the successor a scan asks for.
	e := Entry{Key: append(bytes.Clone(want[4].Key), 0), Value: []byte("v4+0")}
	kv.Set(e.Key, e.Value)
	want = append(want, e)
	if _, err := cms.Commit(); err != nil {
		t.Fatal(err)
	}
	return cms, prefix, want
}

// storeReader reads a CommitStore as a node would answer.
func storeReader(cms *store.CommitStore) readFunc {
	return func(_ context.Context, key []byte, height int64) (*provenRead, error) {
		if height == 0 {
			height = cms.LastCommitID().Version
		}
		value, proof, err := cms.Prove(key, height)
		if err != nil {
			return nil, err
		}
		return &provenRead{height: height, value: value, proof: proof}, nil
	}
}

func TestScanPrefix(t *testing.T) {
	cms, prefix, want := scanStore(t)
	root := cms.LastCommitID().Hash
	verify := func(int64) ([]byte, error) { return root, nil }
	for _, v := range []func(int64) ([]byte, error){nil, verify} {
		got, h, err := scanPrefix(context.Background(), storeReader(cms), prefix, 0, 10, v)
		if err != nil {
			t.Fatal(err)
		}
		if h != cms.LastCommitID().Version || len(got) != len(want) {
			t.Fatalf("height %d, %d entries, want %d", h, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i].Key, want[i].Key) || !bytes.Equal(got[i].Value, want[i].Value) {
				t.Fatalf("entry %d: %X=%q, want %X=%q", i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
			}
		}
	}
	empty, _, err := scanPrefix(context.Background(), storeReader(cms), []byte{0x10, 0x23}, 0, 10, verify)
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty prefix: %v, %v", empty, err)
	}
	if _, _, err := scanPrefix(context.Background(), storeReader(cms), prefix, 0, len(want)-1, verify); !errors.Is(err, ErrScanLimit) {
		t.Fatalf("limit: %v", err)
	}
}

// TestScanPrefixRefusesOmission plays a node that hides one entry, by
// answering for its successor as if the entry were absent, and a node that
// answers against another state: verification catches both.
func TestScanPrefixRefusesOmission(t *testing.T) {
	cms, prefix, want := scanStore(t)
	root := cms.LastCommitID().Hash
	honest := storeReader(cms)
	hidden := append(bytes.Clone(want[1].Key), 0) // the read that finds want[2]
	hiding := func(ctx context.Context, key []byte, height int64) (*provenRead, error) {
		if !bytes.Equal(key, hidden) {
			return honest(ctx, key, height)
		}
		// Prove the absence of a key just past want[2], whose left
		// neighbour is want[2]: a valid proof, for another key.
		return honest(ctx, append(bytes.Clone(want[2].Key), 0, 0), height)
	}
	verify := func(int64) ([]byte, error) { return root, nil }
	if _, _, err := scanPrefix(context.Background(), hiding, prefix, 0, 10, verify); !errors.Is(err, ErrProof) {
		t.Fatalf("hiding node: %v, want ErrProof", err)
	}
	other := func(int64) ([]byte, error) { return bytes.Repeat([]byte{1}, 32), nil }
	if _, _, err := scanPrefix(context.Background(), honest, prefix, 0, 10, other); !errors.Is(err, ErrProof) {
		t.Fatalf("wrong root: %v, want ErrProof", err)
	}
}
