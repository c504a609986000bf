package e2e

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
)

// dashboardFile is the Grafana dashboard of localnet/monitoring.
var dashboardFile = filepath.Join("..", "..", "localnet", "monitoring", "dashboard.json")

// testMetrics scrapes node1's Prometheus endpoint after the transactions
// of the earlier subtests (an anchor among them) and a transaction it
// refuses for its sequence: the icnd metrics count them, and every metric
// the dashboard queries is served.
func testMetrics(t *testing.T, n *network) {
	node := n.manifest.Nodes[1]
	refused := n.refuseBadSequence(t, 1)

	families := scrape(t, node.Prometheus)
	if got := sample(families, "icnd_txs_total", map[string]string{"msg": "anchor", "codespace": "", "code": "0"}); got < 1 {
		t.Errorf("icnd_txs_total for committed anchors = %v, want at least 1", got)
	}
	code := strconv.FormatUint(uint64(refused.Code), 10)
	if got := sample(families, "icnd_checktx_refused_total", map[string]string{"codespace": refused.Codespace, "code": code}); got < 1 {
		t.Errorf("icnd_checktx_refused_total{%s/%s} = %v, want at least 1", refused.Codespace, code, got)
	}
	for _, name := range []string{"icnd_mana_charged_total", "icnd_state_keys", "icnd_sigcache_hits_total", "icnd_sigcache_misses_total"} {
		if got := sample(families, name, nil); got <= 0 {
			t.Errorf("%s = %v, want more than 0", name, got)
		}
	}
	for _, name := range []string{"icnd_process_proposal_seconds", "icnd_finalize_block_seconds", "icnd_commit_seconds"} {
		f := families[name]
		if f == nil || len(f.GetMetric()) != 1 || f.GetMetric()[0].GetHistogram().GetSampleCount() == 0 {
			t.Errorf("histogram %s has no observations: %v", name, f)
		}
	}

	// Every metric the dashboard queries.
	names := dashboardMetrics(t)
	if len(names) < 10 {
		t.Fatalf("the dashboard queries only %v", names)
	}
	for _, name := range names {
		if !served(families, name) {
			t.Errorf("the dashboard queries %s, which %s does not serve", name, node.Name)
		}
	}
}

// refuseBadSequence sends node i an anchor signed by its account with a
// sequence far from the next one, and returns CheckTx's refusal.
func (n *network) refuseBadSequence(t *testing.T, i int) client.TxResult {
	t.Helper()
	node := n.manifest.Nodes[i]
	kr, err := keyring.New(node.Home, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := kr.PrivateKey(node.KeyName)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := n.client(i)
	seq, err := c.Sequence(ctx, node.DID)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := client.Anchor(client.RawCID([]byte("bad sequence")), "metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := client.BuildTx(client.TxParams{ChainID: n.manifest.ChainID, Signer: node.DID, KeyID: "key-1", Sequence: seq + 1000},
		func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil }, msg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Broadcast(ctx, tx)
	if !errors.Is(err, client.ErrCheckTx) || res.Code == 0 {
		t.Fatalf("a bad sequence: %+v, %v", res, err)
	}
	return res
}

// scrape reads addr's /metrics.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/metrics: %s", addr, resp.Status)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s/metrics: %v", addr, err)
	}
	return families
}

// sample returns the value of the counter or gauge name with exactly
// labels, or -1 when there is none.
func sample(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f := families[name]
	if f == nil {
		return -1
	}
	for _, m := range f.GetMetric() {
		got := make(map[string]string, len(m.GetLabel()))
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if !sameLabels(got, labels) {
			continue
		}
		switch {
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue()
		}
	}
	return -1
}

// sameLabels compares label sets; a label missing from the scrape equals
// an empty value, as in Prometheus.
func sameLabels(got, want map[string]string) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != "" {
			return false
		}
	}
	return true
}

// synthetic are series Prometheus adds to each scrape itself.
var synthetic = []string{"up"}

// served reports whether a metric name of a query is in the scrape: a
// family's name, or a histogram's _bucket, _sum or _count series.
func served(families map[string]*dto.MetricFamily, name string) bool {
	if slices.Contains(synthetic, name) || families[name] != nil {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			if f := families[base]; f != nil && f.GetType() == dto.MetricType_HISTOGRAM {
				return true
			}
		}
	}
	return false
}

// metricName matches the metric names a dashboard query can use: those of
// CometBFT and icnd (no label name starts so) and Prometheus's own.
var metricName = regexp.MustCompile(`\b(?:(?:cometbft|icnd)_[a-zA-Z0-9_]+|up)\b`)

// dashboardMetrics returns, sorted and once each, the metric names of the
// dashboard's queries. Every query must name at least one.
func dashboardMetrics(t *testing.T) []string {
	t.Helper()
	bz, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(bz, &dash); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	var names []string
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			// Label values in quotes are not metric names.
			expr := regexp.MustCompile(`"[^"]*"`).ReplaceAllString(target.Expr, `""`)
			found := metricName.FindAllString(expr, -1)
			if len(found) == 0 {
				t.Errorf("dashboard panel %q: query %q names no metric", p.Title, target.Expr)
			}
			names = append(names, found...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
