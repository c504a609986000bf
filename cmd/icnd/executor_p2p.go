package main

import (
	"context"
	"log/slog"

	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/daemon"
	"github.com/intercooperative/icnd/executor/p2p"
)

// startP2P starts the executor's libp2p host (docs/executor.md, section 2)
// over its block store: the daemon fetches from and announces to it, and
// reads the jobs peers announce as hints.
func startP2P(ctx context.Context, home string, fc daemon.FileConfig, chainID string, store *blockstore.Store,
	log *slog.Logger) (daemon.Network, <-chan string, func(), error) {
	host, err := p2p.New(ctx, p2p.Config{ChainID: chainID, ListenAddrs: fc.P2P.Listen, Bootstrap: fc.P2P.Bootstrap,
		KeyFile: daemon.Path(home, fc.P2P.KeyFile)}, store, log)
	if err != nil {
		return nil, nil, nil, err
	}
	log.Info("libp2p host up", "id", host.ID().String(), "addrs", host.Addrs())
	return host, jobHints(ctx, host.Jobs()), func() { _ = host.Close() }, nil
}

// jobHints turns the job announcements of peers into job CIDs for the
// daemon, which looks each up on chain.
func jobHints(ctx context.Context, in <-chan p2p.JobAnnouncement) <-chan string {
	out := make(chan string, 16)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case a, ok := <-in:
				if !ok {
					return
				}
				select {
				case out <- a.Job:
				default: // the daemon is busy: a hint may be dropped
				}
			}
		}
	}()
	return out
}
