package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/executor"
	"github.com/intercooperative/icnd/executor/blockstore"
)

// Blocks is the content-addressed store the daemon reads modules and
// inputs from and writes outputs and receipts to (executor/blockstore).
type Blocks interface {
	Get(c cid.Cid) ([]byte, error)
	Put(data []byte) (cid.Cid, error)
	PutBlock(c cid.Cid, data []byte) error
}

// Network fetches blocks the store lacks from peers and announces the
// blocks the daemon makes (executor/p2p).
type Network interface {
	// Fetch returns the block c from the store or from peers, verified
	// against c and stored.
	Fetch(ctx context.Context, c cid.Cid) ([]byte, error)
	// Provide announces that the store holds c.
	Provide(ctx context.Context, c cid.Cid) error
}

var _ Blocks = (*blockstore.Store)(nil)

// Config configures a Daemon.
type Config struct {
	// Node is the RPC address of the node followed and sent transactions.
	Node string
	// ChainID, when set, must be the node's.
	ChainID string
	// DID is the executor's DID; KeyID the key of its document that signs
	// (transactions and receipts), and Sign signs with it.
	DID   string
	KeyID string
	Sign  client.Signer
	// StateDir keeps the last height processed and one file per job.
	StateDir string
	// Blocks is the block store (required).
	Blocks Blocks
	// Network fetches from and announces to peers; nil: the store only.
	Network Network
	// Hints are job CIDs announced by peers: each is looked up on chain,
	// never trusted. nil: none.
	Hints <-chan string
	// Policy decides which jobs to bid on, at which price.
	Policy Policy
	// RunTimeout is the wall-clock safety net of one run (default 2m): a
	// run it stops gives no receipt.
	RunTimeout time.Duration
	// FetchTimeout bounds fetching a module or an input (default 30s).
	FetchTimeout time.Duration
	// Parallel is how many jobs run at once (default 1).
	Parallel int
	// Engine is wazero's engine (results are the same on both).
	Engine executor.Engine
	// Poll is how often the node is asked for new heights when no
	// websocket notification comes (default 1s).
	Poll time.Duration
	// TxTimeoutBlocks is how many blocks a transaction may wait to be
	// included (its timeout height) before the daemon may send another in
	// its place (default 10).
	TxTimeoutBlocks int64
	// Metrics receives the counters (default: a new set, not served).
	Metrics *Metrics
	// Log receives each job's progress (default: discarded).
	Log *slog.Logger
}

// ErrNotRegistered is returned when the DID is not a registered executor.
var ErrNotRegistered = errors.New("not a registered executor")

// Daemon follows the chain and runs the jobs its executor is assigned.
type Daemon struct {
	cfg     Config
	c       *client.Client
	q       *client.Querier
	state   *stateDir
	log     *slog.Logger
	m       *Metrics
	chainID string

	// Owned by the loop goroutine.
	me         *client.ExecutorView
	meAt       time.Time
	jobs       map[string]*JobState // not closed, by CID
	running    map[string]bool
	fetchAfter map[string]time.Time // a failed fetch or host error is retried after this
	looked     map[string]bool      // jobs considered or announced, at most maxLooked
	lookedFIFO []string             // the order they came in, to forget the oldest
	seq        uint64
	seqKnown   bool

	done chan runDone
	// ready holds the jobs whose module and input are in the block store;
	// prefetching those being fetched before a bid, whose results come on
	// prefetched.
	ready       map[string]bool
	prefetching map[string]bool
	prefetched  chan prefetchDone
	wg          sync.WaitGroup

	rtMu     sync.Mutex
	runtimes map[uint32]*executor.Runtime // by memory pages
}

