package main

import (
	"context"
	"crypto/sha256"
	"time"
)

// blockSeen is a committed block as the watcher saw it.
type blockSeen struct {
	height int64
	at     time.Time
	txs    [][sha256.Size]byte
}

// watch polls node 0 for committed blocks until ctx ends and returns
// them in height order, stamped with when they were first seen.
func watch(ctx context.Context, n *network, from int64) []blockSeen {
	c := n.client(0)
	var out []blockSeen
	next := from
	for ctx.Err() == nil {
		st, err := c.RPC.Status(ctx)
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		for ; next <= st.SyncInfo.LatestBlockHeight; next++ {
			h := next
			b, err := c.RPC.Block(ctx, &h)
			if err != nil {
				break
			}
			seen := blockSeen{height: h, at: time.Now()}
			for _, tx := range b.Block.Txs {
				seen.txs = append(seen.txs, sha256.Sum256(tx))
			}
			out = append(out, seen)
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
	return out
}
