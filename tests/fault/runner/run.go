// Package runner runs a fault-injection test network: a manifest names a
// network of icnd validators in containers and a schedule of
// perturbations (kill, pause, disconnect, clean stop, wipe and rejoin by
// state sync, several at once); the runner applies them under a steady
// load of signed transactions from several accounts, then checks that
// the nodes agree on every app hash, that no accepted transaction was
// lost, that the chain stayed live whenever enough validators were up,
// that every perturbed node caught up in time, and that no node
// panicked. docs/fault-injection.md is the user's guide.
package runner

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/node/home"
	"github.com/intercooperative/icnd/node/testnet"
)

// Config says where the runner finds its tools and puts its files.
type Config struct {
	// ICND is the static icnd binary; Dockerfile the repository's.
	ICND, Dockerfile string
	// WorkDir receives the run's directory (homes, logs); empty means the
	// system's temporary directory. The directory is kept for inspection
	// unless Cleanup removes it.
	WorkDir string
	// Subnet is the run's /24 as its first three octets ("10.215.7");
	// empty picks the first of a few 10.215.x that docker accepts, apart
	// from make localnet-docker's 10.213.0 and the e2e docker test's
	// 10.214.x.
	Subnet string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Runner is one run of a manifest. Close removes everything it started.
type Runner struct {
	cfg      Config
	m        *Manifest
	dir      string
	cluster  *cluster
	tm       *testnet.Manifest
	clients  []*client.Client
	mon      *monitor
	load     *load
	loadDone sync.WaitGroup
	events   []Event
	applied  []Applied
	t0       time.Time // the load's start
	// nodeLogs are the nodes' whole logs after the run; restartHeights
	// the app heights each node restarted at.
	nodeLogs       []string
	restartHeights []map[int64]bool
	logMu          sync.Mutex
}

// Applied is what actually happened for one scheduled event: when the
// fault was issued and in place, when the restore was issued and done
// (offsets from the start of the load).
type Applied struct {
	Event
	Issued, InPlace, RestoreIssued, Restored time.Duration
	// Target is the highest height the other nodes had when the nodes
	// were restored; the nodes have caught up when they reach it.
	Target int64
}

// New prepares a run of m; nothing starts until Run.
func New(cfg Config, m *Manifest) *Runner {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	return &Runner{cfg: cfg, m: m}
}

func (r *Runner) logf(format string, args ...any) {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	fmt.Fprintf(r.cfg.Log, "%s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, args...)...)
}

// Dir is the run's directory: node homes and, after the run, logs/.
func (r *Runner) Dir() string { return r.dir }

// Run starts the network, applies the schedule under load, and checks the
// result. The returned report is filled as far as the run got, even with
// an error; its Failures list what the checks found.
func (r *Runner) Run(ctx context.Context) (*Report, error) {
	rep := &Report{Manifest: r.m}
	if err := r.setUp(ctx); err != nil {
		return rep, err
	}
	r.logf("network up in %s: %d validators on %s.0/24; load of %d accounts for %s", r.dir, r.m.Validators, r.cluster.subnet, r.m.Accounts, r.m.Duration())

	t0 := time.Now()
	r.t0 = t0
	r.mon = newMonitor(r.clients, t0)
	r.load = &load{chainID: r.tm.ChainID, run: r.cluster.run, clients: r.clients, t0: t0}
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	for a := 0; a < r.m.Accounts; a++ {
		r.loadDone.Add(1)
		go func() { defer r.loadDone.Done(); r.load.account(loadCtx, a) }()
	}

	schedErr := r.perturb(ctx, t0)
	// Stop sending, and give the accepted transactions time to commit.
	r.load.stopping.Store(true)
	drained := make(chan struct{})
	go func() { r.loadDone.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(r.m.Drain.D()):
		r.logf("drain: some accepted transactions were not committed within %s", r.m.Drain.D())
	case <-ctx.Done():
	}
	stopLoad()
	<-drained
	loadEnd := time.Since(t0)
	if ctx.Err() != nil {
		r.mon.close()
		return rep, fmt.Errorf("run interrupted: %w", ctx.Err())
	}

	// Every node must reach one height above the highest seen now.
	final := r.mon.maxHeight(nil) + 1
	waitErr := r.waitAll(ctx, final, r.m.CatchUp.D())
	r.mon.close()
	rep.LoadTime = loadEnd
	rep.FinalHeight = final
	r.check(ctx, rep)
	if schedErr != nil {
		return rep, schedErr
	}
	if waitErr != nil {
		rep.fail("final catch-up: %v", waitErr)
	}
	return rep, nil
}

// setUp generates the homes, builds the image and starts the containers.
func (r *Runner) setUp(ctx context.Context) error {
	base := r.cfg.WorkDir
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return err
	}
	dir, err := os.MkdirTemp(base, "icnd-fault-"+r.m.Name+"-")
	if err != nil {
		return err
	}
	r.dir = dir
	run := fmt.Sprintf("%d-%d", os.Getpid(), rand.IntN(1_000_000))
	r.cluster = &cluster{
		run: run, network: "icnd-fault-" + run,
		user: fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid()),
	}
	subnets := []string{r.cfg.Subnet}
	if r.cfg.Subnet == "" {
		// Another run (or anything else) may hold a subnet: try a few.
		subnets = nil
		for k := 0; k < 8; k++ {
			subnets = append(subnets, fmt.Sprintf("10.215.%d", (os.Getpid()+k*31)%250))
		}
	}
	if err := r.cluster.createNetwork(ctx, subnets); err != nil {
		return err
	}
	subnet := r.cluster.subnet

	gen := exec.CommandContext(ctx, r.cfg.ICND, "testnet", "--validators", strconv.Itoa(r.m.Validators),
		"--output", filepath.Join(dir, "net"), "--chain-id", "icn-fault", "--starting-ip-address", subnet+".2",
		"--keyring-backend", "test", "--bench-accounts", strconv.Itoa(r.m.Accounts),
		"--snapshot-interval", strconv.FormatUint(r.m.SnapshotInterval, 10))
	if out, err := gen.CombinedOutput(); err != nil {
		return fmt.Errorf("icnd testnet: %v\n%s", err, out)
	}
	if r.tm, err = testnet.ReadManifest(filepath.Join(dir, "net")); err != nil {
		return err
	}
	for _, n := range r.tm.Nodes {
		r.cluster.homes = append(r.cluster.homes, n.Home)
		c, err := client.Dial(n.RPC)
		if err != nil {
			return err
		}
		r.clients = append(r.clients, c)
	}
	r.events = r.m.Schedule()

	image := "icnd:fault-" + run
	r.logf("building the image %s from %s", image, r.cfg.ICND)
	if err := buildImage(ctx, r.cfg.Dockerfile, r.cfg.ICND, image, dir); err != nil {
		return err
	}
	r.cluster.image = image
	if err := r.cluster.create(ctx); err != nil {
		return err
	}
	return r.waitAll(ctx, 2, 2*time.Minute)
}

