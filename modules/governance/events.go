package governance

import "github.com/intercooperative/icnd/modules"

// Event types of this package, as CometBFT and clients see them.
const (
	EventTypeSubmitted   = "icn.governance.submitted"
	EventTypeVoted       = "icn.governance.voted"
	EventTypeWithdrawn   = "icn.governance.withdrawn"
	EventTypeStatus      = "icn.governance.status"
	EventTypeDelegated   = "icn.governance.delegated"
	EventTypeUndelegated = "icn.governance.undelegated"
	EventTypePolicySet   = "icn.governance.policy_set"
	EventTypeParamsSet   = "icn.governance.params_set"
	EventTypeValidator   = "icn.governance.validator_set"
	EventTypeUpgrade     = "icn.governance.upgrade_scheduled"
	EventTypeUpgradeOff  = "icn.governance.upgrade_cancelled"
)

func init() {
	modules.RegisterEvent(EventSubmitted{})
	modules.RegisterEvent(EventVoted{})
	modules.RegisterEvent(EventWithdrawn{})
	modules.RegisterEvent(EventStatus{})
	modules.RegisterEvent(EventDelegated{})
	modules.RegisterEvent(EventUndelegated{})
	modules.RegisterEvent(EventPolicySet{})
	modules.RegisterEvent(EventParamsSet{})
	modules.RegisterEvent(EventValidatorSet{})
	modules.RegisterEvent(EventUpgradeScheduled{})
	modules.RegisterEvent(EventUpgradeCancelled{})
}

// EventSubmitted is emitted when a proposal is submitted.
type EventSubmitted struct {
	ID          uint64 `event:"id,index"`
	Org         string `event:"org,index"`
	Proposer    string `event:"proposer"`
	Messages    int    `event:"messages"`
	VotingEnd   int64  `event:"voting_end"`
	Voters      uint32 `event:"voters"`
	TotalWeight uint64 `event:"total_weight"`
	Deposit     uint64 `event:"deposit"`
}

// EventType implements modules.TypedEvent.
func (EventSubmitted) EventType() string { return EventTypeSubmitted }

// EventVoted is emitted for every vote, including a changed one.
type EventVoted struct {
	ID      uint64 `event:"id,index"`
	Voter   string `event:"voter,index"`
	Option  string `event:"option"`
	Yes     uint64 `event:"yes"`
	No      uint64 `event:"no"`
	Abstain uint64 `event:"abstain"`
}

// EventType implements modules.TypedEvent.
func (EventVoted) EventType() string { return EventTypeVoted }

// EventWithdrawn is emitted when the proposer withdraws a proposal.
type EventWithdrawn struct {
	ID  uint64 `event:"id,index"`
	Org string `event:"org,index"`
}

// EventType implements modules.TypedEvent.
func (EventWithdrawn) EventType() string { return EventTypeWithdrawn }

// EventStatus is emitted for every transition at the end of a block or by
// a veto: rejected, expired, passed (now timelocked), vetoed, executed,
// failed. A failure names the message and its code.
type EventStatus struct {
	ID        uint64 `event:"id,index"`
	Org       string `event:"org,index"`
	Status    string `event:"status,index"`
	Height    int64  `event:"height"`
	Message   int    `event:"message"`
	Codespace string `event:"codespace"`
	Code      uint32 `event:"code"`
	Log       string `event:"log"`
}

// EventType implements modules.TypedEvent.
func (EventStatus) EventType() string { return EventTypeStatus }

// EventDelegated is emitted when a member delegates its vote.
type EventDelegated struct {
	Org       string `event:"org,index"`
	Delegator string `event:"delegator,index"`
	Delegate  string `event:"delegate,index"`
}

// EventType implements modules.TypedEvent.
func (EventDelegated) EventType() string { return EventTypeDelegated }

// EventUndelegated is emitted when a member ends its delegation.
type EventUndelegated struct {
	Org       string `event:"org,index"`
	Delegator string `event:"delegator,index"`
}

// EventType implements modules.TypedEvent.
func (EventUndelegated) EventType() string { return EventTypeUndelegated }

// EventPolicySet is emitted when an organization's policy changes.
type EventPolicySet struct {
	Org string `event:"org,index"`
}

// EventType implements modules.TypedEvent.
func (EventPolicySet) EventType() string { return EventTypePolicySet }

// EventParamsSet is emitted when the governance params change.
type EventParamsSet struct {
	By string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventParamsSet) EventType() string { return EventTypeParamsSet }

// EventValidatorSet is emitted when a validator is added, re-weighted or
// removed (power 0); CometBFT applies it two heights later.
type EventValidatorSet struct {
	PubKey []byte `event:"pub_key"`
	Power  int64  `event:"power"`
}

// EventType implements modules.TypedEvent.
func (EventValidatorSet) EventType() string { return EventTypeValidator }

// EventUpgradeScheduled is emitted when an upgrade plan is scheduled.
type EventUpgradeScheduled struct {
	Name   string `event:"name,index"`
	Height int64  `event:"height"`
	Info   string `event:"info"`
}

// EventType implements modules.TypedEvent.
func (EventUpgradeScheduled) EventType() string { return EventTypeUpgrade }

// EventUpgradeCancelled is emitted when an upgrade plan is cancelled.
type EventUpgradeCancelled struct {
	Name string `event:"name,index"`
}

// EventType implements modules.TypedEvent.
func (EventUpgradeCancelled) EventType() string { return EventTypeUpgradeOff }
