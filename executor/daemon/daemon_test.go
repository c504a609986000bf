package daemon

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/intercooperative/icnd/client"
)

func TestPolicyDecide(t *testing.T) {
	me := &client.ExecutorView{DID: "did:icn:me", Status: "active", MaxFuel: 1000, MemoryPages: 64,
		Kinds: []string{"wasi-p1"}, PriceFloor: 3, Bond: 10_000, Reserved: 4_000, Reputation: 10_000}
	ok := JobTerms{Poster: "did:icn:poster", Kind: "wasi-p1", MemoryPages: 16, FuelLimit: 1000, MaxPrice: 5}
	cases := []struct {
		name   string
		policy Policy
		me     func(e *client.ExecutorView)
		terms  func(t *JobTerms)
		price  uint64
		reason string
	}{
		{name: "floor", price: 3},
		{name: "configured price", policy: Policy{Price: 5}, price: 5},
		{name: "max price equals the floor", terms: func(t *JobTerms) { t.MaxPrice = 3 }, price: 3},
		{name: "max price below the floor", terms: func(t *JobTerms) { t.MaxPrice = 2 }, reason: "max price 2 is below the bid price 3"},
		{name: "max price below the configured price", policy: Policy{Price: 6}, reason: "max price 5 is below the bid price 6"},
		{name: "own job", terms: func(t *JobTerms) { t.Poster = "did:icn:me" }, reason: "the executor posted the job"},
		{name: "leaving", me: func(e *client.ExecutorView) { e.Status = "leaving" }, reason: "the executor is leaving"},
		{name: "kind", terms: func(t *JobTerms) { t.Kind = "wasi-p2" }, reason: `module kind "wasi-p2" is not run`},
		{name: "kind narrowed by the policy", policy: Policy{Kinds: []string{"other"}}, reason: `module kind "wasi-p1" is not run`},
		{name: "memory", terms: func(t *JobTerms) { t.MemoryPages = 65 }, reason: "the job needs 65 memory pages, at most 64 are granted"},
		{name: "memory narrowed", policy: Policy{MemoryPages: 8}, reason: "the job needs 16 memory pages, at most 8 are granted"},
		{name: "fuel", terms: func(t *JobTerms) { t.FuelLimit = 1001 }, reason: "fuel limit 1001 is over the maximum 1000"},
		{name: "fuel narrowed", policy: Policy{MaxFuel: 999}, reason: "fuel limit 1000 is over the maximum 999"},
		{name: "policy fuel above the registered one", policy: Policy{MaxFuel: 5000}, terms: func(t *JobTerms) { t.FuelLimit = 1001 },
			reason: "fuel limit 1001 is over the maximum 1000"},
		{name: "reputation", terms: func(t *JobTerms) { t.MinReputation = 10_001 }, reason: "the job wants reputation 10001, the executor has 10000"},
		{name: "bond", policy: Policy{Price: 5}, me: func(e *client.ExecutorView) { e.Reserved = 6_000 },
			reason: "the bid would hold 5×1000 of the bond, 4000 is free"},
		{name: "bond exactly enough", policy: Policy{Price: 5}, me: func(e *client.ExecutorView) { e.Reserved = 5_000 }, price: 5},
		// Jobs no runtime runs: the executor would be assigned, give no
		// receipt and be slashed as absent.
		{name: "no memory", terms: func(t *JobTerms) { t.MemoryPages = 0 }, reason: "the job asks for 0 memory pages, a run needs 1 to 65536"},
		{name: "more memory than WebAssembly has", me: func(e *client.ExecutorView) { e.MemoryPages = 1 << 20 },
			terms: func(t *JobTerms) { t.MemoryPages = 65537 }, reason: "the job asks for 65537 memory pages, a run needs 1 to 65536"},
		{name: "fuel limit over the runtime's", me: func(e *client.ExecutorView) { e.MaxFuel = 1 << 63 },
			terms: func(t *JobTerms) { t.FuelLimit = 1<<62 + 1; t.MaxPrice = 3 }, reason: "fuel limit 4611686018427387905 is over the runtime's maximum 4611686018427387904"},
		{name: "hold overflows", me: func(e *client.ExecutorView) { e.MaxFuel = 1 << 63; e.PriceFloor = 4 },
			terms: func(t *JobTerms) { t.FuelLimit = 1 << 62; t.MaxPrice = 4 }, reason: "the bid would hold 4×4611686018427387904 of the bond, 6000 is free"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, terms := *me, ok
			if tc.me != nil {
				tc.me(&e)
			}
			if tc.terms != nil {
				tc.terms(&terms)
			}
			price, reason := tc.policy.Decide(&e, terms)
			if price != tc.price || reason != tc.reason {
				t.Fatalf("Decide = %d, %q; want %d, %q", price, reason, tc.price, tc.reason)
			}
		})
	}
	if err := (Policy{Price: 2}).Check(me); err == nil || !strings.Contains(err.Error(), "below did:icn:me's registered price floor 3") {
		t.Fatalf("a price below the floor: %v", err)
	}
	if err := (Policy{Price: 3}).Check(me); err != nil {
		t.Fatal(err)
	}
}

