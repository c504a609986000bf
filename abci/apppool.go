package abci

import (
	"context"
	"fmt"
	"math"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"

	mempl "github.com/cometbft/cometbft/mempool"
	"github.com/cometbft/cometbft/p2p"
	protomem "github.com/cometbft/cometbft/proto/tendermint/mempool"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/store"
)

// The app-side mempool (config.toml mempool.type = "app", docs/mempool.md).
//
// CometBFT then keeps no transactions: it calls CheckTx for RPC
// submissions and InsertTx for transactions relayed by peers, both without
// the ABCI lock (CheckTx with client.LockFreeContext, each in a goroutine
// of its own), so that they run while a block executes; ReapTxs every
// mempool.reap_interval for the transactions to gossip; and
// PrepareProposal with no transactions: the application fills the block
// from its pool. The pool (app.Pool) has its own lock and reads only the
// last committed version through a store.ConcurrentReader; the consensus
// calls stay under the ABCI lock and touch the pool only through its
// methods: PrepareProposal takes its transactions, Commit moves it onto
// the new version.

// EnablePool makes the application run the app-side mempool over the
// versions reader reads. It must be called before the node starts.
func (s *Application) EnablePool(reader *store.ConcurrentReader, opts app.PoolOptions) error {
	pool, err := s.app.NewPool(reader, opts)
	if err != nil {
		return err
	}
	if last := s.app.LastCommit(); last.Version > 0 {
		if err := pool.Update(last.Version, s.app.LastBlockTime(), s.app.ChainID(), nil); err != nil {
			return err
		}
	}
	s.pool = pool
	return nil
}

// poolOptions are the pool's limits from the two config files, as with
// the flood mempool: config.toml's mempool.size and max_txs_bytes bound
// every transaction, app.toml's mempool.max-txs (0: none of its own) the
// submissions.
func poolOptions(cometCfg *cmtcfg.Config, appCfg AppConfig) app.PoolOptions {
	size := cometCfg.Mempool.Size
	maxTxs := appCfg.Mempool.MaxTxs
	if maxTxs == 0 || (size > 0 && maxTxs > size) {
		maxTxs = size
	}
	return app.PoolOptions{
		MaxTxs:        maxTxs,
		MaxRelayedTxs: size,
		MaxBytes:      cometCfg.Mempool.MaxTxsBytes,
	}
}

// checkPoolConfig refuses settings the app-side mempool cannot run with.
func checkPoolConfig(cometCfg *cmtcfg.Config, appCfg AppConfig) error {
	if !cometCfg.Consensus.CreateEmptyBlocks {
		// CometBFT's app mempool reports no transactions, so with
		// create_empty_blocks = false no block would ever be proposed.
		return fmt.Errorf("mempool.type = %q needs consensus.create_empty_blocks = true in config.toml", cmtcfg.MempoolTypeApp)
	}
	// The flood mempool admits nothing with a size or byte bound of 0; the
	// pool would take 0 for no bound, and rebase that many transactions
	// after every Commit.
	if cometCfg.Mempool.Size < 1 || cometCfg.Mempool.MaxTxsBytes < 1 {
		return fmt.Errorf("mempool.type = %q needs mempool.size and mempool.max_txs_bytes of at least 1 in config.toml: they bound the pool", cmtcfg.MempoolTypeApp)
	}
	// CometBFT's ValidateBasic lets these through, and its app mempool
	// then panics while the node is created.
	if cometCfg.Mempool.SeenCacheSize < 1 {
		return fmt.Errorf("mempool.type = %q needs mempool.seen_cache_size of at least 1 in config.toml", cmtcfg.MempoolTypeApp)
	}
	if cometCfg.Mempool.CheckTxRetryDelay <= 0 {
		return fmt.Errorf("mempool.type = %q needs a positive mempool.check_tx_retry_delay in config.toml", cmtcfg.MempoolTypeApp)
	}
	if appCfg.Store.PruningKeepRecent == 1 {
		// The pool reads the last committed version while the next one
		// is committed and pruned (store.ConcurrentReader).
		return fmt.Errorf("mempool.type = %q needs store.pruning-keep-recent of 0 or at least 2 in app.toml", cmtcfg.MempoolTypeApp)
	}
	return nil
}

// poolCheckTx is CheckTx with the app-side mempool: a submission (or, for
// CometBFT's check_tx RPC, a dry run). It may run concurrently with any
// ABCI call.
func (s *Application) poolCheckTx(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	dry := isDryRun(ctx)
	var res app.TxResult
	if dry {
		res = s.pool.CheckOnly(req.Tx)
	} else {
		res = s.pool.Add(req.Tx, false)
	}
	if res.Broken() {
		return nil, s.fail(fmt.Errorf("check tx: broken invariant: %s", res.Log))
	}
	if s.metrics != nil && res.Code != 0 && !dry {
		s.metrics.observeRefusal(res)
	}
	return &abcitypes.ResponseCheckTx{Code: res.Code, Codespace: res.Codespace, Log: res.Log}, nil
}

// InsertTx admits a transaction a peer relayed into the app-side mempool.
// It may run concurrently with any ABCI call.
func (s *Application) InsertTx(_ context.Context, req *abcitypes.RequestInsertTx) (*abcitypes.ResponseInsertTx, error) {
	if s.pool == nil {
		return nil, errNoPool
	}
	res := s.pool.Add(req.Tx, true)
	if res.Broken() {
		return nil, s.fail(fmt.Errorf("insert tx: broken invariant: %s", res.Log))
	}
	return &abcitypes.ResponseInsertTx{Code: res.Code}, nil
}

// ReapTxs returns the admitted transactions not gossiped yet, each once.
// It may run concurrently with any ABCI call.
func (s *Application) ReapTxs(_ context.Context, req *abcitypes.RequestReapTxs) (*abcitypes.ResponseReapTxs, error) {
	if s.pool == nil {
		return nil, errNoPool
	}
	return &abcitypes.ResponseReapTxs{Txs: s.pool.Reap(int64(min(req.MaxBytes, math.MaxInt64)))}, nil
}

var errNoPool = fmt.Errorf("the app-side mempool is off: set mempool.type = %q in config.toml to use it", cmtcfg.MempoolTypeApp)

// batchReactor is CometBFT's app mempool reactor, but the signatures of a
// batch a peer relays are verified in one batch (app.Pool.VerifyBatch)
// before the reactor inserts its transactions one by one.
type batchReactor struct {
	*mempl.AppReactor
	pool *app.Pool
}

func (r *batchReactor) Receive(e p2p.Envelope) {
	// While the node syncs, the reactor ignores relayed batches: so does
	// the batch verification.
	if msg, ok := e.Message.(*protomem.Txs); ok && len(msg.Txs) > 1 && !r.WaitSync() {
		r.pool.VerifyBatch(msg.Txs)
	}
	r.AppReactor.Receive(e)
}

// verifyRelayedInBatches puts batchReactor in place of the switch's app
// mempool reactor. It must run before the node starts; without the
// app-side mempool it does nothing.
func verifyRelayedInBatches(sw p2p.Switcher, s *Application) {
	if s.pool == nil {
		return
	}
	r, ok := sw.Reactor("MEMPOOL")
	if !ok {
		return
	}
	inner, ok := r.(*mempl.AppReactor)
	if !ok {
		return
	}
	sw.RemoveReactor("MEMPOOL", inner)
	sw.AddReactor("MEMPOOL", &batchReactor{AppReactor: inner, pool: s.pool})
}
