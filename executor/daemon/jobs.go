package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/executor"
	"github.com/intercooperative/icnd/modules/mesh"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// Transaction kinds, as logs, metrics and the state name them.
const (
	kindBid    = "bid"
	kindCommit = "commit"
	kindReveal = "reveal"
)

// The app's wrong-sequence refusal (app.ErrBadSequence; the executor does
// not import app): codespace "tx", code 24, "have H, want W".
const (
	txCodespace     = "tx"
	badSequenceCode = 24
)

var wantSequence = regexp.MustCompile(`want (\d+)`)

// reconcile brings one job forward from what the chain says at tip: bid,
// run, commit, reveal, or close. Every step first asks the chain whether
// it is already done, so that a restart repeats nothing.
func (d *Daemon) reconcile(ctx context.Context, st *JobState, tip int64) {
	v, _, err := d.q.Job(ctx, st.Job, 0)
	if errors.Is(err, client.ErrNotFound) {
		d.closeJob(st, "not found on chain")
		return
	}
	if err != nil {
		d.log.Warn("query job", "job", st.Job, "err", err)
		return
	}
	var mine *client.BidView
	for _, b := range v.Bids {
		if b.Executor == d.cfg.DID {
			mine = b
		}
	}
	if mine != nil {
		d.observe(st, mine, tip)
	}
	switch v.Status {
	case "open":
		if mine != nil || st.Bid.Failed != "" {
			return
		}
		if time.Since(d.meAt) > 5*time.Second {
			// The free bond and the reputation change with every bid
			// and settlement: decide on a fresh record.
			if err := d.refreshExecutor(ctx); err != nil {
				d.log.Warn("refresh the executor record", "err", err)
			}
		}
		price, reason := d.cfg.Policy.Decide(d.me, termsOf(v))
		if reason != "" {
			st.Skipped = reason
			d.closeJob(st, "skipped")
			return
		}
		if !d.inputsReady(ctx, st, v) {
			return // bid once the module and the input are here
		}
		st.Price = price
		msg, err := client.Bid(st.Job, price)
		if err != nil {
			st.Bid.Failed = err.Error()
			d.save(st)
			return
		}
		d.ensureTx(ctx, st, &st.Bid, kindBid, msg, tip, v.WindowClose)
	case "assigned":
		if mine == nil || !mine.Assigned {
			d.closeJob(st, "not assigned")
			return
		}
		d.assigned(ctx, st, v, mine, tip)
	default:
		d.settled(st, v, mine)
	}
}

// assigned runs the job, then commits to its receipt, then reveals it.
func (d *Daemon) assigned(ctx context.Context, st *JobState, v *client.JobView, mine *client.BidView, tip int64) {
	if st.Run == nil {
		// A run is worth starting while its result can still be committed,
		// or, once committed (and the result lost with the state), while the
		// rebuilt receipt, the same bytes, can still be revealed.
		useful := tip < v.CommitDeadline || (mine.Commitment != "" && tip < v.DeadlineHeight)
		if st.NoReceipt == "" && !d.running[st.Job] && len(d.running) < d.cfg.Parallel &&
			time.Now().After(d.fetchAfter[st.Job]) && useful {
			d.startRun(ctx, st, v)
		}
		return
	}
	if st.Receipt == nil {
		block, err := client.ReceiptFor(v, client.ReceiptResult{Output: st.Run.Output, Fuel: st.Run.Fuel, Exit: st.Run.Exit},
			client.ReceiptSigner{ChainID: d.chainID, Executor: d.cfg.DID, KeyID: d.cfg.KeyID, Sign: d.cfg.Sign})
		if err != nil {
			d.log.Error("build the receipt", "job", st.Job, "err", err)
			return
		}
		c := receipt.CID(block)
		st.Receipt, st.ReceiptCID = block, c.String()
		d.save(st)
		if err := d.cfg.Blocks.PutBlock(c, block); err != nil {
			d.log.Warn("store the receipt block", "job", st.Job, "err", err)
		}
		d.log.Info("receipt signed", "job", st.Job, "receipt", st.ReceiptCID, "output", st.Run.Output, "fuel", st.Run.Fuel, "exit", st.Run.Exit)
	}
	if mine.Commitment == "" {
		if st.Commit.Failed != "" {
			return
		}
		msg, _, err := client.CommitReceipt(st.Receipt)
		if err != nil {
			st.Commit.Failed = err.Error()
			d.save(st)
			return
		}
		d.ensureTx(ctx, st, &st.Commit, kindCommit, msg, tip, v.CommitDeadline)
		return
	}
	if mine.Receipt != "" || st.Reveal.Failed != "" || !commitPhaseClosed(v, tip) {
		return
	}
	msg, err := client.SubmitReceipt(st.Receipt)
	if err != nil {
		st.Reveal.Failed = err.Error()
		d.save(st)
		return
	}
	d.ensureTx(ctx, st, &st.Reveal, kindReveal, msg, tip, v.DeadlineHeight)
}

