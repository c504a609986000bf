package abci

import (
	"errors"
	"fmt"

	dbm "github.com/cometbft/cometbft-db"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/state/indexer"
	blockidxkv "github.com/cometbft/cometbft/state/indexer/block/kv"
	"github.com/cometbft/cometbft/state/txindex"
	txidxkv "github.com/cometbft/cometbft/state/txindex/kv"
	"github.com/cometbft/cometbft/store"
	"github.com/cometbft/cometbft/types"
)

// ReindexWindow is how many heights down from the tip the start-up
// re-index checks at most. A stop or kill loses the index entries of the
// block being committed (CometBFT's indexer service is fed asynchronously
// and its event bus stops first), so the gap is one or two heights; the
// bound keeps the check cheap on any node.
const ReindexWindow = 100

// Reindexed is what ReindexTip did: the heights From..To it indexed
// again (none when From is 0) and their transactions.
type Reindexed struct {
	From, To int64
	Txs      int
	// Skipped are the missing heights that could not be rebuilt (their
	// block or FinalizeBlock response is not stored).
	Skipped int
	// Unchecked is set when every height in the window was missing: the
	// heights below From were not looked at.
	Unchecked bool
}

// tipIndex is what reindexTip reads and writes: the block store and state
// store (read only) and the tx and block indexers.
type tipIndex struct {
	blocks  sm.BlockStore
	states  sm.Store
	txs     txindex.TxIndexer
	blockIx indexer.BlockIndexer
}

// ReindexTip puts back into the tx and block event index the committed
// heights at the tip that it lacks, from the blocks and the stored
// FinalizeBlock responses, before CometBFT opens the same databases. It
// only reads the block and state stores. It does nothing with
// tx_index.indexer "null", and with "psql" (which cannot tell which heights
// it holds) it only logs that it skipped. An error means the index store
// cannot be opened or written: the node must not start on it. A height it
// cannot rebuild (its block or response not stored) is logged and
// skipped.
func ReindexTip(cfg *cmtcfg.Config, dbProvider cmtcfg.DBProvider, logger cmtlog.Logger) (Reindexed, error) {
	switch cfg.TxIndex.Indexer {
	case "kv":
	case "psql":
		logger.Info("start-up re-index skipped: the psql event sink cannot tell which heights it holds")
		return Reindexed{}, nil
	default:
		return Reindexed{}, nil
	}
	blockDB, err := dbProvider(&cmtcfg.DBContext{ID: "blockstore", Config: cfg})
	if err != nil {
		// CometBFT opens it next and reports the error itself.
		logger.Error("start-up re-index skipped: cannot open the block store", "err", err)
		return Reindexed{}, nil
	}
	defer blockDB.Close()
	stateDB, err := dbProvider(&cmtcfg.DBContext{ID: "state", Config: cfg})
	if err != nil {
		logger.Error("start-up re-index skipped: cannot open the state store", "err", err)
		return Reindexed{}, nil
	}
	defer stateDB.Close()
	indexDB, err := dbProvider(&cmtcfg.DBContext{ID: "tx_index", Config: cfg})
	if err != nil {
		return Reindexed{}, fmt.Errorf("open the tx index store: %w", err)
	}
	defer indexDB.Close()
	states := sm.NewStore(stateDB, sm.StoreOptions{DiscardABCIResponses: cfg.Storage.DiscardABCIResponses})
	ix := tipIndex{
		blocks:  store.NewBlockStore(blockDB),
		states:  states,
		txs:     txidxkv.NewTxIndex(indexDB),
		blockIx: blockidxkv.New(dbm.NewPrefixDB(indexDB, []byte("block_events"))),
	}
	st, err := states.Load()
	if err != nil {
		logger.Error("start-up re-index skipped: cannot load the consensus state", "err", err)
		return Reindexed{}, nil
	}
	done, err := ix.reindexTip(st.LastBlockHeight, logger)
	if err != nil {
		return done, err
	}
	switch {
	case done.From == 0 && done.Skipped == 0:
		logger.Debug("start-up re-index: the index holds the tip", "height", st.LastBlockHeight)
	default:
		logger.Info("re-indexed heights missing from the tx and block index",
			"from", done.From, "to", done.To, "txs", done.Txs, "skipped", done.Skipped,
			"lower_heights_unchecked", done.Unchecked)
	}
	return done, nil
}

