package runner

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/intercooperative/icnd/client"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/node/testnet"
)

// The load: every account sends signed dag anchors, one at a time, each
// with the account's next sequence. A transaction is accepted when a
// node's CheckTx answers code 0. The account then waits for it to be in a
// block (polling /tx on the nodes in turn); when it is not within
// resendAfter (the node that accepted it may have been killed before it
// gossiped it), the same bytes go to the next node, as any client would
// do. Only then does the account sign its next sequence, so no account
// ever has two transactions in flight and a lost one cannot hide behind a
// sequence gap.
const (
	resendAfter   = 15 * time.Second
	rpcTimeout    = 4 * time.Second
	retryInterval = 400 * time.Millisecond
)

// txRecord is one transaction the load built.
type txRecord struct {
	Hash     string
	Account  int
	DID      string
	Seq      uint64
	CID      string
	Accepted time.Duration // since the load started; -1 if never accepted
	Sends    int           // broadcasts that reached a node's CheckTx with code 0
	Height   int64         // 0 until seen in a block
	Code     uint32        // the block's result code
}

// loadStats counts what happened to the load's broadcasts.
type loadStats struct {
	broadcasts, refused, unreachable, resent atomic.Int64
}

type load struct {
	chainID string
	run     string
	clients []*client.Client
	t0      time.Time

	stats    loadStats
	stopping atomic.Bool

	mu  sync.Mutex
	txs []*txRecord
}

// account sends its transactions until the load is stopping, then waits
// (until ctx ends) for its last accepted one to be committed.
func (l *load) account(ctx context.Context, a int) {
	priv := testnet.BenchAccountKey(a)
	did := didmod.DeriveDID(priv.Public().(ed25519.PublicKey))
	sign := func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil }
	next := a // the node this account talks to first; it rotates on trouble
	for seq := uint64(0); !l.stopping.Load() && ctx.Err() == nil; seq++ {
		cid := client.RawCID(fmt.Appendf(nil, "fault/%s/%d/%d", l.run, a, seq))
		msg, err := client.Anchor(cid, "fault", nil)
		if err != nil {
			panic(err) // a fixed, valid message
		}
		tx, err := client.BuildTx(client.TxParams{ChainID: l.chainID, Signer: did, KeyID: didmod.FirstKeyID, Sequence: seq}, sign, msg)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(tx)
		rec := &txRecord{Hash: strings.ToUpper(hex.EncodeToString(sum[:])), Account: a, DID: did, Seq: seq, CID: cid.String(), Accepted: -1}
		l.mu.Lock()
		l.txs = append(l.txs, rec)
		l.mu.Unlock()
		if !l.deliver(ctx, tx, sum[:], rec, &next) {
			return
		}
	}
}

// deliver broadcasts tx until a node accepts it, then waits for it in a
// block. It returns false when the transaction was not committed (the
// load stopped before any node accepted it, or ctx ended).
func (l *load) deliver(ctx context.Context, tx, hash []byte, rec *txRecord, next *int) bool {
	n := len(l.clients)
	var lastSend time.Time
	for ctx.Err() == nil {
		accepted := rec.Accepted >= 0
		if !accepted && l.stopping.Load() {
			return false
		}
		if !accepted || time.Since(lastSend) > resendAfter {
			if accepted {
				l.stats.resent.Add(1)
			}
			node := *next % n
			lastSend = time.Now()
			rctx, cancel := context.WithTimeout(ctx, rpcTimeout)
			_, err := l.clients[node].Broadcast(rctx, tx)
			cancel()
			l.stats.broadcasts.Add(1)
			switch {
			case err == nil:
				l.mu.Lock()
				if rec.Accepted < 0 {
					rec.Accepted = time.Since(l.t0)
				}
				rec.Sends++
				l.mu.Unlock()
			case errors.Is(err, client.ErrCheckTx):
				// Refused: a restarted node still replaying, a full
				// mempool, or (on a resend) the transaction already
				// committed. Not accepted; it is looked up below.
				l.stats.refused.Add(1)
				*next++
			default:
				l.stats.unreachable.Add(1)
				*next++
			}
		}
		// Look for it in a block on one node per turn.
		node := *next % n
		rctx, cancel := context.WithTimeout(ctx, rpcTimeout)
		res, err := l.clients[node].RPC.Tx(rctx, hash, false)
		cancel()
		if err == nil {
			l.mu.Lock()
			rec.Height, rec.Code = res.Height, res.TxResult.Code
			l.mu.Unlock()
			return true
		}
		if !strings.Contains(err.Error(), "not found") {
			*next++ // that node does not answer
		}
		select {
		case <-ctx.Done():
		case <-time.After(retryInterval):
		}
	}
	return false
}

// records returns a copy of every transaction built so far.
func (l *load) records() []txRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]txRecord, len(l.txs))
	for i, r := range l.txs {
		out[i] = *r
	}
	return out
}