// observe records the steps the chain shows done for the executor's bid:
// the bid, the commitment, the receipt (whatever the job's status now).
func (d *Daemon) observe(st *JobState, mine *client.BidView, tip int64) {
	changed := false
	if !st.Bid.Done {
		st.Bid.Done, st.Bid.DoneHeight, changed = true, mine.Height, true
		d.log.Info("bid on chain", "job", st.Job, "height", mine.Height, "price", mine.Price)
	}
	if mine.Commitment != "" && !st.Commit.Done {
		st.Commit.Done, st.Commit.DoneHeight, changed = true, tip, true
		d.m.ReceiptsCommitted.Inc()
		d.log.Info("commitment on chain", "job", st.Job, "commitment", mine.Commitment)
	}
	if mine.Receipt != "" && !st.Reveal.Done {
		st.Reveal.Done, st.Reveal.DoneHeight, changed = true, tip, true
		d.m.ReceiptsAccepted.Inc()
		d.log.Info("receipt on chain", "job", st.Job, "receipt", mine.Receipt)
	}
	if changed {
		d.save(st)
	}
}

// commitPhaseClosed reports whether a receipt sent now can be revealed:
// every assigned executor committed, or the commit deadline has passed
// (the phase closes at the end of block commit_deadline).
func commitPhaseClosed(v *client.JobView, tip int64) bool {
	if tip >= v.CommitDeadline {
		return true
	}
	for _, b := range v.Bids {
		if b.Assigned && b.Commitment == "" {
			return false
		}
	}
	return true
}

// settled records how a closed job ended for the executor and forgets it.
func (d *Daemon) settled(st *JobState, v *client.JobView, mine *client.BidView) {
	if mine != nil && mine.Assigned {
		switch {
		case mine.Receipt == "":
			st.Outcome = "absent"
		case v.Status == "completed" && mine.Output == v.Output && mine.Fuel == v.Fuel && mine.Exit == v.Exit:
			st.Outcome = "agreed"
		case v.Status == "completed":
			st.Outcome = "disagreed"
		default:
			st.Outcome = "unresolved"
		}
		st.Paid = mine.Paid
		d.m.Settled.WithLabelValues(st.Outcome).Inc()
	}
	d.closeJob(st, v.Status)
}

