package client

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/jsonpb"
	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/modules"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/mesh"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// ProposalFile is the JSON file `icnd tx governance propose` reads: the
// organization, a title, an optional summary (or the CID of a longer one)
// and the messages to run with the organization's authority, each a Msg in
// protobuf JSON with its oneof member's name as the key, e.g.
// {"transfer_control": {"org": "did:icn:..."}}. Bytes are base64, 64-bit
// integers strings or numbers, enums their names.
type ProposalFile struct {
	Org        string            `json:"org"`
	Title      string            `json:"title"`
	Summary    string            `json:"summary,omitempty"`
	SummaryCID string            `json:"summary_cid,omitempty"`
	Messages   []json.RawMessage `json:"messages,omitempty"`
}

// ParseProposalFile decodes a proposal file strictly (an unknown field is
// an error) into a MsgSubmitProposal, encoding each message as the chain
// carries it. The chain checks the messages; a message the decoder does not
// know is an error here already.
func ParseProposalFile(data []byte) (*txv1.Msg, error) {
	var f ProposalFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("proposal file: %w", err)
	}
	msgs := make([][]byte, len(f.Messages))
	for i, raw := range f.Messages {
		m := new(txv1.Msg)
		if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(raw), m); err != nil {
			return nil, fmt.Errorf("proposal file: message %d: %w", i, err)
		}
		if m.Sum == nil {
			return nil, fmt.Errorf("proposal file: message %d is empty", i)
		}
		bz, err := m.Marshal()
		if err != nil {
			return nil, fmt.Errorf("proposal file: message %d: %w", i, err)
		}
		msgs[i] = bz
	}
	return SubmitProposal(f.Org, f.Title, f.Summary, f.SummaryCID, msgs)
}

// SubmitProposal returns a MsgSubmitProposal. summaryCID may be empty.
func SubmitProposal(org, title, summary, summaryCID string, msgs [][]byte) (*txv1.Msg, error) {
	if err := didmod.ParseDID(org); err != nil {
		return nil, fmt.Errorf("org: %w", err)
	}
	if title == "" {
		return nil, fmt.Errorf("a proposal needs a title")
	}
	m := &governancev1.MsgSubmitProposal{Org: org, Title: title, Summary: summary, Messages: msgs}
	if summaryCID != "" {
		c, err := ParseCID(summaryCID)
		if err != nil {
			return nil, fmt.Errorf("summary_cid: %w", err)
		}
		m.SummaryCid = c.Bytes()
	}
	return &txv1.Msg{Sum: &txv1.Msg_SubmitProposal{SubmitProposal: m}}, nil
}

// Vote returns a MsgVote; option is yes, no or abstain.
func Vote(id uint64, option string) (*txv1.Msg, error) {
	o, ok := governance.ParseOption(option)
	if !ok {
		return nil, fmt.Errorf("vote %q: want yes, no or abstain", option)
	}
	return &txv1.Msg{Sum: &txv1.Msg_Vote{Vote: &governancev1.MsgVote{ProposalId: id, Option: o}}}, nil
}

// WithdrawProposal returns a MsgWithdrawProposal.
func WithdrawProposal(id uint64) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_WithdrawProposal{WithdrawProposal: &governancev1.MsgWithdrawProposal{ProposalId: id}}}
}

// Veto returns a MsgVeto.
func Veto(id uint64) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_Veto{Veto: &governancev1.MsgVeto{ProposalId: id}}}
}

// Delegate returns a MsgDelegate.
func Delegate(org, delegate string) (*txv1.Msg, error) {
	return checked(governance.ValidateDelegate(&governancev1.MsgDelegate{Org: org, Delegate: delegate}),
		&txv1.Msg{Sum: &txv1.Msg_Delegate{Delegate: &governancev1.MsgDelegate{Org: org, Delegate: delegate}}})
}

// Undelegate returns a MsgUndelegate.
func Undelegate(org string) (*txv1.Msg, error) {
	return checked(governance.ValidateUndelegate(&governancev1.MsgUndelegate{Org: org}),
		&txv1.Msg{Sum: &txv1.Msg_Undelegate{Undelegate: &governancev1.MsgUndelegate{Org: org}}})
}

// SpendTreasury returns a MsgSpendTreasury.
func SpendTreasury(org, to string, amount uint64) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_SpendTreasury{SpendTreasury: &manav1.MsgSpendTreasury{Org: org, To: to, Amount: amount}}}
}

