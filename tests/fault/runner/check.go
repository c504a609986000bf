package runner

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/intercooperative/icnd/client"
)

// haltSettle is how long after the network lost its quorum a block that
// already had its votes may still commit.
const haltSettle = 5 * time.Second

// check runs every post-run check and fills rep.
func (r *Runner) check(ctx context.Context, rep *Report) {
	samples, apps := r.mon.snapshot()
	rep.Applied = r.applied
	r.checkCatchUp(rep, samples)
	r.checkLiveness(rep, samples)
	r.checkAppHashes(ctx, rep, apps)
	r.checkStateSynced(rep)
	r.fetchLogs(ctx, rep)
	r.checkTxs(ctx, rep)
	r.checkLogs(rep)
}

// fetchLogs reads every node's whole log, saves it under the run's logs/
// and notes the heights at which the node's app stood when it started
// again (CometBFT's handshake line).
func (r *Runner) fetchLogs(ctx context.Context, rep *Report) {
	dir := filepath.Join(r.dir, "logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		rep.fail("logs: %v", err)
	}
	r.nodeLogs = make([]string, len(r.clients))
	r.restartHeights = make([]map[int64]bool, len(r.clients))
	for i := range r.clients {
		out, err := r.cluster.logs(ctx, i)
		if err != nil {
			rep.fail("node%d: %v", i, err)
		}
		r.nodeLogs[i] = out
		if werr := os.WriteFile(filepath.Join(dir, fmt.Sprintf("node%d.log", i)), []byte(out), 0o644); werr != nil {
			rep.fail("logs: %v", werr)
		}
		r.restartHeights[i] = map[int64]bool{}
		for _, m := range handshakeLine.FindAllStringSubmatch(out, -1) {
			if h, err := strconv.ParseInt(m[1], 10, 64); err == nil && h > 0 {
				r.restartHeights[i][h] = true
			}
		}
	}
}

// handshakeLine is what CometBFT logs when it starts over an app that
// already holds state: the app's last committed height.
var handshakeLine = regexp.MustCompile(`ABCI Handshake App Info\s+module=consensus height=(\d+)`)

// errUnindexed marks a transaction that is in a node's block and state
// but missing from its transaction index, at the height the node was
// committing when the runner stopped or killed it.
var errUnindexed = errors.New("in the block and the state, not in the tx index")

// checkCatchUp measures, for every perturbed node, the time from its
// restore until it reported (not catching up) the height the others had
// at that moment, and holds it to the bound. A wiped node must also have
// rejoined by state sync: its earliest block is above 1.
func (r *Runner) checkCatchUp(rep *Report, samples [][]sample) {
	for k := range r.applied {
		a := &r.applied[k]
		if a.Restored == 0 {
			continue // the run stopped before this restore
		}
		bound := r.m.catchUp(a.Perturbation).D()
		for _, n := range a.nodes {
			cu := CatchUp{Event: a.Seq, Node: n, Target: a.Target, Took: -1}
			for _, s := range samples[n] {
				if s.at >= a.Restored && s.ok && !s.catchingUp && s.height >= a.Target {
					cu.Took = s.at - a.Restored
					break
				}
			}
			rep.CatchUps = append(rep.CatchUps, cu)
			switch {
			case cu.Took < 0:
				rep.fail("#%d %s: node%d never reached height %d after its restore", a.Seq, a.Op, n, a.Target)
			case cu.Took > bound:
				rep.fail("#%d %s: node%d took %s to reach height %d, bound %s", a.Seq, a.Op, n, cu.Took.Round(time.Second/10), a.Target, bound)
			}
		}
	}
}

