package keyring

import "errors"

var (
	// ErrNotFound is returned when no key has the requested name. It is
	// wrapped with the name.
	ErrNotFound = errors.New("key not found")

	// ErrExists is returned when adding or importing a key under a name that
	// is already taken. It is wrapped with the name.
	ErrExists = errors.New("key already exists")

	// ErrBadName is returned for a key name that is not 1 to 64 characters of
	// [a-zA-Z0-9_.-] or that starts with '.' or '-'. It is wrapped with the
	// name.
	ErrBadName = errors.New("invalid key name")

	// ErrWrongPassphrase is returned when a passphrase does not decrypt the
	// keyring (file backend) or an exported key (Import). It is wrapped with
	// what was being decrypted.
	ErrWrongPassphrase = errors.New("wrong passphrase")
)
