package indexer

import (
	"errors"
	"math/bits"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/modules/governance"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// Governance's part of the API: proposals with their live tallies and
// votes, and an organization's policy and delegations.

type (
	Proposal struct {
		ID               int64    `json:"id" db:"id"`
		Org              string   `json:"org" db:"org"`
		Proposer         string   `json:"proposer" db:"proposer"`
		Title            string   `json:"title" db:"title"`
		Summary          string   `json:"summary" db:"summary"`
		SummaryCID       string   `json:"summary_cid" db:"summary_cid"`
		Messages         []string `json:"messages" db:"messages"`
		Status           string   `json:"status" db:"status"`
		SubmitHeight     int64    `json:"submit_height" db:"submit_height"`
		VotingEndHeight  int64    `json:"voting_end_height" db:"voting_end_height"`
		ExecuteHeight    int64    `json:"execute_height" db:"execute_height"`
		EndHeight        int64    `json:"end_height" db:"end_height"`
		Electorate       string   `json:"electorate" db:"electorate"`
		QuorumNum        string   `json:"quorum_num" db:"quorum_num"`
		QuorumDen        string   `json:"quorum_den" db:"quorum_den"`
		ThresholdNum     string   `json:"threshold_num" db:"threshold_num"`
		ThresholdDen     string   `json:"threshold_den" db:"threshold_den"`
		Timelock         int64    `json:"timelock" db:"timelock"`
		TotalWeight      string   `json:"total_weight" db:"total_weight"`
		Voters           int64    `json:"voters" db:"voters"`
		Yes              string   `json:"yes" db:"yes"`
		No               string   `json:"no" db:"no"`
		Abstain          string   `json:"abstain" db:"abstain"`
		VotesCast        string   `json:"votes_cast" db:"votes_cast"`
		Deposit          string   `json:"deposit" db:"deposit"`
		FailureCodespace string   `json:"failure_codespace" db:"failure_codespace"`
		FailureCode      int64    `json:"failure_code" db:"failure_code"`
		FailureLog       string   `json:"failure_log" db:"failure_log"`
	}
	Vote struct {
		Member    string `json:"member" db:"member"`
		Weight    string `json:"weight" db:"weight"`
		Delegate  string `json:"delegate" db:"delegate"`
		Delegated string `json:"delegated" db:"delegated"`
		Option    string `json:"option" db:"option"`
		Height    int64  `json:"height" db:"vote_height"`
	}
	// Tally is a proposal's running tally and what it would decide if
	// voting ended now (governance.Outcome over the mirrored numbers).
	Tally struct {
		Yes           string `json:"yes"`
		No            string `json:"no"`
		Abstain       string `json:"abstain"`
		TotalWeight   string `json:"total_weight"`
		QuorumReached bool   `json:"quorum_reached"`
		// Projected is "timelocked" (passing), "rejected" or "expired"
		// (no quorum) while the proposal is voting; "" after.
		Projected string `json:"projected"`
		// Percentages of the total weight, for display (integers).
		YesPct, NoPct, AbstainPct int `json:"-"`
	}
	ProposalDetail struct {
		Proposal Proposal `json:"proposal"`
		Tally    Tally    `json:"tally"`
		// Votes are the first maxDetailRows members who voted, by height;
		// /v1/proposals/{id}/votes pages through all.
		Votes []Vote `json:"votes"`
	}
	Policy struct {
		Electorate   string            `json:"electorate" db:"electorate"`
		Weights      map[string]string `json:"weights" db:"weights"`
		QuorumNum    string            `json:"quorum_num" db:"quorum_num"`
		QuorumDen    string            `json:"quorum_den" db:"quorum_den"`
		ThresholdNum string            `json:"threshold_num" db:"threshold_num"`
		ThresholdDen string            `json:"threshold_den" db:"threshold_den"`
		VotingPeriod int64             `json:"voting_period" db:"voting_period"`
		Timelock     int64             `json:"timelock" db:"timelock"`
		VetoDIDs     []string          `json:"veto_dids" db:"veto_dids"`
		VetoRole     string            `json:"veto_role" db:"veto_role"`
		Deposit      string            `json:"deposit" db:"deposit"`
	}
	Delegation struct {
		Delegator   string `json:"delegator" db:"delegator"`
		Delegate    string `json:"delegate" db:"delegate"`
		SinceHeight int64  `json:"since_height" db:"since_height"`
	}
)

const proposalCols = `id, org, proposer, title, summary, summary_cid, messages, status, submit_height, voting_end_height,
	execute_height, end_height, electorate, quorum_num::text AS quorum_num, quorum_den::text AS quorum_den,
	threshold_num::text AS threshold_num, threshold_den::text AS threshold_den, timelock, total_weight::text AS total_weight,
	voters, yes::text AS yes, no::text AS no, abstain::text AS abstain, votes_cast::text AS votes_cast, deposit::text AS deposit,
	failure_codespace, failure_code, failure_log`
const voteCols = `member, weight::text AS weight, delegate, delegated::text AS delegated, option, vote_height`
const policyCols = `electorate, weights, quorum_num::text AS quorum_num, quorum_den::text AS quorum_den,
	threshold_num::text AS threshold_num, threshold_den::text AS threshold_den, voting_period, timelock, veto_dids, veto_role,
	deposit::text AS deposit`

var proposalStatuses = []string{"voting", "rejected", "expired", "timelocked", "vetoed", "executed", "failed", "withdrawn"}

func (ix *Indexer) governanceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/proposals", ix.handleProposals)
	mux.HandleFunc("GET /v1/proposals/{id}", ix.handleProposal)
	mux.HandleFunc("GET /v1/proposals/{id}/votes", ix.handleVotes)
	mux.HandleFunc("GET /v1/orgs/{did}/proposals", ix.handleOrgProposals)
	mux.HandleFunc("GET /v1/orgs/{did}/governance", ix.handleOrgGovernance)
}

