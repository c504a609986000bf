// Package daemon is the executor's job loop, `icnd executor start`
// (docs/executor.md, section 3).
//
// The loop follows a node: a websocket subscription to new blocks wakes it
// and a poll catches what the subscription misses; it records the last
// height whose block results it processed and, after a restart or a lost
// connection, processes every height after it in order, so no posted job
// is missed. A posted job its Policy would bid on gets a state file; from
// then on the loop brings each such job forward at every new height from
// what the chain says about it (Querier.Job), never from events alone:
//
//	open      → fetch module and input (block store, then peers), then
//	            bid (MsgBid at the policy's price)
//	assigned  → fetch module and input (block store, then peers), run with
//	            the job's memory pages and fuel limit, store and announce
//	            the output, sign the receipt, commit (MsgCommitReceipt) and,
//	            once every assigned executor committed or the commit
//	            deadline passed, reveal (MsgSubmitReceipt)
//	closed    → record the outcome, count it, forget the job
//
// Each transaction is recorded in the job's state file, synced to disk,
// before it is broadcast, with its hash and a timeout height. A step whose
// effect the chain shows is done; otherwise a recorded transaction that may
// still be included (in a mempool, timeout height not passed) is waited
// for, and only one that the node refused, or that expired unincluded, is
// replaced. So a crash at any instant, or a node restart, never makes the
// daemon send a second bid, commitment or receipt for a job.
package daemon
