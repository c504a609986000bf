package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/intercooperative/icnd/client"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/node/testnet"
)

// sender is one account's queue of pre-built transactions, pinned to one
// connection so that its sequences reach one mempool in order.
type sender struct {
	txs  [][]byte
	next int
	conn int
}

// buildLoad pre-builds enough transactions for rate x duration (plus
// slack), so that signing does not compete with the nodes for CPU during
// the run.
func buildLoad(cfg config, n *network, rate int) ([]*sender, error) {
	app, chainID := n.app, n.manifest.ChainID
	total := int(float64(rate)*(cfg.duration.Seconds()+5)) + 1
	if app == "cosmos-sdk" {
		return sdkLoad(cfg, n, total/cfg.accounts+1)
	}
	if app == "kvstore" {
		// kvstore transactions are independent: one queue per connection.
		senders := make([]*sender, cfg.conns)
		for i := range senders {
			senders[i] = &sender{conn: i}
		}
		for k := 0; k < total; k++ {
			s := senders[k%len(senders)]
			s.txs = append(s.txs, kvTx(k, cfg.txSize))
		}
		return senders, nil
	}
	senders := make([]*sender, cfg.accounts)
	perAccount := total/cfg.accounts + 1
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for a := range senders {
		senders[a] = &sender{conn: a % cfg.conns, txs: make([][]byte, perAccount)}
	}
	work := make(chan int)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				priv := testnet.BenchAccountKey(a)
				did := didmod.DeriveDID(priv.Public().(ed25519.PublicKey))
				sign := func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil }
				for seq := 0; seq < perAccount; seq++ {
					tx, err := anchorTx(chainID, did, uint64(seq), sign, a, cfg.txSize)
					if err != nil {
						firstErr.CompareAndSwap(nil, err)
						return
					}
					senders[a].txs[seq] = tx
				}
			}
		}()
	}
	for a := range senders {
		work <- a
	}
	close(work)
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, err
	}
	return senders, nil
}

// anchorTx builds a signed anchor of a unique CID, padded with the memo to
// size bytes.
func anchorTx(chainID, did string, seq uint64, sign client.Signer, acct, size int) ([]byte, error) {
	msg, err := client.Anchor(client.RawCID([]byte(fmt.Sprintf("load/%d/%d", acct, seq))), "load", nil)
	if err != nil {
		return nil, err
	}
	p := client.TxParams{ChainID: chainID, Signer: did, KeyID: didmod.FirstKeyID, Sequence: seq}
	tx, err := client.BuildTx(p, sign, msg)
	if err != nil {
		return nil, err
	}
	if pad := size - len(tx); pad > 0 {
		// The memo adds its bytes plus a tag and a length byte.
		p.Memo = strings.Repeat("m", max(pad-2, 0))
		return client.BuildTx(p, sign, msg)
	}
	return tx, nil
}

// sdkLoad has the Cosmos SDK peer's binary pre-sign perAccount bank sends
// for each of its funded accounts (account numbers in genesis order,
// sequences from 0) and reads them back: one sender per account, pinned
// to a connection as icnd's are.
func sdkLoad(cfg config, n *network, perAccount int) ([]*sender, error) {
	file := filepath.Join(n.dir, "sdkpeer-txs.bin")
	sign := exec.Command(cfg.sdkpeer, "sign", "--chain-id", n.manifest.ChainID, "--accounts", strconv.Itoa(cfg.accounts),
		"--per-account", strconv.Itoa(perAccount), "--size", strconv.Itoa(cfg.txSize), "--out", file)
	if out, err := sign.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("sdkpeerd sign: %v\n%s", err, out)
	}
	bz, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	defer os.Remove(file)
	txs, err := parseSigned(bz, cfg.accounts, perAccount)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	senders := make([]*sender, len(txs))
	for a := range senders {
		senders[a] = &sender{conn: a % cfg.conns, txs: txs[a]}
	}
	return senders, nil
}

