package governance

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// GenesisPolicy is one organization's policy in genesis.
type GenesisPolicy struct {
	Org    string               `json:"org"`
	Policy *governancev1.Policy `json:"policy"`
}

// GenesisVoter is one entry of a proposal's electorate snapshot.
type GenesisVoter struct {
	Member string              `json:"member"`
	Voter  *governancev1.Voter `json:"voter"`
}

// GenesisProposal is a proposal with its electorate snapshot.
type GenesisProposal struct {
	Proposal *governancev1.Proposal `json:"proposal"`
	Voters   []GenesisVoter         `json:"voters,omitempty"`
}

// GenesisUpgrade is an upgrade applied at a height.
type GenesisUpgrade struct {
	Name   string `json:"name"`
	Height int64  `json:"height"`
}

// Genesis is the governance section of genesis.json. A new chain starts
// with params and, optionally, organizations' policies. An export (which
// restarts a chain at the next height, so heights stay meaningful) also
// carries every proposal with its snapshot, the standing delegations, the
// next proposal id, the scheduled upgrade plan and the upgrades applied;
// the schedules and the status index are rebuilt from the proposals. The
// validator set is not here: CometBFT's genesis validators are the chain's
// (InitChain), and governance tracks them from there.
type Genesis struct {
	Params         *governancev1.Params       `json:"params"`
	Policies       []GenesisPolicy            `json:"policies,omitempty"`
	NextProposalID uint64                     `json:"next_proposal_id,omitempty"`
	Proposals      []GenesisProposal          `json:"proposals,omitempty"`
	Delegations    []*governancev1.Delegation `json:"delegations,omitempty"`
	UpgradePlan    *governancev1.UpgradePlan  `json:"upgrade_plan,omitempty"`
	UpgradesDone   []GenesisUpgrade           `json:"upgrades_done,omitempty"`
}

// DefaultGenesis is the governance genesis of a new chain.
func DefaultGenesis() Genesis { return Genesis{Params: DefaultParams()} }

// Validate checks the params and each record: policies and delegations
// sorted, unique and naming registered DIDs; proposals sorted by id, below
// the next id, with a known status, a policy and a tally, and a snapshot
// sorted by member; the plan and upgrade names well formed.
func (g Genesis) Validate(dids map[string]bool) error {
	if err := ValidateParams(g.Params); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	for i, p := range g.Policies {
		if !dids[p.Org] {
			return ErrInvalidGenesis.Wrapf("policy %d names %q, which genesis does not register", i, p.Org)
		}
		if i > 0 && g.Policies[i-1].Org >= p.Org {
			return ErrInvalidGenesis.Wrapf("policies must be sorted by org and unique")
		}
		if err := ValidatePolicy(p.Policy, g.Params); err != nil {
			return ErrInvalidGenesis.Wrapf("policy of %s: %v", p.Org, err)
		}
	}
	for i, gp := range g.Proposals {
		p := gp.Proposal
		if p == nil || p.Id == 0 || p.Id >= g.NextProposalID {
			return ErrInvalidGenesis.Wrapf("proposal %d: an id from 1 below next_proposal_id %d is required", i, g.NextProposalID)
		}
		if i > 0 && g.Proposals[i-1].Proposal.Id >= p.Id {
			return ErrInvalidGenesis.Wrapf("proposals must be sorted by id and unique")
		}
		if !dids[p.Org] || !dids[p.Proposer] {
			return ErrInvalidGenesis.Wrapf("proposal %d names an organization or proposer genesis does not register", p.Id)
		}
		if _, ok := governancev1.Status_name[int32(p.Status)]; !ok || p.Status == governancev1.Status_STATUS_UNSPECIFIED {
			return ErrInvalidGenesis.Wrapf("proposal %d has status %d", p.Id, p.Status)
		}
		if p.Policy == nil || p.Tally == nil || validateProposalPolicy(p.Policy) != nil {
			return ErrInvalidGenesis.Wrapf("proposal %d needs a valid policy and a tally", p.Id)
		}
		if p.SubmitHeight < 1 || p.VotingEndHeight < p.SubmitHeight ||
			(p.Status == governancev1.Status_STATUS_TIMELOCKED && p.ExecuteHeight < p.VotingEndHeight) {
			return ErrInvalidGenesis.Wrapf("proposal %d has inconsistent heights", p.Id)
		}
		for j, v := range gp.Voters {
			if did.ParseDID(v.Member) != nil || v.Voter == nil {
				return ErrInvalidGenesis.Wrapf("proposal %d voter %d is malformed", p.Id, j)
			}
			if j > 0 && gp.Voters[j-1].Member >= v.Member {
				return ErrInvalidGenesis.Wrapf("proposal %d: voters must be sorted by member and unique", p.Id)
			}
		}
	}
	for i, d := range g.Delegations {
		if d == nil || !dids[d.Org] || did.ParseDID(d.Delegator) != nil || did.ParseDID(d.Delegate) != nil || d.Delegator == d.Delegate {
			return ErrInvalidGenesis.Wrapf("delegation %d is malformed", i)
		}
		if i > 0 {
			prev := g.Delegations[i-1]
			if prev.Delegator > d.Delegator || (prev.Delegator == d.Delegator && prev.Org >= d.Org) {
				return ErrInvalidGenesis.Wrapf("delegations must be sorted by delegator, then org, and unique")
			}
		}
	}
	if p := g.UpgradePlan; p != nil {
		if err := ValidateScheduleUpgrade(&governancev1.MsgScheduleUpgrade{Plan: p}); err != nil {
			return ErrInvalidGenesis.Wrapf("upgrade plan: %v", err)
		}
	}
	for i, u := range g.UpgradesDone {
		if err := ValidateUpgradeName(u.Name); err != nil || u.Height < 1 {
			return ErrInvalidGenesis.Wrapf("applied upgrade %d is malformed", i)
		}
		if i > 0 && g.UpgradesDone[i-1].Name >= u.Name {
			return ErrInvalidGenesis.Wrapf("applied upgrades must be sorted by name and unique")
		}
	}
	return nil
}

