package indexer

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/modules/governance"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Governance's records in the mirror: proposals (with their running
// tallies), the electorate snapshot with each member's vote, standing
// delegations and organizations' policies.

func proposalRef(id uint64) ref {
	return ref{kind: kindProposal, a: strconv.FormatUint(id, 10), key: governance.ProposalKey(id)}
}

func voterRef(id uint64, member string) ref {
	return ref{kind: kindVoter, a: strconv.FormatUint(id, 10), b: member, key: governance.VoterKey(id, member)}
}

// votersScan names proposal id's whole electorate snapshot, which its
// submission writes.
func votersScan(id uint64) ref {
	return ref{kind: kindVoter, key: governance.VotersPrefix(id), scan: true}
}

func delegationRef(delegator, org string) ref {
	return ref{kind: kindDelegation, a: delegator, b: org, key: governance.DelegationKey(delegator, org)}
}

func policyRef(org string) ref { return ref{kind: kindPolicy, a: org, key: governance.PolicyKey(org)} }

// keyParts splits the length-prefixed parts of a key built by
// modules.Key (after its prefix and sub-prefix bytes).
func keyParts(key []byte) ([][]byte, bool) {
	if len(key) < 2 {
		return nil, false
	}
	var parts [][]byte
	rest := key[2:]
	for len(rest) > 0 {
		n := int(rest[0])
		if len(rest) < 1+n {
			return nil, false
		}
		parts = append(parts, rest[1:1+n])
		rest = rest[1+n:]
	}
	return parts, true
}

// proposalID is the bigint column value of a proposal id.
func proposalID(s string) (int64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id > math.MaxInt64 {
		return 0, fmt.Errorf("proposal id %q does not fit the mirror", s)
	}
	return int64(id), nil
}

// queueGovernance queues the statements that make r's row equal to the
// governance record r.value at height h.
func queueGovernance(b *pgx.Batch, r record, h int64) error {
	switch r.kind {
	case kindProposal:
		var v governancev1.Proposal
		if err := v.Unmarshal(r.value); err != nil {
			return err
		}
		id, err := proposalID(r.a)
		if err != nil {
			return err
		}
		msgs := make([]string, len(v.Messages))
		for i, raw := range v.Messages {
			var m txv1.Msg
			if err := m.Unmarshal(raw); err != nil {
				return fmt.Errorf("proposal %d, message %d: %w", v.Id, i, err)
			}
			msgs[i] = msgName(&m)
		}
		summaryCID, err := cidText(v.SummaryCid)
		if err != nil {
			return fmt.Errorf("proposal %d: summary cid: %w", v.Id, err)
		}
		p := v.Policy
		if p == nil {
			p = &governancev1.Policy{}
		}
		q, th := fraction(p.Quorum), fraction(p.Threshold)
		t := v.Tally
		if t == nil {
			t = &governancev1.Tally{}
		}
		b.Queue(`INSERT INTO gov_proposals (id, org, proposer, title, summary, summary_cid, messages, status, submit_height,
				voting_end_height, execute_height, end_height, electorate, quorum_num, quorum_den, threshold_num, threshold_den,
				timelock, total_weight, voters, yes, no, abstain, votes_cast, deposit, failure_codespace, failure_code, failure_log, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,
				$26, $27, $28, $29)
			ON CONFLICT (id) DO UPDATE SET org = $2, proposer = $3, title = $4, summary = $5, summary_cid = $6, messages = $7,
				status = $8, submit_height = $9, voting_end_height = $10, execute_height = $11, end_height = $12, electorate = $13,
				quorum_num = $14, quorum_den = $15, threshold_num = $16, threshold_den = $17, timelock = $18, total_weight = $19,
				voters = $20, yes = $21, no = $22, abstain = $23, votes_cast = $24, deposit = $25, failure_codespace = $26,
				failure_code = $27, failure_log = $28, height = $29`,
			id, v.Org, v.Proposer, v.Title, v.Summary, summaryCID, msgs, governance.StatusName(v.Status), v.SubmitHeight,
			v.VotingEndHeight, v.ExecuteHeight, v.EndHeight, enumName(p.Electorate.String(), "ELECTORATE_"),
			u64(q.Num), u64(q.Den), u64(th.Num), u64(th.Den), p.Timelock, u64(v.TotalWeight), int64(v.Voters),
			u64(t.Yes), u64(t.No), u64(t.Abstain), u64(v.VotesCast), u64(v.Deposit), v.FailureCodespace, int64(v.FailureCode),
			v.FailureLog, h)
	case kindVoter:
		var v governancev1.Voter
		if err := v.Unmarshal(r.value); err != nil {
			return err
		}
		id, err := proposalID(r.a)
		if err != nil {
			return err
		}
		option := ""
		if v.Option != governancev1.VoteOption_VOTE_OPTION_UNSPECIFIED {
			option = governance.OptionName(v.Option)
		}
		b.Queue(`INSERT INTO gov_voters (proposal, member, weight, delegate, delegated, option, vote_height, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (proposal, member) DO UPDATE SET weight = $3, delegate = $4, delegated = $5, option = $6,
				vote_height = $7, height = $8`,
			id, r.b, u64(v.Weight), v.Delegate, u64(v.Delegated), option, v.Height, h)
	case kindDelegation:
		var v governancev1.Delegation
		if err := v.Unmarshal(r.value); err != nil {
			return err
		}
		b.Queue(`INSERT INTO gov_delegations (delegator, org, delegate, since_height, height) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (delegator, org) DO UPDATE SET delegate = $3, since_height = $4, height = $5`,
			r.a, r.b, v.Delegate, v.Height, h)
	case kindPolicy:
		var v governancev1.Policy
		if err := v.Unmarshal(r.value); err != nil {
			return err
		}
		weights := make(map[string]string, len(v.Weights))
		for _, w := range v.Weights {
			weights[w.Member] = u64(w.Weight)
		}
		wj, err := json.Marshal(weights)
		if err != nil {
			return err
		}
		q, th := fraction(v.Quorum), fraction(v.Threshold)
		b.Queue(`INSERT INTO gov_policies (org, electorate, weights, quorum_num, quorum_den, threshold_num, threshold_den,
				voting_period, timelock, veto_dids, veto_role, deposit, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (org) DO UPDATE SET electorate = $2, weights = $3, quorum_num = $4, quorum_den = $5, threshold_num = $6,
				threshold_den = $7, voting_period = $8, timelock = $9, veto_dids = $10, veto_role = $11, deposit = $12, height = $13`,
			r.a, enumName(v.Electorate.String(), "ELECTORATE_"), string(wj), u64(q.Num), u64(q.Den), u64(th.Num), u64(th.Den),
			v.VotingPeriod, v.Timelock, nonNil(v.VetoDids), v.VetoRole, u64(v.Deposit), h)
	}
	return nil
}

func fraction(f *governancev1.Fraction) *governancev1.Fraction {
	if f == nil {
		return &governancev1.Fraction{}
	}
	return f
}