func TestCommitPhaseClosed(t *testing.T) {
	v := &client.JobView{CommitDeadline: 20, Bids: []*client.BidView{
		{Executor: "a", Assigned: true, Commitment: "aa"},
		{Executor: "b", Assigned: true},
		{Executor: "c"},
	}}
	if commitPhaseClosed(v, 19) {
		t.Fatal("closed while b has not committed and the deadline has not passed")
	}
	if !commitPhaseClosed(v, 20) {
		t.Fatal("open at the commit deadline's height: a reveal lands after it")
	}
	v.Bids[1].Commitment = "bb"
	if !commitPhaseClosed(v, 10) {
		t.Fatal("open once every assigned executor committed (c is not assigned)")
	}
}

func TestStateDurable(t *testing.T) {
	dir := t.TempDir()
	s, err := openState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := s.LastHeight(); err != nil || h != 0 {
		t.Fatalf("fresh height: %d, %v", h, err)
	}
	if err := s.SetLastHeight(42); err != nil {
		t.Fatal(err)
	}
	if h, err := s.LastHeight(); err != nil || h != 42 {
		t.Fatalf("height: %d, %v", h, err)
	}
	open := &JobState{Job: "bafkreiopen", Seen: 7, Price: 3, Run: &RunRecord{Output: "bafkreiout", Fuel: 9},
		Commit: TxRecord{Attempts: []TxAttempt{{Hash: "AB", Sequence: 4, TimeoutHeight: 50}, {Hash: "CD", Refused: "no"}}}}
	closed := &JobState{Job: "bafkreiclosed", Closed: "completed"}
	for _, st := range []*JobState{open, closed} {
		if err := s.Save(st); err != nil {
			t.Fatal(err)
		}
	}
	// Reopened, as after a restart: the same state, and only the open job.
	s2, err := openState(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.Open()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], open) {
		t.Fatalf("open jobs: %+v", got)
	}
	if got[0].Commit.Sent() != 1 {
		t.Fatalf("sent: %d (a refused attempt is not sent)", got[0].Commit.Sent())
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(filepath.Join(dir, "jobs"))
	if len(entries) != 2 {
		t.Fatalf("files: %v", entries)
	}
	// A damaged file is an error, not a silent fresh start.
	if err := os.WriteFile(filepath.Join(dir, heightFile), []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.LastHeight(); err == nil || !strings.Contains(err.Error(), `holds "x\n", not a height`) {
		t.Fatalf("damaged height file: %v", err)
	}
	if err := os.WriteFile(s2.jobPath("bafkreiother"), []byte(`{"job":"bafkreiopen"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s2.Load("bafkreiother"); err == nil || !strings.Contains(err.Error(), `names job "bafkreiopen"`) {
		t.Fatalf("misnamed state: %v", err)
	}
}

func TestFileConfig(t *testing.T) {
	home := t.TempDir()
	if _, err := LoadFileConfig(home); err == nil || !strings.Contains(err.Error(), "icnd executor init --home "+home) {
		t.Fatalf("missing file: %v", err)
	}
	cfg := DefaultFileConfig()
	cfg.Chain.Node = "tcp://127.0.0.3:26657"
	cfg.Bid.Kinds = []string{"wasi-p1"}
	cfg.P2P.Bootstrap = []string{"/ip4/127.0.0.1/tcp/4010/p2p/12D3KooWabc"}
	path, err := WriteFileConfig(home, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadFileConfig(home)
	if err != nil || !reflect.DeepEqual(got, cfg) {
		t.Fatalf("read back %+v, %v; wrote %+v", got, err, cfg)
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), "# Price per unit of fuel bid") {
		t.Fatalf("the file is not commented:\n%s", raw)
	}
	if _, err := WriteFileConfig(home, cfg); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second init: %v", err)
	}
	if err := os.WriteFile(path, append(raw, []byte("\nbid-price = 3\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFileConfig(home); err == nil || !strings.Contains(err.Error(), "bid-price") {
		t.Fatalf("unknown key: %v", err)
	}
	bad := []struct {
		edit func(c *FileConfig)
		want string
	}{
		{func(c *FileConfig) { c.Chain.Node = "" }, "chain.node is empty"},
		{func(c *FileConfig) { c.Key.Name = "" }, "key.name is empty"},
		{func(c *FileConfig) { c.Run.Parallel = 0 }, "run.parallel = 0"},
		{func(c *FileConfig) { c.Run.Timeout = "soon" }, `run.timeout = "soon"`},
		{func(c *FileConfig) { c.Chain.Poll = "-1s" }, `chain.poll = "-1s"`},
		{func(c *FileConfig) { c.Run.Engine = "jit" }, `run.engine = "jit"`},
		{func(c *FileConfig) { c.Chain.TxTimeoutBlocks = 0 }, "chain.tx-timeout-blocks = 0"},
		// Values only start used to check: init must not write a file that
		// start refuses.
		{func(c *FileConfig) { c.LogLevel = "verbose" }, `log-level = "verbose": want debug, info, warn or error`},
		{func(c *FileConfig) { c.Key.KeyringBackend = "os" }, `key.keyring-backend = "os": want file, test or memory`},
	}
	for _, b := range bad {
		c := DefaultFileConfig()
		b.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("want %q, got %v", b.want, err)
		}
	}
	if err := DefaultFileConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	if Path("/h", "blocks") != "/h/blocks" || Path("/h", "/abs") != "/abs" || Path("/h", "") != "" {
		t.Fatal("Path")
	}
}

// TestMetricsServed scrapes the handler over HTTP and sees values change.
func TestMetricsServed(t *testing.T) {
	m := NewMetrics()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	scrape := func() string {
		t.Helper()
		res, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	value := func(body, series string) string {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s in\n%s", series, body)
		}
		return m[1]
	}
	before := scrape()
	for _, s := range []string{"icn_executor_jobs_seen_total", "icn_executor_bids_sent_total", "icn_executor_jobs_run_total",
		"icn_executor_fuel_used_total", "icn_executor_receipts_committed_total", "icn_executor_receipts_accepted_total"} {
		if v := value(before, s); v != "0" {
			t.Fatalf("%s starts at %s", s, v)
		}
	}
	m.JobsSeen.Inc()
	m.FuelUsed.Add(52_375_143)
	m.RunFailures.WithLabelValues("out of fuel").Inc()
	m.TxErrors.WithLabelValues("commit").Inc()
	m.Settled.WithLabelValues("agreed").Inc()
	after := scrape()
	for series, want := range map[string]string{
		"icn_executor_jobs_seen_total":                          "1",
		"icn_executor_fuel_used_total":                          "5.2375143e+07",
		`icn_executor_run_failures_total{status="out of fuel"}`: "1",
		`icn_executor_tx_errors_total{kind="commit"}`:           "1",
		`icn_executor_jobs_settled_total{outcome="agreed"}`:     "1",
	} {
		if got := value(after, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
}

// TestJudgeAttempt: an attempt not found in a block may still be included
// until its timeout height has passed, and never after it; a node that
// cannot look transactions up (tx_index.indexer = "null") or fails to answer
// must not make the daemon wait forever, or a lost commitment is never sent
// again and the executor is slashed as absent. The chain, read at the same
// height, shows the step not done, so an attempt past its timeout height did
// nothing.
func TestJudgeAttempt(t *testing.T) {
	ok := &coretypes.ResultTx{TxResult: abcitypes.ExecTxResult{Code: 0}}
	bad := &coretypes.ResultTx{TxResult: abcitypes.ExecTxResult{Codespace: "tx", Code: 24}}
	notFound := errors.New("tx (AB12) not found")
	disabled := errors.New("transaction indexing is disabled")
	down := errors.New(`post failed: Post "http://127.0.0.1:26657": dial tcp 127.0.0.1:26657: connect: connection refused`)
	cases := []struct {
		name       string
		res        *coretypes.ResultTx
		err        error
		tip, until int64
		want       attemptVerdict
	}{
		{"included", ok, nil, 20, 10, attemptIncluded},
		{"failed in a block", bad, nil, 5, 10, attemptFailed},
		{"not found, timeout not passed", nil, notFound, 10, 10, attemptPending},
		{"not found, timeout passed", nil, notFound, 11, 10, attemptExpired},
		{"indexing disabled, timeout not passed", nil, disabled, 10, 10, attemptPending},
		{"indexing disabled, timeout passed", nil, disabled, 11, 10, attemptExpired},
		{"node unreachable, timeout not passed", nil, down, 3, 10, attemptPending},
		{"node unreachable, timeout passed", nil, down, 11, 10, attemptExpired},
	}
	for _, tc := range cases {
		if got := judgeAttempt(tc.res, tc.err, tc.tip, tc.until); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestMayResend: transactions that may have reached a mempool are bounded,
// those the node refused (a full mempool, a stale sequence), which cost
// nothing, are not counted with them: a node whose mempool is full for a
// few seconds must not make the daemon give up its commitment and be
// slashed as absent. A refusal that may pass later is tried again once per
// block, and a step refused 100 times is given up.
func TestMayResend(t *testing.T) {
	full := "transaction refused by the node (app/12): mempool is full: 5000 transactions pending, max 5000"
	attempts := func(n int, refused string, height int64) TxRecord {
		var r TxRecord
		for i := range n {
			r.Attempts = append(r.Attempts, TxAttempt{Hash: fmt.Sprint(i), Sequence: uint64(i), TimeoutHeight: height + 10, Height: height, Refused: refused})
		}
		return r
	}
	cases := []struct {
		name   string
		rec    TxRecord
		tip    int64
		send   bool
		giveUp string
	}{
		{"nothing sent yet", TxRecord{}, 10, true, ""},
		{"four sent", attempts(4, "", 5), 20, true, ""},
		{"five sent", attempts(5, "", 5), 20, false, "5 attempts"},
		{"five refused for a full mempool, in earlier blocks", attempts(5, full, 9), 10, true, ""},
		{"refused for a full mempool in this block", attempts(1, full, 10), 10, false, ""},
		{"refused 100 times", attempts(100, full, 9), 10, false, "100 attempts refused by the node"},
	}
	for _, tc := range cases {
		send, giveUp := tc.rec.mayResend(tc.tip)
		if send != tc.send || giveUp != tc.giveUp {
			t.Errorf("%s: mayResend = %v, %q; want %v, %q", tc.name, send, giveUp, tc.send, tc.giveUp)
		}
	}
}