// InitGenesis writes a validated section, rebuilding the status index and
// the schedules from the proposals.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	if err := k.setParams(ctx, g.Params); err != nil {
		return fmt.Errorf("governance: genesis params: %w", err)
	}
	for _, p := range g.Policies {
		if err := modules.Save(ctx.Store, PolicyKey(p.Org), p.Policy); err != nil {
			return err
		}
	}
	if g.NextProposalID > 1 {
		ctx.Store.Set(NextIDKey(), IDBytes(g.NextProposalID))
	}
	for _, gp := range g.Proposals {
		p := gp.Proposal
		if err := k.setProposal(ctx, p, governancev1.Status_STATUS_UNSPECIFIED); err != nil {
			return err
		}
		switch p.Status {
		case governancev1.Status_STATUS_VOTING:
			if err := votingEnds.Add(ctx.Store, p.VotingEndHeight, IDBytes(p.Id), marker); err != nil {
				return err
			}
		case governancev1.Status_STATUS_TIMELOCKED:
			if err := executions.Add(ctx.Store, p.ExecuteHeight, IDBytes(p.Id), marker); err != nil {
				return err
			}
		}
		for _, v := range gp.Voters {
			if err := modules.Save(ctx.Store, VoterKey(p.Id, v.Member), v.Voter); err != nil {
				return err
			}
		}
	}
	for _, d := range g.Delegations {
		if err := modules.Save(ctx.Store, DelegationKey(d.Delegator, d.Org), d); err != nil {
			return err
		}
	}
	if g.UpgradePlan != nil {
		if err := modules.Save(ctx.Store, UpgradePlanKey(), g.UpgradePlan); err != nil {
			return err
		}
	}
	for _, u := range g.UpgradesDone {
		ctx.Store.Set(UpgradeDoneKey(u.Name), IDBytes(uint64(u.Height)))
	}
	return nil
}

// ExportGenesis reads the module's state back into a section.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	params, err := k.Params(ctx)
	if err != nil {
		return Genesis{}, err
	}
	g := Genesis{Params: params, NextProposalID: 1}
	err = modules.Walk(ctx.Store, []byte{StorePrefix, subPolicy}, func(key []byte, p *governancev1.Policy) (bool, error) {
		// key: prefix, sub, length, org
		g.Policies = append(g.Policies, GenesisPolicy{Org: string(key[3:]), Policy: p})
		return false, nil
	})
	if err != nil {
		return Genesis{}, err
	}
	if bz := ctx.Store.Get(NextIDKey()); bz != nil {
		if len(bz) != 8 {
			return Genesis{}, fmt.Errorf("governance: next proposal id has %d bytes", len(bz))
		}
		g.NextProposalID = binary.BigEndian.Uint64(bz)
	}
	err = modules.Walk(ctx.Store, []byte{StorePrefix, subProposal}, func(_ []byte, p *governancev1.Proposal) (bool, error) {
		gp := GenesisProposal{Proposal: p}
		prefix := VotersPrefix(p.Id)
		err := modules.Walk(ctx.Store, prefix, func(key []byte, v *governancev1.Voter) (bool, error) {
			gp.Voters = append(gp.Voters, GenesisVoter{Member: string(key[len(prefix)+1:]), Voter: v})
			return false, nil
		})
		g.Proposals = append(g.Proposals, gp)
		return false, err
	})
	if err != nil {
		return Genesis{}, err
	}
	err = modules.Walk(ctx.Store, []byte{StorePrefix, subDelegation}, func(_ []byte, d *governancev1.Delegation) (bool, error) {
		g.Delegations = append(g.Delegations, d)
		return false, nil
	})
	if err != nil {
		return Genesis{}, err
	}
	if g.UpgradePlan, err = k.UpgradePlan(ctx); err != nil {
		return Genesis{}, err
	}
	it := ctx.Store.Iterator([]byte{StorePrefix, subUpgradeDone}, []byte{StorePrefix, subUpgradeDone + 1})
	defer it.Close()
	for ; it.Valid(); it.Next() {
		key, v := it.Key(), it.Value()
		if len(v) != 8 || len(key) < 4 {
			return Genesis{}, fmt.Errorf("governance: malformed applied upgrade %x", key)
		}
		g.UpgradesDone = append(g.UpgradesDone, GenesisUpgrade{Name: string(key[3:]), Height: int64(binary.BigEndian.Uint64(v))})
	}
	// Keys order names by length first (length-prefixed parts).
	sort.Slice(g.UpgradesDone, func(i, j int) bool { return g.UpgradesDone[i].Name < g.UpgradesDone[j].Name })
	return g, nil
}

// validateProposalPolicy checks a proposal's copy of its policy, which
// keeps no weight rows (they live on in the snapshot).
func validateProposalPolicy(p *governancev1.Policy) error {
	if len(p.Weights) != 0 {
		return ErrInvalidPolicy.Wrapf("a proposal's policy keeps no weights")
	}
	if p.Electorate == governancev1.Electorate_ELECTORATE_WEIGHTED {
		c := *p
		c.Electorate = governancev1.Electorate_ELECTORATE_ONE_MEMBER_ONE_VOTE
		return ValidatePolicy(&c, nil)
	}
	return ValidatePolicy(p, nil)
}
