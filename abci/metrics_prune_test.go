package abci

import (
	"context"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestMetricsPruning commits empty blocks over a store that keeps 2
// versions and prunes at every height, and checks the pruning metrics
// after each commit: every version that left the window is either still on
// disk (the backlog) or deleted, and the background pruning does delete
// them.
func TestMetricsPruning(t *testing.T) {
	_, state := poolSigners(t, 1)
	s, _ := newPoolNode(t, state, false)
	m := NewMetrics(prometheus.NewRegistry())
	s.SetMetrics(m)
	ctx := context.Background()

	deadline := time.Now().Add(20 * time.Second)
	for h := int64(1); ; h++ {
		if _, err := s.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: h, Time: time.Unix(h, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
		backlog, deleted := testutil.ToFloat64(m.PruneBacklog), testutil.ToFloat64(m.PrunedVersions)
		// Keeping 2 versions, Commit at h refuses versions 1 to h-2.
		if want := float64(max(0, h-2)); backlog+deleted != want {
			t.Fatalf("after height %d: backlog %v + deleted %v, want %v versions pruned", h, backlog, deleted, want)
		}
		if h >= 10 && deleted > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after height %d and 20 s the background pruning deleted nothing (backlog %v)", h, backlog)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
