package governance

import (
	"errors"
	"fmt"
	"testing"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/org"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	"github.com/intercooperative/icnd/store"
)

const (
	yes     = governancev1.VoteOption_VOTE_OPTION_YES
	no      = governancev1.VoteOption_VOTE_OPTION_NO
	abstain = governancev1.VoteOption_VOTE_OPTION_ABSTAIN
)

// TestOutcome is the worked example of docs/governance.md: 10 voters,
// quorum 1/3, threshold 1/2.
func TestOutcome(t *testing.T) {
	p := DefaultPolicy()
	cases := []struct {
		yes, no, abstain uint64
		want             governancev1.Status
	}{
		{2, 0, 1, governancev1.Status_STATUS_EXPIRED},    // 3 of 10 cast: below 1/3
		{2, 1, 1, governancev1.Status_STATUS_TIMELOCKED}, // 4 cast; 2 of 3 yes
		{2, 2, 0, governancev1.Status_STATUS_REJECTED},   // a tie does not pass
		{0, 0, 4, governancev1.Status_STATUS_REJECTED},   // quorum of abstentions
		{6, 4, 0, governancev1.Status_STATUS_TIMELOCKED},
	}
	for _, c := range cases {
		got := Outcome(&governancev1.Tally{Yes: c.yes, No: c.no, Abstain: c.abstain}, 10, p)
		if got != c.want {
			t.Errorf("%d yes %d no %d abstain: %s, want %s", c.yes, c.no, c.abstain, got, c.want)
		}
	}
	// Unanimity: a single no defeats it.
	p.Threshold = &governancev1.Fraction{Num: 1, Den: 1}
	if got := Outcome(&governancev1.Tally{Yes: 9, No: 1}, 10, p); got != governancev1.Status_STATUS_REJECTED {
		t.Errorf("unanimity with one no: %s", got)
	}
	if got := Outcome(&governancev1.Tally{Yes: 9, Abstain: 1}, 10, p); got != governancev1.Status_STATUS_TIMELOCKED {
		t.Errorf("unanimity with one abstention: %s", got)
	}
}

// TestPolicyValidation checks the exact code of impossible policies.
func TestPolicyValidation(t *testing.T) {
	params := DefaultParams()
	f := func(n, d uint64) *governancev1.Fraction { return &governancev1.Fraction{Num: n, Den: d} }
	cases := []struct {
		name string
		edit func(p *governancev1.Policy)
	}{
		{"quorum 0", func(p *governancev1.Policy) { p.Quorum = f(0, 3) }},
		{"quorum above 1", func(p *governancev1.Policy) { p.Quorum = f(4, 3) }},
		{"quorum denominator 0", func(p *governancev1.Policy) { p.Quorum = f(1, 0) }},
		{"threshold below 1/2", func(p *governancev1.Policy) { p.Threshold = f(49, 100) }},
		{"threshold above 1", func(p *governancev1.Policy) { p.Threshold = f(3, 2) }},
		{"huge denominator", func(p *governancev1.Policy) { p.Threshold = f(MaxFractionDenominator, MaxFractionDenominator+1) }},
		{"voting period 0", func(p *governancev1.Policy) { p.VotingPeriod = 0 }},
		{"voting period beyond the params", func(p *governancev1.Policy) { p.VotingPeriod = params.MaxVotingPeriod + 1 }},
		{"negative timelock", func(p *governancev1.Policy) { p.Timelock = -1 }},
		{"unknown electorate", func(p *governancev1.Policy) { p.Electorate = 9 }},
		{"weights without weighting", func(p *governancev1.Policy) { p.Weights = []*governancev1.Weight{{Member: member(1), Weight: 1}} }},
		{"weighted without weights", func(p *governancev1.Policy) { p.Electorate = governancev1.Electorate_ELECTORATE_WEIGHTED }},
		{"unsorted veto holders", func(p *governancev1.Policy) { p.VetoDids = []string{"did:icn:b", "did:icn:a"} }},
		{"bad veto role", func(p *governancev1.Policy) { p.VetoRole = "Officer!" }},
	}
	for _, c := range cases {
		p := DefaultPolicy()
		c.edit(p)
		if err := ValidatePolicy(p, params); !errors.Is(err, ErrInvalidPolicy) {
			t.Errorf("%s: %v, want %v", c.name, err, ErrInvalidPolicy)
		}
	}
	if err := ValidatePolicy(DefaultPolicy(), params); err != nil {
		t.Fatal(err)
	}
}

