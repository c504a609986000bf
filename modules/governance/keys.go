package governance

import (
	"encoding/binary"

	"github.com/intercooperative/icnd/modules"
)

// StorePrefix is the governance module's key prefix.
const StorePrefix = modules.PrefixGovernance

// Sub-prefixes. Variable parts are length-prefixed (modules.Key); a
// proposal id is 8 bytes big-endian, so ids sort numerically.
const (
	subParams      byte = 0x01 // -> Params
	subNextID      byte = 0x02 // -> next proposal id, 8 bytes big-endian
	subPolicy      byte = 0x03 // org -> Policy
	subProposal    byte = 0x04 // id -> Proposal
	subByStatus    byte = 0x05 // org | status | id -> {1}
	subVoter       byte = 0x06 // id | member -> Voter (electorate snapshot and votes)
	subDelegation  byte = 0x08 // delegator | org -> Delegation
	subVotingEnds  byte = 0x10 // Schedule: voting end height | id -> {1}
	subExecutions  byte = 0x11 // Schedule: execute height | id -> {1}
	subValidator   byte = 0x20 // pub key -> Validator
	subValUpdate   byte = 0x21 // pub key -> Validator: changes not yet returned to CometBFT
	subUpgradePlan byte = 0x22 // -> UpgradePlan
	subUpgradeDone byte = 0x23 // name -> height applied
	subValAdded    byte = 0x24 // pub key -> Validator{pub_key}: the pending update adds a validator new to CometBFT
)

var (
	votingEnds = modules.Schedule{Prefix: StorePrefix, Sub: subVotingEnds}
	executions = modules.Schedule{Prefix: StorePrefix, Sub: subExecutions}
	marker     = []byte{1}
)

// ParamsKey is the key of the governance params.
func ParamsKey() []byte { return []byte{StorePrefix, subParams} }

// NextIDKey is the key of the next proposal id.
func NextIDKey() []byte { return []byte{StorePrefix, subNextID} }

// PolicyKey is the key of org's policy; absent while org uses the default.
func PolicyKey(org string) []byte { return modules.Key(StorePrefix, subPolicy, []byte(org)) }

// IDBytes encodes a proposal id as it appears in keys.
func IDBytes(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// ProposalKey is the key of proposal id.
func ProposalKey(id uint64) []byte { return modules.Key(StorePrefix, subProposal, IDBytes(id)) }

// ByStatusKey indexes proposal id of org under its status.
func ByStatusKey(org string, status int32, id uint64) []byte {
	return modules.Key(StorePrefix, subByStatus, []byte(org), []byte{byte(status)}, IDBytes(id))
}

// ByStatusPrefix lists org's proposals with status, by id.
func ByStatusPrefix(org string, status int32) []byte {
	return modules.Key(StorePrefix, subByStatus, []byte(org), []byte{byte(status)})
}

// VoterKey is member's entry in the electorate snapshot of proposal id.
func VoterKey(id uint64, member string) []byte {
	return modules.Key(StorePrefix, subVoter, IDBytes(id), []byte(member))
}

// VotersPrefix lists the snapshot of proposal id, by member DID.
func VotersPrefix(id uint64) []byte { return modules.Key(StorePrefix, subVoter, IDBytes(id)) }

// DelegationKey is delegator's delegation in org.
func DelegationKey(delegator, org string) []byte {
	return modules.Key(StorePrefix, subDelegation, []byte(delegator), []byte(org))
}

// DelegationsPrefix lists delegator's delegations, by organization.
func DelegationsPrefix(delegator string) []byte {
	return modules.Key(StorePrefix, subDelegation, []byte(delegator))
}

// ValidatorKey is the key of the validator with the Ed25519 key pub.
func ValidatorKey(pub []byte) []byte { return modules.Key(StorePrefix, subValidator, pub) }

// ValidatorsPrefix lists the validators by public key.
func ValidatorsPrefix() []byte { return []byte{StorePrefix, subValidator} }

func valUpdateKey(pub []byte) []byte { return modules.Key(StorePrefix, subValUpdate, pub) }

func valUpdatesPrefix() []byte { return []byte{StorePrefix, subValUpdate} }

func valAddedKey(pub []byte) []byte { return modules.Key(StorePrefix, subValAdded, pub) }

func valAddedPrefix() []byte { return []byte{StorePrefix, subValAdded} }

// UpgradePlanKey is the key of the scheduled upgrade plan.
func UpgradePlanKey() []byte { return []byte{StorePrefix, subUpgradePlan} }

// UpgradeDoneKey records the height at which the upgrade name was applied.
func UpgradeDoneKey(name string) []byte {
	return modules.Key(StorePrefix, subUpgradeDone, []byte(name))
}

// EscrowID is the mana escrow id of proposal id's deposit.
func EscrowID(id uint64) []byte { return append([]byte("gov/"), IDBytes(id)...) }