// New checks that the node answers, runs the chain cfg names and knows the
// executor, and opens the state directory.
func New(ctx context.Context, cfg Config) (*Daemon, error) {
	if cfg.Blocks == nil {
		return nil, errors.New("daemon: no block store")
	}
	if cfg.Sign == nil || cfg.DID == "" || cfg.KeyID == "" {
		return nil, errors.New("daemon: no signing key")
	}
	if cfg.RunTimeout <= 0 {
		cfg.RunTimeout = 2 * time.Minute
	}
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = 30 * time.Second
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 1
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.TxTimeoutBlocks <= 0 {
		cfg.TxTimeoutBlocks = 10
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	c, err := client.Dial(cfg.Node)
	if err != nil {
		return nil, err
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.ChainID != "" && cfg.ChainID != chainID {
		return nil, fmt.Errorf("node %s runs chain %q, the configuration names %q", cfg.Node, chainID, cfg.ChainID)
	}
	d := &Daemon{cfg: cfg, c: c, q: client.NewQuerier(c, nil), log: cfg.Log, m: cfg.Metrics, chainID: chainID,
		jobs: map[string]*JobState{}, running: map[string]bool{}, fetchAfter: map[string]time.Time{}, looked: map[string]bool{},
		done: make(chan runDone, cfg.Parallel), runtimes: map[uint32]*executor.Runtime{},
		ready: map[string]bool{}, prefetching: map[string]bool{}, prefetched: make(chan prefetchDone, 16)}
	if err := d.refreshExecutor(ctx); err != nil {
		return nil, err
	}
	if err := cfg.Policy.Check(d.me); err != nil {
		return nil, err
	}
	if d.state, err = openState(cfg.StateDir); err != nil {
		return nil, err
	}
	return d, nil
}

// Executor is the executor's record as last read from the chain.
func (d *Daemon) Executor() *client.ExecutorView { return d.me }

// ChainID is the node's chain.
func (d *Daemon) ChainID() string { return d.chainID }

func (d *Daemon) refreshExecutor(ctx context.Context) error {
	e, _, err := d.q.Executor(ctx, d.cfg.DID, 0)
	if errors.Is(err, client.ErrNotFound) {
		return fmt.Errorf("%w: %s has no executor record on chain %s; register it first with `icnd tx mesh register-executor --bond N --price-floor P --max-fuel F --from KEY`",
			ErrNotRegistered, d.cfg.DID, d.chainID)
	}
	if err != nil {
		return err
	}
	d.me, d.meAt = e, time.Now()
	return nil
}

// Run follows the chain until ctx ends. It returns nil on a clean stop.
func (d *Daemon) Run(ctx context.Context) error {
	defer d.closeRuntimes()
	defer d.wg.Wait()
	open, err := d.state.Open()
	if err != nil {
		return err
	}
	for _, st := range open {
		d.jobs[st.Job] = st
		d.log.Info("resuming job", "job", st.Job, "bid", st.Bid.Done, "ran", st.Run != nil, "commit_sent", st.Commit.Sent(),
			"reveal_sent", st.Reveal.Sent())
	}
	d.m.ActiveJobs.Set(float64(len(d.jobs)))
	last, err := d.state.LastHeight()
	if err != nil {
		return err
	}
	wake := make(chan struct{}, 1)
	go subscribe(ctx, d.cfg.Node, wake, d.log)
	tick := time.NewTicker(d.cfg.Poll)
	defer tick.Stop()
	backoff := time.Second
	hints := d.cfg.Hints
	first := last == 0
	d.log.Info("executor started", "did", d.cfg.DID, "chain", d.chainID, "node", d.cfg.Node, "last_height", last,
		"price_floor", d.me.PriceFloor, "max_fuel", d.me.MaxFuel, "kinds", d.me.Kinds)
	for {
		tip, err := d.step(ctx, &last, first)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			d.log.Error("following the chain failed; retrying", "err", err, "in", backoff)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		first = false
		backoff = time.Second
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		case r := <-d.done:
			d.finishRun(ctx, r, tip)
		case r := <-d.prefetched:
			d.finishPrefetch(ctx, r, tip)
		case h, ok := <-hints:
			if !ok {
				hints = nil // closed: no more announcements
				continue
			}
			d.hint(ctx, h, tip)
		}
	}
}

// step processes every height after *last up to the node's latest, then
// brings every open job forward at the latest height, which it returns.
func (d *Daemon) step(ctx context.Context, last *int64, first bool) (int64, error) {
	st, err := d.c.RPC.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("node %s: %w", d.cfg.Node, err)
	}
	tip := st.SyncInfo.LatestBlockHeight
	if first {
		// A new state directory: start at the tip, and look at the
		// jobs open now instead of the whole history.
		if err := d.scanOpenJobs(ctx, tip); err != nil {
			return 0, err
		}
		*last = tip
		if err := d.state.SetLastHeight(tip); err != nil {
			return 0, err
		}
	}
	if *last < st.SyncInfo.EarliestBlockHeight-1 {
		d.log.Warn("the node no longer has the heights missed; scanning open jobs instead", "from", *last+1,
			"earliest", st.SyncInfo.EarliestBlockHeight)
		if err := d.scanOpenJobs(ctx, tip); err != nil {
			return 0, err
		}
		*last = st.SyncInfo.EarliestBlockHeight - 1
	}
	for h := *last + 1; h <= tip; h++ {
		res, err := d.c.RPC.BlockResults(ctx, &h)
		if err != nil {
			if h == tip {
				// The node reports a height as its latest a moment
				// before its results are stored: take it next time.
				break
			}
			return 0, fmt.Errorf("results of block %d: %w", h, err)
		}
		if err := d.events(ctx, h, res); err != nil {
			return 0, err
		}
		if err := d.state.SetLastHeight(h); err != nil {
			return 0, err
		}
		*last = h
		d.m.Height.Set(float64(h))
	}
	if time.Since(d.meAt) > 30*time.Second {
		if err := d.refreshExecutor(ctx); err != nil {
			d.log.Warn("refresh the executor record", "err", err)
		}
	}
	d.reconcileAll(ctx, *last)
	return *last, nil
}