// ProposalView is a proposal with its names spelt out and its messages in
// protobuf JSON.
type ProposalView struct {
	ID              uint64            `json:"id"`
	Org             string            `json:"org"`
	Proposer        string            `json:"proposer"`
	Title           string            `json:"title"`
	Summary         string            `json:"summary,omitempty"`
	Status          string            `json:"status"`
	SubmitHeight    int64             `json:"submit_height"`
	VotingEndHeight int64             `json:"voting_end_height"`
	ExecuteHeight   int64             `json:"execute_height,omitempty"`
	EndHeight       int64             `json:"end_height,omitempty"`
	Voters          uint32            `json:"voters"`
	TotalWeight     uint64            `json:"total_weight"`
	Yes             uint64            `json:"yes"`
	No              uint64            `json:"no"`
	Abstain         uint64            `json:"abstain"`
	Deposit         uint64            `json:"deposit"`
	Failure         string            `json:"failure,omitempty"`
	Messages        []json.RawMessage `json:"messages"`
}

// NewProposalView converts p.
func NewProposalView(p *governancev1.Proposal) *ProposalView {
	v := &ProposalView{ID: p.Id, Org: p.Org, Proposer: p.Proposer, Title: p.Title, Summary: p.Summary,
		Status: governance.StatusName(p.Status), SubmitHeight: p.SubmitHeight, VotingEndHeight: p.VotingEndHeight,
		ExecuteHeight: p.ExecuteHeight, EndHeight: p.EndHeight, Voters: p.Voters, TotalWeight: p.TotalWeight,
		Deposit: p.Deposit, Messages: []json.RawMessage{}}
	if p.Tally != nil {
		v.Yes, v.No, v.Abstain = p.Tally.Yes, p.Tally.No, p.Tally.Abstain
	}
	if p.FailureCode != 0 {
		v.Failure = fmt.Sprintf("%s/%d: %s", p.FailureCodespace, p.FailureCode, p.FailureLog)
	}
	for _, bz := range p.Messages {
		m := new(txv1.Msg)
		s := `"undecodable"`
		if m.Unmarshal(bz) == nil {
			if js, err := (&jsonpb.Marshaler{OrigName: true}).MarshalToString(m); err == nil {
				s = js
			}
		}
		v.Messages = append(v.Messages, json.RawMessage(s))
	}
	return v
}

// Proposal reads proposal id with its live tally (the running totals).
func (q *Querier) Proposal(ctx context.Context, id uint64, height int64) (*ProposalView, *QueryResult, error) {
	res, err := q.Get(ctx, governance.ProposalKey(id), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: proposal %d at height %d", ErrNotFound, id, res.Height)
	}
	p := new(governancev1.Proposal)
	if err := p.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode proposal %d: %w", id, err)
	}
	return NewProposalView(p), res, nil
}

// Proposals lists org's proposals with status ("" = every status), by
// status and then id, reading at most limit per status.
func (q *Querier) Proposals(ctx context.Context, org, status string, height int64, limit int) ([]*ProposalView, *QueryResult, error) {
	if err := didmod.ParseDID(org); err != nil {
		return nil, nil, err
	}
	var statuses []governancev1.Status
	if status == "" {
		for s := governancev1.Status_STATUS_VOTING; s <= governancev1.Status_STATUS_WITHDRAWN; s++ {
			statuses = append(statuses, s)
		}
	} else {
		s, ok := governance.ParseStatus(status)
		if !ok {
			return nil, nil, fmt.Errorf("status %q: want voting, rejected, expired, timelocked, vetoed, executed, failed or withdrawn", status)
		}
		statuses = []governancev1.Status{s}
	}
	out := []*ProposalView{}
	var last *QueryResult
	for _, s := range statuses {
		entries, res, err := q.Scan(ctx, governance.ByStatusPrefix(org, int32(s)), height, limit)
		if err != nil {
			return nil, nil, err
		}
		height, last = res.Height, res
		for _, e := range entries {
			if len(e.Key) < 8 {
				return nil, res, fmt.Errorf("malformed proposal index key %X", e.Key)
			}
			p, _, err := q.Proposal(ctx, binary.BigEndian.Uint64(e.Key[len(e.Key)-8:]), height)
			if err != nil {
				return nil, res, err
			}
			out = append(out, p)
		}
	}
	return out, last, nil
}

// VoteView is one voter of a proposal's electorate snapshot.
type VoteView struct {
	Voter     string `json:"voter"`
	Weight    uint64 `json:"weight"`
	Delegate  string `json:"delegate,omitempty"`
	Delegated uint64 `json:"delegated"`
	Option    string `json:"option"`
	Height    int64  `json:"height,omitempty"`
}

// Votes lists proposal id's electorate snapshot with each voter's own vote
// ("none" before it voted), by voter DID, reading at most limit.
func (q *Querier) Votes(ctx context.Context, id uint64, height int64, limit int) ([]*VoteView, *QueryResult, error) {
	prefix := governance.VotersPrefix(id)
	entries, res, err := q.Scan(ctx, prefix, height, limit)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*VoteView, 0, len(entries))
	for _, e := range entries {
		v := new(governancev1.Voter)
		if err := v.Unmarshal(e.Value); err != nil {
			return nil, res, fmt.Errorf("decode voter under key %X: %w", e.Key, err)
		}
		if len(e.Key) < len(prefix)+1 {
			return nil, res, fmt.Errorf("malformed voter key %X", e.Key)
		}
		out = append(out, &VoteView{Voter: string(e.Key[len(prefix)+1:]), Weight: v.Weight, Delegate: v.Delegate,
			Delegated: v.Delegated, Option: governance.OptionName(v.Option), Height: v.Height})
	}
	return out, res, nil
}

