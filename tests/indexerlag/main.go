// Command indexerlag measures how far the indexer falls behind a loaded
// chain: it starts a throwaway PostgreSQL cluster (internal/pgtest) and an
// indexer following -node, samples every 250ms the node's latest height
// and the last indexed height, and prints the lag's distribution and the
// indexing rate. Run it beside the load benchmark (make bench-indexer):
//
//	go run ./tests/load run -app icnd -rate 2500 -duration 90s &
//	go run ./tests/indexerlag -node tcp://127.0.0.70:26657 -duration 80s
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/indexer"
	"github.com/intercooperative/icnd/internal/pgtest"
)

func main() {
	node := flag.String("node", "tcp://127.0.0.70:26657", "RPC address of the node to follow (node0 of go run ./tests/load)")
	duration := flag.Duration("duration", 80*time.Second, "how long to measure, from the node's first answer")
	wait := flag.Duration("wait", 120*time.Second, "how long to wait for the node to answer")
	verbose := flag.Bool("v", false, "log each indexed height with its fetch and write times")
	flag.Parse()
	if *verbose {
		level = slog.LevelDebug
	}
	if err := run(*node, *duration, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "indexerlag:", err)
		os.Exit(1)
	}
}

// level is the indexer's log level (-v: debug).
var level = slog.LevelWarn

type sample struct {
	at           time.Time
	tip, indexed int64
	indexedTxs   int64
}

func run(node string, duration, wait time.Duration) error {
	c, err := client.Dial(node)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(wait)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		st, err := c.RPC.Status(ctx)
		cancel()
		if err == nil && st.SyncInfo.LatestBlockHeight >= 2 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("node %s did not answer within %s", node, wait)
		}
		time.Sleep(500 * time.Millisecond)
	}
	pg, err := pgtest.Start("")
	if err != nil {
		return err
	}
	defer pg.Stop() //nolint:errcheck // a throwaway cluster
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	name, err := pg.CreateDatabase(ctx, "lag")
	if err != nil {
		return err
	}
	ix, err := indexer.Open(ctx, indexer.Config{Node: node, DB: pg.DSN(name),
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))})
	if err != nil {
		return err
	}
	defer ix.Close()
	errc := make(chan error, 1)
	go func() { errc <- ix.Run(ctx) }()

	var samples []sample
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
loop:
	for {
		select {
		case err := <-errc:
			if err != nil {
				return err
			}
			break loop
		case <-ctx.Done():
			break loop
		case now := <-tick.C:
			sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
			st, err := c.RPC.Status(sctx)
			var s sample
			if err == nil {
				s.at, s.tip = now, st.SyncInfo.LatestBlockHeight
				err = ix.Pool().QueryRow(sctx, `SELECT coalesce((SELECT last_height FROM indexer_state), 0),
					(SELECT count(*) FROM txs)`).Scan(&s.indexed, &s.indexedTxs)
			}
			scancel()
			if err == nil {
				samples = append(samples, s)
			}
		}
	}
	if len(samples) < 8 {
		return fmt.Errorf("only %d samples", len(samples))
	}
	// The first quarter is the catch-up from genesis; the figures are the
	// steady state after it.
	steady := samples[len(samples)/4:]
	lags := make([]int64, len(steady))
	for i, s := range steady {
		lags[i] = max(0, s.tip-s.indexed)
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	first, last := steady[0], steady[len(steady)-1]
	secs := last.at.Sub(first.at).Seconds()
	fmt.Printf("samples            %d over %.0fs (steady state, after the first quarter)\n", len(steady), secs)
	fmt.Printf("chain              %d -> %d (%.2f blocks/s)\n", first.tip, last.tip, float64(last.tip-first.tip)/secs)
	fmt.Printf("indexed            %d -> %d, %d txs (%.0f tx/s)\n", first.indexed, last.indexed, last.indexedTxs-first.indexedTxs,
		float64(last.indexedTxs-first.indexedTxs)/secs)
	fmt.Printf("lag (heights)      p50 %d  p99 %d  max %d  final %d\n", lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1], last.tip-last.indexed)
	// Per height: from the first sample where the node had committed it to
	// the first where the mirror held it.
	seen, indexed := map[int64]time.Time{}, map[int64]time.Time{}
	for _, s := range steady {
		for h := first.tip; h <= s.tip; h++ {
			if _, ok := seen[h]; !ok {
				seen[h] = s.at
			}
		}
		for h := first.tip; h <= s.indexed; h++ {
			if _, ok := indexed[h]; !ok {
				indexed[h] = s.at
			}
		}
	}
	var delays []time.Duration
	for h, t := range seen {
		if h > first.tip {
			if it, ok := indexed[h]; ok {
				delays = append(delays, it.Sub(t))
			}
		}
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	if len(delays) > 0 {
		fmt.Printf("commit -> indexed  p50 %s  max %s over %d heights (250ms sampling)\n",
			delays[len(delays)/2].Round(10*time.Millisecond), delays[len(delays)-1].Round(10*time.Millisecond), len(delays))
	}
	return nil
}