// ensureTx sends msg for rec unless an earlier attempt may still be
// included: an attempt is given up only when the node refused it, or its
// timeout height has passed and it is in no block. A transaction is never
// included after limit.
func (d *Daemon) ensureTx(ctx context.Context, st *JobState, rec *TxRecord, kind string, msg *txv1.Msg, tip, limit int64) {
	if rec.Done || rec.Failed != "" {
		return
	}
	if a := rec.last(); a != nil && a.Refused == "" {
		hash, _ := hex.DecodeString(a.Hash)
		res, err := d.c.RPC.Tx(ctx, hash, false)
		switch judgeAttempt(res, err, tip, a.TimeoutHeight) {
		case attemptIncluded:
			return // included: the chain shows it at the next reconcile
		case attemptFailed:
			a.Code, a.Log = res.TxResult.Code, res.TxResult.Log
			d.m.TxErrors.WithLabelValues(kind).Inc()
			d.log.Warn("transaction failed", "job", st.Job, "kind", kind, "tx", a.Hash, "code", a.Code, "log", a.Log)
			if !retriable(res.TxResult.Codespace, res.TxResult.Code) {
				rec.Failed = fmt.Sprintf("%s/%d: %s", res.TxResult.Codespace, res.TxResult.Code, res.TxResult.Log)
				d.save(st)
				return
			}
			d.seqKnown = false
			d.save(st)
		case attemptPending:
			if !strings.Contains(err.Error(), "not found") {
				d.log.Warn("look up a transaction", "job", st.Job, "tx", a.Hash, "err", err)
			}
			return // may still be included
		case attemptExpired:
			d.log.Info("transaction expired unincluded; sending again", "job", st.Job, "kind", kind, "tx", a.Hash,
				"timeout_height", a.TimeoutHeight, "lookup", err)
			d.seqKnown = false
		}
	}
	if send, giveUp := rec.mayResend(tip); giveUp != "" {
		rec.Failed = giveUp
		d.save(st)
		return
	} else if !send {
		return
	}
	if tip+1 > limit {
		rec.Failed = fmt.Sprintf("too late: height %d is past %d", tip+1, limit)
		d.save(st)
		d.log.Warn("too late to send", "job", st.Job, "kind", kind, "limit", limit)
		return
	}
	for try := 0; try < 2; try++ {
		refused, err := d.send(ctx, st, rec, kind, msg, tip, min(tip+d.cfg.TxTimeoutBlocks, limit))
		if err != nil || !refused {
			return
		}
	}
}

// What an attempt broadcast earlier (not refused by the node) means now.
type attemptVerdict int

const (
	// attemptPending: it may still be included: send nothing in its place.
	attemptPending attemptVerdict = iota
	// attemptIncluded: it is in a block and succeeded.
	attemptIncluded
	// attemptFailed: it is in a block and failed; its code says whether
	// another may be sent.
	attemptFailed
	// attemptExpired: it can never be included, and did nothing: another
	// may be sent.
	attemptExpired
)

// judgeAttempt judges an attempt with timeout height timeout from the node's
// answer to a lookup of its hash (res, err) at height tip. When the lookup
// fails, whether the node does not know the transaction, cannot look it up
// (tx_index.indexer = "null": "transaction indexing is disabled") or does not
// answer, the timeout height decides: past it the attempt can never be
// included, and the caller, which read the job at height tip - 1 or later
// (at least the timeout height), saw that it did nothing.
func judgeAttempt(res *coretypes.ResultTx, err error, tip, timeout int64) attemptVerdict {
	switch {
	case err == nil && res.TxResult.Code == 0:
		return attemptIncluded
	case err == nil:
		return attemptFailed
	case tip <= timeout:
		return attemptPending
	default:
		return attemptExpired
	}
}

// maxAttempts bounds the transactions sent for one step of one job.
const maxAttempts = 5

// mayResend decides, at height tip, whether another attempt may be sent for
// a step whose last attempt is not pending: send, wait, or give up (why).
//
// Only attempts that may have reached a mempool count toward maxAttempts:
// one the node refused is in no mempool, costs nothing and changes nothing,
// and a node whose mempool is full for a while must not make the daemon
// give up a step (its commitment: it would be slashed as absent). A step is
// tried again at most once per block after a refusal, and given up after
// maxRefusals of them.
func (r *TxRecord) mayResend(tip int64) (send bool, giveUp string) {
	if n := r.Sent(); n >= maxAttempts {
		return false, fmt.Sprintf("%d attempts", n)
	}
	if n := len(r.Attempts) - r.Sent(); n >= maxRefusals {
		return false, fmt.Sprintf("%d attempts refused by the node", n)
	}
	if a := r.last(); a != nil && a.Refused != "" && a.Height >= tip {
		return false, "" // refused in this block: try again in the next
	}
	return true, ""
}

// maxRefusals bounds the attempts the node refused for one step of one job.
const maxRefusals = 100

// retriable reports whether a transaction that failed in a block may be
// sent again: a wrong sequence, or a reveal that came before the commit
// phase closed.
func retriable(codespace string, code uint32) bool {
	return (codespace == txCodespace && code == badSequenceCode) ||
		(codespace == mesh.Codespace && code == mesh.ErrRevealTooEarly.Code())
}

