package p2p

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// LoadOrCreateIdentity reads the libp2p private key in path (libp2p's protobuf
// encoding), or creates a new Ed25519 key there with mode 0600 if the file does
// not exist. An empty path gives a new key that is not saved.
func LoadOrCreateIdentity(path string) (crypto.PrivKey, error) {
	if path == "" {
		key, _, err := crypto.GenerateEd25519Key(rand.Reader)
		return key, err
	}
	bz, err := os.ReadFile(path)
	if err == nil {
		key, err := crypto.UnmarshalPrivateKey(bz)
		if err != nil {
			return nil, fmt.Errorf("p2p: key file %s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("p2p: key file: %w", err)
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	bz, err = crypto.MarshalPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("p2p: key file: %w", err)
	}
	// The key is written whole to a temporary file, then linked to path:
	// the link appears with all its bytes or not at all, and fails if path
	// exists. Two processes starting at once must not each write a key and
	// run under different identities, nor read a half-written one: the loser
	// reads the winner's.
	f, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return nil, fmt.Errorf("p2p: key file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.Write(bz)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("p2p: key file %s: %w", path, err)
	}
	if err := os.Link(tmp, path); errors.Is(err, os.ErrExist) {
		return LoadOrCreateIdentity(path)
	} else if err != nil {
		return nil, fmt.Errorf("p2p: key file: %w", err)
	}
	return key, nil
}

// PeerIDFromKeyFile returns the peer id of the identity in path, creating the
// key as LoadOrCreateIdentity does.
func PeerIDFromKeyFile(path string) (peer.ID, error) {
	key, err := LoadOrCreateIdentity(path)
	if err != nil {
		return "", err
	}
	return peer.IDFromPrivateKey(key)
}
