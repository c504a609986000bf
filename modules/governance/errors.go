package governance

import "github.com/intercooperative/icnd/modules"

// Codespace is the governance module's result codespace.
const Codespace = "governance"

// Result codes. Stable: never renumber or reuse a code.
var (
	// ErrInvalidPolicy: fractions out of range, periods out of bounds,
	// weights or veto holders malformed.
	ErrInvalidPolicy = modules.Register(Codespace, 2, "invalid policy")
	// ErrInvalidProposal: title, summary, CID or message list out of bounds.
	ErrInvalidProposal = modules.Register(Codespace, 3, "invalid proposal")
	// ErrMessageNotGovernable: a proposed message that no organization may
	// send through governance (its row is GovernanceNever), including the
	// governance messages themselves.
	ErrMessageNotGovernable = modules.Register(Codespace, 4, "message may not be proposed")
	// ErrRootOnly: a root-only message proposed by another organization.
	ErrRootOnly = modules.Register(Codespace, 5, "only the root federation may propose this message")
	// ErrNotMember: the proposer is not a member of the organization.
	ErrNotMember = modules.Register(Codespace, 6, "not a member of the organization")
	// ErrUnknownProposal: no proposal with the id.
	ErrUnknownProposal = modules.Register(Codespace, 7, "unknown proposal")
	// ErrNotInElectorate: the voter was not in the proposal's electorate
	// snapshot (not a member, or of weight 0, when it was submitted).
	ErrNotInElectorate = modules.Register(Codespace, 8, "not in the proposal's electorate")
	// ErrVotingClosed: a vote on a proposal that is not open to votes.
	ErrVotingClosed = modules.Register(Codespace, 9, "voting is closed")
	// ErrInvalidVote: an unspecified or unknown option.
	ErrInvalidVote = modules.Register(Codespace, 10, "invalid vote option")
	// ErrNotProposer: withdrawal by someone other than the proposer.
	ErrNotProposer = modules.Register(Codespace, 11, "not the proposer")
	// ErrAlreadyVoted: withdrawal after the first vote.
	ErrAlreadyVoted = modules.Register(Codespace, 12, "the proposal has votes")
	// ErrNotVetoHolder: a veto by someone the policy does not name.
	ErrNotVetoHolder = modules.Register(Codespace, 13, "not a veto holder")
	// ErrNotTimelocked: a veto or execution of a proposal that is not
	// waiting in its timelock (never passed, already executed, ...).
	ErrNotTimelocked = modules.Register(Codespace, 14, "proposal is not in its timelock")
	// ErrInvalidDelegation: delegating to oneself, to a non-member, or
	// undelegating without a delegation.
	ErrInvalidDelegation = modules.Register(Codespace, 15, "invalid delegation")
	// ErrNotOrgAuthority: a policy change not sent by the organization's
	// own authority (a passed proposal), or a root-only message not sent by
	// the root federation's.
	ErrNotOrgAuthority = modules.Register(Codespace, 16, "only the organization's own governance may send this message")
	// ErrElectorateTooLarge: the organization has more members than
	// Params.max_electorate.
	ErrElectorateTooLarge = modules.Register(Codespace, 17, "electorate too large")
	// ErrInvalidParams: governance params out of bounds.
	ErrInvalidParams = modules.Register(Codespace, 18, "invalid governance params")
	// ErrInvalidGenesis: the governance genesis is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 19, "invalid governance genesis")
	// ErrInvalidValidator: a malformed key or power, or a change that
	// leaves no validator or gives one more than a third of the power.
	ErrInvalidValidator = modules.Register(Codespace, 20, "invalid validator change")
	// ErrInvalidUpgrade: a malformed plan, a height not in the future, a
	// name already applied, or a cancel naming no scheduled plan.
	ErrInvalidUpgrade = modules.Register(Codespace, 21, "invalid upgrade plan")
	// ErrAuthorityFrozen: the organization whose proposal executes is
	// frozen: it cannot act through governance either.
	ErrAuthorityFrozen = modules.Register(Codespace, 22, "the organization is frozen")
)
