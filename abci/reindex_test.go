package abci

import (
	"context"
	"errors"
	"fmt"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtquery "github.com/cometbft/cometbft/libs/pubsub/query"
	sm "github.com/cometbft/cometbft/state"
	blockidxkv "github.com/cometbft/cometbft/state/indexer/block/kv"
	"github.com/cometbft/cometbft/state/txindex"
	txidxkv "github.com/cometbft/cometbft/state/txindex/kv"
	"github.com/cometbft/cometbft/types"
)

// fakeBlocks is a block store of heights base..top; every third height
// holds two transactions.
type fakeBlocks struct {
	sm.BlockStore
	base, top int64
}

func (b fakeBlocks) Base() int64   { return b.base }
func (b fakeBlocks) Height() int64 { return b.top }
func (b fakeBlocks) LoadBlock(h int64) *types.Block {
	if h < b.base || h > b.top {
		return nil
	}
	return &types.Block{Header: types.Header{Height: h}, Data: types.Data{Txs: fakeTxs(h)}}
}

func fakeTxs(h int64) types.Txs {
	if h%3 != 0 {
		return nil
	}
	return types.Txs{types.Tx(fmt.Sprintf("tx %d/0", h)), types.Tx(fmt.Sprintf("tx %d/1", h))}
}

// fakeStates holds the FinalizeBlock response of every height but those
// in missing.
type fakeStates struct {
	sm.Store
	missing map[int64]bool
}

func (s fakeStates) LoadFinalizeBlockResponse(h int64) (*abcitypes.ResponseFinalizeBlock, error) {
	if s.missing[h] {
		return nil, errors.New("not stored")
	}
	resp := &abcitypes.ResponseFinalizeBlock{Events: []abcitypes.Event{{Type: "icn", Attributes: []abcitypes.EventAttribute{{Key: "mark", Value: fmt.Sprint(h), Index: true}}}}}
	for i := range fakeTxs(h) {
		resp.TxResults = append(resp.TxResults, &abcitypes.ExecTxResult{Code: 0, Events: []abcitypes.Event{{Type: "dag", Attributes: []abcitypes.EventAttribute{{Key: "n", Value: fmt.Sprint(i), Index: true}}}}})
	}
	return resp, nil
}

func (s fakeStates) LoadLastFinalizeBlockResponse(h int64) (*abcitypes.ResponseFinalizeBlock, error) {
	return nil, errors.New("not the last")
}

// newTip is a tipIndex over heights 1..top whose index holds the heights
// for which indexed says so.
func newTip(t *testing.T, top int64, indexed func(int64) bool, missing map[int64]bool) tipIndex {
	t.Helper()
	db := dbm.NewMemDB()
	ix := tipIndex{
		blocks:  fakeBlocks{base: 1, top: top},
		states:  fakeStates{missing: missing},
		txs:     txidxkv.NewTxIndex(db),
		blockIx: blockidxkv.New(dbm.NewPrefixDB(db, []byte("block_events"))),
	}
	for h := int64(1); h <= top; h++ {
		if !indexed(h) {
			continue
		}
		if err := ix.blockIx.Index(types.EventDataNewBlockEvents{Height: h}); err != nil {
			t.Fatal(err)
		}
		txs := fakeTxs(h)
		batch := txindex.NewBatch(int64(len(txs)))
		for i, tx := range txs {
			if err := batch.Add(&abcitypes.TxResult{Height: h, Index: uint32(i), Tx: tx}); err != nil {
				t.Fatal(err)
			}
		}
		if err := ix.txs.AddBatch(batch); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

func TestReindexTip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		indexed func(int64) bool
		missing map[int64]bool
		want    Reindexed
	}{
		{"index holds the tip", func(int64) bool { return true }, nil, Reindexed{}},
		{"last three heights missing", func(h int64) bool { return h <= 147 }, nil, Reindexed{From: 148, To: 150, Txs: 2}},
		{"whole window missing", func(h int64) bool { return h <= 20 }, nil, Reindexed{From: 51, To: 150, Txs: 68, Unchecked: true}},
		{"nothing indexed, fewer heights than the window", nil, nil, Reindexed{}},
		{"a response not stored", func(h int64) bool { return h <= 146 }, map[int64]bool{147: true}, Reindexed{From: 148, To: 150, Txs: 2, Skipped: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := int64(150)
			indexed := tc.indexed
			if indexed == nil {
				top = 40
				indexed = func(int64) bool { return false }
				tc.want = Reindexed{From: 1, To: 40, Txs: 26}
			}
			ix := newTip(t, top, indexed, tc.missing)
			got, err := ix.reindexTip(top, cmtlog.NewNopLogger())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if got.From == 0 {
				return
			}
			for h := got.From; h <= got.To; h++ {
				if tc.missing[h] {
					continue
				}
				checkIndexed(t, ix, h)
			}
		})
	}
}

// checkIndexed asserts that height h's block and transactions are found
// by CometBFT's indexers the way the RPC looks them up.
func checkIndexed(t *testing.T, ix tipIndex, h int64) {
	t.Helper()
	if has, err := ix.blockIx.Has(h); err != nil || !has {
		t.Fatalf("height %d not in the block index (%v)", h, err)
	}
	heights, err := ix.blockIx.Search(context.Background(), cmtquery.MustCompile(fmt.Sprintf("icn.mark = '%d'", h)))
	if err != nil || len(heights) != 1 || heights[0] != h {
		t.Fatalf("block search icn.mark=%d: %v %v", h, heights, err)
	}
	for i, tx := range fakeTxs(h) {
		res, err := ix.txs.Get(tx.Hash())
		if err != nil || res == nil || res.Height != h || res.Index != uint32(i) {
			t.Fatalf("tx %d/%d: %+v %v", h, i, res, err)
		}
	}
}

// A crash between the block's events and its transactions leaves the
// height in the block index without its transactions: that height counts
// as missing.
func TestReindexTipBlockWithoutTxs(t *testing.T) {
	ix := newTip(t, 150, func(h int64) bool { return h <= 149 }, nil)
	if err := ix.blockIx.Index(types.EventDataNewBlockEvents{Height: 150}); err != nil {
		t.Fatal(err)
	}
	got, err := ix.reindexTip(150, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if want := (Reindexed{From: 150, To: 150, Txs: 2}); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	checkIndexed(t, ix, 150)
}

// With the null indexer or psql nothing is opened.
func TestReindexTipIndexerOff(t *testing.T) {
	for _, kind := range []string{"null", "psql"} {
		cfg := cmtcfg.DefaultConfig()
		cfg.TxIndex.Indexer = kind
		opened := false
		got, err := ReindexTip(cfg, func(*cmtcfg.DBContext) (dbm.DB, error) { opened = true; return dbm.NewMemDB(), nil }, cmtlog.NewNopLogger())
		if err != nil || opened || got != (Reindexed{}) {
			t.Fatalf("%s: %+v %v, opened %v", kind, got, err, opened)
		}
	}
}

// An index database that cannot be opened stops the start.
func TestReindexTipIndexUnusable(t *testing.T) {
	cfg := cmtcfg.DefaultConfig()
	cfg.TxIndex.Indexer = "kv"
	broken := errors.New("locked")
	_, err := ReindexTip(cfg, func(c *cmtcfg.DBContext) (dbm.DB, error) {
		if c.ID == "tx_index" {
			return nil, broken
		}
		return dbm.NewMemDB(), nil
	}, cmtlog.NewNopLogger())
	if !errors.Is(err, broken) {
		t.Fatalf("err %v", err)
	}
}
