package governance

import (
	"encoding/binary"
	"fmt"

	"github.com/intercooperative/icnd/modules"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// Keeper reads and writes governance state. It holds no state of its own
// beyond its wiring.
type Keeper struct {
	orgs   Orgs
	mana   Mana
	router modules.Router
}

// NewKeeper returns a governance Keeper. The app sets the router once it
// has built its message table (SetRouter).
func NewKeeper(orgs Orgs, mana Mana) *Keeper {
	return &Keeper{orgs: orgs, mana: mana}
}

// SetRouter gives the keeper the app's message table, through which it
// decodes, checks and runs proposals' messages.
func (k *Keeper) SetRouter(r modules.Router) { k.router = r }

// Params loads the governance params, written at genesis: their absence is
// a broken invariant. The caller owns the returned value.
func (k *Keeper) Params(ctx modules.Context) (*governancev1.Params, error) {
	p, found, err := modules.Load[governancev1.Params](ctx.Store, ParamsKey())
	if err != nil {
		return nil, fmt.Errorf("governance: params: %w", err)
	}
	if !found {
		return nil, fmt.Errorf("governance: params are missing from state")
	}
	return p, nil
}

func (k *Keeper) setParams(ctx modules.Context, p *governancev1.Params) error {
	return modules.Save(ctx.Store, ParamsKey(), p)
}

// Policy returns org's policy: the one it set, or the params' default.
// The caller owns the returned value.
func (k *Keeper) Policy(ctx modules.Context, org string) (*governancev1.Policy, error) {
	p, found, err := modules.Load[governancev1.Policy](ctx.Store, PolicyKey(org))
	if err != nil {
		return nil, fmt.Errorf("governance: policy of %s: %w", org, err)
	}
	if found {
		return p, nil
	}
	params, err := k.Params(ctx)
	if err != nil {
		return nil, err
	}
	return params.DefaultPolicy, nil
}

// Proposal loads proposal id. Errors: ErrUnknownProposal. The caller owns
// the returned value.
func (k *Keeper) Proposal(ctx modules.Context, id uint64) (*governancev1.Proposal, error) {
	p, found, err := modules.Load[governancev1.Proposal](ctx.Store, ProposalKey(id))
	if err != nil {
		return nil, fmt.Errorf("governance: proposal %d: %w", id, err)
	}
	if !found {
		return nil, ErrUnknownProposal.Wrapf("%d", id)
	}
	return p, nil
}

// setProposal stores p and moves its status index entry from old (0: a
// new proposal).
func (k *Keeper) setProposal(ctx modules.Context, p *governancev1.Proposal, old governancev1.Status) error {
	if old != p.Status {
		if old != governancev1.Status_STATUS_UNSPECIFIED {
			ctx.Store.Delete(ByStatusKey(p.Org, int32(old), p.Id))
		}
		ctx.Store.Set(ByStatusKey(p.Org, int32(p.Status), p.Id), marker)
	}
	return modules.Save(ctx.Store, ProposalKey(p.Id), p)
}

func (k *Keeper) nextID(ctx modules.Context) (uint64, error) {
	id := uint64(1)
	if bz := ctx.Store.Get(NextIDKey()); bz != nil {
		if len(bz) != 8 {
			return 0, fmt.Errorf("governance: next proposal id has %d bytes", len(bz))
		}
		id = binary.BigEndian.Uint64(bz)
	}
	ctx.Store.Set(NextIDKey(), IDBytes(id+1))
	return id, nil
}

// Voter loads member's entry in proposal id's snapshot. Errors:
// ErrNotInElectorate.
func (k *Keeper) Voter(ctx modules.Context, id uint64, member string) (*governancev1.Voter, error) {
	if len(member) > modules.MaxKeyPart {
		return nil, ErrNotInElectorate.Wrapf("%d-byte DID", len(member))
	}
	v, found, err := modules.Load[governancev1.Voter](ctx.Store, VoterKey(id, member))
	if err != nil {
		return nil, fmt.Errorf("governance: voter %s of %d: %w", member, id, err)
	}
	if !found {
		return nil, ErrNotInElectorate.Wrapf("%s was not in the electorate of proposal %d", modules.Truncate(member), id)
	}
	return v, nil
}

// Delegation loads delegator's delegation in org; found=false when none.
func (k *Keeper) Delegation(ctx modules.Context, delegator, org string) (*governancev1.Delegation, bool, error) {
	d, found, err := modules.Load[governancev1.Delegation](ctx.Store, DelegationKey(delegator, org))
	if err != nil {
		return nil, false, fmt.Errorf("governance: delegation of %s in %s: %w", delegator, org, err)
	}
	return d, found, nil
}

// StatusName is the lower-case name of s used in events and the CLI.
func StatusName(s governancev1.Status) string {
	switch s {
	case governancev1.Status_STATUS_VOTING:
		return "voting"
	case governancev1.Status_STATUS_REJECTED:
		return "rejected"
	case governancev1.Status_STATUS_EXPIRED:
		return "expired"
	case governancev1.Status_STATUS_TIMELOCKED:
		return "timelocked"
	case governancev1.Status_STATUS_VETOED:
		return "vetoed"
	case governancev1.Status_STATUS_EXECUTED:
		return "executed"
	case governancev1.Status_STATUS_FAILED:
		return "failed"
	case governancev1.Status_STATUS_WITHDRAWN:
		return "withdrawn"
	default:
		return "unknown"
	}
}

// ParseStatus is the inverse of StatusName.
func ParseStatus(name string) (governancev1.Status, bool) {
	for s := governancev1.Status_STATUS_VOTING; s <= governancev1.Status_STATUS_WITHDRAWN; s++ {
		if StatusName(s) == name {
			return s, true
		}
	}
	return 0, false
}

// OptionName is the lower-case name of o.
func OptionName(o governancev1.VoteOption) string {
	switch o {
	case governancev1.VoteOption_VOTE_OPTION_YES:
		return "yes"
	case governancev1.VoteOption_VOTE_OPTION_NO:
		return "no"
	case governancev1.VoteOption_VOTE_OPTION_ABSTAIN:
		return "abstain"
	default:
		return "none"
	}
}

// ParseOption is the inverse of OptionName for yes, no and abstain.
func ParseOption(name string) (governancev1.VoteOption, bool) {
	for o := governancev1.VoteOption_VOTE_OPTION_YES; o <= governancev1.VoteOption_VOTE_OPTION_ABSTAIN; o++ {
		if OptionName(o) == name {
			return o, true
		}
	}
	return 0, false
}