// send signs msg, records the attempt durably, then broadcasts it. It
// reports refused when the node refused it for a wrong sequence, which it
// has corrected, so that the caller may try once more.
func (d *Daemon) send(ctx context.Context, st *JobState, rec *TxRecord, kind string, msg *txv1.Msg, tip, timeout int64) (bool, error) {
	if !d.seqKnown {
		seq, err := d.c.Sequence(ctx, d.cfg.DID)
		if err != nil {
			d.log.Warn("query the sequence", "err", err)
			return false, err
		}
		d.seq, d.seqKnown = seq, true
	}
	p := client.TxParams{ChainID: d.chainID, Signer: d.cfg.DID, KeyID: d.cfg.KeyID, Sequence: d.seq, TimeoutHeight: uint64(timeout)}
	tx, err := client.BuildTx(p, d.cfg.Sign, msg)
	if err != nil {
		rec.Failed = err.Error()
		d.save(st)
		return false, err
	}
	sum := sha256.Sum256(tx)
	rec.Attempts = append(rec.Attempts, TxAttempt{Hash: strings.ToUpper(hex.EncodeToString(sum[:])), Sequence: d.seq, TimeoutHeight: timeout, Height: tip})
	a := &rec.Attempts[len(rec.Attempts)-1]
	// Durable before it leaves: after a crash, the attempt is known.
	if err := d.state.Save(st); err != nil {
		rec.Attempts = rec.Attempts[:len(rec.Attempts)-1]
		d.log.Error("save job state; not sending", "job", st.Job, "err", err)
		return false, err
	}
	_, err = d.c.Broadcast(ctx, tx)
	switch {
	case err == nil:
		d.seq++
		if kind == kindBid {
			d.m.BidsSent.Inc()
		}
		d.log.Info(kind+" sent", "job", st.Job, "tx", a.Hash, "sequence", a.Sequence, "timeout_height", timeout)
		return false, nil
	case errors.Is(err, client.ErrCheckTx):
		a.Refused = err.Error()
		d.save(st)
		d.m.TxErrors.WithLabelValues(kind).Inc()
		d.log.Warn(kind+" refused by the node", "job", st.Job, "tx", a.Hash, "err", err)
		if strings.Contains(err.Error(), fmt.Sprintf("(%s/%d)", txCodespace, badSequenceCode)) {
			d.seqKnown = false
			if m := wantSequence.FindStringSubmatch(err.Error()); m != nil {
				if want, perr := strconv.ParseUint(m[1], 10, 64); perr == nil {
					d.seq, d.seqKnown = want, true
				}
			}
			return true, nil
		}
		if !retriableRefusal(err) {
			rec.Failed = a.Refused
			d.save(st)
		}
		return false, err
	default:
		// It may or may not have reached the node: the attempt stands
		// until its timeout height.
		d.seqKnown = false
		d.m.TxErrors.WithLabelValues(kind).Inc()
		d.log.Warn(kind+" broadcast failed; waiting for its timeout height before sending again", "job", st.Job, "tx", a.Hash, "err", err)
		return false, err
	}
}

// retriableRefusal reports whether a CheckTx refusal may pass later: the
// commit phase still open, a full mempool.
func retriableRefusal(err error) bool {
	s := err.Error()
	return strings.Contains(s, fmt.Sprintf("(%s/%d)", mesh.Codespace, mesh.ErrRevealTooEarly.Code())) ||
		strings.Contains(s, "mempool is full")
}

// runDone is a finished run.
type runDone struct {
	job string
	rec *RunRecord
	err error
	// fetch is set when the module or input could not be fetched.
	fetch bool
}

func (d *Daemon) startRun(ctx context.Context, st *JobState, v *client.JobView) {
	d.running[st.Job] = true
	d.log.Info("running", "job", st.Job, "module", v.Module, "input", v.Input, "fuel_limit", v.FuelLimit, "memory_pages", v.MemoryPages)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		var (
			rec         *RunRecord
			fetchFailed bool
			err         error
		)
		func() {
			// A bug anywhere in a run (the fetcher, the instrumenter,
			// wazero) must not take the daemon down, nor, since a restart
			// runs the job again, keep it down: the run gives no result.
			defer func() {
				if p := recover(); p != nil {
					rec, fetchFailed, err = nil, false, fmt.Errorf("the run panicked: %v", p)
				}
			}()
			rec, fetchFailed, err = d.execute(ctx, v)
		}()
		select {
		case d.done <- runDone{job: st.Job, rec: rec, err: err, fetch: fetchFailed}:
		case <-ctx.Done():
		}
	}()
}