// parseSigned reads the file sdkpeerd sign writes: the account count and
// the per-account count (uint32 big endian), then each account's
// transactions in sequence order, each a uvarint length and its bytes.
func parseSigned(bz []byte, accounts, perAccount int) ([][][]byte, error) {
	if len(bz) < 8 {
		return nil, fmt.Errorf("%d bytes, want an 8-byte header", len(bz))
	}
	a, p := int(binary.BigEndian.Uint32(bz[:4])), int(binary.BigEndian.Uint32(bz[4:8]))
	if a != accounts || p != perAccount {
		return nil, fmt.Errorf("holds %d accounts x %d txs, want %d x %d", a, p, accounts, perAccount)
	}
	bz = bz[8:]
	out := make([][][]byte, accounts)
	for acct := range out {
		out[acct] = make([][]byte, perAccount)
		for seq := range perAccount {
			l, k := binary.Uvarint(bz)
			if k <= 0 || l == 0 || uint64(len(bz)-k) < l {
				return nil, fmt.Errorf("truncated at account %d sequence %d", acct, seq)
			}
			out[acct][seq] = bz[k : k+int(l)]
			bz = bz[k+int(l):]
		}
	}
	if len(bz) != 0 {
		return nil, fmt.Errorf("%d bytes after the last transaction", len(bz))
	}
	return out, nil
}

func kvTx(k, size int) []byte {
	key := fmt.Sprintf("load%012d=", k)
	return []byte(key + strings.Repeat("v", max(size-len(key), 1)))
}

// submission records when a transaction was sent.
type submission struct {
	hash [sha256.Size]byte
	at   time.Time
}

// loadStats are the submitter's counters.
type loadStats struct {
	offered, accepted, refused, full, failed atomic.Int64
}

// offer sends the senders' transactions at rate per second over the
// network's connections until end, and returns what it submitted. Offers
// still queued at end are dropped, so the run ends on time even when the
// network (or this generator) cannot keep up.
func offer(ctx context.Context, n *network, cfg config, senders []*sender, rate int, end time.Time, stats *loadStats) []submission {
	type job struct{ s *sender }
	queues := make([]chan job, cfg.conns)
	var mu sync.Mutex
	subs := make([]submission, 0, rate*int(time.Until(end).Seconds()+1))
	var wg sync.WaitGroup
	for c := range queues {
		queues[c] = make(chan job, 4096)
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			cl := n.client(c)
			for j := range queues[c] {
				s := j.s
				if s.next >= len(s.txs) || time.Now().After(end) {
					continue
				}
				tx := s.txs[s.next]
				at := time.Now()
				rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := cl.Broadcast(rctx, tx)
				cancel()
				switch {
				case err == nil:
					s.next++
					stats.accepted.Add(1)
					mu.Lock()
					subs = append(subs, submission{hash: sha256.Sum256(tx), at: at})
					mu.Unlock()
				case errors.Is(err, client.ErrCheckTx) && strings.Contains(err.Error(), "mempool is full"):
					stats.full.Add(1) // retried on the sender's next turn
				case errors.Is(err, client.ErrCheckTx):
					stats.refused.Add(1)
					s.next++
				default:
					stats.failed.Add(1)
				}
			}
		}(c)
	}
	// Pace in 10 ms slots; each slot offers rate/100 transactions, round
	// robin over the senders.
	const slot = 10 * time.Millisecond
	perSlot := float64(rate) * slot.Seconds()
	tick := time.NewTicker(slot)
	defer tick.Stop()
	var credit float64
	k := 0
	for now := range tick.C {
		if now.After(end) || ctx.Err() != nil {
			break
		}
		credit += perSlot
		for ; credit >= 1; credit-- {
			s := senders[k%len(senders)]
			k++
			stats.offered.Add(1)
			select {
			case queues[s.conn] <- job{s}:
			default: // connection backlogged: the offer is dropped
			}
		}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	return subs
}
