package runner

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Manifest is a fault-injection run, read from a TOML file: the network,
// the load, and a schedule of perturbations repeated Cycles times, one
// cycle every Period. Times in the schedule are offsets from the start of
// the cycle. docs/fault-injection.md describes every field.
type Manifest struct {
	Name string `toml:"name"`
	// Validators is the number of nodes, all validators of equal power.
	Validators int `toml:"validators"`
	// Accounts is how many funded accounts send transactions at once.
	Accounts int `toml:"accounts"`
	// SnapshotInterval is every node's snapshot interval in heights; a
	// wiped node restores the latest snapshot.
	SnapshotInterval uint64 `toml:"snapshot_interval"`
	// Period is the length of one cycle; Cycles how many run back to back.
	Period Duration `toml:"period"`
	Cycles int      `toml:"cycles"`
	// Grace is how long after each change in the schedule the network may
	// take to settle before the liveness check applies.
	Grace Duration `toml:"grace"`
	// StallBound is the longest the chain may go without a new block
	// while enough validators to commit are up and connected.
	StallBound Duration `toml:"stall_bound"`
	// CatchUp is how long a perturbed node may take, once the perturbation
	// ends, to reach the height the others had at that moment (a
	// perturbation may set its own).
	CatchUp Duration `toml:"catch_up"`
	// Drain is how long the load may wait, once it stops sending, for its
	// accepted transactions to be committed.
	Drain Duration `toml:"drain"`
	// Perturbations is one cycle's schedule.
	Perturbations []Perturbation `toml:"perturbation"`
}

// Perturbation is one fault applied to one or more nodes.
type Perturbation struct {
	// At is the offset in the cycle when the fault begins; For how long it
	// lasts before the nodes are restored.
	At  Duration `toml:"at"`
	For Duration `toml:"for"`
	// Op is one of Ops.
	Op    string   `toml:"op"`
	Nodes []string `toml:"nodes"`
	// CatchUp overrides the manifest's catch-up bound.
	CatchUp Duration `toml:"catch_up"`
}

// The perturbations.
const (
	OpKill       = "kill"       // SIGKILL, then start again
	OpPause      = "pause"      // docker pause (cgroup freezer), then unpause
	OpDisconnect = "disconnect" // docker network disconnect, then connect with the same address
	OpStop       = "stop"       // SIGTERM (must exit 0), then start again
	OpWipe       = "wipe"       // SIGTERM, delete the data but the signing state, rejoin by state sync
)

// Ops lists the perturbations a manifest may name.
var Ops = []string{OpKill, OpPause, OpDisconnect, OpStop, OpWipe}

// Duration is a time.Duration written as a Go duration string ("90s").
type Duration time.Duration

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D is the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// ReadManifest reads and checks the manifest at path.
func ReadManifest(path string) (*Manifest, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(bz)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ParseManifest decodes a manifest, fills the defaults and checks it.
// Unknown fields are refused, so a misspelt field is never ignored.
func ParseManifest(bz []byte) (*Manifest, error) {
	m := &Manifest{
		Validators: 4, Accounts: 12, SnapshotInterval: 10, Cycles: 1,
		Grace:      Duration(30 * time.Second),
		StallBound: Duration(30 * time.Second),
		CatchUp:    Duration(90 * time.Second),
		Drain:      Duration(90 * time.Second),
	}
	dec := toml.NewDecoder(bytes.NewReader(bz))
	dec.DisallowUnknownFields()
	if err := dec.Decode(m); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) {
			return nil, fmt.Errorf("unknown fields:\n%s", strict.String())
		}
		return nil, err
	}
	return m, m.Check()
}