// reindexTip indexes again the heights above the highest indexed one
// within ReindexWindow of top (the state's last block height: heights
// above it are executed again by the handshake, which indexes them).
func (ix tipIndex) reindexTip(top int64, logger cmtlog.Logger) (Reindexed, error) {
	base := ix.blocks.Base()
	if top > ix.blocks.Height() {
		top = ix.blocks.Height()
	}
	if top < 1 || base < 1 {
		return Reindexed{}, nil
	}
	low := max(base, top-ReindexWindow+1)
	from := int64(0)
	for h := top; h >= low; h-- {
		has, err := ix.indexed(h)
		if err != nil {
			return Reindexed{}, err
		}
		if has {
			break
		}
		from = h
	}
	if from == 0 {
		return Reindexed{}, nil
	}
	done := Reindexed{Unchecked: from == low && low > base}
	for h := from; h <= top; h++ {
		n, err := ix.reindexHeight(h)
		if errors.Is(err, errNotRebuildable) {
			logger.Error("start-up re-index cannot rebuild a height; its transactions stay unindexed", "height", h, "err", err)
			done.Skipped++
			continue
		}
		if err != nil {
			return done, err
		}
		if done.From == 0 {
			done.From = h
		}
		done.To = h
		done.Txs += n
	}
	return done, nil
}

// indexed reports whether height h is in both indexes: the block indexer
// has the height and, when the block has transactions, its last one is
// found by hash (CometBFT indexes the block first, then its transactions).
func (ix tipIndex) indexed(h int64) (bool, error) {
	has, err := ix.blockIx.Has(h)
	if err != nil {
		return false, fmt.Errorf("read the block index at height %d: %w", h, err)
	}
	if !has {
		return false, nil
	}
	block := ix.blocks.LoadBlock(h)
	if block == nil || len(block.Txs) == 0 {
		return true, nil
	}
	res, err := ix.txs.Get(block.Txs[len(block.Txs)-1].Hash())
	if err != nil {
		return false, fmt.Errorf("read the tx index at height %d: %w", h, err)
	}
	return res != nil, nil
}

var errNotRebuildable = errors.New("block or FinalizeBlock response not stored")

// reindexHeight indexes height h's transactions and block events from the
// stored block and FinalizeBlock response, as the indexer service would
// have, and returns how many transactions it indexed.
func (ix tipIndex) reindexHeight(h int64) (int, error) {
	block := ix.blocks.LoadBlock(h)
	if block == nil {
		return 0, fmt.Errorf("%w: block %d", errNotRebuildable, h)
	}
	resp, err := ix.states.LoadFinalizeBlockResponse(h)
	if err != nil {
		// With discard_abci_responses only the last one is kept.
		if last, lerr := ix.states.LoadLastFinalizeBlockResponse(h); lerr == nil {
			resp, err = last, nil
		}
	}
	if err != nil {
		return 0, fmt.Errorf("%w: height %d: %v", errNotRebuildable, h, err)
	}
	if len(resp.TxResults) != len(block.Txs) {
		return 0, fmt.Errorf("%w: height %d has %d txs but %d results", errNotRebuildable, h, len(block.Txs), len(resp.TxResults))
	}
	if len(block.Txs) > 0 {
		batch := txindex.NewBatch(int64(len(block.Txs)))
		for i, res := range resp.TxResults {
			if err := batch.Add(&abcitypes.TxResult{Height: h, Index: uint32(i), Tx: block.Txs[i], Result: *res}); err != nil {
				return 0, fmt.Errorf("index height %d: %w", h, err)
			}
		}
		if err := ix.txs.AddBatch(batch); err != nil {
			return 0, fmt.Errorf("write the tx index at height %d: %w", h, err)
		}
	}
	ev := types.EventDataNewBlockEvents{Height: h, Events: resp.Events, NumTxs: int64(len(block.Txs))}
	if err := ix.blockIx.Index(ev); err != nil {
		return 0, fmt.Errorf("write the block index at height %d: %w", h, err)
	}
	return len(block.Txs), nil
}
