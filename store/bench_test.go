package store

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"
)

// BenchmarkPruningCommit measures the commits that prune against those
// that do not: every version writes 3,000 new keys at random places (like a
// block of anchors) and rewrites 200 hot ones (sequences and mana accounts)
// over a tree of 100,000 keys; the store keeps the last 100 versions and
// prunes every 100 commits (the node's default interval, with a shorter
// window), so that each pruning commit deletes 100 versions, or every
// commit, deleting one. Each b.N is 100 commits. It reports the mean plain
// and the mean pruning commit, and, for the background pruning that does
// the deleting, its time per version deleted (prune-ms/version) and the
// versions still to delete when the last commit returned (backlog); the
// commits run back to back, far faster than blocks, so a backlog is
// expected here. It then waits for the backlog and reports the time per
// version without commits competing (idle-prune-ms/version).
func BenchmarkPruningCommit(b *testing.B) {
	for _, interval := range []int64{100, 1} {
		b.Run(fmt.Sprintf("interval=%d", interval), func(b *testing.B) {
			benchPruningCommit(b, 100, interval)
		})
	}
}

func benchPruningCommit(b *testing.B, keep, interval int64) {
	s, err := OpenDir(b.TempDir(), Options{PruneKeepRecent: uint64(keep), PruneInterval: uint64(interval)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	kv := s.Working()
	key := func(tag string, i int) []byte {
		h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte(tag), uint64(i)))
		return h[:]
	}
	for i := 0; i < 100_000; i++ {
		kv.Set(key("fill", i), []byte("fill value, about the size of a small record"))
	}
	if _, err := s.Commit(); err != nil {
		b.Fatal(err)
	}
	var plain, pruning time.Duration
	var plainN, pruningN int
	next := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for v := 0; v < 100; v++ {
			b.StopTimer()
			for j := 0; j < 3000; j++ {
				kv.Set(key("new", next), []byte("an anchored entry, about the size of a DAG entry record"))
				next++
			}
			for j := 0; j < 200; j++ {
				kv.Set(key("hot", j), fmt.Appendf(nil, "sequence or mana %d", next))
			}
			b.StartTimer()
			start := time.Now()
			id, err := s.Commit()
			if err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			if id.Version > keep && id.Version%interval == 0 {
				pruning += d
				pruningN++
			} else {
				plain += d
				plainN++
			}
		}
	}
	if plainN > 0 {
		b.ReportMetric(float64(plain.Microseconds())/float64(plainN)/1000, "plain-ms")
	}
	if pruningN > 0 {
		b.ReportMetric(float64(pruning.Microseconds())/float64(pruningN)/1000, "pruning-ms")
	}
	b.StopTimer()
	if st := s.PruneStats(); st.Deleted > 0 {
		b.ReportMetric(float64(st.Busy.Microseconds())/float64(st.Deleted)/1000, "prune-ms/version")
		b.ReportMetric(float64(st.Backlog), "backlog")
		// The backlog alone, with no commit competing: the rate at which
		// the pruning catches up between blocks.
		start := time.Now()
		if err := s.pruner.wait(); err != nil {
			b.Fatal(err)
		}
		if st.Backlog > 0 {
			b.ReportMetric(float64(time.Since(start).Microseconds())/float64(st.Backlog)/1000, "idle-prune-ms/version")
		}
	}
}
