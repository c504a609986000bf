package indexer

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/governance"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

const (
	govOrg = "did:icn:oooooooooooooooooooooooooooooooo"
	ann    = "did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	ben    = "did:icn:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	cat    = "did:icn:cccccccccccccccccccccccccccccccc"
)

func proposalRecord(t *testing.T, p *governancev1.Proposal) record {
	return record{ref: proposalRef(p.Id), value: marshal(t, p)}
}

func voterRecord(t *testing.T, id uint64, member string, v *governancev1.Voter) record {
	return record{ref: voterRef(id, member), value: marshal(t, v)}
}

// votingProposal is proposal 7 of govOrg: ann, ben and cat weigh 1 each,
// cat delegates to ann; quorum 1/2, threshold 1/2. ben voted no.
func votingProposal(t *testing.T) *governancev1.Proposal {
	msg := marshal(t, &txv1.Msg{Sum: &txv1.Msg_Vote{Vote: &governancev1.MsgVote{ProposalId: 1, Option: governancev1.VoteOption_VOTE_OPTION_YES}}})
	return &governancev1.Proposal{Id: 7, Org: govOrg, Proposer: ann, Title: "Buy a van", Summary: "for deliveries",
		Messages: [][]byte{msg}, Status: governancev1.Status_STATUS_VOTING, SubmitHeight: 1, VotingEndHeight: 20,
		Policy: &governancev1.Policy{Electorate: governancev1.Electorate_ELECTORATE_ONE_MEMBER_ONE_VOTE,
			Quorum: &governancev1.Fraction{Num: 1, Den: 2}, Threshold: &governancev1.Fraction{Num: 1, Den: 2}, Timelock: 3},
		TotalWeight: 3, Voters: 3, Tally: &governancev1.Tally{No: 1}, VotesCast: 1}
}

// TestGovernanceRecords: proposals, voters, delegations and policies are
// written as read (the proposal's messages by name, the options by name,
// empty for no vote); an undelegation deletes its row.
func TestGovernanceRecords(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	h1 := block(1)
	h1.records = []record{
		proposalRecord(t, votingProposal(t)),
		voterRecord(t, 7, ann, &governancev1.Voter{Weight: 1, Delegated: 1, InSnapshot: true}),
		voterRecord(t, 7, ben, &governancev1.Voter{Weight: 1, Option: governancev1.VoteOption_VOTE_OPTION_NO, Height: 1, InSnapshot: true}),
		voterRecord(t, 7, cat, &governancev1.Voter{Weight: 1, Delegate: ann, InSnapshot: true}),
		{ref: delegationRef(cat, govOrg), value: marshal(t, &governancev1.Delegation{Org: govOrg, Delegator: cat, Delegate: ann, Height: 1})},
		{ref: policyRef(govOrg), value: marshal(t, &governancev1.Policy{Electorate: governancev1.Electorate_ELECTORATE_WEIGHTED,
			Weights: []*governancev1.Weight{{Member: ann, Weight: 2}, {Member: ben, Weight: 1}}, Quorum: &governancev1.Fraction{Num: 2, Den: 3},
			Threshold: &governancev1.Fraction{Num: 1, Den: 2}, VotingPeriod: 10, VetoRole: "board"})},
	}
	if err := apply(ctx, ix.pool, "c", h1); err != nil {
		t.Fatal(err)
	}
	var row string
	if err := ix.pool.QueryRow(ctx, `SELECT concat_ws(' ', id, org = $1, title, status, messages::text, electorate, quorum_num || '/' || quorum_den,
		yes, no, abstain, total_weight, voters) FROM gov_proposals`, govOrg).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if want := "7 t Buy a van voting {vote} one_member_one_vote 1/2 0 1 0 3 3"; row != want {
		t.Fatalf("proposal row %q, want %q", row, want)
	}
	var voters []string
	rows, err := ix.pool.Query(ctx, "SELECT concat_ws(' ', member, weight, quote_literal(delegate), delegated, quote_literal(option)) FROM gov_voters WHERE proposal = 7 ORDER BY member")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		voters = append(voters, s)
	}
	want := []string{ann + " 1 '' 1 ''", ben + " 1 '' 0 'no'", cat + " 1 '" + ann + "' 0 ''"}
	if strings.Join(voters, "\n") != strings.Join(want, "\n") {
		t.Fatalf("voters:\n%s\nwant:\n%s", strings.Join(voters, "\n"), strings.Join(want, "\n"))
	}
	var weights, electorate string
	if err := ix.pool.QueryRow(ctx, "SELECT weights::text, electorate FROM gov_policies WHERE org = $1", govOrg).Scan(&weights, &electorate); err != nil {
		t.Fatal(err)
	}
	if weights != `{"`+ann+`": "2", "`+ben+`": "1"}` || electorate != "weighted" {
		t.Fatalf("policy: %s %s", electorate, weights)
	}
	h2 := block(2)
	h2.records = []record{{ref: delegationRef(cat, govOrg)}}
	if err := apply(ctx, ix.pool, "c", h2); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := ix.pool.QueryRow(ctx, "SELECT count(*) FROM gov_delegations").Scan(&n); err != nil || n != 0 {
		t.Fatalf("delegations after undelegating: %d, %v", n, err)
	}
}

