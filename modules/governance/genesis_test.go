package governance

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/intercooperative/icnd/modules/did"

	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

func realDID(seed byte) string {
	return did.DeriveDID(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32)).Public().(ed25519.PublicKey))
}

func TestGenesisValidate(t *testing.T) {
	org, person, stranger := realDID(1), realDID(2), realDID(3)
	dids := map[string]bool{org: true, person: true}
	ok := func() Genesis {
		return Genesis{Params: DefaultParams(), NextProposalID: 2, Proposals: []GenesisProposal{{
			Proposal: &governancev1.Proposal{Id: 1, Org: org, Proposer: person, Status: governancev1.Status_STATUS_VOTING,
				SubmitHeight: 1, VotingEndHeight: 5, Policy: DefaultPolicy(), Tally: &governancev1.Tally{}},
			Voters: []GenesisVoter{{Member: person, Voter: &governancev1.Voter{Weight: 1, InSnapshot: true}}},
		}}}
	}
	if err := ok().Validate(dids); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(g *Genesis){
		"no params":             func(g *Genesis) { g.Params = nil },
		"weighted default":      func(g *Genesis) { g.Params.DefaultPolicy.Electorate = governancev1.Electorate_ELECTORATE_WEIGHTED },
		"policy of unknown org": func(g *Genesis) { g.Policies = []GenesisPolicy{{Org: stranger, Policy: DefaultPolicy()}} },
		"impossible policy": func(g *Genesis) {
			g.Policies = []GenesisPolicy{{Org: org, Policy: &governancev1.Policy{Electorate: 1}}}
		},
		"id not below next":  func(g *Genesis) { g.NextProposalID = 1 },
		"unknown status":     func(g *Genesis) { g.Proposals[0].Proposal.Status = 42 },
		"no tally":           func(g *Genesis) { g.Proposals[0].Proposal.Tally = nil },
		"voting ends before": func(g *Genesis) { g.Proposals[0].Proposal.VotingEndHeight = 0 },
		"voters unsorted":    func(g *Genesis) { g.Proposals[0].Voters = append(g.Proposals[0].Voters, g.Proposals[0].Voters[0]) },
		"delegation unknown org": func(g *Genesis) {
			g.Delegations = []*governancev1.Delegation{{Org: stranger, Delegator: org, Delegate: org}}
		},
		"self-delegation": func(g *Genesis) {
			g.Delegations = []*governancev1.Delegation{{Org: org, Delegator: person, Delegate: person}}
		},
		"bad upgrade name": func(g *Genesis) { g.UpgradePlan = &governancev1.UpgradePlan{Name: "Bad Name", Height: 9} },
	}
	for name, edit := range cases {
		g := ok()
		edit(&g)
		if err := g.Validate(dids); !errors.Is(err, ErrInvalidGenesis) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
