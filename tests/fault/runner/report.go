package runner

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what a run did and what its checks found.
type Report struct {
	Manifest    *Manifest
	LoadTime    time.Duration
	FinalHeight int64
	// Bases are the nodes' earliest block heights at the end (above 1 for
	// a node that rejoined by state sync).
	Bases             []int64
	Applied           []Applied
	CatchUps          []CatchUp
	Windows           []LiveWindow
	Stats             LoadStats
	HeadersCompared   int
	AppHashesCompared int
	LogLines          int
	// ShutdownRPCPanics counts the recovered RPC handler panics of a node
	// being stopped that the log check tolerates (see shutdownRPCPanic).
	ShutdownRPCPanics int
	// UnindexedAt lists node@height where a node's tx index lacks the
	// block it was committing when the runner stopped or killed it.
	UnindexedAt []string
	Failures    []string
}

// CatchUp is one perturbed node's time from restore to the others'
// height; Took is -1 when it never got there.
type CatchUp struct {
	Event  int
	Node   int
	Target int64
	Took   time.Duration
}

// LiveWindow is a window of the schedule and what the chain did in it.
type LiveWindow struct {
	Window
	Checked  bool // long enough to be checked after its grace
	Blocks   int64
	MaxStall time.Duration
}

// LoadStats counts the load's transactions and broadcasts.
type LoadStats struct {
	Accepted, Committed, Lost, Failed, CommittedUnseen int
	Lookups                                            int
	// Lookups counts the transactions found by hash on a node (or, below
	// a state-synced node's base, in its state).
	// Unindexed counts lookups of a transaction that was in the node's
	// block and state but not in its tx index (see UnindexedAt).
	Unindexed                                int
	Broadcasts, Refused, Unreachable, Resent int64
}

func (r *Report) fail(format string, args ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
}

// OK reports whether every check passed.
func (r *Report) OK() bool { return len(r.Failures) == 0 }

// Print writes the summary tables and the failures.
func (r *Report) Print(w io.Writer) {
	m := r.Manifest
	if r.LoadTime == 0 {
		fmt.Fprintf(w, "fault-injection run %q: the network did not start; no load ran\n", m.Name)
		return
	}
	fmt.Fprintf(w, "\nfault-injection run %q: %d validators, %d accounts, %d cycle(s) of %s, load for %s\n\n",
		m.Name, m.Validators, m.Accounts, m.Cycles, m.Period.D(), r.LoadTime.Round(time.Second))

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tcycle\top\tnodes\tfault at\tfor\trestored at\ttarget height\tcatch-up\tbound\t")
	byEvent := map[int][]CatchUp{}
	for _, c := range r.CatchUps {
		byEvent[c.Event] = append(byEvent[c.Event], c)
	}
	for _, a := range r.Applied {
		var took []string
		for _, c := range byEvent[a.Seq] {
			if c.Took < 0 {
				took = append(took, fmt.Sprintf("node%d never", c.Node))
			} else {
				took = append(took, fmt.Sprintf("%.1fs", c.Took.Seconds()))
			}
		}
		restored := "-"
		if a.Restored > 0 {
			restored = secs(a.Restored)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t\n", a.Seq, a.Cycle, a.Op, strings.Join(a.Nodes, ","),
			secs(a.Issued), secs(a.For.D()), restored, a.Target, strings.Join(took, " "), secs(m.catchUp(a.Perturbation).D()))
	}
	tw.Flush()

	var took []time.Duration
	for _, c := range r.CatchUps {
		if c.Took >= 0 {
			took = append(took, c.Took)
		}
	}
	if len(took) > 0 {
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		var sum time.Duration
		for _, d := range took {
			sum += d
		}
		fmt.Fprintf(w, "\ncatch-up: %d restores, mean %.1fs, max %.1fs\n", len(took), (sum / time.Duration(len(took))).Seconds(), took[len(took)-1].Seconds())
	}

	perOp := map[string]int{}
	for _, a := range r.Applied {
		if a.Restored > 0 {
			perOp[a.Op]++
		}
	}
	var ops []string
	for _, op := range Ops {
		ops = append(ops, fmt.Sprintf("%s %d", op, perOp[op]))
	}
	fmt.Fprintf(w, "perturbations applied: %s\n", strings.Join(ops, ", "))

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "from\tto\tmost down\tquorum up\tchecked from\tblocks\tlongest stall\t")
	for _, lw := range r.Windows {
		quorum, from, stall := "yes", "-", "-"
		if !lw.Live {
			quorum = "no (halt)"
		}
		if lw.Checked {
			switch {
			case !lw.Live:
				from = secs(lw.From + haltSettle)
			case lw.From > 0:
				from = secs(lw.From + m.Grace.D())
			default:
				from = secs(lw.From)
			}
			if lw.Live {
				stall = secs(lw.MaxStall)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t%s\t\n", secs(lw.From), secs(lw.To), lw.Down, quorum, from, lw.Blocks, stall)
	}
	tw.Flush()
	fmt.Fprintf(w, "liveness: longest stall bound %s with a quorum up; at most 1 block without one\n", m.StallBound.D())
	s := r.Stats
	fmt.Fprintf(w, "txs: %d accepted, %d committed, %d lost, %d failed in the block; %d committed without a seen acceptance\n",
		s.Accepted, s.Committed, s.Lost, s.Failed, s.CommittedUnseen)
	fmt.Fprintf(w, "broadcasts: %d (%d refused by CheckTx, %d unanswered, %d resent after %s)\n",
		s.Broadcasts, s.Refused, s.Unreachable, s.Resent, resendAfter)
	fmt.Fprintf(w, "lookups: %d (every accepted tx on every node)\n", s.Lookups+s.Unindexed)
	if s.Unindexed > 0 {
		fmt.Fprintf(w, "  of which %d found in the node's block and state but not in its tx index, in the block it was committing when it went down: %s\n",
			s.Unindexed, strings.Join(r.UnindexedAt, " "))
	}
	fmt.Fprintf(w, "heights: final %d, node bases %v; %d headers and %d app-reported app hashes compared\n",
		r.FinalHeight, r.Bases, r.HeadersCompared, r.AppHashesCompared)
	if r.LoadTime > 0 {
		fmt.Fprintf(w, "throughput: %.1f committed tx/s, %.2f blocks/s\n",
			float64(s.Committed)/r.LoadTime.Seconds(), float64(r.FinalHeight)/r.LoadTime.Seconds())
	}
	fmt.Fprintf(w, "logs: %d lines scanned for panics; %d recovered RPC handler panics during a SIGTERM shutdown (CometBFT closes its stores before in-flight requests finish) tolerated\n", r.LogLines, r.ShutdownRPCPanics)
	if r.OK() {
		fmt.Fprintln(w, "\nresult: PASS")
		return
	}
	fmt.Fprintf(w, "\nresult: FAIL (%d)\n", len(r.Failures))
	for _, f := range r.Failures {
		fmt.Fprintln(w, "  -", f)
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

func sortSteps(s []step) {
	slices.SortStableFunc(s, func(a, b step) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		// A restore before a fault at the same instant.
		case !a.begin && b.begin:
			return -1
		case a.begin && !b.begin:
			return 1
		}
		return 0
	})
}
