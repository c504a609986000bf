package abci

import (
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mana"
)

// MetricsNamespace prefixes every icnd metric name.
const MetricsNamespace = "icnd"

// Label values for a transaction's message: a transaction with several
// messages counts once under msgMulti, one that does not decode under
// msgUndecodable. Every other value is a message name of the Msg oneof, so
// the label's values are bounded.
const (
	msgMulti       = "multi"
	msgUndecodable = "undecodable"
)

// Metrics are the application's Prometheus collectors. CometBFT serves the
// default registry on instrumentation.prometheus_listen_addr, so Run
// registers them there, and only when instrumentation.prometheus is on.
// Labels take only message names, event types and registered codes.
type Metrics struct {
	// Txs counts the transactions of finalized blocks by message and result.
	Txs *prometheus.CounterVec
	// CheckTxRefused counts new transactions CheckTx refused, by code.
	CheckTxRefused *prometheus.CounterVec
	// Events counts the events of finalized blocks by type.
	Events *prometheus.CounterVec
	// ManaCharged sums the icn.mana.charged events' amounts.
	ManaCharged prometheus.Counter
	// ProposalExecution, BlockExecution and CommitDuration time the app's
	// ProcessProposal, FinalizeBlock and Commit. A node that accepted the
	// proposal executed the block in ProcessProposal; its FinalizeBlock
	// only writes the result through.
	ProposalExecution prometheus.Histogram
	BlockExecution    prometheus.Histogram
	CommitDuration    prometheus.Histogram
	// StateKeys is the number of keys in the committed state.
	StateKeys prometheus.Gauge
	// AppMempoolTxs is the number of transactions in the app-side mempool
	// after the last Commit (0 with CometBFT's flood mempool, whose own
	// cometbft_mempool_size counts them instead).
	AppMempoolTxs prometheus.Gauge
	// SigCacheHits and SigCacheMisses count signature checks answered by
	// the signature cache and those that verified the signature.
	SigCacheHits, SigCacheMisses prometheus.Counter
	// StateCacheHits and StateCacheMisses count state reads answered by
	// the state cache and those that went to the tree.
	StateCacheHits, StateCacheMisses prometheus.Counter
	// PruneBacklog is the number of pruned versions still on disk, which
	// the store's background pruning has yet to delete; PrunedVersions
	// counts those it deleted. A backlog that only grows means the disk
	// fills faster than the pruning frees it.
	PruneBacklog   prometheus.Gauge
	PrunedVersions prometheus.Counter

	// last are the App's counters at the previous Commit; Commit adds the
	// difference to the counters above.
	last app.Stats
}

// NewMetrics returns the collectors, registered with reg. Collectors
// already registered there by an earlier call (several nodes in one test
// process) are reused rather than registered twice.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	durations := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	return &Metrics{
		Txs: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: MetricsNamespace, Name: "txs_total",
			Help: "Transactions in finalized blocks, by message (\"multi\" for several, \"undecodable\") and result codespace and code.",
		}, []string{"msg", "codespace", "code"})),
		CheckTxRefused: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: MetricsNamespace, Name: "checktx_refused_total",
			Help: "New transactions refused by CheckTx, by codespace and code.",
		}, []string{"codespace", "code"})),
		Events: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: MetricsNamespace, Name: "events_total",
			Help: "Events of finalized blocks (transactions and end of block), by type.",
		}, []string{"type"})),
		ManaCharged: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: MetricsNamespace, Name: "mana_charged_total",
			Help: "Mana charged for transactions in finalized blocks.",
		})),
		ProposalExecution: register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: MetricsNamespace, Name: "process_proposal_seconds",
			Help:    "Time the app took to check and execute a proposed block (ProcessProposal).",
			Buckets: durations,
		})),
		BlockExecution: register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: MetricsNamespace, Name: "finalize_block_seconds",
			Help:    "Time the app took to finalize a block: only writing it through when ProcessProposal executed it.",
			Buckets: durations,
		})),
		CommitDuration: register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: MetricsNamespace, Name: "commit_seconds",
			Help:    "Time the app took to commit a block (snapshots not included).",
			Buckets: durations,
		})),
		StateKeys: register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: MetricsNamespace, Name: "state_keys",
			Help: "Keys in the committed application state.",
		})),
		AppMempoolTxs: register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: MetricsNamespace, Name: "app_mempool_txs",
			Help: "Transactions in the app-side mempool after the last commit (0 with the flood mempool).",
		})),
		SigCacheHits: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: MetricsNamespace, Name: "sigcache_hits_total",
			Help: "Signature checks answered by the signature cache.",
		})),
		SigCacheMisses: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: MetricsNamespace, Name: "sigcache_misses_total",
			Help: "Signature checks that verified the signature.",
		})),
		StateCacheHits: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: MetricsNamespace, Name: "state_cache_hits_total",
			Help: "State reads answered by the state cache.",
		})),
		StateCacheMisses: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: MetricsNamespace, Name: "state_cache_misses_total",
			Help: "State reads that went to the tree.",
		})),
		PruneBacklog: register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: MetricsNamespace, Name: "prune_backlog_versions",
			Help: "Pruned versions still on disk, which the background pruning has yet to delete, after the last commit.",
		})),
		PrunedVersions: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: MetricsNamespace, Name: "pruned_versions_total",
			Help: "Versions the background pruning deleted from disk.",
		})),
	}
}