// TestExecuteExactlyOnce: a timelocked proposal runs once; a second
// Execute, and an Execute of a proposal that never passed, are refused.
func TestExecuteExactlyOnce(t *testing.T) {
	e := newEnv(t, 3)
	id := e.submit(t, 1, anchorBytes(t, "one"))
	for i := 0; i < 2; i++ {
		if err := e.vote(t, 2, member(i), id, yes); err != nil {
			t.Fatal(err)
		}
	}
	other := e.submit(t, 2)
	if err := e.k.Execute(e.ctx(3, ""), e.proposal(t, other)); !errors.Is(err, ErrNotTimelocked) {
		t.Fatalf("executing a voting proposal: %v", err)
	}
	for h := int64(3); h <= 13; h++ {
		if err := e.k.EndBlock(e.ctx(h, "")); err != nil {
			t.Fatal(err)
		}
	}
	if p := e.proposal(t, id); p.Status != governancev1.Status_STATUS_EXECUTED || e.router.runs != 1 {
		t.Fatalf("status %s, %d runs", p.Status, e.router.runs)
	}
	if got := string(e.kv.Get([]byte("ran/one"))); got != testOrg {
		t.Fatalf("ran with authority %q", got)
	}
	if err := e.k.Execute(e.ctx(14, ""), e.proposal(t, id)); !errors.Is(err, ErrNotTimelocked) {
		t.Fatalf("second execution: %v", err)
	}
	if e.router.runs != 1 {
		t.Fatalf("%d runs", e.router.runs)
	}
}

// TestFailedExecutionLeavesNoState: a failing message discards what the
// messages before it wrote, and the failure is recorded.
func TestFailedExecutionLeavesNoState(t *testing.T) {
	e := newEnv(t, 1)
	id := e.submit(t, 1, anchorBytes(t, "first"), anchorBytes(t, "second"))
	if err := e.vote(t, 2, member(0), id, yes); err != nil {
		t.Fatal(err)
	}
	e.router.fail = org.ErrNotMember.Wrapf("gone")
	for h := int64(3); h <= 13; h++ {
		if err := e.k.EndBlock(e.ctx(h, "")); err != nil {
			t.Fatal(err)
		}
	}
	p := e.proposal(t, id)
	if p.Status != governancev1.Status_STATUS_FAILED || p.FailureCodespace != "org" || p.FailureCode != org.ErrNotMember.Code() {
		t.Fatalf("%+v", p)
	}
	if e.kv.Has([]byte("ran/first")) {
		t.Fatal("the first message's write survived the failure")
	}
	// A failure without a code is a broken invariant: EndBlock returns it.
	e.router.fail = errors.New("corrupt")
	id = e.submit(t, 20)
	if err := e.vote(t, 21, member(0), id, yes); err != nil {
		t.Fatal(err)
	}
	p = e.proposal(t, id)
	p.Messages = [][]byte{anchorBytes(t, "x")}
	p.Status = governancev1.Status_STATUS_TIMELOCKED
	if err := e.k.Execute(e.ctx(30, ""), p); err == nil {
		t.Fatal("an uncoded failure did not stop the node")
	}
}