// TestGovernanceRefs: each governance event names the records it changes;
// a submission names its whole snapshot (a scan); a voter's record brings
// in its delegate's, whose delegated weight the vote moved.
func TestGovernanceRefs(t *testing.T) {
	for _, tc := range []struct {
		ev   modules.TypedEvent
		want []ref
	}{
		{governance.EventSubmitted{ID: 7, Org: govOrg}, []ref{{key: governance.ProposalKey(7)}, {key: governance.VotersPrefix(7), scan: true}}},
		{governance.EventVoted{ID: 7, Voter: cat}, []ref{{key: governance.ProposalKey(7)}, {key: governance.VoterKey(7, cat)}}},
		{governance.EventStatus{ID: 7, Org: govOrg, Status: "timelocked"}, []ref{{key: governance.ProposalKey(7)}}},
		{governance.EventWithdrawn{ID: 7, Org: govOrg}, []ref{{key: governance.ProposalKey(7)}}},
		{governance.EventDelegated{Org: govOrg, Delegator: cat, Delegate: ann}, []ref{{key: governance.DelegationKey(cat, govOrg)}}},
		{governance.EventUndelegated{Org: govOrg, Delegator: cat}, []ref{{key: governance.DelegationKey(cat, govOrg)}}},
		{governance.EventPolicySet{Org: govOrg}, []ref{{key: governance.PolicyKey(govOrg)}}},
	} {
		got, err := refsOf(tc.ev)
		if err != nil || len(got) != len(tc.want) {
			t.Fatalf("%s: %+v, %v", tc.ev.EventType(), got, err)
		}
		for i := range got {
			if string(got[i].key) != string(tc.want[i].key) || got[i].scan != tc.want[i].scan {
				t.Errorf("%s: ref %d is %X (scan %v), want %X (scan %v)", tc.ev.EventType(), i, got[i].key, got[i].scan, tc.want[i].key, tc.want[i].scan)
			}
		}
	}
	// A scanned voter key names its proposal and member.
	r, err := refFromKey(kindVoter, governance.VoterKey(7, cat), marshal(t, &governancev1.Voter{Weight: 1}))
	if err != nil || r.a != "7" || r.b != cat {
		t.Fatalf("voter from its key: %+v, %v", r, err)
	}
	if _, err := refFromKey(kindVoter, governance.ProposalKey(7), nil); err == nil {
		t.Fatal("a proposal key read as a voter's")
	}
	r, err = refFromKey(kindPolicy, governance.PolicyKey(govOrg), nil)
	if err != nil || r.a != govOrg {
		t.Fatalf("policy from its key: %+v, %v", r, err)
	}
	have := map[string]bool{}
	more, err := derivedRefs([]record{voterRecord(t, 7, cat, &governancev1.Voter{Weight: 1, Delegate: ann})}, have)
	if err != nil || len(more) != 1 || string(more[0].key) != string(governance.VoterKey(7, ann)) {
		t.Fatalf("a delegating voter's delegate: %+v, %v", more, err)
	}
}

