package abci

import (
	"context"
	"strconv"
	"sync/atomic"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtsync "github.com/cometbft/cometbft/libs/sync"
	"github.com/cometbft/cometbft/proxy"

	"github.com/intercooperative/icnd/app"
)

// CometBFT's in-process client runs every ABCI call under one lock, so a
// transaction submitted while a block executes waits for the whole block
// before CheckTx even looks at it. When the mempool is full (app.toml
// mempool.max-txs) that wait buys nothing: the answer is "full" whatever the
// transaction. The mempool connection's client here answers it at once,
// without the lock, from a flag the application keeps up to date under the
// lock after every call that changes the count (CheckTx and Commit). The
// flag is only a shortcut for that answer: when it is stale the app's own
// CheckTx gives the same answer, and it never reaches consensus.

// clientCreator makes CometBFT's local clients, sharing one lock as
// proxy.NewLocalClientCreator does, each answering "mempool full" for new
// transactions without the lock while s says the mempool is full.
type clientCreator struct {
	mtx *cmtsync.Mutex
	app *Application
}

var _ proxy.ClientCreator = (*clientCreator)(nil)

func newClientCreator(s *Application) *clientCreator {
	return &clientCreator{mtx: new(cmtsync.Mutex), app: s}
}

func (c *clientCreator) NewABCIClient() (abcicli.Client, error) {
	return &admissionClient{Client: abcicli.NewLocalClient(c.mtx, c.app), app: c.app}, nil
}

// admissionClient is a local client whose CheckTxAsync refuses new
// transactions while the mempool is full, without taking the lock.
type admissionClient struct {
	abcicli.Client
	app *Application
}

func (c *admissionClient) CheckTxAsync(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcicli.ReqRes, error) {
	if req.Type == abcitypes.CheckTxType_New {
		if res := c.app.refuseFull(); res != nil {
			rr := abcicli.NewReqRes(abcitypes.ToRequestCheckTx(req))
			rr.Response = abcitypes.ToResponseCheckTx(res)
			// No callback is set yet: this only marks the request done,
			// so that the mempool's SetCallback runs its callback at once.
			rr.InvokeCallback()
			return rr, nil
		}
	}
	return c.Client.CheckTxAsync(ctx, req)
}

// admission is the lock-free view of the app's mempool count.
type admission struct {
	full atomic.Bool
	// max is app.toml's mempool.max-txs, for the refusal's log.
	max int
}

// refuseFull returns the "mempool full" answer when the mempool is full,
// nil otherwise. It may run concurrently with any ABCI call.
func (s *Application) refuseFull() *abcitypes.ResponseCheckTx {
	if !s.admission.full.Load() {
		return nil
	}
	res := app.ErrMempoolFull
	if s.metrics != nil {
		s.metrics.CheckTxRefused.WithLabelValues(res.Codespace(), strconv.FormatUint(uint64(res.Code()), 10)).Inc()
	}
	return &abcitypes.ResponseCheckTx{Code: res.Code(), Codespace: res.Codespace(),
		Log: res.Wrapf("max %d transactions pending", s.admission.max).Error()}
}

// noteMempool refreshes the flag refuseFull reads; it runs under the ABCI
// lock, after the calls that change the app's count.
func (s *Application) noteMempool() {
	s.admission.full.Store(s.app.MempoolFull())
}