// TestDelegationTally checks the running totals against a recount for a
// sequence of votes with delegations.
func TestDelegationTally(t *testing.T) {
	e := newEnv(t, 5)
	// member 1 and 2 delegate to member 0; member 3 to member 4.
	for _, d := range [][2]int{{1, 0}, {2, 0}, {3, 4}} {
		if err := e.k.Delegate(e.ctx(1, member(d[0])), &governancev1.MsgDelegate{Org: testOrg, Delegate: member(d[1])}); err != nil {
			t.Fatal(err)
		}
	}
	id := e.submit(t, 2)
	steps := []struct {
		voter         int
		option        governancev1.VoteOption
		yes, no, abst uint64
	}{
		{1, no, 0, 1, 0},      // a delegator first: its own weight
		{0, yes, 2, 1, 0},     // the delegate: itself and member 2
		{2, abstain, 1, 1, 1}, // member 2 overrides
		{4, no, 1, 3, 1},      // member 4 carries member 3
		{0, no, 0, 4, 1},      // member 0 changes
		{3, yes, 1, 3, 1},     // member 3 overrides its delegate
	}
	for i, s := range steps {
		if err := e.vote(t, 3, member(s.voter), id, s.option); err != nil {
			t.Fatal(err)
		}
		tl := e.proposal(t, id).Tally
		if tl.Yes != s.yes || tl.No != s.no || tl.Abstain != s.abst {
			t.Fatalf("step %d: tally %+v, want %d/%d/%d", i, tl, s.yes, s.no, s.abst)
		}
	}
}

// TestVoteCodes checks the exact codes of bad votes and vetoes.
func TestVoteCodes(t *testing.T) {
	e := newEnv(t, 2)
	e.orgs.roles[member(1)] = "guardian"
	id := e.submit(t, 1)
	if err := e.vote(t, 2, "did:icn:outsider", id, yes); !errors.Is(err, ErrNotInElectorate) {
		t.Fatalf("outsider: %v", err)
	}
	if err := e.vote(t, 12, member(0), id, yes); !errors.Is(err, ErrVotingClosed) {
		t.Fatalf("after the end: %v", err)
	}
	e.orgs.frozen[member(1)] = true
	if err := e.vote(t, 3, member(1), id, yes); !errors.Is(err, org.ErrFrozenInScope) {
		t.Fatalf("frozen voter: %v", err)
	}
	if err := e.k.Veto(e.ctx(3, member(1)), &governancev1.MsgVeto{ProposalId: id}); !errors.Is(err, ErrNotTimelocked) {
		t.Fatalf("veto while voting: %v", err)
	}
}

// BenchmarkTally measures the end-of-block decision of a proposal whose
// whole electorate voted, for 10 and 10,000 members: the tally reads the
// running totals, so both cost the same.
func BenchmarkTally(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			e := newEnv(b, n)
			id := e.submit(b, 1)
			for i := 0; i < n; i++ {
				if err := e.vote(b, 2, member(i), id, yes); err != nil {
					b.Fatal(err)
				}
			}
			end := e.proposal(b, id).VotingEndHeight
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cache := store.NewCache(e.kv)
				ctx := modules.NewContext("icn-test", end, e.ctx(1, "").Time, cache)
				if err := e.k.EndBlock(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			cache := store.NewCache(e.kv)
			if err := e.k.EndBlock(modules.NewContext("icn-test", end, e.ctx(1, "").Time, cache)); err != nil {
				b.Fatal(err)
			}
			p, _ := e.k.Proposal(modules.NewContext("icn-test", end, e.ctx(1, "").Time, cache), id)
			if p.Status != governancev1.Status_STATUS_TIMELOCKED {
				b.Fatalf("status %s", p.Status)
			}
		})
	}
}

// BenchmarkVote measures one vote in a 10- and a 10,000-member electorate.
func BenchmarkVote(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			e := newEnv(b, n)
			id := e.submit(b, 1)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				o := yes
				if i%2 == 1 {
					o = no
				}
				if err := e.vote(b, 2, member(i%n), id, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
