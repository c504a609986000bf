// Package keyring stores the Ed25519 keys the icnd CLI signs with.
//
// A Keyring is opened on a home directory with one of three backends:
//
//   - file: private keys are encrypted with age (filippo.io/age) under a
//     scrypt passphrase recipient. One passphrase protects every key of the
//     home; it is asked through a PassphraseFunc when a key is created or
//     unlocked, and never stored.
//   - test: private keys are stored unencrypted. For local development and
//     scripted tests only; it never asks for a passphrase.
//   - memory: like test, but nothing touches the disk and the keys disappear
//     with the Keyring value.
//
// # Layout
//
// The file and test backends keep their keys in homeDir/keyring-<backend>/
// (mode 0700), one pair of files per key (mode 0600):
//
//	<name>.info             JSON {"name", "public_key" (base64), "created_at" (RFC 3339, UTC)};
//	                        readable without a passphrase.
//	<name>.key              file backend: age-encrypted binary file whose plaintext is the
//	                        32-byte Ed25519 seed; test backend: JSON {"seed": "<hex>"}.
//	.passphrase-check.age   file backend only: a known plaintext encrypted with the keyring
//	                        passphrase when the first key is created, so that a later key is
//	                        never encrypted under a different passphrase.
//
// Key names are restricted (see Add) so that they are safe file names and can
// never collide with the dot-files the keyring uses for itself. Every file is
// written atomically (temporary file, fsync, rename). The .info file is
// written after the .key file and removed before it, so a key exists exactly
// when its .info file does.
//
// The keyring does not lock its directory: two processes adding or deleting
// keys in the same home at the same time may race.
package keyring