// TestGovernanceAPI: proposals with their live tallies and projected
// outcomes, votes, an organization's proposals and governance; 400 and
// 404 with their codes; the explorer's pages.
func TestGovernanceAPI(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	h := block(1)
	voting := votingProposal(t)
	voting.Tally = &governancev1.Tally{Yes: 2, No: 1}
	voting.VotesCast = 2
	done := votingProposal(t)
	done.Id, done.Title, done.Status, done.EndHeight, done.Tally = 8, "Paint the shop", governancev1.Status_STATUS_EXPIRED, 1, &governancev1.Tally{}
	h.records = []record{
		proposalRecord(t, voting),
		proposalRecord(t, done),
		voterRecord(t, 7, ann, &governancev1.Voter{Weight: 1, Delegated: 1, Option: governancev1.VoteOption_VOTE_OPTION_YES, Height: 1}),
		voterRecord(t, 7, ben, &governancev1.Voter{Weight: 1, Option: governancev1.VoteOption_VOTE_OPTION_NO, Height: 1}),
		voterRecord(t, 7, cat, &governancev1.Voter{Weight: 1, Delegate: ann}),
		{ref: delegationRef(cat, govOrg), value: marshal(t, &governancev1.Delegation{Org: govOrg, Delegator: cat, Delegate: ann, Height: 1})},
	}
	if err := apply(ctx, ix.pool, "c", h); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.pool.Exec(ctx, `INSERT INTO orgs (did, name, kind, parent, founder, control, created_height, control_transferred_height, bonus_seats, seats_used, height)
		VALUES ($1, 'bakery', 'cooperative', '', $2, 'governance', 1, 0, 0, 0, 1)`, govOrg, ann); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ix.Handler())
	defer srv.Close()
	get := func(path string, want int, v any) string {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		if resp.StatusCode != want {
			t.Fatalf("GET %s: %d %s, want %d", path, resp.StatusCode, b.String(), want)
		}
		if v != nil {
			if err := json.Unmarshal([]byte(b.String()), v); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
		}
		return b.String()
	}
	var d ProposalDetail
	get("/v1/proposals/7", 200, &d)
	if d.Proposal.Title != "Buy a van" || d.Tally.Yes != "2" || d.Tally.No != "1" || !d.Tally.QuorumReached || d.Tally.Projected != "timelocked" ||
		len(d.Votes) != 2 || strings.Join(d.Proposal.Messages, ",") != "vote" {
		t.Fatalf("proposal 7: %+v", d)
	}
	d = ProposalDetail{}
	get("/v1/proposals/8", 200, &d)
	if d.Proposal.Status != "expired" || d.Tally.QuorumReached || d.Tally.Projected != "" {
		t.Fatalf("proposal 8: %+v", d)
	}
	var votes paged[Vote]
	get("/v1/proposals/7/votes?limit=2", 200, &votes)
	if len(votes.Items) != 2 || votes.Items[0].Member != ann || votes.Items[0].Option != "yes" || votes.NextOffset == nil {
		t.Fatalf("first page of voters: %+v", votes)
	}
	get("/v1/proposals/7/votes?limit=2&offset=2", 200, &votes)
	if len(votes.Items) != 1 || votes.Items[0].Member != cat || votes.Items[0].Option != "" || votes.Items[0].Delegate != ann || votes.NextOffset != nil {
		t.Fatalf("second page of voters: %+v", votes)
	}
	var list paged[Proposal]
	get("/v1/orgs/"+govOrg+"/proposals?status=voting", 200, &list)
	if len(list.Items) != 1 || list.Items[0].ID != 7 {
		t.Fatalf("the org's voting proposals: %+v", list)
	}
	get("/v1/proposals", 200, &list)
	if len(list.Items) != 2 || list.Items[0].ID != 8 {
		t.Fatalf("every proposal, newest first: %+v", list)
	}
	var g OrgGovernance
	get("/v1/orgs/"+govOrg+"/governance", 200, &g)
	if g.Policy != nil || len(g.Delegations) != 1 || g.Delegations[0].Delegate != ann {
		t.Fatalf("the org's governance: %+v", g)
	}
	for _, tc := range []struct {
		path string
		want int
		code string
	}{
		{"/v1/proposals?status=open", 400, "bad_status"},
		{"/v1/proposals?offset=x", 400, "bad_offset"},
		{"/v1/proposals/0", 400, "bad_proposal"},
		{"/v1/proposals/abc", 400, "bad_proposal"},
		{"/v1/proposals/99", 404, "not_found"},
		{"/v1/proposals/99/votes", 404, "not_found"},
		{"/v1/proposals/-1/votes", 400, "bad_proposal"},
		{"/v1/orgs/" + ann + "/proposals", 404, "not_found"},
		{"/v1/orgs/x/proposals", 400, "bad_did"},
		{"/v1/orgs/" + govOrg + "/proposals?status=nope", 400, "bad_status"},
		{"/v1/orgs/" + ann + "/governance", 404, "not_found"},
	} {
		var e struct{ Code, Error string }
		get(tc.path, tc.want, &e)
		if e.Code != tc.code || e.Error == "" {
			t.Errorf("GET %s: %+v, want code %s", tc.path, e, tc.code)
		}
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/", []string{"Recent proposals", "Buy a van", "Paint the shop"}},
		{"/proposals?status=expired", []string{"Paint the shop"}},
		{"/proposals/7", []string{"Buy a van", "for deliveries", "if voting ended now", "passed (timelocked)", "width:66%", ben[:14]}},
		{"/orgs/" + govOrg, []string{"Proposals", "Buy a van", "default policy", "1 standing delegation."}},
	} {
		body := get(tc.path, 200, nil)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("page %s lacks %q", tc.path, w)
			}
		}
		if strings.Contains(body, "Paint the shop") && tc.path == "/proposals/7" {
			t.Errorf("proposal 7's page shows proposal 8")
		}
	}
	get("/proposals/0", 400, nil)
	get("/proposals/99", 404, nil)
	get("/proposals?status=nope", 400, nil)
}