// scanOpenJobs looks at every job open on chain, and takes up every job
// assigned to the executor that it does not track.
func (d *Daemon) scanOpenJobs(ctx context.Context, tip int64) error {
	jobs, _, err := d.q.Jobs(ctx, "open", "", 0, 10_000)
	if err != nil {
		return fmt.Errorf("list open jobs: %w", err)
	}
	for _, j := range jobs {
		if _, known := d.jobs[j.ID]; known {
			continue
		}
		d.consider(tip, j.ID, termsOf(j))
	}
	assigned, _, err := d.q.Jobs(ctx, "assigned", "", 0, 10_000)
	if err != nil {
		return fmt.Errorf("list assigned jobs: %w", err)
	}
	d.adopt(tip, assigned)
	return nil
}

// adopt tracks the jobs of list that the executor is assigned to and has
// no state of: a new state directory (a lost one, a new machine) must not
// leave them unanswered, or the executor is slashed as absent. Its bid is
// on chain; the run, the commitment and the reveal are still to come.
func (d *Daemon) adopt(h int64, list []*client.JobView) {
	for _, j := range list {
		if _, known := d.jobs[j.ID]; known {
			continue
		}
		if _, found, err := d.state.Load(j.ID); err != nil || found {
			continue // closed here already, or unreadable: not taken up again
		}
		for _, b := range j.Bids {
			if b.Executor != d.cfg.DID || !b.Assigned {
				continue
			}
			st := &JobState{Job: j.ID, Seen: h, Price: b.Price}
			if err := d.state.Save(st); err != nil {
				d.log.Error("save job state", "job", j.ID, "err", err)
				break
			}
			d.look(j.ID)
			d.jobs[j.ID] = st
			d.log.Info("taking up an assigned job this state directory did not know", "job", j.ID, "height", h)
		}
	}
	d.m.ActiveJobs.Set(float64(len(d.jobs)))
}

