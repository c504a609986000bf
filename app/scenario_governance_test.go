package app_test

// Governance forms of the scenario runner (scenario_test.go), added to its
// tables at initialisation:
//
//	genesis ... [voting-period=N] [timelock=N] [deposit=N] [quorum=A/B] [threshold=A/B]
//
// sets the default governance policy.
//
//	propose <org> [title=T] [transfer-control=<org>] [invite=<account>]
//	vote <id> yes|no|abstain
//	withdraw <id>
//	veto <id>
//	delegate <org> <account>
//	undelegate <org>
//
// are messages; a proposal's title defaults to "proposal", and its
// messages are those its options name (none: a text proposal; invite
// invites the account to the proposing organization).
//
//	query proposal <id>
//	query votes <id>
//
// describe a proposal with its tally, and its electorate snapshot.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules/governance"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

func init() {
	msgParsers["propose"] = msgParser{args: []string{"org"}, opts: []string{"title", "transfer-control", "invite"}, build: buildPropose}
	msgParsers["vote"] = msgParser{args: []string{"id", "option"}, build: buildVote}
	msgParsers["withdraw"] = msgParser{args: []string{"id"}, build: func(_ *scenario, a msgArgs) (*txv1.Msg, error) {
		id, err := strconv.ParseUint(a.pos[0], 10, 64)
		return &txv1.Msg{Sum: &txv1.Msg_WithdrawProposal{WithdrawProposal: &governancev1.MsgWithdrawProposal{ProposalId: id}}}, err
	}}
	msgParsers["veto"] = msgParser{args: []string{"id"}, build: func(_ *scenario, a msgArgs) (*txv1.Msg, error) {
		id, err := strconv.ParseUint(a.pos[0], 10, 64)
		return &txv1.Msg{Sum: &txv1.Msg_Veto{Veto: &governancev1.MsgVeto{ProposalId: id}}}, err
	}}
	msgParsers["delegate"] = msgParser{args: []string{"org", "account"}, build: func(s *scenario, a msgArgs) (*txv1.Msg, error) {
		o, acc, err := s.orgAndAccount(a)
		return &txv1.Msg{Sum: &txv1.Msg_Delegate{Delegate: &governancev1.MsgDelegate{Org: o, Delegate: acc}}}, err
	}}
	msgParsers["undelegate"] = msgParser{args: []string{"org"}, build: func(s *scenario, a msgArgs) (*txv1.Msg, error) {
		o, err := s.id(a.pos[0])
		return &txv1.Msg{Sum: &txv1.Msg_Undelegate{Undelegate: &governancev1.MsgUndelegate{Org: o}}}, err
	}}
	queries["proposal"] = (*scenario).queryProposal
	queries["votes"] = (*scenario).queryVotes
	genesisOptions["voting-period"] = func(g *app.GenesisState, v string) (err error) {
		g.Governance.Params.DefaultPolicy.VotingPeriod, err = strconv.ParseInt(v, 10, 64)
		return err
	}
	genesisOptions["timelock"] = func(g *app.GenesisState, v string) (err error) {
		g.Governance.Params.DefaultPolicy.Timelock, err = strconv.ParseInt(v, 10, 64)
		return err
	}
	genesisOptions["deposit"] = func(g *app.GenesisState, v string) (err error) {
		g.Governance.Params.DefaultPolicy.Deposit, err = strconv.ParseUint(v, 10, 64)
		return err
	}
	genesisOptions["quorum"] = func(g *app.GenesisState, v string) (err error) {
		g.Governance.Params.DefaultPolicy.Quorum, err = parseFraction(v)
		return err
	}
	genesisOptions["threshold"] = func(g *app.GenesisState, v string) (err error) {
		g.Governance.Params.DefaultPolicy.Threshold, err = parseFraction(v)
		return err
	}
}

func parseFraction(v string) (*governancev1.Fraction, error) {
	a, b, ok := strings.Cut(v, "/")
	num, err1 := strconv.ParseUint(a, 10, 64)
	den, err2 := strconv.ParseUint(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("fraction %q: want A/B", v)
	}
	return &governancev1.Fraction{Num: num, Den: den}, nil
}