// Close removes the containers, their network and the image. With keep
// unset it also deletes the run's directory.
func (r *Runner) Close(keep bool) error {
	var errs []string
	if r.cluster != nil {
		for _, err := range r.cluster.remove() {
			errs = append(errs, err.Error())
		}
	}
	if !keep && r.dir != "" {
		if err := os.RemoveAll(r.dir); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("cleanup: %s", strings.Join(errs, "; "))
	}
	return nil
}

// height is node i's latest height, or -1.
func (r *Runner) height(ctx context.Context, i int) int64 {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := r.clients[i].RPC.Status(ctx)
	if err != nil {
		return -1
	}
	return st.SyncInfo.LatestBlockHeight
}

// waitAll waits until every node has reached height h.
func (r *Runner) waitAll(ctx context.Context, h int64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var behind []string
		for i := range r.clients {
			if got := r.height(ctx, i); got < h {
				behind = append(behind, fmt.Sprintf("node%d=%d", i, got))
			}
		}
		if len(behind) == 0 {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("height %d not reached within %s: %s", h, timeout, strings.Join(behind, " "))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// step is a begin or an end of an event.
type step struct {
	at    time.Duration
	event int
	begin bool
}

// perturb applies the schedule: each event's fault at its begin, the
// restore at its end. It returns at the end of the load period.
func (r *Runner) perturb(ctx context.Context, t0 time.Time) error {
	var steps []step
	for i, e := range r.events {
		steps = append(steps, step{e.Begin, i, true}, step{e.End, i, false})
	}
	sortSteps(steps)
	r.applied = make([]Applied, len(r.events))
	for i, e := range r.events {
		r.applied[i].Event = e
	}
	for _, s := range steps {
		if err := sleepUntil(ctx, t0.Add(s.at)); err != nil {
			return err
		}
		a := &r.applied[s.event]
		e := r.events[s.event]
		if s.begin {
			a.Issued = time.Since(t0)
			r.logf("#%d %s %v", e.Seq, e.Op, e.Nodes)
			if err := r.fault(ctx, e); err != nil {
				return fmt.Errorf("perturbation #%d (%s %v): %w", e.Seq, e.Op, e.Nodes, err)
			}
			a.InPlace = time.Since(t0)
			continue
		}
		a.RestoreIssued = time.Since(t0)
		r.logf("#%d restore %v", e.Seq, e.Nodes)
		if err := r.restore(ctx, e); err != nil {
			return fmt.Errorf("restore #%d (%s %v): %w", e.Seq, e.Op, e.Nodes, err)
		}
		a.Restored = time.Since(t0)
		skip := map[int]bool{}
		for _, n := range e.nodes {
			skip[n] = true
		}
		a.Target = r.mon.maxHeight(skip)
	}
	return sleepUntil(ctx, t0.Add(r.m.Duration()))
}

func sleepUntil(ctx context.Context, t time.Time) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(t)):
		return nil
	}
}