// execute fetches the module and the input and runs the job; fetchFailed
// says that the error is a fetch's, which may pass on a later try.
func (d *Daemon) execute(ctx context.Context, v *client.JobView) (rec *RunRecord, fetchFailed bool, err error) {
	module, err := d.fetch(ctx, v.Module)
	if err != nil {
		return nil, true, fmt.Errorf("module %s: %w", v.Module, err)
	}
	input, err := d.fetch(ctx, v.Input)
	if err != nil {
		return nil, true, fmt.Errorf("input %s: %w", v.Input, err)
	}
	rt, err := d.runtime(ctx, v.MemoryPages)
	if err != nil {
		return nil, false, err
	}
	rctx, cancel := context.WithTimeout(ctx, d.cfg.RunTimeout)
	defer cancel()
	start := time.Now()
	res, err := rt.Run(rctx, module, input, v.FuelLimit)
	if err != nil {
		return nil, false, err
	}
	rec = &RunRecord{Output: res.OutputID.String(), Fuel: res.Fuel, Exit: uint64(res.Status), Status: res.Status.String(),
		Millis: time.Since(start).Milliseconds(), Detail: res.Detail}
	c, err := d.cfg.Blocks.Put(res.Output)
	if err != nil {
		return nil, false, fmt.Errorf("store the output: %w", err)
	}
	if !c.Equals(res.OutputID) {
		return nil, false, fmt.Errorf("the store named the output %s, the runtime %s", c, res.OutputID)
	}
	if d.cfg.Network != nil {
		if err := d.cfg.Network.Provide(ctx, c); err != nil {
			d.log.Warn("announce the output", "output", c, "err", err)
		} else {
			rec.Provided = true
		}
	}
	return rec, false, nil
}

func (d *Daemon) fetch(ctx context.Context, s string) ([]byte, error) {
	c, err := cid.Decode(s)
	if err != nil {
		return nil, err
	}
	if data, err := d.cfg.Blocks.Get(c); err == nil {
		return data, nil
	} else if d.cfg.Network == nil {
		return nil, fmt.Errorf("not in the block store and no peers configured: %w", err)
	}
	fctx, cancel := context.WithTimeout(ctx, d.cfg.FetchTimeout)
	defer cancel()
	return d.cfg.Network.Fetch(fctx, c)
}

// runtime returns the runtime of a memory limit: the job's memory_pages,
// the one limit every executor of the job knows, so that all run it alike.
func (d *Daemon) runtime(ctx context.Context, pages uint64) (*executor.Runtime, error) {
	cfg, err := executor.JobConfig(d.cfg.Engine, pages)
	if err != nil {
		return nil, err
	}
	d.rtMu.Lock()
	defer d.rtMu.Unlock()
	if rt, ok := d.runtimes[uint32(pages)]; ok {
		return rt, nil
	}
	rt, err := executor.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	d.runtimes[uint32(pages)] = rt
	return rt, nil
}

// hostErrorBackoff is how long a run that failed on the executor's side
// waits before it runs again.
const hostErrorBackoff = 10 * time.Second

