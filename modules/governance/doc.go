// Package governance is how organizations decide and how the root
// federation changes the chain: policies, proposals, votes, delegations,
// tallies, timelocks, vetoes and exactly-once execution, validator changes
// and software upgrade plans (docs/governance.md).
//
// State (keys.go, docs/state.md): the params; each organization's policy
// once it set one; proposals by id, indexed by organization and status;
// each proposal's electorate snapshot, one Voter per member with a weight,
// which also holds the member's vote; standing delegations by delegator;
// two schedules (tallies at the voting end, executions at the timelock's
// end); the validator set and the changes not yet returned to CometBFT;
// the upgrade plan and the upgrades applied.
//
// Invariants:
//   - a proposal's tally equals, for each option, the sum over its
//     snapshot's voters who voted that option of weight + delegated, where
//     delegated is the weight of the voters who delegated to it in the
//     snapshot and have not voted (tally.go keeps it so, vote by vote);
//   - exactly one status index entry per proposal, for its status;
//   - a VOTING proposal has one tally entry in the schedule, a TIMELOCKED
//     one an execution entry, others none;
//   - a proposal with a deposit has an open mana escrow (EscrowID) while it
//     is VOTING or TIMELOCKED, and none after;
//   - proposals' messages are only those a proposal may carry (never the
//     governance module's own member messages), so execution cannot
//     recurse.
//
// Messages run with the organization's authority in one cache layer that
// a failure discards; a failure is recorded, never halts the chain.
package governance
