package app_test

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	corestore "cosmossdk.io/core/store"
	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	"github.com/intercooperative/icnd/store"
)

// TestAnchorBlockWrites commits blocks of anchor transactions and counts
// what the commit writes to the database, by the module prefix of each IAVL
// node's key. Every anchor must write exactly three leaves: its DAG entry,
// its signer's sequence and its signer's mana account (the last two once per
// signer and block). The inner nodes are logged by prefix (an inner node
// carries the smallest key of its right subtree, so the split is close, not
// exact); docs/PERFORMANCE.md quotes them.
func TestAnchorBlockWrites(t *testing.T) {
	for _, tc := range []struct{ signers, txs int }{{100, 3000}, {1000, 2000}} {
		t.Run(fmt.Sprintf("signers=%d,txs=%d", tc.signers, tc.txs), func(t *testing.T) {
			leaves, inner := anchorBlockWrites(t, 20_000, tc.signers, tc.txs)
			want := map[byte]int{modules.PrefixDAG: tc.txs, modules.PrefixDID: tc.signers, modules.PrefixMana: tc.signers}
			if fmt.Sprint(leaves) != fmt.Sprint(want) {
				t.Errorf("leaves written by prefix = %v, want %v", leaves, want)
			}
			total := 0
			for _, n := range inner {
				total += n
			}
			t.Logf("leaves by prefix %s; inner nodes %d, by prefix %s", byPrefix(leaves), total, byPrefix(inner))
		})
	}
}

// byPrefix prints counts by module prefix in prefix order, as "0x50:3000".
func byPrefix(counts map[byte]int) string {
	var out []string
	for p := 0; p < 256; p++ {
		if n, ok := counts[byte(p)]; ok {
			out = append(out, fmt.Sprintf("%#02x:%d", p, n))
		}
	}
	return strings.Join(out, " ")
}

// anchorBlockWrites fills a state with entries DAG entries, executes and
// commits one block of txs anchors from signers accounts, and returns the
// leaves and inner nodes that commit wrote, by module prefix.
func anchorBlockWrites(t *testing.T, entries, signers, txs int) (leaves, inner map[byte]int) {
	accts := make([]*account, signers)
	for i := range accts {
		priv := ed25519.NewKeyFromSeed(sha256Bytes([]byte{byte(i), byte(i >> 8), 'w'}))
		accts[i] = &account{priv: priv, did: did.DeriveDID(priv.Public().(ed25519.PublicKey))}
	}
	counter := &nodeCounter{DB: idb.NewMemDB()}
	cms, err := store.Open(counter, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, genesisFor(t, 1_000_000_000, accts...)); err != nil {
		t.Fatal(err)
	}
	kv := cms.Working()
	for i := 0; i < entries; i++ {
		c := testCID(t, fmt.Sprint("fill", i))
		e := &dagv1.Entry{Cid: c, Kind: "fill", AnchoredBy: accts[0].did, Height: 1}
		bz, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		kv.Set(dag.EntryKey(c, e.AnchoredBy), bz)
	}
	if _, err := cms.Commit(); err != nil {
		t.Fatal(err)
	}
	block := make([][]byte, txs)
	for j := range block {
		block[j] = accts[j%len(accts)].signTx(t, txOpts{memo: padMemo}, anchorMsg(testCID(t, fmt.Sprint("w", j)), "load"))
	}
	res, _, err := finalize(a, a.LastCommit().Version+1, genesisTime, block, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, r.Code, r.Log)
		}
	}
	counter.leaves, counter.inner = map[byte]int{}, map[byte]int{}
	if _, err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if counter.err != nil {
		t.Fatal(counter.err)
	}
	// The keys this test expects are the ones the keepers write.
	if _, ok := counter.leaves[did.SequenceKey(accts[0].did)[0]]; !ok {
		t.Errorf("no sequence written")
	}
	if _, ok := counter.leaves[mana.AccountKey(accts[0].did)[0]]; !ok {
		t.Errorf("no mana account written")
	}
	return counter.leaves, counter.inner
}

// nodeCounter counts the IAVL nodes written through its batches by the
// module prefix of the node's key, while leaves is not nil. It reads IAVL
// v1's node encoding (iavl Node.writeBytes): the subtree height and size
// as varints, then the key, length-prefixed; a height of 0 is a leaf.
type nodeCounter struct {
	idb.DB
	leaves, inner map[byte]int
	err           error
}

func (d *nodeCounter) NewBatch() corestore.Batch {
	return &countingNodeBatch{Batch: d.DB.NewBatch(), d: d}
}

func (d *nodeCounter) NewBatchWithSize(n int) corestore.Batch {
	return &countingNodeBatch{Batch: d.DB.NewBatchWithSize(n), d: d}
}

type countingNodeBatch struct {
	corestore.Batch
	d *nodeCounter
}

func (b *countingNodeBatch) Set(key, value []byte) error {
	// IAVL v1 stores nodes under 's' | version | nonce.
	if b.d.leaves != nil && len(key) > 0 && key[0] == 's' {
		height, n := binary.Varint(value)
		_, m := binary.Varint(value[max(n, 0):])
		keyLen, o := binary.Uvarint(value[max(n+m, 0):])
		if n <= 0 || m <= 0 || o <= 0 || keyLen == 0 {
			b.d.err = fmt.Errorf("cannot decode the node under %x", key)
		} else if prefix := value[n+m+o]; height == 0 {
			b.d.leaves[prefix]++
		} else {
			b.d.inner[prefix]++
		}
	}
	return b.Batch.Set(key, value)
}