// register registers c with reg, or returns the equal collector registered
// before. Any other error is a programming error (two metrics under one
// name with different labels or help), as for prometheus.MustRegister.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var dup prometheus.AlreadyRegisteredError
	if errors.As(err, &dup) {
		if existing, ok := dup.ExistingCollector.(C); ok {
			return existing
		}
	}
	panic(err)
}

// observeBlock records a finalized block: its execution time, each
// transaction by message and result, the events, and the mana charged.
func (m *Metrics) observeBlock(a *app.App, txs [][]byte, block *app.BlockResult, took time.Duration) {
	m.BlockExecution.Observe(took.Seconds())
	for i, r := range block.TxResults {
		m.Txs.WithLabelValues(msgLabel(a.MsgNames(txs[i])), r.Codespace, strconv.FormatUint(uint64(r.Code), 10)).Inc()
		m.observeEvents(r.Events)
	}
	m.observeEvents(block.Events)
}

func (m *Metrics) observeEvents(events []modules.Event) {
	for _, e := range events {
		m.Events.WithLabelValues(e.Type).Inc()
		if e.Type != mana.EventTypeCharged {
			continue
		}
		var charged mana.EventCharged
		if err := modules.DecodeEvent(e, &charged); err == nil {
			m.ManaCharged.Add(float64(charged.Amount))
		}
	}
}

// observeRefusal records a new transaction CheckTx refused.
func (m *Metrics) observeRefusal(r app.TxResult) {
	m.CheckTxRefused.WithLabelValues(r.Codespace, strconv.FormatUint(uint64(r.Code), 10)).Inc()
}

// observeCommit records a Commit's duration and the App's state size and
// cache counters after it.
func (m *Metrics) observeCommit(a *app.App, took time.Duration) {
	m.CommitDuration.Observe(took.Seconds())
	s := a.Stats()
	m.StateKeys.Set(float64(s.StateKeys))
	addSince(m.SigCacheHits, s.SigCacheHits, m.last.SigCacheHits)
	addSince(m.SigCacheMisses, s.SigCacheMisses, m.last.SigCacheMisses)
	addSince(m.StateCacheHits, s.StateCache.Hits, m.last.StateCache.Hits)
	addSince(m.StateCacheMisses, s.StateCache.Misses, m.last.StateCache.Misses)
	m.PruneBacklog.Set(float64(s.Pruning.Backlog))
	addSince(m.PrunedVersions, uint64(s.Pruning.Deleted), uint64(m.last.Pruning.Deleted))
	m.last = s
}

// addSince adds to c what the App's counter gained from before to now. A
// counter below its previous value started over (the store reloaded its
// tree after a rollback or restore): all of now is new.
func addSince(c prometheus.Counter, now, before uint64) {
	if now < before {
		before = 0
	}
	c.Add(float64(now - before))
}

func msgLabel(names []string) string {
	switch len(names) {
	case 0:
		return msgUndecodable
	case 1:
		return names[0]
	default:
		return msgMulti
	}
}
