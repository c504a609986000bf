// Package store is the node's versioned state: one IAVL Merkle tree whose root
// hash is the app hash, the cache layers that stage writes above it, ICS23
// proofs against its saved versions, and snapshots for state sync.
//
// # Layers
//
// State is written through three layers, each a KVStore:
//
//	tx cache      NewCache(block cache)   one per transaction (or per message)
//	block cache   NewCache(working tree)  one per block
//	working tree  CommitStore.Working()   the mutable IAVL tree
//	saved versions                        on disk, one per committed block
//
// A transaction executes in its own Cache. If it succeeds, Write applies its
// changes to the block cache; if it fails, Discard drops them and the block
// cache is untouched. At the end of FinalizeBlock the block cache is written
// into the working tree, and WorkingHash is the app hash FinalizeBlock
// returns. Nothing has reached the disk yet: Commit alone saves the working
// tree as the next version, in one synced batch. A node killed before Commit
// reopens at the previous version and CometBFT replays the block; a node killed
// after it reopens at the new version. LastCommitID is what Info reports.
//
// Caches apply their changes in ascending key order, so the tree sees the same
// sequence of operations on every node, and their iterators merge buffered
// changes with the layer below in key order.
//
// # Reads of the past and proofs
//
// ReadOnlyAt opens a saved version for queries. Prove returns the value of a
// key at a saved version with an ICS23 proof of membership, or of absence,
// against that version's root hash; VerifyMembership and VerifyAbsence check
// such proofs with ics23.IavlSpec.
//
// # Pruning
//
// With Options.PruneKeepRecent = n > 0, the commit of a version v that is a
// multiple of Options.PruneInterval prunes every version up to v-n, so the n
// most recent versions stay readable and provable. Pruning changes which old
// versions can be read, never a hash: nodes still used by a retained version
// are kept. With PruneKeepRecent = 0 every version is kept.
//
// The commit only refuses the pruned versions (ErrVersionUnavailable, at
// once, on every read path); a background goroutine deletes them from the
// database, one synced batch per version, in ascending order (prune.go).
// Commit never waits for it; Close waits for the version it is deleting;
// a killed node's next Open refuses the same versions again and resumes
// the deleting where the last written batch stopped.
//
// # Snapshots and rollback
//
// Export streams the tree of a retained version in a stable format, documented
// on Export; Import rebuilds it in an empty store and checks the root hash. RollbackTo deletes the versions above a retained one, for
// `icnd rollback`.
//
// # Determinism
//
// Everything here is consensus-critical. The package reads no clock, draws no
// random numbers and uses no floating point; the database it is given, or
// the directory passed to OpenDir, is its only I/O. Its one goroutine, the
// background pruning, deletes only versions Commit already refused and nodes
// no retained version holds, so neither a hash nor the answer to a read
// depends on its timing. (IAVL itself runs a goroutine to feed its exporter
// and to flush large import batches; neither affects what is written or
// hashed.)
package store