// statusParam reads an optional proposal status from the query.
func statusParam(r *http.Request) (string, error) {
	s := r.URL.Query().Get("status")
	if s != "" && !slices.Contains(proposalStatuses, s) {
		return "", refuse(http.StatusBadRequest, "bad_status", "status must be one of %s, got %q", strings.Join(proposalStatuses, ", "), s)
	}
	return s, nil
}

func (ix *Indexer) handleProposals(w http.ResponseWriter, r *http.Request) {
	ix.listProposals(w, r, "")
}

func (ix *Indexer) handleOrgProposals(w http.ResponseWriter, r *http.Request) {
	d, err := pathDID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if _, err := one[Org](r, ix, "SELECT "+orgCols+" FROM orgs o WHERE o.did = $1", d); err != nil {
		writeError(w, notFound(err, "organization %s is not indexed", d))
		return
	}
	ix.listProposals(w, r, d)
}

// listProposals answers a page of proposals, newest first, of org ("" for
// every organization), with the optional status filter.
func (ix *Indexer) listProposals(w http.ResponseWriter, r *http.Request, org string) {
	p, err := pageOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	status, err := statusParam(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var conds []string
	var args []any
	if org != "" {
		args = append(args, org)
		conds = append(conds, "org = $"+strconv.Itoa(len(args)))
	}
	if status != "" {
		args = append(args, status)
		conds = append(conds, "status = $"+strconv.Itoa(len(args)))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	n := len(args)
	out, err := listPage[Proposal](r, ix, p, "SELECT "+proposalCols+" FROM gov_proposals"+where+
		" ORDER BY id DESC LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), args...)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func pathProposal(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, refuse(http.StatusBadRequest, "bad_proposal", "a proposal id is a positive integer, got %q", s)
	}
	return id, nil
}

// tallyOf is p's tally, with the outcome governance.Outcome gives it if
// it is still voting.
func tallyOf(p Proposal) Tally {
	t := Tally{Yes: p.Yes, No: p.No, Abstain: p.Abstain, TotalWeight: p.TotalWeight}
	num := func(s string) uint64 {
		v, _ := strconv.ParseUint(s, 10, 64) // the columns hold uint64s
		return v
	}
	tally := &governancev1.Tally{Yes: num(p.Yes), No: num(p.No), Abstain: num(p.Abstain)}
	total := num(p.TotalWeight)
	policy := &governancev1.Policy{Quorum: &governancev1.Fraction{Num: num(p.QuorumNum), Den: num(p.QuorumDen)},
		Threshold: &governancev1.Fraction{Num: num(p.ThresholdNum), Den: num(p.ThresholdDen)}}
	outcome := governance.Outcome(tally, total, policy)
	t.QuorumReached = outcome != governancev1.Status_STATUS_EXPIRED
	if p.Status == "voting" {
		t.Projected = governance.StatusName(outcome)
	}
	if total > 0 {
		pct := func(v uint64) int {
			hi, lo := bits.Mul64(min(v, total), 100)
			q, _ := bits.Div64(hi, lo, total) // hi < total: the quotient is at most 100
			return int(q)
		}
		t.YesPct, t.NoPct, t.AbstainPct = pct(tally.Yes), pct(tally.No), pct(tally.Abstain)
	}
	return t
}

// proposalDetail gathers a proposal, its tally and its first votes;
// pgx.ErrNoRows when it is not indexed.
func (ix *Indexer) proposalDetail(r *http.Request, id int64) (*ProposalDetail, error) {
	p, err := one[Proposal](r, ix, "SELECT "+proposalCols+" FROM gov_proposals WHERE id = $1", id)
	if err != nil {
		return nil, err
	}
	out := &ProposalDetail{Proposal: p, Tally: tallyOf(p)}
	if out.Votes, err = all[Vote](r, ix, "SELECT "+voteCols+" FROM gov_voters WHERE proposal = $1 AND option <> '' ORDER BY vote_height, member LIMIT $2",
		id, maxDetailRows); err != nil {
		return nil, err
	}
	return out, nil
}

func (ix *Indexer) handleProposal(w http.ResponseWriter, r *http.Request) {
	id, err := pathProposal(r)
	if err != nil {
		writeError(w, err)
		return
	}
	d, err := ix.proposalDetail(r, id)
	if err != nil {
		writeError(w, notFound(err, "proposal %d is not indexed", id))
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// handleVotes pages through a proposal's electorate snapshot: every
// member with a weight, its vote ("" if none) and delegation.
func (ix *Indexer) handleVotes(w http.ResponseWriter, r *http.Request) {
	id, err := pathProposal(r)
	if err != nil {
		writeError(w, err)
		return
	}
	p, err := pageOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var exists bool
	if err := ix.pool.QueryRow(r.Context(), "SELECT EXISTS (SELECT 1 FROM gov_proposals WHERE id = $1)", id).Scan(&exists); err != nil {
		writeError(w, err)
		return
	}
	if !exists {
		writeError(w, refuse(http.StatusNotFound, "not_found", "proposal %d is not indexed", id))
		return
	}
	out, err := listPage[Vote](r, ix, p, "SELECT "+voteCols+" FROM gov_voters WHERE proposal = $1 ORDER BY member LIMIT $2 OFFSET $3", id)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// OrgGovernance is an organization's policy (nil: the chain's default
// applies) and its members' standing delegations.
type OrgGovernance struct {
	Policy      *Policy      `json:"policy"`
	Delegations []Delegation `json:"delegations"`
}

func (ix *Indexer) orgGovernance(r *http.Request, org string) (*OrgGovernance, error) {
	out := &OrgGovernance{}
	pol, err := one[Policy](r, ix, "SELECT "+policyCols+" FROM gov_policies WHERE org = $1", org)
	switch {
	case err == nil:
		out.Policy = &pol
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, err
	}
	if out.Delegations, err = all[Delegation](r, ix, "SELECT delegator, delegate, since_height FROM gov_delegations WHERE org = $1 ORDER BY delegator LIMIT $2",
		org, maxDetailRows); err != nil {
		return nil, err
	}
	return out, nil
}

func (ix *Indexer) handleOrgGovernance(w http.ResponseWriter, r *http.Request) {
	d, err := pathDID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if _, err := one[Org](r, ix, "SELECT "+orgCols+" FROM orgs o WHERE o.did = $1", d); err != nil {
		writeError(w, notFound(err, "organization %s is not indexed", d))
		return
	}
	out, err := ix.orgGovernance(r, d)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// maxPageProposals bounds the proposals the explorer's list draws.
const maxPageProposals = 50

func (ix *Indexer) pageProposals(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Title: "Proposals", Statuses: proposalStatuses}
	var err error
	if d.Status, err = statusParam(r); err != nil {
		ix.pageError(w, r, refuse(http.StatusBadRequest, "bad_status", "A proposal's status is one of %s.", strings.Join(proposalStatuses, ", ")))
		return
	}
	q, args := "SELECT "+proposalCols+" FROM gov_proposals ORDER BY id DESC LIMIT $1", []any{maxPageProposals + 1}
	if d.Status != "" {
		q, args = "SELECT "+proposalCols+" FROM gov_proposals WHERE status = $2 ORDER BY id DESC LIMIT $1", []any{maxPageProposals + 1, d.Status}
	}
	if d.Proposals, err = all[Proposal](r, ix, q, args...); err != nil {
		ix.pageError(w, r, err)
		return
	}
	if len(d.Proposals) > maxPageProposals {
		d.Proposals, d.More = d.Proposals[:maxPageProposals], true
	}
	ix.render(w, r, http.StatusOK, "proposals.html", d)
}

func (ix *Indexer) pageProposal(w http.ResponseWriter, r *http.Request) {
	id, err := pathProposal(r)
	if err != nil {
		ix.pageError(w, r, refuse(http.StatusBadRequest, "bad_proposal", "A proposal is named by its number."))
		return
	}
	d, err := ix.proposalDetail(r, id)
	if err != nil {
		ix.pageError(w, r, notFound(err, "Proposal %d is not indexed.", id))
		return
	}
	ix.render(w, r, http.StatusOK, "proposal.html", &pageData{Title: "Proposal " + strconv.FormatInt(id, 10), Proposal: d})
}
