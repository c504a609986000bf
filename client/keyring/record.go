package keyring

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// maxNameLen is the longest key name accepted; names become file names.
const maxNameLen = 64

// Record is the public description of a key. It is stored unencrypted and
// can be read without a passphrase.
type Record struct {
	Name      string
	PublicKey ed25519.PublicKey
	// CreatedAt is when the key was added to this keyring (not when it was
	// first generated, for an imported key), in UTC with second precision.
	CreatedAt time.Time
}

// validateName returns an error wrapping ErrBadName unless name is 1 to
// maxNameLen characters of [a-zA-Z0-9_.-] and starts with neither '.' nor
// '-'. Excluding a leading '.' keeps names clear of ".", ".." and the
// keyring's own dot-files; excluding a leading '-' keeps them from being read
// as command-line flags.
func validateName(name string) error {
	if len(name) == 0 || len(name) > maxNameLen {
		return fmt.Errorf("keyring: %w: %q: must be 1 to %d characters long", ErrBadName, name, maxNameLen)
	}
	if name[0] == '.' || name[0] == '-' {
		return fmt.Errorf("keyring: %w: %q: must not start with '.' or '-'", ErrBadName, name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("keyring: %w: %q: only letters, digits, '_', '.' and '-' are allowed", ErrBadName, name)
		}
	}
	return nil
}

// infoJSON is the on-disk form of a Record. encoding/json writes the public
// key as standard base64 and the time as RFC 3339.
type infoJSON struct {
	Name      string    `json:"name"`
	PublicKey []byte    `json:"public_key"`
	CreatedAt time.Time `json:"created_at"`
}

func encodeInfo(rec Record) ([]byte, error) {
	return json.MarshalIndent(infoJSON{
		Name:      rec.Name,
		PublicKey: rec.PublicKey,
		CreatedAt: rec.CreatedAt,
	}, "", "  ")
}

// decodeInfo parses the .info file of the key called name and checks that it
// describes that key.
func decodeInfo(name string, data []byte) (Record, error) {
	var info infoJSON
	if err := json.Unmarshal(data, &info); err != nil {
		return Record{}, fmt.Errorf("decode info of key %q: %w", name, err)
	}
	if info.Name != name {
		return Record{}, fmt.Errorf("info of key %q names key %q", name, info.Name)
	}
	if len(info.PublicKey) != ed25519.PublicKeySize {
		return Record{}, fmt.Errorf("info of key %q: public key has %d bytes, want %d",
			name, len(info.PublicKey), ed25519.PublicKeySize)
	}
	return Record{
		Name:      info.Name,
		PublicKey: ed25519.PublicKey(info.PublicKey),
		CreatedAt: info.CreatedAt.UTC(),
	}, nil
}

// plainKeyJSON is the .key file of the test and memory backends.
type plainKeyJSON struct {
	Seed string `json:"seed"`
}

func encodePlainKey(seed []byte) ([]byte, error) {
	return json.Marshal(plainKeyJSON{Seed: hex.EncodeToString(seed)})
}

func decodePlainKey(data []byte) ([]byte, error) {
	var k plainKeyJSON
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(k.Seed)
	if err != nil {
		return nil, fmt.Errorf("decode seed: %w", err)
	}
	return seed, nil
}
