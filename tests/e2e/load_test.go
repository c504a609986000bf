package e2e

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
)

// loader sends signed anchor transactions from the network's funded
// accounts to a set of target nodes until stopped.
type loader struct {
	n        *network
	accepted atomic.Int64
	refused  atomic.Int64
	mu       sync.Mutex
	hashes   [][]byte // a sample of accepted tx hashes
	targets  atomic.Value
	stop     context.CancelFunc
	wg       sync.WaitGroup
}

// startLoad sends about perAccount tx/s from each funded account, each to
// one of targets, and to the next one when that one does not answer.
//
// An account stays with its node: each transaction's sequence follows the
// one before in that node's check state. Sent round robin, the next
// transaction reached a node the previous one had not yet been gossiped to
// whenever gossip took longer than a tick; it was refused for its
// sequence, the account re-read its committed sequence and could sign that
// sequence again with other bytes, and one of the two was then dropped:
// a loss checkCommitted counted, as often as the scheduler delayed gossip.
func (n *network) startLoad(perAccount int, targets []int) *loader {
	n.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &loader{n: n, stop: cancel}
	l.targets.Store(targets)
	for i, node := range n.manifest.Nodes {
		kr, err := keyring.New(node.Home, keyring.BackendTest, nil)
		if err != nil {
			n.t.Fatal(err)
		}
		priv, err := kr.PrivateKey(node.KeyName)
		if err != nil {
			n.t.Fatal(err)
		}
		l.wg.Add(1)
		go l.run(ctx, i, node.DID, priv, perAccount)
	}
	return l
}

// retarget changes which nodes receive the load.
func (l *loader) retarget(targets []int) { l.targets.Store(targets) }

func (l *loader) run(ctx context.Context, acct int, did string, priv ed25519.PrivateKey, rate int) {
	defer l.wg.Done()
	sign := func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil }
	var seq uint64
	resync := true
	next := acct // the target this account sends to
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for k := 0; ; k++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		targets := l.targets.Load().([]int)
		c := l.n.client(targets[next%len(targets)])
		if resync {
			s, err := c.Sequence(ctx, did)
			if err != nil {
				next++
				continue
			}
			seq, resync = s, false
		}
		msg, err := client.Anchor(client.RawCID([]byte(fmt.Sprintf("load/%d/%d/%d", acct, seq, time.Now().UnixNano()))), "load", nil)
		if err != nil {
			panic(err)
		}
		tx, err := client.BuildTx(client.TxParams{ChainID: l.n.manifest.ChainID, Signer: did, KeyID: "key-1", Sequence: seq}, sign, msg)
		if err != nil {
			panic(err)
		}
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		res, err := c.Broadcast(sctx, tx)
		cancel()
		switch {
		case err == nil:
			seq++
			l.accepted.Add(1)
			if k%10 == 0 {
				l.mu.Lock()
				l.hashes = append(l.hashes, hashOf(res.Hash))
				l.mu.Unlock()
			}
		case errors.Is(err, client.ErrCheckTx):
			l.refused.Add(1)
			if strings.Contains(err.Error(), "wrong sequence") {
				resync = true
			}
		default:
			// Node unreachable (killed): the next one, on the next tick.
			resync = true
			next++
		}
	}
}

func (l *loader) halt() {
	l.stop()
	l.wg.Wait()
}

func hashOf(hexHash string) []byte {
	var b []byte
	fmt.Sscanf(hexHash, "%X", &b)
	return b
}

// checkCommitted waits for every sampled transaction and requires code 0.
func (l *loader) checkCommitted(t *testing.T, node int) {
	t.Helper()
	l.mu.Lock()
	hashes := append([][]byte(nil), l.hashes...)
	l.mu.Unlock()
	if len(hashes) == 0 {
		t.Fatal("the load generator got no transaction accepted")
	}
	c := l.n.client(node)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	missing := 0
	for _, h := range hashes {
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := c.WaitTx(wctx, h)
		wcancel()
		if err != nil {
			// A transaction accepted by a node that was then killed may be
			// lost with its mempool; allow a few.
			missing++
			continue
		}
		if res.Code != 0 {
			t.Errorf("load tx %X failed: %s/%d %s", h, res.Codespace, res.Code, res.Log)
		}
	}
	if missing*5 > len(hashes) {
		t.Fatalf("%d of %d sampled load transactions never committed", missing, len(hashes))
	}
	t.Logf("load: %d accepted, %d refused; %d sampled, %d not committed", l.accepted.Load(), l.refused.Load(), len(hashes), missing)
}