// maxLooked bounds the jobs remembered as looked at.
const maxLooked = 4096

// look reports whether job was looked at already, and remembers it.
func (d *Daemon) look(job string) bool {
	if d.looked[job] {
		return true
	}
	if d.looked == nil {
		d.looked = map[string]bool{}
	}
	d.looked[job] = true
	d.lookedFIFO = append(d.lookedFIFO, job)
	if len(d.lookedFIFO) > maxLooked {
		delete(d.looked, d.lookedFIFO[0])
		d.lookedFIFO = d.lookedFIFO[1:]
	}
	return false
}

// consider records a newly seen job when the policy would bid on it. A job
// is considered once: one the policy refused is not counted or logged again
// when it comes back (its event after a peer's announcement, a peer that
// announces it again and again).
func (d *Daemon) consider(h int64, job string, t JobTerms) {
	if _, known := d.jobs[job]; known {
		return
	}
	if d.look(job) {
		return
	}
	if prev, found, err := d.state.Load(job); err != nil || found {
		if err != nil {
			d.log.Error("read job state", "job", job, "err", err)
		} else if prev.Closed != "" {
			return
		}
	}
	d.m.JobsSeen.Inc()
	if _, reason := d.cfg.Policy.Decide(d.me, t); reason != "" {
		d.log.Info("not bidding", "job", job, "reason", reason)
		return
	}
	st := &JobState{Job: job, Seen: h}
	if err := d.state.Save(st); err != nil {
		d.log.Error("save job state", "job", job, "err", err)
		return
	}
	d.jobs[job] = st
	d.m.ActiveJobs.Set(float64(len(d.jobs)))
	d.log.Info("job seen", "job", job, "height", h, "fuel_limit", t.FuelLimit, "max_price", t.MaxPrice)
}

// hint looks up a job a peer announced, once: announcing a job again, or
// one already seen in a block, costs the daemon nothing.
func (d *Daemon) hint(ctx context.Context, job string, tip int64) {
	if _, known := d.jobs[job]; known || d.looked[job] {
		return
	}
	if _, err := client.ParseCID(job); err != nil {
		d.log.Debug("ignoring a malformed job announcement", "job", job)
		return
	}
	v, _, err := d.q.Job(ctx, job, 0)
	if err != nil {
		d.log.Debug("an announced job is not on chain", "job", job, "err", err)
		return
	}
	if v.Status != "open" {
		d.look(job)
		return
	}
	d.consider(tip, v.ID, termsOf(v))
	if st, tracked := d.jobs[v.ID]; tracked {
		d.reconcile(ctx, st, tip)
		d.m.ActiveJobs.Set(float64(len(d.jobs)))
	}
}

// reconcileAll brings every open job forward, in CID order.
func (d *Daemon) reconcileAll(ctx context.Context, tip int64) {
	ids := make([]string, 0, len(d.jobs))
	for id := range d.jobs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if ctx.Err() != nil {
			return
		}
		d.reconcile(ctx, d.jobs[id], tip)
	}
	d.m.ActiveJobs.Set(float64(len(d.jobs)))
}

func (d *Daemon) save(st *JobState) {
	if err := d.state.Save(st); err != nil {
		d.log.Error("save job state", "job", st.Job, "err", err)
	}
}

func (d *Daemon) closeJob(st *JobState, closed string) {
	st.Closed = closed
	d.save(st)
	delete(d.jobs, st.Job)
	delete(d.fetchAfter, st.Job)
	delete(d.ready, st.Job)
	d.log.Info("job closed", "job", st.Job, "closed", closed, "outcome", st.Outcome, "paid", st.Paid)
}

func (d *Daemon) closeRuntimes() {
	d.rtMu.Lock()
	defer d.rtMu.Unlock()
	for _, rt := range d.runtimes {
		_ = rt.Close(context.Background())
	}
}