// finishRun records a run's result, then commits at once.
func (d *Daemon) finishRun(ctx context.Context, r runDone, tip int64) {
	delete(d.running, r.job)
	st, ok := d.jobs[r.job]
	if !ok || ctx.Err() != nil {
		return // shutting down: the run is done again after a restart
	}
	switch {
	case r.fetch:
		d.m.RunFailures.WithLabelValues("fetch").Inc()
		d.fetchAfter[r.job] = time.Now().Add(5 * time.Second)
		d.log.Warn("fetch failed; retrying", "job", r.job, "err", r.err)
		return
	case errors.Is(r.err, executor.ErrNoReceipt):
		st.NoReceipt = r.err.Error()
		d.m.RunFailures.WithLabelValues("no receipt").Inc()
		d.save(st)
		d.log.Warn("run stopped by the safety net: no receipt", "job", r.job, "timeout", d.cfg.RunTimeout)
		return
	case r.err != nil:
		// The executor's fault (its disk, its memory, a bug), not the
		// job's: no result, but not the end of the job either. It runs
		// again later while the commit deadline allows, so that an
		// operator who fixes the machine in time is not slashed as absent.
		d.m.RunFailures.WithLabelValues("host error").Inc()
		d.fetchAfter[r.job] = time.Now().Add(hostErrorBackoff)
		d.log.Error("run failed on this machine; running it again later", "job", r.job, "err", r.err, "in", hostErrorBackoff)
		return
	}
	st.Run = r.rec
	d.save(st)
	d.countRun(r.rec)
	d.log.Info("ran", "job", r.job, "status", r.rec.Status, "fuel", r.rec.Fuel, "output", r.rec.Output, "millis", r.rec.Millis)
	d.reconcile(ctx, st, tip)
}

// countRun counts a run that gave a result.
func (d *Daemon) countRun(rec *RunRecord) {
	d.m.JobsRun.Inc()
	d.m.FuelUsed.Add(float64(rec.Fuel))
	switch {
	case rec.Exit == uint64(executor.StatusOK):
	case rec.Exit >= uint64(executor.StatusExitBase):
		// One label for every exit code: the job picks the code, and
		// would otherwise pick how many series the executor exports.
		d.m.RunFailures.WithLabelValues("exit").Inc()
	default:
		d.m.RunFailures.WithLabelValues(rec.Status).Inc()
	}
}

// maxPrefetch bounds the jobs whose blocks are fetched at once before a bid.
const maxPrefetch = 8

// prefetchDone is the end of fetching a job's module and input before a bid.
type prefetchDone struct {
	job string
	err error
}

// inputsReady reports whether the module and the input of the open job v
// are in the block store, and when they are not starts fetching them, in
// the background: the daemon bids only on a job it can run. A job whose
// module or input nobody serves would otherwise cost every executor assigned
// to it a fifth of its bid's hold (slashed as absent), and its poster
// nothing; once fetched, the blocks stay in the store, so a poster cannot
// take them away after the bid.
func (d *Daemon) inputsReady(ctx context.Context, st *JobState, v *client.JobView) bool {
	if d.ready[st.Job] {
		return true
	}
	if d.prefetching[st.Job] || !time.Now().After(d.fetchAfter[st.Job]) || len(d.prefetching) >= maxPrefetch {
		return false
	}
	have := func(s string) bool {
		c, err := cid.Decode(s)
		if err != nil {
			return false
		}
		_, err = d.cfg.Blocks.Get(c)
		return err == nil
	}
	if have(v.Module) && have(v.Input) {
		d.ready[st.Job] = true
		return true
	}
	d.prefetching[st.Job] = true
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("fetching panicked: %v", p)
				}
			}()
			if _, err = d.fetch(ctx, v.Module); err != nil {
				err = fmt.Errorf("module %s: %w", v.Module, err)
				return
			}
			if _, err = d.fetch(ctx, v.Input); err != nil {
				err = fmt.Errorf("input %s: %w", v.Input, err)
			}
		}()
		select {
		case d.prefetched <- prefetchDone{job: st.Job, err: err}:
		case <-ctx.Done():
		}
	}()
	return false
}

// finishPrefetch records a prefetch's end and, when it succeeded, bids.
func (d *Daemon) finishPrefetch(ctx context.Context, r prefetchDone, tip int64) {
	delete(d.prefetching, r.job)
	st, ok := d.jobs[r.job]
	if !ok || ctx.Err() != nil {
		return
	}
	if r.err != nil {
		d.m.RunFailures.WithLabelValues("fetch").Inc()
		d.fetchAfter[r.job] = time.Now().Add(5 * time.Second)
		d.log.Warn("not bidding yet: the module or the input cannot be fetched", "job", r.job, "err", r.err)
		return
	}
	d.ready[r.job] = true
	d.reconcile(ctx, st, tip)
}
