package abci_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/modules/mana"
)

// TestMetrics runs a block through the ABCI methods with metrics on and
// checks each collector: transactions by message and code, a CheckTx
// refusal by code, the mana charged, durations, state keys and the
// signature cache.
func TestMetrics(t *testing.T) {
	s, priv, did := setup(t)
	reg := prometheus.NewRegistry()
	m := abci.NewMetrics(reg)
	s.SetMetrics(m)
	ctx := context.Background()

	good, _ := anchorTx(t, priv, did, 0, "metrics")
	if res, err := s.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: good, Type: abcitypes.CheckTxType_New}); err != nil || res.Code != 0 {
		t.Fatalf("check good tx: %v %+v", err, res)
	}
	// The same sequence again: refused by ante.
	stale, _ := anchorTx(t, priv, did, 0, "stale")
	refused, err := s.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: stale, Type: abcitypes.CheckTxType_New})
	if err != nil || refused.Code == 0 {
		t.Fatalf("check stale tx: %v %+v", err, refused)
	}
	// A recheck refusal is not counted.
	if _, err := s.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: stale, Type: abcitypes.CheckTxType_Recheck}); err != nil {
		t.Fatal(err)
	}
	bad := []byte("not a tx")
	// Rejected for the undecodable tx, and timed all the same.
	if res, err := s.ProcessProposal(ctx, &abcitypes.RequestProcessProposal{Height: 1, Time: time.Unix(1, 0), Txs: [][]byte{good, bad}}); err != nil || res.Status != abcitypes.ResponseProcessProposal_REJECT {
		t.Fatalf("process proposal: %v %+v", err, res)
	}
	fin, err := s.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: 1, Time: time.Unix(1, 0), Txs: [][]byte{good, bad}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		t.Fatal(err)
	}

	code := func(c uint32) string { return strconv.FormatUint(uint64(c), 10) }
	if got := testutil.ToFloat64(m.Txs.WithLabelValues("anchor", "", "0")); got != 1 {
		t.Errorf("txs anchor ok = %v, want 1", got)
	}
	undecodable := fin.TxResults[1]
	if got := testutil.ToFloat64(m.Txs.WithLabelValues("undecodable", undecodable.Codespace, code(undecodable.Code))); got != 1 {
		t.Errorf("txs undecodable %s/%d = %v, want 1", undecodable.Codespace, undecodable.Code, got)
	}
	if got := testutil.CollectAndCount(m.Txs); got != 2 {
		t.Errorf("txs series = %d, want 2", got)
	}
	if got := testutil.ToFloat64(m.CheckTxRefused.WithLabelValues(refused.Codespace, code(refused.Code))); got != 1 {
		t.Errorf("checktx refused %s/%d = %v, want 1", refused.Codespace, refused.Code, got)
	}
	if got := testutil.CollectAndCount(m.CheckTxRefused); got != 1 {
		t.Errorf("checktx refused series = %d, want 1", got)
	}
	var charged uint64
	for _, e := range fin.TxResults[0].Events {
		if e.Type != mana.EventTypeCharged {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == "amount" {
				if charged, err = strconv.ParseUint(a.Value, 10, 64); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if charged == 0 {
		t.Fatal("the anchor tx has no charge event")
	}
	if got := testutil.ToFloat64(m.ManaCharged); got != float64(charged) {
		t.Errorf("mana charged = %v, want %d", got, charged)
	}
	if got := testutil.ToFloat64(m.Events.WithLabelValues(mana.EventTypeCharged)); got != 1 {
		t.Errorf("charge events = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.StateKeys); got <= 0 {
		t.Errorf("state keys = %v", got)
	}
	// CheckTx verified the good tx's signature (a miss) and FinalizeBlock
	// found it (a hit); the bad-sequence tx fails before its signature is
	// looked up.
	if hits, misses := testutil.ToFloat64(m.SigCacheHits), testutil.ToFloat64(m.SigCacheMisses); hits != 1 || misses != 1 {
		t.Errorf("sig cache hits %v misses %v, want 1 and 1", hits, misses)
	}
	for name, h := range map[string]prometheus.Histogram{"process proposal": m.ProposalExecution, "finalize block": m.BlockExecution, "commit": m.CommitDuration} {
		if n := histogramCount(t, h); n != 1 {
			t.Errorf("%s observations = %d, want 1", name, n)
		}
	}
}

// TestMetricsRegisterTwice checks that a second NewMetrics on the same
// registry reuses the collectors instead of panicking.
func TestMetricsRegisterTwice(t *testing.T) {
	reg := prometheus.NewRegistry()
	first := abci.NewMetrics(reg)
	second := abci.NewMetrics(reg)
	if first.Txs != second.Txs || first.ManaCharged != second.ManaCharged {
		t.Fatal("the second NewMetrics made new collectors")
	}
}

func histogramCount(t *testing.T, h prometheus.Histogram) uint64 {
	t.Helper()
	var out dto.Metric
	if err := h.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetHistogram().GetSampleCount()
}

// recorder is a Registerer that records the descriptors of what is
// registered with it.
type recorder struct{ descs []*prometheus.Desc }

func (r *recorder) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 16)
	c.Describe(ch)
	close(ch)
	for d := range ch {
		r.descs = append(r.descs, d)
	}
	return nil
}

func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = r.Register(c)
	}
}

func (r *recorder) Unregister(prometheus.Collector) bool { return false }

// TestMetricsDocumented checks that docs/operators.md lists every metric
// NewMetrics registers, with its labels.
func TestMetricsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../docs/operators.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	rec := new(recorder)
	abci.NewMetrics(rec)
	fields := regexp.MustCompile(`fqName: "([^"]+)".*variableLabels: \{([^}]*)\}`)
	if len(rec.descs) < 10 {
		t.Fatalf("NewMetrics registered only %d metrics", len(rec.descs))
	}
	for _, d := range rec.descs {
		m := fields.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("cannot read descriptor %s", d)
		}
		var labels []string
		for _, l := range strings.Split(m[2], ",") {
			if l = strings.TrimSpace(l); l != "" {
				labels = append(labels, "`"+l+"`")
			}
		}
		row := fmt.Sprintf("| `%s` |", m[1])
		i := strings.Index(doc, row)
		if i < 0 {
			t.Errorf("docs/operators.md does not list %s", m[1])
			continue
		}
		line, _, _ := strings.Cut(doc[i:], "\n")
		if cells := strings.Split(line, "|"); len(cells) < 5 || strings.TrimSpace(cells[3]) != strings.Join(labels, ", ") {
			t.Errorf("docs/operators.md lists %s with labels %q, want %q", m[1], cells[3], strings.Join(labels, ", "))
		}
	}
}
