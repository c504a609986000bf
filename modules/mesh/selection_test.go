package mesh

import (
	"crypto/sha256"
	"fmt"
	"testing"
)

// The expected orders below were worked out by hand; the hash order of
// the four test DIDs for the job id sha256("job") was computed with
// Python's hashlib: b (0a6f...), d (3740...), a (40e2...), c (90e8...).
func TestSelect(t *testing.T) {
	job := sha256.Sum256([]byte("job"))
	names := map[string]string{exA: "a", exB: "b", exC: "c", exD: "d"}
	order := func(cs []Candidate) string {
		s := ""
		for _, c := range cs {
			s += names[c.Executor]
		}
		return s
	}
	cases := []struct {
		name string
		in   []Candidate
		n    int
		want string
	}{
		{"all equal: hash order", []Candidate{{exA, 5, 10000}, {exB, 5, 10000}, {exC, 5, 10000}, {exD, 5, 10000}}, 4, "bdac"},
		{"all equal, input order does not matter", []Candidate{{exD, 5, 10000}, {exC, 5, 10000}, {exB, 5, 10000}, {exA, 5, 10000}}, 4, "bdac"},
		{"cheapest first at equal reputation", []Candidate{{exA, 3, 10000}, {exB, 5, 10000}, {exC, 1, 10000}, {exD, 4, 10000}}, 4, "cadb"},
		{"equal prices: highest reputation first", []Candidate{{exA, 5, 10000}, {exB, 5, 5000}, {exC, 5, 15000}, {exD, 5, 0}}, 4, "cabd"},
		// b: 12/30000 = 0.0004; a, d: 10/20000 = 0.0005 (tie: d before a); c: 8/10000 = 0.0008.
		{"reputation outweighs price", []Candidate{{exA, 10, 10000}, {exB, 12, 20000}, {exC, 8, 0}, {exD, 10, 10000}}, 4, "bdac"},
		// a: 6/20000 = 0.0003 = b: 9/30000; tie by hash: b before a.
		{"exact tie across price and reputation", []Candidate{{exA, 6, 10000}, {exB, 9, 20000}}, 2, "ba"},
		{"top n", []Candidate{{exA, 3, 10000}, {exB, 5, 10000}, {exC, 1, 10000}, {exD, 4, 10000}}, 2, "ca"},
		{"fewer than n", []Candidate{{exA, 3, 10000}}, 3, "a"},
		{"huge values do not overflow", []Candidate{{exA, ^uint64(0), ^uint64(0)}, {exB, ^uint64(0), 0}}, 2, "ab"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]Candidate(nil), tc.in...)
			if got := order(Select(job[:], tc.in, tc.n)); got != tc.want {
				t.Fatalf("order %s, want %s", got, tc.want)
			}
			if fmt.Sprint(in) != fmt.Sprint(tc.in) {
				t.Fatal("Select modified its input")
			}
		})
	}
}

// TestSelectionAtWindowClose: the end-of-block hook assigns the top r
// bids by price and reputation and frees the others' reservations.
func TestSelectionAtWindowClose(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{exA, exB, exC, exD} {
		e.register(1, d, 1, 100_000)
	}
	// Give exC a better reputation: 12/(20000+10000) beats 10/20000.
	x := e.executor(exC)
	x.Reputation = 20_000
	if err := e.k.setExecutor(e.ctx(1), x); err != nil {
		t.Fatal(err)
	}
	m := spec(2)
	m.MaxPrice = 20
	job := e.post(2, m)
	e.bid(3, exA, job, 10)
	e.bid(3, exB, job, 9)
	e.bid(4, exC, job, 12)
	e.bid(7, exD, job, 10) // the last height of the window (2 + 5)
	if evs := e.endBlock(6); len(evs) != 0 {
		t.Fatalf("events before the window closed: %v", evs)
	}
	evs := e.endBlock(7)
	// c: 12/30000 = 0.0004; b: 9/20000 = 0.00045; a, d: 0.0005.
	if got := eventsOf(evs, EventTypeJobAssigned, "executors", "deadline"); fmt.Sprint(got) != fmt.Sprintf("[executors=%s,%s deadline=17]", exC, exB) {
		t.Fatalf("assigned: %v", got)
	}
	j := e.job(job)
	if j.Status != jobAssigned {
		t.Fatalf("status %s", j.Status)
	}
	for _, d := range []string{exA, exD} {
		if x := e.executor(d); x.Reserved != 0 || x.Open != 0 {
			t.Fatalf("%s still holds %d in %d bids", d, x.Reserved, x.Open)
		}
	}
	if x := e.executor(exB); x.Reserved != 9000 || x.Open != 1 {
		t.Fatalf("exB holds %d in %d bids, want 9000 in 1", x.Reserved, x.Open)
	}
}
