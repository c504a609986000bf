package abci

import (
	"context"
	"crypto/sha256"
	"strconv"
	"sync"
	"sync/atomic"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtsync "github.com/cometbft/cometbft/libs/sync"
	mempl "github.com/cometbft/cometbft/mempool"
	"github.com/cometbft/cometbft/p2p"
	protomem "github.com/cometbft/cometbft/proto/tendermint/mempool"
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

// clientCreator makes CometBFT's local clients of app, sharing one lock as
// proxy.NewLocalClientCreator does, each answering "mempool full" for new
// transactions without the lock while s says the mempool is full. app is s
// or a wrapper of it (announcingApp).
type clientCreator struct {
	mtx *cmtsync.Mutex
	s   *Application
	app abcitypes.Application
}

var _ proxy.ClientCreator = (*clientCreator)(nil)

func newClientCreator(s *Application, app abcitypes.Application) *clientCreator {
	return &clientCreator{mtx: new(cmtsync.Mutex), s: s, app: app}
}

func (c *clientCreator) NewABCIClient() (abcicli.Client, error) {
	return &admissionClient{Client: abcicli.NewLocalClient(c.mtx, c.app), app: c.s}, nil
}

// admissionClient is a local client whose CheckTxAsync refuses new
// transactions while the mempool is full, without taking the lock.
type admissionClient struct {
	abcicli.Client
	app *Application
}

func (c *admissionClient) CheckTxAsync(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcicli.ReqRes, error) {
	if req.Type == abcitypes.CheckTxType_New && !c.app.admission.relayed(req.Tx) {
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

// CheckTx is the mempool connection's synchronous CheckTx, which the flood
// mempool never calls (it uses CheckTxAsync, for submissions, relayed
// transactions and rechecks): only CometBFT's check_tx RPC does, to ask
// whether a transaction would be accepted without adding it to the mempool.
// It runs as a dry run (App.CheckOnly). The app-side mempool calls it for
// every submission, without the lock (abcicli.LockFreeContext): those are
// submissions, not dry runs.
func (c *admissionClient) CheckTx(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	if abcicli.IsLockFreeContext(ctx) {
		return c.Client.CheckTx(ctx, req)
	}
	return c.Client.CheckTx(context.WithValue(ctx, dryRunKey{}, true), req)
}

// dryRunKey marks the context of a CheckTx that must change nothing.
type dryRunKey struct{}

func isDryRun(ctx context.Context) bool {
	dry, _ := ctx.Value(dryRunKey{}).(bool)
	return dry
}

// admission is the lock-free view of the app's mempool count.
type admission struct {
	full atomic.Bool
	// max is app.toml's mempool.max-txs, for the refusal's log.
	max int

	// fromPeers holds the hashes of the transactions a peer relayed that
	// the mempool reactor is checking right now (relayReactor).
	mu        sync.Mutex
	fromPeers map[[sha256.Size]byte]int
}

// relayed reports whether tx is being checked because a peer relayed it.
func (a *admission) relayed(tx []byte) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.fromPeers) == 0 {
		return false
	}
	return a.fromPeers[sha256.Sum256(tx)] > 0
}

func (a *admission) markRelayed(txs [][]byte, on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fromPeers == nil {
		a.fromPeers = make(map[[sha256.Size]byte]int)
	}
	for _, tx := range txs {
		h := sha256.Sum256(tx)
		if on {
			a.fromPeers[h]++
		} else if a.fromPeers[h]--; a.fromPeers[h] <= 0 {
			delete(a.fromPeers, h)
		}
	}
}

// relayReactor is CometBFT's flood mempool reactor, but transactions that
// peers relay are exempt from mempool.max-txs (CometBFT's own
// mempool.size still bounds them). The limit is back-pressure on
// submissions: a relayed transaction was admitted by a peer's limit, and
// refusing it here would only leave it out of this node's proposals (and
// its signer's later transactions with a sequence gap here), so that it
// waits for a proposer that holds it: up to a round of the validator set.
// The reactor checks relayed transactions synchronously in Receive, which
// is what lets CheckTx tell them from submissions.
type relayReactor struct {
	*mempl.Reactor
	app *Application
}

func (r *relayReactor) Receive(e p2p.Envelope) {
	if msg, ok := e.Message.(*protomem.Txs); ok && len(msg.Txs) > 0 {
		r.app.admission.markRelayed(msg.Txs, true)
		defer r.app.admission.markRelayed(msg.Txs, false)
	}
	r.Reactor.Receive(e)
}

// exemptRelayed puts relayReactor in place of the switch's flood mempool
// reactor (the same reactor, whose Receive it wraps). It must run before
// the node starts; with another mempool type it does nothing.
func exemptRelayed(sw p2p.Switcher, s *Application) {
	r, ok := sw.Reactor("MEMPOOL")
	if !ok {
		return
	}
	flood, ok := r.(*mempl.Reactor)
	if !ok {
		return
	}
	sw.RemoveReactor("MEMPOOL", flood)
	sw.AddReactor("MEMPOOL", &relayReactor{Reactor: flood, app: s})
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
