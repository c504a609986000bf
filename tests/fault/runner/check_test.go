package runner

import (
	"strings"
	"testing"
	"time"
)

// liveRunner is a Runner with a manifest and a history of applied events,
// enough for checkLiveness and checkCatchUp.
func liveRunner(t *testing.T, applied []Applied) *Runner {
	t.Helper()
	m, err := ParseManifest([]byte(`name = "t"
period = "100s"
grace = "10s"
stall_bound = "5s"
catch_up = "8s"
`))
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{m: m, applied: applied}
}

func applied(op string, nodes []int, issued, restored time.Duration, target int64) Applied {
	var names []string
	for _, n := range nodes {
		names = append(names, "node"+string(rune('0'+n)))
	}
	return Applied{
		Event:  Event{Perturbation: Perturbation{Op: op, Nodes: names, For: Duration(restored - issued)}, nodes: nodes},
		Issued: issued, InPlace: issued + time.Second, RestoreIssued: restored - time.Second, Restored: restored, Target: target,
	}
}

// producing returns one node's samples (every 500 ms for 100 s) of a
// chain that makes a block every second inside the given [from, to)
// stretches and none outside.
func producing(stretches ...[2]time.Duration) []sample {
	var out []sample
	for at := time.Duration(0); at < 100*time.Second; at += 500 * time.Millisecond {
		var h int64
		for _, s := range stretches {
			end := min(at, s[1])
			if end > s[0] {
				h += int64((end - s[0]) / time.Second)
			}
		}
		out = append(out, sample{at: at, ok: true, height: h})
	}
	return out
}

func span(from, to int) [2]time.Duration {
	return [2]time.Duration{time.Duration(from) * time.Second, time.Duration(to) * time.Second}
}

func TestCheckLiveness(t *testing.T) {
	halt := applied(OpKill, []int{2, 3}, 40*time.Second, 60*time.Second, 0)
	pause := applied(OpPause, []int{1}, 30*time.Second, 38*time.Second, 0)
	for _, tc := range []struct {
		name    string
		samples []sample
		want    string // a failure containing this; "" for none
	}{
		{"live, halted, live again", producing(span(0, 40), span(61, 100)), ""},
		{"one block after the quorum is lost", producing(span(0, 42), span(61, 100)), ""},
		{"slow to resume, within the grace", producing(span(0, 40), span(69, 100)), ""},
		{"a stall while a quorum was up", producing(span(0, 20), span(28, 40), span(61, 100)), "no new block for 9s"},
		{"a stall across the start of a fault", producing(span(0, 27), span(33, 40), span(61, 100)), "no new block for 7s"},
		{"blocks while halted", producing(span(0, 100)), "yet the chain made"},
		{"a stall after the grace", producing(span(0, 40), span(61, 80), span(90, 100)), "no new block for"},
		{"no resumption", producing(span(0, 40)), "no block after 1m10s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := liveRunner(t, []Applied{pause, halt})
			rep := &Report{Manifest: r.m, LoadTime: 100 * time.Second}
			r.checkLiveness(rep, [][]sample{tc.samples, nil, nil, nil})
			got := strings.Join(rep.Failures, "\n")
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Fatalf("failures:\n%s\nwant: %q", got, tc.want)
			}
			if len(rep.Windows) != 3 || rep.Windows[1].Live || !rep.Windows[0].Live || rep.Windows[1].Down != 2 {
				t.Fatalf("stretches %+v", rep.Windows)
			}
		})
	}
}

func TestCheckCatchUp(t *testing.T) {
	ev := applied(OpKill, []int{1}, 10*time.Second, 20*time.Second, 15)
	node1 := []sample{
		{at: 19 * time.Second, ok: false},
		{at: 21 * time.Second, ok: true, height: 12, catchingUp: true},
		{at: 24 * time.Second, ok: true, height: 15, catchingUp: true}, // not yet: still catching up
		{at: 26 * time.Second, ok: true, height: 16},
	}
	r := liveRunner(t, []Applied{ev})
	rep := &Report{Manifest: r.m}
	r.checkCatchUp(rep, [][]sample{nil, node1})
	if len(rep.Failures) != 0 || len(rep.CatchUps) != 1 || rep.CatchUps[0].Took != 6*time.Second {
		t.Fatalf("catch-ups %+v failures %v", rep.CatchUps, rep.Failures)
	}
	// Beyond the bound (8 s), and never.
	node1[3].at = 29 * time.Second
	rep = &Report{Manifest: r.m}
	r.checkCatchUp(rep, [][]sample{nil, node1})
	if len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], "took 9s to reach height 15, bound 8s") {
		t.Fatalf("failures %v", rep.Failures)
	}
	rep = &Report{Manifest: r.m}
	r.checkCatchUp(rep, [][]sample{nil, node1[:3]})
	if len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], "never reached height 15") {
		t.Fatalf("failures %v", rep.Failures)
	}
}

func TestLogPatterns(t *testing.T) {
	line := `I[2026-12-05|14:09:47.248] ABCI Handshake App Info                      module=consensus height=933 hash=9702BFCD software-version=4d09f8b protocol-version=1`
	if m := handshakeLine.FindStringSubmatch(line); m == nil || m[1] != "933" {
		t.Fatalf("handshake: %v", m)
	}

	t0 := time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC)
	stop := applied(OpStop, []int{0}, 30*time.Second, 45*time.Second, 0)
	r := liveRunner(t, []Applied{stop})
	r.t0 = t0
	rpcPanic := `E[2026-12-05|14:00:30.500] panic in RPC HTTP handler                    module=rpc-server err="leveldb: closed" stack="goroutine 192 [running]:..."`
	for _, tc := range []struct {
		node int
		line string
		want bool
	}{
		{0, rpcPanic, true},
		{1, rpcPanic, false}, // another node was not being stopped
		{0, strings.Replace(rpcPanic, "14:00:30.500", "14:00:50.000", 1), false}, // after the stop
		{0, strings.Replace(rpcPanic, "leveldb: closed", "index out of range", 1), false},
		{0, `panic: runtime error: invalid memory address`, false},
	} {
		if got := r.shutdownRPCPanic(tc.node, tc.line); got != tc.want {
			t.Errorf("node%d %q: %v, want %v", tc.node, tc.line[:40], got, tc.want)
		}
		if !panicLine.MatchString(tc.line) {
			t.Errorf("%q is not seen as a panic", tc.line[:40])
		}
	}
	if panicLine.MatchString(`I[2026-12-05|14:09:47.248] committed state module=state height=933`) {
		t.Error("an ordinary line is seen as a panic")
	}
}
