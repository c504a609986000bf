package daemon

import (
	"context"
	"log/slog"
	"slices"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mesh"
)

// events reads the mesh events of height h: a posted job is considered
// for a bid; the others concern jobs the daemon already tracks, which
// reconcile reads from the chain, so they only log and count here.
func (d *Daemon) events(_ context.Context, h int64, res *coretypes.ResultBlockResults) error {
	var evs []abcitypes.Event
	for _, tx := range res.TxsResults {
		if tx.Code == 0 {
			evs = append(evs, tx.Events...)
		}
	}
	evs = append(evs, res.FinalizeBlockEvents...)
	for _, ev := range evs {
		e := modules.Event{Type: ev.Type}
		for _, a := range ev.Attributes {
			e.Attributes = append(e.Attributes, modules.Attribute{Key: a.Key, Value: a.Value})
		}
		typed, ok, err := modules.DecodeAnyEvent(e)
		if !ok {
			continue
		}
		if err != nil {
			d.log.Warn("undecodable event", "height", h, "type", ev.Type, "err", err)
			continue
		}
		switch e := typed.(type) {
		case mesh.EventJobPosted:
			d.consider(h, e.Job, JobTerms{Poster: e.Poster, Kind: e.Kind, MemoryPages: e.MemoryPages,
				MinReputation: e.MinReputation, FuelLimit: e.FuelLimit, MaxPrice: e.MaxPrice})
		case mesh.EventJobAssigned:
			if _, tracked := d.jobs[e.Job]; tracked && slices.Contains(e.Executors, d.cfg.DID) {
				d.log.Info("assigned", "job", e.Job, "height", h, "commit_deadline", e.CommitDeadline, "deadline", e.Deadline)
			}
		case mesh.EventReceiptCommitted:
			if _, tracked := d.jobs[e.Job]; tracked && e.Closed {
				d.log.Info("commit phase closed", "job", e.Job, "height", h)
			}
		case mesh.EventReceiptAccepted:
			if e.Executor == d.cfg.DID {
				d.log.Info("receipt accepted", "job", e.Job, "height", h, "receipt", e.Receipt)
			}
		case mesh.EventExecutorSettled:
			if e.Executor == d.cfg.DID {
				d.log.Info("settled", "job", e.Job, "height", h, "outcome", e.Outcome, "paid", e.Paid,
					"slashed", e.Slashed, "reputation", e.Reputation)
			}
		}
	}
	return nil
}

// subscribe keeps a websocket subscription to the node's NewBlock events
// and signals wake on each; when the connection fails it dials again every
// few seconds. The caller polls as well, so a lost notification only
// delays a height.
func subscribe(ctx context.Context, node string, wake chan<- struct{}, log *slog.Logger) {
	for ctx.Err() == nil {
		subscribeOnce(ctx, node, wake, log)
		select {
		case <-ctx.Done():
		case <-time.After(3 * time.Second):
		}
	}
}

func subscribeOnce(ctx context.Context, node string, wake chan<- struct{}, log *slog.Logger) {
	ws, err := rpchttp.New(node, "/websocket")
	if err != nil {
		return
	}
	if err := ws.Start(); err != nil {
		return
	}
	defer ws.Stop() //nolint:errcheck // closing a client we are done with
	sub, err := ws.Subscribe(ctx, "icnd-executor", "tm.event='NewBlock'", 16)
	if err != nil {
		log.Debug("websocket subscription failed", "err", err)
		return
	}
	log.Debug("subscribed to new blocks")
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-sub:
			if !ok {
				return
			}
			select {
			case wake <- struct{}{}:
			default:
			}
		case <-ws.Quit():
			log.Debug("websocket closed; reconnecting")
			return
		}
	}
}