// checkLiveness splits the run into windows by how many validators were
// down, a node counting as down from the moment its fault was issued until
// its restore completed, and joins consecutive windows of the same kind
// into stretches. In a stretch where the validators up hold more than two
// thirds of the power, the chain's height (the highest any node reported)
// must rise at least once and never stay still for more than StallBound;
// after a halt the stretch is checked from Grace after it opened (time for
// the restarted nodes to replay, redial and agree on a round). In a
// stretch where they do not, from haltSettle after it opened, the height
// must not rise by more than one block: the chain halts.
func (r *Runner) checkLiveness(rep *Report, samples [][]sample) {
	var actual []Event
	for _, a := range r.applied {
		if a.Issued == 0 && a.Restored == 0 {
			continue
		}
		e := a.Event
		e.Begin = a.Issued
		e.End = a.Restored
		if e.End == 0 {
			e.End = rep.LoadTime
		}
		actual = append(actual, e)
	}
	var stretches []Window
	for _, w := range Windows(r.m, actual, rep.LoadTime) {
		if n := len(stretches); n > 0 && stretches[n-1].Live == w.Live {
			stretches[n-1].To = w.To
			stretches[n-1].Down = max(stretches[n-1].Down, w.Down)
			continue
		}
		stretches = append(stretches, w)
	}
	rises := chainRises(samples)
	heightAt := func(t time.Duration) int64 {
		var h int64
		for _, p := range rises {
			if p.at > t {
				break
			}
			h = p.height
		}
		return h
	}
	for _, w := range stretches {
		lw := LiveWindow{Window: w, Checked: true}
		upFrom := fmt.Sprintf("from %s to %s", w.From.Round(time.Second), w.To.Round(time.Second))
		if w.Live {
			from := w.From
			if w.From > 0 {
				from += r.m.Grace.D() // the chain was halted until w.From
			}
			if from >= w.To {
				lw.Checked = false
				rep.Windows = append(rep.Windows, lw)
				continue
			}
			last := from
			for _, p := range rises {
				if p.at <= from || p.at > w.To {
					continue
				}
				lw.MaxStall = max(lw.MaxStall, p.at-last)
				last = p.at
			}
			lw.MaxStall = max(lw.MaxStall, w.To-last)
			lw.Blocks = heightAt(w.To) - heightAt(from)
			if lw.Blocks < 1 {
				rep.fail("liveness: a quorum was up %s, but no block after %s", upFrom, from.Round(time.Second))
			} else if lw.MaxStall > r.m.StallBound.D() {
				rep.fail("liveness: a quorum was up %s, but no new block for %s (bound %s)",
					upFrom, lw.MaxStall.Round(time.Second/10), r.m.StallBound.D())
			}
		} else {
			from := w.From + haltSettle
			if from >= w.To {
				lw.Checked = false
				rep.Windows = append(rep.Windows, lw)
				continue
			}
			lw.Blocks = heightAt(w.To) - heightAt(from)
			if lw.Blocks > 1 {
				rep.fail("halt: %d of %d validators were down %s, yet the chain made %d blocks",
					w.Down, r.m.Validators, upFrom, lw.Blocks)
			}
		}
		rep.Windows = append(rep.Windows, lw)
	}
}

// checkAppHashes compares every node's headers (block hash and app hash)
// at every height it holds up to the final height, and every app hash a
// node's own app reported (abci_info, sampled during the run) with the
// app hash the next header carries.
func (r *Runner) checkAppHashes(ctx context.Context, rep *Report, apps []appSample) {
	type hdr struct{ block, app string }
	headers := make([]map[int64]hdr, len(r.clients))
	final := rep.FinalHeight
	for i, c := range r.clients {
		headers[i] = map[int64]hdr{}
		st, err := status(ctx, c)
		if err != nil {
			rep.fail("node%d: status: %v", i, err)
			continue
		}
		rep.Bases = append(rep.Bases, st.SyncInfo.EarliestBlockHeight)
		for lo := max(st.SyncInfo.EarliestBlockHeight, 1); lo <= final; lo += 20 {
			hi := min(lo+19, final)
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			info, err := c.RPC.BlockchainInfo(cctx, lo, hi)
			cancel()
			if err != nil {
				rep.fail("node%d: blockchain %d-%d: %v", i, lo, hi, err)
				break
			}
			for _, meta := range info.BlockMetas {
				headers[i][meta.Header.Height] = hdr{meta.BlockID.Hash.String(), meta.Header.AppHash.String()}
			}
		}
	}
	if len(rep.Bases) != len(r.clients) {
		return
	}
	absent := make([]int, len(r.clients))
	for h := int64(1); h <= final; h++ {
		ref, refNode := hdr{}, -1
		for i := range r.clients {
			got, ok := headers[i][h]
			if !ok {
				if h >= max(rep.Bases[i], 1) {
					if absent[i]++; absent[i] <= 3 {
						rep.fail("node%d holds no header at height %d (its base is %d)", i, h, rep.Bases[i])
					}
				}
				continue
			}
			rep.HeadersCompared++
			if refNode < 0 {
				ref, refNode = got, i
				continue
			}
			if got != ref {
				rep.fail("height %d: node%d has block %s app hash %s, node%d has %s / %s", h, i, got.block, got.app, refNode, ref.block, ref.app)
			}
		}
	}
	for i, n := range absent {
		if n > 3 {
			rep.fail("node%d: %d headers missing in all", i, n)
		}
	}
	for _, s := range apps {
		var next hdr
		found := false
		for i := range r.clients {
			if got, ok := headers[i][s.height+1]; ok {
				next, found = got, true
				break
			}
		}
		if !found {
			continue
		}
		rep.AppHashesCompared++
		if !strings.EqualFold(next.app, s.appHash) {
			rep.fail("node%d's app reported app hash %s after height %d; the header at %d carries %s", s.node, s.appHash, s.height, s.height+1, next.app)
		}
	}
}