func buildPropose(s *scenario, a msgArgs) (*txv1.Msg, error) {
	o, err := s.id(a.pos[0])
	if err != nil {
		return nil, err
	}
	title := a.opt("title")
	if title == "" {
		title = "proposal"
	}
	var msgs []*txv1.Msg
	if name := a.opt("transfer-control"); name != "" {
		target, err := s.id(name)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, &txv1.Msg{Sum: &txv1.Msg_TransferControl{TransferControl: &identityv1.MsgTransferControl{Org: target}}})
	}
	if name := a.opt("invite"); name != "" {
		acc, err := s.account(name)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, &txv1.Msg{Sum: &txv1.Msg_InviteMember{InviteMember: &identityv1.MsgInviteMember{Org: o, Member: acc}}})
	}
	raw := make([][]byte, len(msgs))
	for i, m := range msgs {
		if raw[i], err = m.Marshal(); err != nil {
			return nil, err
		}
	}
	return &txv1.Msg{Sum: &txv1.Msg_SubmitProposal{SubmitProposal: &governancev1.MsgSubmitProposal{Org: o, Title: title, Messages: raw}}}, nil
}

func buildVote(_ *scenario, a msgArgs) (*txv1.Msg, error) {
	id, err := strconv.ParseUint(a.pos[0], 10, 64)
	if err != nil {
		return nil, err
	}
	o, ok := governance.ParseOption(a.pos[1])
	if !ok {
		return nil, fmt.Errorf("option %q: want yes, no or abstain", a.pos[1])
	}
	return &txv1.Msg{Sum: &txv1.Msg_Vote{Vote: &governancev1.MsgVote{ProposalId: id, Option: o}}}, nil
}

func (s *scenario) queryProposal(name string) (string, error) {
	id, err := strconv.ParseUint(name, 10, 64)
	if err != nil {
		return "", err
	}
	var p governancev1.Proposal
	if found, err := s.getRecord(governance.ProposalKey(id), &p); err != nil || !found {
		return fmt.Sprintf("proposal %d: none\n", id), err
	}
	out := fmt.Sprintf("proposal %d of %s by %s: %s\nvoting heights %d to %d; %d voters, total weight %d\ntally yes %d, no %d, abstain %d; deposit %d\n",
		p.Id, p.Org, p.Proposer, governance.StatusName(p.Status), p.SubmitHeight, p.VotingEndHeight, p.Voters, p.TotalWeight,
		p.Tally.Yes, p.Tally.No, p.Tally.Abstain, p.Deposit)
	if p.ExecuteHeight != 0 {
		out += fmt.Sprintf("executes at height %d\n", p.ExecuteHeight)
	}
	if p.FailureCode != 0 {
		out += fmt.Sprintf("failed: %s/%d\n", p.FailureCodespace, p.FailureCode)
	}
	return out, nil
}

func (s *scenario) queryVotes(name string) (string, error) {
	id, err := strconv.ParseUint(name, 10, 64)
	if err != nil {
		return "", err
	}

	var out strings.Builder
	// The snapshot is small in scenarios: read each declared account's
	// entry, in name order.
	names := make([]string, 0, len(s.ids))
	for n := range s.ids {
		if !s.orgs[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		var v governancev1.Voter
		found, err := s.getRecord(governance.VoterKey(id, s.ids[n]), &v)
		if err != nil {
			return "", err
		}
		if !found {
			continue
		}
		fmt.Fprintf(&out, "%s: weight %d, vote %s", n, v.Weight, governance.OptionName(v.Option))
		if v.Delegate != "" {
			fmt.Fprintf(&out, ", delegates to %s", v.Delegate)
		}
		if v.Delegated != 0 {
			fmt.Fprintf(&out, ", carries %d", v.Delegated)
		}
		out.WriteString("\n")
	}

	return out.String(), nil
}
