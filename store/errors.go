package store

import (
	"errors"
	"fmt"
)

var (
	// ErrStoreFailure wraps a failure of the database under the tree. It is
	// the value a KVStore panics with, since KVStore methods return no errors;
	// the node cannot continue after it.
	ErrStoreFailure = errors.New("store: database failure")

	// ErrVersionUnavailable is returned for a version that was never saved or
	// has been pruned.
	ErrVersionUnavailable = errors.New("store: version not available")

	// ErrEmptyTree is returned by Prove for a version whose tree holds no
	// keys: ICS23 cannot express a proof against an empty tree.
	ErrEmptyTree = errors.New("store: tree is empty")

	// ErrNotEmpty is returned by Import when the store already holds a saved
	// version or uncommitted working changes.
	ErrNotEmpty = errors.New("store: store is not empty")

	// ErrBadSnapshot is returned by Import for a stream that is truncated,
	// malformed, or whose content does not hash to the root it declares.
	ErrBadSnapshot = errors.New("store: bad snapshot")

	// ErrInvalidProof is returned by VerifyMembership and VerifyAbsence when a
	// proof does not prove the claim against the root.
	ErrInvalidProof = errors.New("store: invalid proof")
)

// storeFailure builds the panic value for a database failure under a KVStore.
func storeFailure(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrStoreFailure, op, err)
}