// checkStateSynced requires every node that was wiped to have rejoined by
// state sync rather than by replaying from genesis: its earliest block is
// above 1.
func (r *Runner) checkStateSynced(rep *Report) {
	if len(rep.Bases) != len(r.clients) {
		return
	}
	for _, a := range r.applied {
		if a.Op != OpWipe || a.Restored == 0 {
			continue
		}
		for _, n := range a.nodes {
			if rep.Bases[n] <= 1 {
				rep.fail("#%d wipe: node%d's earliest block is %d: it did not rejoin by state sync", a.Seq, n, rep.Bases[n])
			}
		}
	}
}

// checkTxs requires every transaction a node accepted (CheckTx code 0) to
// be in a block with result code 0, and to be found on every node: by
// /tx?hash= where the node holds that block, and where it does not (below
// a state-synced node's base) by its dag entry in the node's state.
func (r *Runner) checkTxs(ctx context.Context, rep *Report) {
	recs := r.load.records()
	rep.Stats = LoadStats{
		Broadcasts:  r.load.stats.broadcasts.Load(),
		Refused:     r.load.stats.refused.Load(),
		Unreachable: r.load.stats.unreachable.Load(),
		Resent:      r.load.stats.resent.Load(),
	}
	var accepted []txRecord
	for _, t := range recs {
		switch {
		case t.Accepted >= 0:
			accepted = append(accepted, t)
		case t.Height > 0:
			// Committed although no acceptance reached us (the answer
			// timed out): it counts as committed, not as accepted.
			rep.Stats.CommittedUnseen++
		}
	}
	rep.Stats.Accepted = len(accepted)
	for _, t := range accepted {
		switch {
		case t.Height == 0:
			rep.Stats.Lost++
			if rep.Stats.Lost <= 10 {
				rep.fail("lost: tx %s (account %d, sequence %d) accepted at %s was never seen in a block", t.Hash, t.Account, t.Seq, t.Accepted.Round(time.Second/10))
			}
		case t.Code != 0:
			rep.Stats.Failed++
			rep.fail("tx %s (account %d, sequence %d) is in block %d with code %d", t.Hash, t.Account, t.Seq, t.Height, t.Code)
		default:
			rep.Stats.Committed++
		}
	}
	type job struct {
		t    txRecord
		node int
	}
	jobs := make(chan job)
	var mu sync.Mutex
	missing := 0
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				err := r.lookUp(ctx, j.t, j.node, rep.Bases[j.node])
				mu.Lock()
				switch {
				case errors.Is(err, errUnindexed):
					rep.Stats.Unindexed++
					rep.UnindexedAt = appendUnique(rep.UnindexedAt, fmt.Sprintf("node%d@%d", j.node, j.t.Height))
				case err != nil:
					missing++
					if missing <= 10 {
						rep.fail("node%d: %v", j.node, err)
					}
				default:
					rep.Stats.Lookups++
				}
				mu.Unlock()
			}
		}()
	}
	if len(rep.Bases) == len(r.clients) {
		for _, t := range accepted {
			if t.Height == 0 {
				continue
			}
			for i := range r.clients {
				jobs <- job{t, i}
			}
		}
	}
	close(jobs)
	wg.Wait()
	if missing > 10 {
		rep.fail("... %d lookups failed in all", missing)
	}
}

// lookUp finds t on node i.
func (r *Runner) lookUp(ctx context.Context, t txRecord, i int, base int64) error {
	c := r.clients[i]
	if t.Height >= base {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		got, err := c.RPC.Tx(cctx, mustHex(t.Hash), false)
		if err != nil && strings.Contains(err.Error(), "not found") && r.restartHeights[i][t.Height] {
			return r.unindexed(ctx, t, i, err)
		}
		if err != nil {
			return fmt.Errorf("/tx?hash=0x%s (account %d, sequence %d, height %d): %v", t.Hash, t.Account, t.Seq, t.Height, err)
		}
		if got.Height != t.Height || got.TxResult.Code != 0 {
			return fmt.Errorf("/tx?hash=0x%s: height %d code %d, want height %d code 0", t.Hash, got.Height, got.TxResult.Code, t.Height)
		}
		return nil
	}
	// Below a state-synced node's base: the transaction's effect.
	return r.entryOn(ctx, t, i, fmt.Sprintf("below the node's base %d", base))
}