// TestOpenAPIRoutesServed: every GET path the OpenAPI document lists is a
// route the handler serves (not the catch-all "no API route").
func TestOpenAPIRoutesServed(t *testing.T) {
	ix := openTest(t)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	h := ix.Handler()
	checked := 0
	for path, ops := range doc.Paths {
		if _, ok := ops["get"]; !ok || strings.HasSuffix(path, "/contacts") {
			continue // contacts asks the node for proofs
		}
		target := strings.NewReplacer("{did}", govOrg, "{id}", "1", "{height}", "1", "{hash}", strings.Repeat("0", 64)).Replace(path)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if strings.Contains(rec.Body.String(), "no API route") || rec.Code >= 500 {
			t.Errorf("GET %s (from %s): %d %s", target, path, rec.Code, rec.Body.String())
		}
		checked++
	}
	if checked < 15 {
		t.Fatalf("checked %d paths", checked)
	}
}

// TestDocsSQL: every SQL block of docs/indexer.md runs as written against
// the current schema (each in a transaction rolled back).
func TestDocsSQL(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	doc, err := os.ReadFile("../docs/indexer.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, part := range strings.Split(string(doc), "```sql\n")[1:] {
		sql, _, ok := strings.Cut(part, "```")
		if !ok {
			t.Fatal("an unterminated sql block")
		}
		tx, err := ix.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, sql); err != nil {
			t.Errorf("docs/indexer.md:\n%s: %v", sql, err)
		}
		tx.Rollback(ctx) //nolint:errcheck // nothing to keep
		blocks++
	}
	if blocks < 8 {
		t.Fatalf("found %d sql blocks", blocks)
	}
}