// fault applies e's fault to each of its nodes.
func (r *Runner) fault(ctx context.Context, e Event) error {
	for _, i := range e.nodes {
		var err error
		switch e.Op {
		case OpKill:
			err = r.cluster.kill(ctx, i)
		case OpPause:
			err = r.cluster.pause(ctx, i)
		case OpDisconnect:
			err = r.cluster.disconnect(ctx, i)
		case OpStop:
			err = r.cluster.stop(ctx, i)
		case OpWipe:
			if err = r.cluster.stop(ctx, i); err == nil {
				err = r.wipe(ctx, i, e.nodes)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// restore undoes e's fault on each of its nodes.
func (r *Runner) restore(ctx context.Context, e Event) error {
	for _, i := range e.nodes {
		var err error
		switch e.Op {
		case OpKill, OpStop, OpWipe:
			err = r.cluster.start(ctx, i)
		case OpPause:
			err = r.cluster.unpause(ctx, i)
		case OpDisconnect:
			err = r.cluster.connect(ctx, i)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// wipe deletes node i's chain data and app state, keeping only its
// signing state (data/priv_validator_state.json: a validator that forgot
// what it signed could sign twice), and configures it to rejoin by state
// sync: a light client over two other nodes' RPC, trusting a header read
// from one of them a few snapshots back.
func (r *Runner) wipe(ctx context.Context, i int, perturbed []int) error {
	var servers []int
	for j := range r.clients {
		if j != i && !containsInt(perturbed, j) && r.height(ctx, j) > 0 {
			servers = append(servers, j)
		}
	}
	if len(servers) < 2 {
		return fmt.Errorf("state sync of node%d needs two other nodes answering", i)
	}
	trustHeight := max(1, r.height(ctx, servers[0])-2*int64(r.m.SnapshotInterval))
	bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	trusted, err := r.clients[servers[0]].RPC.Block(bctx, &trustHeight)
	cancel()
	if err != nil {
		return fmt.Errorf("trusted header: %w", err)
	}
	nodeHome := r.tm.Nodes[i].Home
	data := filepath.Join(nodeHome, "data")
	entries, err := os.ReadDir(data)
	if err != nil {
		return err
	}
	for _, ent := range entries {
		if ent.Name() == "priv_validator_state.json" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(data, ent.Name())); err != nil {
			return err
		}
	}
	cfg, err := abci.LoadCometConfig(nodeHome)
	if err != nil {
		return err
	}
	cfg.StateSync.Enable = true
	cfg.StateSync.RPCServers = []string{r.tm.Nodes[servers[0]].RPC, r.tm.Nodes[servers[1]].RPC}
	cfg.StateSync.TrustHeight = trustHeight
	cfg.StateSync.TrustHash = trusted.BlockID.Hash.String()
	cfg.StateSync.TrustPeriod = 24 * time.Hour
	cfg.StateSync.DiscoveryTime = 5 * time.Second
	r.logf("node%d wiped; state sync trusting height %d %s", i, trustHeight, trusted.BlockID.Hash)
	return home.WriteConfig(cfg)
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