// Check reports the first thing wrong with the manifest.
func (m *Manifest) Check() error {
	switch {
	case m.Name == "":
		return fmt.Errorf("name is empty")
	case m.Validators < 4 || m.Validators > 20:
		return fmt.Errorf("validators = %d: want 4 to 20", m.Validators)
	case m.Accounts < 1 || m.Accounts > 200:
		return fmt.Errorf("accounts = %d: want 1 to 200", m.Accounts)
	case m.SnapshotInterval == 0:
		return fmt.Errorf("snapshot_interval is 0: a wiped node could not rejoin by state sync")
	case m.Cycles < 1:
		return fmt.Errorf("cycles = %d: want at least 1", m.Cycles)
	case m.Period <= 0:
		return fmt.Errorf("period is missing")
	case m.Grace <= 0 || m.StallBound <= 0 || m.CatchUp <= 0 || m.Drain <= 0:
		return fmt.Errorf("grace, stall_bound, catch_up and drain must be positive")
	}
	for i, p := range m.Perturbations {
		where := fmt.Sprintf("perturbation %d (%s at %s)", i+1, p.Op, p.At.D())
		if !slices.Contains(Ops, p.Op) {
			return fmt.Errorf("%s: op %q: want one of %v", where, p.Op, Ops)
		}
		if p.At < 0 || p.For <= 0 || p.At+p.For > m.Period {
			return fmt.Errorf("%s: at + for must lie inside the period (%s)", where, m.Period.D())
		}
		if len(p.Nodes) == 0 {
			return fmt.Errorf("%s: no nodes", where)
		}
		for _, name := range p.Nodes {
			if m.nodeIndex(name) < 0 {
				return fmt.Errorf("%s: no node %q (nodes are node0 to node%d)", where, name, m.Validators-1)
			}
		}
	}
	// A node takes one fault at a time: its restore must come before its
	// next fault, with the catch-up bound in between.
	// The next cycle's schedule counts too.
	shifts := []Duration{0}
	if m.Cycles > 1 {
		shifts = append(shifts, m.Period)
	}
	for i, a := range m.Perturbations {
		for j, b := range m.Perturbations {
			for _, next := range shifts {
				at := b.At + next
				if (i == j && next == 0) || at < a.At {
					continue
				}
				for _, name := range a.Nodes {
					if slices.Contains(b.Nodes, name) && at < a.At+a.For+m.catchUp(a) {
						return fmt.Errorf("perturbations %d and %d overlap on %s (the second must start after the first's for + catch_up, in the next cycle too)", i+1, j+1, name)
					}
				}
			}
		}
	}
	return nil
}

func (m *Manifest) catchUp(p Perturbation) Duration {
	if p.CatchUp > 0 {
		return p.CatchUp
	}
	return m.CatchUp
}

// nodeIndex maps "node<i>" to i, or -1.
func (m *Manifest) nodeIndex(name string) int {
	for i := 0; i < m.Validators; i++ {
		if name == fmt.Sprintf("node%d", i) {
			return i
		}
	}
	return -1
}

// Duration is the load's length: every cycle back to back.
func (m *Manifest) Duration() time.Duration { return time.Duration(m.Cycles) * m.Period.D() }

// Event is one scheduled perturbation of the whole run, with its absolute
// offset from the start of the load.
type Event struct {
	Seq   int // 1-based, in time order
	Cycle int
	Perturbation
	Begin, End time.Duration
	nodes      []int
}

// Schedule unrolls the cycles into the run's events, in time order.
func (m *Manifest) Schedule() []Event {
	var out []Event
	for c := 0; c < m.Cycles; c++ {
		off := time.Duration(c) * m.Period.D()
		for _, p := range m.Perturbations {
			e := Event{Cycle: c + 1, Perturbation: p, Begin: off + p.At.D(), End: off + p.At.D() + p.For.D()}
			for _, name := range p.Nodes {
				e.nodes = append(e.nodes, m.nodeIndex(name))
			}
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Begin < out[j].Begin })
	for i := range out {
		out[i].Seq = i + 1
	}
	return out
}

// Window is a stretch of the run during which the same validators are
// down (perturbed).
type Window struct {
	From, To time.Duration
	Down     int
	// Live is set when the validators up hold more than two thirds of the
	// voting power (all have equal power): the chain must make blocks.
	Live bool
}

// Windows splits [0, total) at every begin and end of a perturbation and
// counts, for each piece, the validators that are down.
func Windows(m *Manifest, events []Event, total time.Duration) []Window {
	cuts := []time.Duration{0, total}
	for _, e := range events {
		cuts = append(cuts, e.Begin, e.End)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var out []Window
	for i := 0; i+1 < len(cuts); i++ {
		from, to := cuts[i], cuts[i+1]
		if from >= total {
			break
		}
		down := map[int]bool{}
		for _, e := range events {
			if e.Begin <= from && from < e.End {
				for _, n := range e.nodes {
					down[n] = true
				}
			}
		}
		up := m.Validators - len(down)
		out = append(out, Window{From: from, To: min(to, total), Down: len(down), Live: 3*up > 2*m.Validators})
	}
	return out
}
