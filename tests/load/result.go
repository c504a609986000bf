package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"sort"
	"syscall"
	"time"
)

// result is one run's figures.
type result struct {
	app                         string
	mempool                     string // icnd's mempool.type; "" for the other apps
	offeredRate                 int
	offered, accepted, refused  int64
	full, failed                int64
	window                      time.Duration
	committed                   int
	committedRate               float64
	blocksPerSec, meanTxsPerBlk float64
	p50, p95, p99               time.Duration
	latencySamples              int
	rss                         []int64
	nodeCPU                     []float64 // cores used by each node in the window
	loaderCPU                   float64   // cores used by this generator in the window
}

// runOnce starts a fresh network with app, offers rate tx/s for the
// configured duration, and measures the steady window (after warmup, until
// the end of the offer).
func runOnce(cfg config, app string, rate int) (*result, error) {
	n, err := startNetwork(cfg, app)
	if err != nil {
		return nil, err
	}
	defer func() {
		n.stop()
		if cfg.workDir == "" {
			n.remove()
		}
	}()
	senders, err := buildLoad(cfg, n, rate)
	if err != nil {
		return nil, err
	}
	st, err := n.client(0).RPC.Status(context.Background())
	if err != nil {
		return nil, err
	}
	watchCtx, stopWatch := context.WithCancel(context.Background())
	blocksCh := make(chan []blockSeen, 1)
	go func() { blocksCh <- watch(watchCtx, n, st.SyncInfo.LatestBlockHeight+1) }()

	var stats loadStats
	start := time.Now()
	end := start.Add(cfg.duration)
	winStart := start.Add(cfg.warmup)
	cpuCh := make(chan [2][]float64, 1)
	go func() {
		time.Sleep(time.Until(winStart))
		before, selfBefore := n.cpuSeconds(), selfCPU()
		time.Sleep(time.Until(end))
		cpuCh <- [2][]float64{diff(n.cpuSeconds(), before), {selfCPU() - selfBefore}}
	}()
	subs := offer(context.Background(), n, cfg, senders, rate, end, &stats)
	cpu := <-cpuCh
	// Let the mempool drain so that latencies of late submissions count.
	time.Sleep(5 * time.Second)
	rss := n.peakRSS()
	stopWatch()
	blocks := <-blocksCh

	r := &result{app: app, mempool: icndMempool(cfg, app), offeredRate: rate, offered: stats.offered.Load(), accepted: stats.accepted.Load(),
		refused: stats.refused.Load(), full: stats.full.Load(), failed: stats.failed.Load(), rss: rss}
	r.window = end.Sub(winStart)
	for _, c := range cpu[0] {
		r.nodeCPU = append(r.nodeCPU, c/r.window.Seconds())
	}
	r.loaderCPU = cpu[1][0] / r.window.Seconds()
	inWindow := 0
	for _, b := range blocks {
		if b.at.After(winStart) && !b.at.After(end) {
			inWindow++
			r.committed += len(b.txs)
		}
	}
	secs := r.window.Seconds()
	r.committedRate = float64(r.committed) / secs
	r.blocksPerSec = float64(inWindow) / secs
	if inWindow > 0 {
		r.meanTxsPerBlk = float64(r.committed) / float64(inWindow)
	}
	// Latency: submission to the first sighting of the committed block, for
	// transactions submitted in the window.
	included := make(map[[sha256.Size]byte]time.Time, len(subs))
	for _, b := range blocks {
		for _, h := range b.txs {
			if _, ok := included[h]; !ok {
				included[h] = b.at
			}
		}
	}
	var lat []time.Duration
	for _, s := range subs {
		if s.at.Before(winStart) || s.at.After(end) {
			continue
		}
		if at, ok := included[s.hash]; ok {
			lat = append(lat, at.Sub(s.at))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.latencySamples = len(lat)
	if len(lat) > 0 {
		pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		r.p50, r.p95, r.p99 = pct(0.50), pct(0.95), pct(0.99)
	}
	return r, nil
}

func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "== %s: offered %d tx/s for the run; steady window %.0fs\n", r.label(), r.offeredRate, r.window.Seconds())
	fmt.Fprintf(w, "   submitted %d, accepted %d, refused %d, mempool full %d, rpc errors %d\n", r.offered, r.accepted, r.refused, r.full, r.failed)
	fmt.Fprintf(w, "   committed %d txs: %.1f tx/s; %.2f blocks/s; %.1f txs/block\n", r.committed, r.committedRate, r.blocksPerSec, r.meanTxsPerBlk)
	fmt.Fprintf(w, "   latency submit->committed (%d txs): p50 %v  p95 %v  p99 %v\n", r.latencySamples, r.p50.Round(time.Millisecond), r.p95.Round(time.Millisecond), r.p99.Round(time.Millisecond))
	fmt.Fprintf(w, "   CPU cores used: load generator %.2f, nodes", r.loaderCPU)
	for i, c := range r.nodeCPU {
		fmt.Fprintf(w, " node%d %.2f", i, c)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "   peak RSS:")
	for i, b := range r.rss {
		fmt.Fprintf(w, " node%d %.0f MiB", i, float64(b)/(1<<20))
	}
	fmt.Fprintln(w)
}

// label names the network of the run: the app and, for icnd, its mempool.
func (r *result) label() string {
	if r.mempool == "" {
		return r.app
	}
	return fmt.Sprintf("%s (%s mempool)", r.app, r.mempool)
}

func diff(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

// selfCPU is the CPU time this process has used, in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
