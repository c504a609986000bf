// Package mesh is the compute-job market: executors register with a bond,
// members post jobs and escrow their worst-case cost, executors bid during
// a window, selection at the window's close assigns the best r bids
// (of executors still active), assigned executors commit to signed
// receipts (package protocol/receipt: Commitment) and, once every one has
// committed or the commit deadline passed, reveal them; revealed receipts
// are anchored in the dag, and the job settles once k receipts agree and
// every executor that committed has revealed, or at its deadline.
// docs/mesh.md states the rules; docs/state.md section 9 the keys.
//
// State (keys.go):
//
//	0x40 0x01 | len | did                 -> Executor
//	0x40 0x02 | len | job id              -> Job (with its bids and receipts)
//	0x40 0x03                             -> Params
//	0x40 0x04 | len | poster | len | id   -> 0x01 (jobs of a poster)
//	0x40 0x05 | 0x01 | status | len | id  -> 0x01 (jobs in a status)
//	0x40 0x06                             -> Params set this block (never committed)
//	0x40 0x10 | height | id               -> window closes (modules.Schedule)
//	0x40 0x11 | height | id               -> deadlines
//	0x40 0x12 | height | id               -> settlements
//
// Mana is held in the mana module's escrows: a job's under its id
// (EscrowAmount of it), an executor's bond under BondEscrowID.
//
// Invariants:
//   - an executor's reserved and open are the sums of the holds and the
//     count of its bids on open jobs and its assigned bids on assigned
//     jobs; reserved <= bond; bond is what its bond escrow holds (no
//     escrow when it is 0);
//   - an open or assigned job's escrow holds exactly job.escrow; a closed
//     job (completed, failed, cancelled) has none: escrow = payments +
//     refund, to the unit;
//   - every job has one poster index entry and one status index entry,
//     for its current status; an open job has a window-close entry at
//     window_close, an assigned one a deadline entry at deadline_height
//     (until a block's per-block bound defers it to the next block);
//   - agreement is a strict majority of replication, so at most one
//     result can gather k receipts;
//   - a bid has a commitment only if it is assigned, and a receipt only
//     if it has a commitment that the receipt opens, revealed after the
//     job's commit phase closed; an assigned job's commit_deadline lies
//     in [window_close, deadline_height);
//   - an assigned bid that closes without a receipt (absent) is slashed
//     exactly slash_absent_bps of its hold; a disagreeing one slash_bps;
//     both are the job's terms, copied from the params when it was posted
//     and never changed, so a params change cannot raise the risk of a
//     bond already reserved; every slash is burned from the bond escrow;
//   - a job holds at most its terms' max_bids bids, at least its
//     replication;
//   - reputation stays within 0..ReputationCeiling and rises only up to
//     max_reputation (an agreeing receipt never lowers one that a lowered
//     max_reputation left above it), and each change is reported to mana
//     (ReputationChanged), which recomputes capacity;
//   - params set by set_mesh_params wait under 0x40 0x06 and replace the
//     params at the end of the block's mesh hook: no committed state holds
//     0x40 0x06, and every job and executor action of a block sees one set
//     of params.
//
// Everything is integer arithmetic with checked bounds; nothing iterates a
// Go map into state or events; every list is bounded (bids per job, kinds,
// jobs processed per block).
package mesh
