package store

import (
	"bytes"
	"errors"
	"fmt"

	ics23 "github.com/cosmos/ics23/go"
)

// Prove returns the value stored under key at a saved version and an ICS23
// proof against that version's root hash: a membership proof when the key is
// present, an absence (non-membership) proof with a nil value otherwise.
// Verify the proof with VerifyMembership or VerifyAbsence.
//
// It returns an error wrapping ErrVersionUnavailable for a version not
// retained, and ErrEmptyTree when the version holds no keys.
func (s *CommitStore) Prove(key []byte, version int64) (value []byte, proof *ics23.CommitmentProof, err error) {
	if len(key) == 0 {
		return nil, nil, errors.New("store: cannot prove an empty key")
	}
	t, err := s.immutableAt(version)
	if err != nil {
		return nil, nil, err
	}
	if t.Size() == 0 {
		return nil, nil, fmt.Errorf("%w: version %d", ErrEmptyTree, version)
	}
	value, err = t.Get(key)
	if err != nil {
		return nil, nil, storeFailure("get", err)
	}
	if value != nil {
		proof, err = t.GetMembershipProof(key)
	} else {
		proof, err = t.GetNonMembershipProof(key)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: proving key %X at version %d: %w", key, version, err)
	}
	return value, proof, nil
}

// VerifyMembership checks that proof, an existence proof as returned by
// Prove, shows key holding value in the IAVL tree whose root hash is root. It
// returns nil when it does, and otherwise an error wrapping ErrInvalidProof
// that says why.
func VerifyMembership(root []byte, proof *ics23.CommitmentProof, key, value []byte) error {
	exist := proof.GetExist()
	if exist == nil {
		return fmt.Errorf("%w: not an existence proof", ErrInvalidProof)
	}
	if err := guard(func() error { return exist.Verify(ics23.IavlSpec, root, key, value) }); err != nil {
		return fmt.Errorf("%w: key %X: %w", ErrInvalidProof, key, err)
	}
	return nil
}

// VerifyAbsence checks that proof, a non-existence proof as returned by
// Prove, shows key absent from the IAVL tree whose root hash is root. It
// returns nil when it does, and otherwise an error wrapping ErrInvalidProof
// that says why.
func VerifyAbsence(root []byte, proof *ics23.CommitmentProof, key []byte) error {
	nonexist := proof.GetNonexist()
	if nonexist == nil {
		return fmt.Errorf("%w: not a non-existence proof", ErrInvalidProof)
	}
	if !bytes.Equal(nonexist.Key, key) {
		return fmt.Errorf("%w: proof is for key %X, not %X", ErrInvalidProof, nonexist.Key, key)
	}
	if err := guard(func() error { return nonexist.Verify(ics23.IavlSpec, root, key) }); err != nil {
		return fmt.Errorf("%w: key %X: %w", ErrInvalidProof, key, err)
	}
	return nil
}

// guard runs verify and turns a panic inside it into an error. ics23
// dereferences nil path steps without checking and panics by design on inner
// steps whose padding matches no branch (isLeftStep, getPosition). A proof is
// untrusted input; it must never crash the verifier.
func guard(verify func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed proof: %v", r)
		}
	}()
	return verify()
}