// unindexed handles a transaction node i's index does not know, in the
// block the node was committing when it went down (CometBFT's indexer
// takes a block's events from the event bus, which stops first, and
// nothing indexes the block again on restart). The transaction must still
// be in that block on the node and its entry in the node's state; then it
// is counted, not failed.
func (r *Runner) unindexed(ctx context.Context, t txRecord, i int, txErr error) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	h := t.Height
	b, err := r.clients[i].RPC.Block(cctx, &h)
	if err != nil {
		return fmt.Errorf("/tx?hash=0x%s: %v; and block %d: %v", t.Hash, txErr, h, err)
	}
	inBlock := false
	for _, tx := range b.Block.Txs {
		if strings.EqualFold(fmt.Sprintf("%X", tx.Hash()), t.Hash) {
			inBlock = true
		}
	}
	if !inBlock {
		return fmt.Errorf("/tx?hash=0x%s: %v; and block %d on the node does not hold it", t.Hash, txErr, h)
	}
	if err := r.entryOn(ctx, t, i, "not in the node's tx index"); err != nil {
		return err
	}
	return errUnindexed
}

// entryOn checks that t's dag entry is in node i's state, anchored at
// t's height.
func (r *Runner) entryOn(ctx context.Context, t txRecord, i int, why string) error {
	c := r.clients[i]
	cid, err := client.ParseCID(t.CID)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	e, _, err := client.NewQuerier(c, nil).Entry(cctx, cid, t.DID, 0)
	if err != nil {
		return fmt.Errorf("entry of tx %s (height %d, %s): %v", t.Hash, t.Height, why, err)
	}
	if e.Height != t.Height {
		return fmt.Errorf("entry of tx %s: height %d, the block says %d", t.Hash, e.Height, t.Height)
	}
	return nil
}

// panicLine matches what a Go panic or CometBFT's consensus failure
// prints.
var panicLine = regexp.MustCompile(`(?i)panic|CONSENSUS FAILURE`)

// logTime reads the timestamp of a CometBFT plain log line (UTC in the
// scratch image, which has no time zone data).
var logTime = regexp.MustCompile(`^[A-Z]\[(\d{4}-\d{2}-\d{2}\|\d{2}:\d{2}:\d{2}\.\d{3})\]`)

// shutdownRPCPanic reports whether line is the one panic the check
// tolerates: CometBFT's RPC server recovering a handler that read a store
// the node had already closed, logged while node i was being stopped by
// the runner (SIGTERM of a stop or a wipe). CometBFT's Node.OnStop closes
// the RPC listeners, then the block store, without waiting for requests
// in flight; the runner polls /status twice a second, so a request often
// lands in between. The handler's panic is recovered and answered with an
// error; the node's shutdown and restart are unaffected.
func (r *Runner) shutdownRPCPanic(i int, line string) bool {
	if !strings.Contains(line, "panic in RPC HTTP handler") || !strings.Contains(line, "leveldb: closed") {
		return false
	}
	m := logTime.FindStringSubmatch(line)
	if m == nil {
		return false
	}
	at, err := time.ParseInLocation("2006-01-02|15:04:05.000", m[1], time.UTC)
	if err != nil {
		return false
	}
	for _, a := range r.applied {
		if (a.Op != OpStop && a.Op != OpWipe) || !containsInt(a.nodes, i) || a.Issued == 0 {
			continue
		}
		from, to := r.t0.Add(a.Issued-time.Second), r.t0.Add(a.InPlace+time.Second)
		if !at.Before(from) && !at.After(to) {
			return true
		}
	}
	return false
}

// checkLogs saves every node's whole log under the run's logs/ and fails
// on any line that shows a panic or a consensus failure, but for the
// shutdown race shutdownRPCPanic describes, which it counts.
func (r *Runner) checkLogs(rep *Report) {
	for i, out := range r.nodeLogs {
		rep.LogLines += strings.Count(out, "\n")
		var hits []string
		for _, line := range strings.Split(out, "\n") {
			if !panicLine.MatchString(line) {
				continue
			}
			if r.shutdownRPCPanic(i, line) {
				rep.ShutdownRPCPanics++
				continue
			}
			hits = append(hits, line)
		}
		if len(hits) > 0 {
			first := hits[0]
			if len(first) > 600 {
				first = first[:600] + "..."
			}
			rep.fail("node%d's log has %d panic or consensus-failure lines (%s), the first: %s", i, len(hits),
				filepath.Join(r.dir, "logs", fmt.Sprintf("node%d.log", i)), first)
		}
	}
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func status(ctx context.Context, c *client.Client) (*coretypes.ResultStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.RPC.Status(ctx)
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