// PolicyView is an organization's policy and whether it is the default.
type PolicyView struct {
	Org     string          `json:"org"`
	Default bool            `json:"default"`
	Policy  json.RawMessage `json:"policy"`
}

// Policy reads org's policy: its own, or the params' default when it never
// set one (both proven with a Prover: the absence of its own, then the
// params).
func (q *Querier) Policy(ctx context.Context, org string, height int64) (*PolicyView, *QueryResult, error) {
	if err := didmod.ParseDID(org); err != nil {
		return nil, nil, err
	}
	res, err := q.Get(ctx, governance.PolicyKey(org), height)
	if err != nil {
		return nil, nil, err
	}
	p := new(governancev1.Policy)
	view := &PolicyView{Org: org}
	if res.Value != nil {
		if err := p.Unmarshal(res.Value); err != nil {
			return nil, res, fmt.Errorf("decode the policy of %s: %w", org, err)
		}
	} else {
		pres, err := q.Get(ctx, governance.ParamsKey(), res.Height)
		if err != nil {
			return nil, nil, err
		}
		params := new(governancev1.Params)
		if pres.Value == nil || params.Unmarshal(pres.Value) != nil || params.DefaultPolicy == nil {
			return nil, pres, fmt.Errorf("governance params missing or undecodable at height %d", pres.Height)
		}
		p, view.Default, res = params.DefaultPolicy, true, pres
	}
	js, err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true}).MarshalToString(p)
	if err != nil {
		return nil, res, err
	}
	view.Policy = json.RawMessage(js)
	return view, res, nil
}

// Delegations lists delegator's standing delegations, by organization,
// reading at most limit.
func (q *Querier) Delegations(ctx context.Context, delegator string, height int64, limit int) ([]*governancev1.Delegation, *QueryResult, error) {
	if err := didmod.ParseDID(delegator); err != nil {
		return nil, nil, err
	}
	entries, res, err := q.Scan(ctx, governance.DelegationsPrefix(delegator), height, limit)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*governancev1.Delegation, 0, len(entries))
	for _, e := range entries {
		d := new(governancev1.Delegation)
		if err := d.Unmarshal(e.Value); err != nil {
			return nil, res, fmt.Errorf("decode delegation under key %X: %w", e.Key, err)
		}
		out = append(out, d)
	}
	return out, res, nil
}

// SubmittedProposal returns the id of the proposal a transaction's events
// say it submitted, or 0.
func SubmittedProposal(events []abcitypes.Event) uint64 {
	for _, e := range events {
		if e.Type != governance.EventTypeSubmitted {
			continue
		}
		ev := modules.Event{Type: e.Type}
		for _, a := range e.Attributes {
			ev.Attributes = append(ev.Attributes, modules.Attribute{Key: a.Key, Value: a.Value})
		}
		var s governance.EventSubmitted
		if modules.DecodeEvent(ev, &s) == nil {
			return s.ID
		}
	}
	return 0
}

// ManaParams reads the mana params in protobuf JSON, the form a
// set_mana_params proposal carries them in.
func (q *Querier) ManaParams(ctx context.Context, height int64) (json.RawMessage, *QueryResult, error) {
	return q.paramsJSON(ctx, mana.ParamsKey(), new(manav1.Params), height)
}

// MeshParams reads the mesh params in protobuf JSON, the form a
// set_mesh_params proposal carries them in.
func (q *Querier) MeshParams(ctx context.Context, height int64) (json.RawMessage, *QueryResult, error) {
	return q.paramsJSON(ctx, mesh.ParamsKey(), new(meshv1.Params), height)
}

// GovernanceParams reads the governance params in protobuf JSON.
func (q *Querier) GovernanceParams(ctx context.Context, height int64) (json.RawMessage, *QueryResult, error) {
	return q.paramsJSON(ctx, governance.ParamsKey(), new(governancev1.Params), height)
}

func (q *Querier) paramsJSON(ctx context.Context, key []byte, v interface {
	proto.Message
	Unmarshal([]byte) error
}, height int64) (json.RawMessage, *QueryResult, error) {
	res, err := q.Get(ctx, key, height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: params at height %d", ErrNotFound, res.Height)
	}
	if err := v.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode params: %w", err)
	}
	js, err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true}).MarshalToString(v)
	return json.RawMessage(js), res, err
}
