package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
	blockidxkv "github.com/cometbft/cometbft/state/indexer/block/kv"
	txidxkv "github.com/cometbft/cometbft/state/txindex/kv"
	"github.com/cometbft/cometbft/store"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/client"
)

// TestRestartReindexesTip is the node stopped during a commit: the block and
// the app state are saved but the tx and block event index never got the
// last heights. The test makes that exactly by deleting every index entry
// of the heights from the second-to-last transaction's up to the stored tip,
// then restarts the node: at start it indexes those heights again from the
// stored FinalizeBlock responses, says so in one log line, and /tx and
// tx_search find the transactions.
func TestRestartReindexesTip(t *testing.T) {
	n := startNetwork(t, 1)
	n.waitHeight(2, 60*time.Second, 0)
	node0 := n.manifest.Nodes[0]
	txFlags := []string{"--from", node0.KeyName, "--keyring-backend", "test", "--yes", "--output", "json"}
	var txs []txOut
	for i := range 3 {
		cid := client.RawCID([]byte(fmt.Sprintf("reindex %d", i))).String()
		res := n.txJSON(t, 0, append([]string{"tx", "dag", "anchor", cid, "--kind", "document"}, txFlags...)...)
		if res.Code != 0 || res.Height == 0 {
			t.Fatalf("anchor %d: %+v", i, res)
		}
		txs = append(txs, res)
	}
	// Empty blocks above the last transaction: the lost heights include
	// some without transactions.
	n.waitHeight(txs[2].Height+2, 60*time.Second, 0)
	n.kill(0, syscall.SIGTERM)

	cfg, err := abci.LoadCometConfig(node0.Home)
	if err != nil {
		t.Fatal(err)
	}
	blockDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	tip := store.NewBlockStore(blockDB).Height()
	blockDB.Close()
	from := txs[1].Height
	if tip < txs[2].Height || from > txs[2].Height {
		t.Fatalf("tip %d, tx heights %d %d", tip, from, txs[2].Height)
	}
	var lost [][]byte
	for _, tx := range txs[1:] {
		hash, err := hex.DecodeString(tx.Hash)
		if err != nil {
			t.Fatal(err)
		}
		lost = append(lost, hash)
	}
	forgetHeights(t, cfg, from, tip, lost)

	n.start(0)
	n.waitHeight(tip+1, 60*time.Second, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rpc := n.client(0).RPC
	for i, tx := range txs {
		hash, _ := hex.DecodeString(tx.Hash)
		got, err := rpc.Tx(ctx, hash, false)
		if err != nil {
			t.Fatalf("/tx of tx %d (height %d): %v", i, tx.Height, err)
		}
		if got.Height != tx.Height || got.TxResult.Code != 0 {
			t.Fatalf("/tx of tx %d: height %d code %d, want height %d code 0", i, got.Height, got.TxResult.Code, tx.Height)
		}
		found, err := rpc.TxSearch(ctx, fmt.Sprintf("tx.height=%d", tx.Height), false, nil, nil, "asc")
		if err != nil {
			t.Fatal(err)
		}
		var hit bool
		for _, r := range found.Txs {
			hit = hit || bytes.Equal(r.Hash, hash)
		}
		if !hit {
			t.Fatalf("tx_search tx.height=%d does not find tx %d", tx.Height, i)
		}
	}
	blocks, err := rpc.BlockSearch(ctx, fmt.Sprintf("block.height=%d", tip), nil, nil, "asc")
	if err != nil || blocks.TotalCount != 1 {
		t.Fatalf("block_search block.height=%d: %v %+v", tip, err, blocks)
	}
	log, err := os.ReadFile(filepath.Join(node0.Home, "icnd.log"))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("from=%d to=%d txs=2 skipped=0", from, tip)
	var line string
	for _, l := range strings.Split(string(log), "\n") {
		if strings.Contains(l, "re-indexed heights missing from the tx and block index") {
			line = l
		}
	}
	if !strings.Contains(line, want) {
		t.Fatalf("log line %q does not say %q", line, want)
	}
	t.Logf("re-indexed %d heights (%d..%d): %s", tip-from+1, from, tip, line)

}

// forgetHeights deletes from the node's tx_index database every entry of
// the heights from..to: the block index entries (whose values are the
// height) and every entry of the lost transactions (the hash itself and the
// keys whose value is the hash). It checks with CometBFT's own indexers that
// they are gone.
func forgetHeights(t *testing.T, cfg *cmtcfg.Config, from, to int64, lost [][]byte) {
	t.Helper()
	db, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "tx_index", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	blockDB := dbm.NewPrefixDB(db, []byte("block_events"))
	heights := map[string]bool{}
	for h := from; h <= to; h++ {
		heights[string(binary.AppendVarint(nil, h))] = true
	}
	var dropBlock, dropTx [][]byte
	it, err := blockDB.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for ; it.Valid(); it.Next() {
		if heights[string(it.Value())] {
			dropBlock = append(dropBlock, bytes.Clone(it.Key()))
		}
	}
	it.Close()
	it, err = db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for ; it.Valid(); it.Next() {
		for _, hash := range lost {
			if bytes.Equal(it.Key(), hash) || bytes.Equal(it.Value(), hash) {
				dropTx = append(dropTx, bytes.Clone(it.Key()))
			}
		}
	}
	it.Close()
	for _, k := range dropBlock {
		if err := blockDB.Delete(k); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range dropTx {
		if err := db.Delete(k); err != nil {
			t.Fatal(err)
		}
	}
	blockIx := blockidxkv.New(blockDB)
	for h := from; h <= to; h++ {
		if has, err := blockIx.Has(h); err != nil || has {
			t.Fatalf("height %d still in the block index (%v)", h, err)
		}
	}
	txIx := txidxkv.NewTxIndex(db)
	for _, hash := range lost {
		if res, err := txIx.Get(hash); err != nil || res != nil {
			t.Fatalf("tx %X still in the tx index (%v)", hash, err)
		}
	}
	t.Logf("deleted %d block index entries and %d tx index entries of heights %d..%d", len(dropBlock), len(dropTx), from, to)
}
