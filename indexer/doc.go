// Package indexer mirrors an icnd chain into PostgreSQL and serves it: the
// `icnd indexer` command (docs/indexer.md).
//
// Invariants:
//   - Each height is applied in one database transaction that also sets
//     indexer_state.last_height, after checking it was the previous height
//     and the same chain (write.go): a crash anywhere loses or repeats
//     nothing.
//   - Every table but member_contacts and sync_audit is a copy of what the
//     chain holds: state rows are records read from the node at the
//     height being applied (or, for accounts a height only charged, the
//     charge events' remaining balance), never computed from module rules
//     (state.go, chain.go).
//   - Plaintext personal data enters only through the signed sync API,
//     with consent, after the checks of docs/indexer.md section 4.2
//     (sync.go), and leaves in the transaction of the block that erases
//     the profile.
//   - The public API and the explorer read no plaintext column.
//
// The schema is versioned SQL in migrations/, embedded and applied at
// start (migrate.go). Later modules add tables by new migrations and record
// kinds in state.go.
package indexer
