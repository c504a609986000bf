package daemon

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the daemon's Prometheus metrics (docs/executor.md, section
// 3), registered on their own registry.
type Metrics struct {
	reg *prometheus.Registry

	JobsSeen          prometheus.Counter
	BidsSent          prometheus.Counter
	JobsRun           prometheus.Counter
	FuelUsed          prometheus.Counter
	RunFailures       *prometheus.CounterVec
	ReceiptsCommitted prometheus.Counter
	ReceiptsAccepted  prometheus.Counter
	Settled           *prometheus.CounterVec
	TxErrors          *prometheus.CounterVec
	Height            prometheus.Gauge
	ActiveJobs        prometheus.Gauge
}

const namespace = "icn_executor"

// NewMetrics creates the metrics on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help})
		m.reg.MustRegister(c)
		return c
	}
	m.JobsSeen = counter("jobs_seen_total", "Jobs posted on chain (or announced and found on chain) that the daemon looked at.")
	m.BidsSent = counter("bids_sent_total", "Bid transactions accepted into the node's mempool.")
	m.JobsRun = counter("jobs_run_total", "Jobs run to a result (any status).")
	m.FuelUsed = counter("fuel_used_total", "Fuel used by the jobs run.")
	m.RunFailures = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "run_failures_total",
		Help: "Runs that did not end with status ok, by status (out of fuel, trap, ..., no receipt, fetch)."}, []string{"status"})
	m.ReceiptsCommitted = counter("receipts_committed_total", "Receipt commitments found on chain.")
	m.ReceiptsAccepted = counter("receipts_accepted_total", "Revealed receipts the chain accepted.")
	m.Settled = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "jobs_settled_total",
		Help: "Closed jobs this executor was assigned, by its outcome (agreed, disagreed, absent, unresolved)."}, []string{"outcome"})
	m.TxErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "tx_errors_total",
		Help: "Transactions refused by the node or failed in a block, by kind (bid, commit, reveal)."}, []string{"kind"})
	m.Height = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "height", Help: "Last chain height processed."})
	m.ActiveJobs = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "active_jobs", Help: "Jobs tracked (the policy accepted them) and not closed yet."})
	m.reg.MustRegister(m.RunFailures, m.Settled, m.TxErrors, m.Height, m.ActiveJobs)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
