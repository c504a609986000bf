package keyring

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Backend names accepted by New.
const (
	BackendFile   = "file"
	BackendTest   = "test"
	BackendMemory = "memory"
)

// PassphraseFunc supplies a passphrase when the file backend needs one.
// prompt is a short sentence without trailing punctuation, such as
// "Enter keyring passphrase". confirm is true when the passphrase is being
// chosen rather than checked; the function should then ask for it twice and
// fail if the two differ. An empty passphrase is refused by the keyring.
type PassphraseFunc func(prompt string, confirm bool) (string, error)

const (
	infoSuffix = ".info"
	keySuffix  = ".key"

	// checkFile holds checkPlaintext encrypted with the keyring passphrase
	// (file backend). It starts with '.', so no key name can collide with it.
	checkFile      = ".passphrase-check.age"
	checkPlaintext = "icnd keyring passphrase check v1\n"
)

// Keyring is a set of named Ed25519 keys. It is safe for concurrent use;
// operations are serialized, including any passphrase prompt.
type Keyring struct {
	backend string
	store   store
	ask     PassphraseFunc

	// scryptLogN is the work factor for files encrypted from now on. Tests
	// lower it to keep scrypt fast.
	scryptLogN int

	mu sync.Mutex
	// unlocked caches private keys already decrypted, by name, so that the
	// passphrase is asked at most once per key for the life of the Keyring.
	unlocked map[string]ed25519.PrivateKey
}

// New opens the keyring of homeDir for backend, one of BackendFile,
// BackendTest or BackendMemory. The file and test backends keep their keys
// in homeDir/keyring-<backend>/, created with the first key; the memory
// backend ignores homeDir. ask is only called by the file backend, when it
// creates or unlocks a key; it may be nil if the caller only reads Records.
func New(homeDir, backend string, ask PassphraseFunc) (*Keyring, error) {
	k := &Keyring{
		backend:    backend,
		ask:        ask,
		scryptLogN: defaultScryptLogN,
		unlocked:   make(map[string]ed25519.PrivateKey),
	}
	switch backend {
	case BackendFile, BackendTest:
		if homeDir == "" {
			return nil, fmt.Errorf("keyring: %s backend needs a home directory", backend)
		}
		k.store = dirStore{dir: filepath.Join(homeDir, "keyring-"+backend)}
	case BackendMemory:
		k.store = memStore{}
	default:
		return nil, fmt.Errorf("keyring: unknown backend %q, want one of %q, %q, %q",
			backend, BackendFile, BackendTest, BackendMemory)
	}
	return k, nil
}

// Add generates a new random key called name and stores it. It returns an
// error wrapping ErrBadName if name is not 1 to 64 characters of
// [a-zA-Z0-9_.-] or starts with '.' or '-', and ErrExists if the name is
// taken. The file backend asks for the keyring passphrase: with confirmation
// when this is the home's first key, otherwise checked against the existing
// keys (ErrWrongPassphrase on mismatch) so that all keys share one
// passphrase.
func (k *Keyring) Add(name string) (Record, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Record{}, fmt.Errorf("keyring: generate key %q: %w", name, err)
	}
	return k.AddPrivateKey(name, priv)
}

// AddPrivateKey stores priv under name, like Add. priv must be a well-formed
// Ed25519 private key (seed followed by its public key). The keyring keeps its
// own copy; the caller may reuse priv.
func (k *Keyring) AddPrivateKey(name string, priv ed25519.PrivateKey) (Record, error) {
	if err := validateName(name); err != nil {
		return Record{}, err
	}
	if len(priv) != ed25519.PrivateKeySize {
		return Record{}, fmt.Errorf("keyring: private key for %q has %d bytes, want %d",
			name, len(priv), ed25519.PrivateKeySize)
	}
	key := ed25519.NewKeyFromSeed(priv.Seed())
	if !bytes.Equal(key, priv) {
		return Record{}, fmt.Errorf("keyring: private key for %q: public half does not match seed", name)
	}

	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.checkFree(name); err != nil {
		return Record{}, err
	}
	sealed, err := k.seal(key.Seed())
	if err != nil {
		return Record{}, fmt.Errorf("keyring: add %q: %w", name, err)
	}
	rec := Record{
		Name:      name,
		PublicKey: key.Public().(ed25519.PublicKey),
		CreatedAt: time.Now().UTC().Truncate(time.Second),
	}
	info, err := encodeInfo(rec)
	if err != nil {
		return Record{}, fmt.Errorf("keyring: add %q: %w", name, err)
	}
	// The .info file commits the key, so it is written last.
	if err := k.store.write(name+keySuffix, sealed); err != nil {
		return Record{}, fmt.Errorf("keyring: add %q: %w", name, err)
	}
	if err := k.store.write(name+infoSuffix, info); err != nil {
		if rmErr := k.store.remove(name + keySuffix); rmErr != nil {
			err = errors.Join(err, rmErr)
		}
		return Record{}, fmt.Errorf("keyring: add %q: %w", name, err)
	}
	k.unlocked[name] = key
	return rec, nil
}

// Get returns the Record of the key called name, or an error wrapping
// ErrNotFound. It never asks for a passphrase.
func (k *Keyring) Get(name string) (Record, error) {
	if err := validateName(name); err != nil {
		return Record{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.record(name)
}

// List returns the Records of all keys, sorted by name. It never asks for a
// passphrase.
func (k *Keyring) List() ([]Record, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	files, err := k.store.list()
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	var recs []Record
	for _, f := range files {
		name, ok := strings.CutSuffix(f, infoSuffix)
		// Skip files the keyring cannot have written under a key name.
		if !ok || validateName(name) != nil {
			continue
		}
		rec, err := k.record(name)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	slices.SortFunc(recs, func(a, b Record) int { return strings.Compare(a.Name, b.Name) })
	return recs, nil
}

// Delete removes the key called name, or returns an error wrapping
// ErrNotFound. It does not ask for a passphrase. The file backend keeps the
// keyring passphrase of the home even when its last key is deleted.
func (k *Keyring) Delete(name string) error {
	if err := validateName(name); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.store.remove(name + infoSuffix); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("keyring: %w: %q", ErrNotFound, name)
		}
		return fmt.Errorf("keyring: delete %q: %w", name, err)
	}
	delete(k.unlocked, name)
	// Without its .info file the key no longer exists; a .key file left
	// behind by a failure here is overwritten by the next Add of the name.
	if err := k.store.remove(name + keySuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keyring: delete %q: %w", name, err)
	}
	return nil
}

// Sign signs msg with the key called name (pure Ed25519, no prehash). The
// file backend asks for the keyring passphrase the first time a key is used
// through this Keyring (ErrWrongPassphrase if it is wrong) and then keeps the
// decrypted key in memory for the life of the Keyring; the passphrase itself
// is not kept.
func (k *Keyring) Sign(name string, msg []byte) ([]byte, error) {
	priv, err := k.unlock(name)
	if err != nil {
		return nil, err
	}
	return ed25519.Sign(priv, msg), nil
}

// PrivateKey returns the private key called name, unlocking it as Sign does.
// The caller owns the returned slice.
func (k *Keyring) PrivateKey(name string) (ed25519.PrivateKey, error) {
	priv, err := k.unlock(name)
	if err != nil {
		return nil, err
	}
	return slices.Clone(priv), nil
}

// Export returns the private key called name as an ASCII-armored age file
// encrypted with exportPassphrase, whose plaintext is the 32-byte Ed25519
// seed. The file backend unlocks the key as Sign does. The result can be
// read back with Import, or with the age CLI.
func (k *Keyring) Export(name, exportPassphrase string) ([]byte, error) {
	if exportPassphrase == "" {
		return nil, fmt.Errorf("keyring: export %q: %w", name, errEmptyPassphrase)
	}
	priv, err := k.unlock(name)
	if err != nil {
		return nil, err
	}
	armored, err := encrypt(priv.Seed(), exportPassphrase, k.scryptLogN, true)
	if err != nil {
		return nil, fmt.Errorf("keyring: export %q: %w", name, err)
	}
	return armored, nil
}

// Import decrypts armored, as produced by Export, with exportPassphrase and
// stores the key under name like AddPrivateKey. A wrong exportPassphrase
// gives an error wrapping ErrWrongPassphrase. The name is checked before
// anything is decrypted.
func (k *Keyring) Import(name string, armored []byte, exportPassphrase string) (Record, error) {
	if err := validateName(name); err != nil {
		return Record{}, err
	}
	k.mu.Lock()
	err := k.checkFree(name)
	k.mu.Unlock()
	if err != nil {
		return Record{}, err
	}
	seed, err := decrypt(armored, exportPassphrase, ed25519.SeedSize, true)
	if err != nil {
		return Record{}, fmt.Errorf("keyring: import %q: %w", name, err)
	}
	if len(seed) != ed25519.SeedSize {
		return Record{}, fmt.Errorf("keyring: import %q: seed has %d bytes, want %d",
			name, len(seed), ed25519.SeedSize)
	}
	return k.AddPrivateKey(name, ed25519.NewKeyFromSeed(seed))
}

// checkFree returns an error wrapping ErrExists if name is taken. k.mu must be
// held.
func (k *Keyring) checkFree(name string) error {
	taken, err := k.store.exists(name + infoSuffix)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	if taken {
		return fmt.Errorf("keyring: %w: %q", ErrExists, name)
	}
	return nil
}

// record reads the Record of name. k.mu must be held.
func (k *Keyring) record(name string) (Record, error) {
	data, err := k.store.read(name + infoSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return Record{}, fmt.Errorf("keyring: %w: %q", ErrNotFound, name)
	}
	if err != nil {
		return Record{}, fmt.Errorf("keyring: %w", err)
	}
	rec, err := decodeInfo(name, data)
	if err != nil {
		return Record{}, fmt.Errorf("keyring: %w", err)
	}
	return rec, nil
}

// unlock returns the private key called name, decrypting and caching it on
// first use. The returned slice is shared with the cache and must not be
// modified.
func (k *Keyring) unlock(name string) (ed25519.PrivateKey, error) {
	if err := validateName(name); err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if priv, ok := k.unlocked[name]; ok {
		return priv, nil
	}
	rec, err := k.record(name)
	if err != nil {
		return nil, err
	}
	sealed, err := k.store.read(name + keySuffix)
	if err != nil {
		return nil, fmt.Errorf("keyring: read private key %q: %w", name, err)
	}
	seed, err := k.open(name, sealed)
	if err != nil {
		return nil, fmt.Errorf("keyring: unlock %q: %w", name, err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("keyring: unlock %q: seed has %d bytes, want %d",
			name, len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), rec.PublicKey) {
		return nil, fmt.Errorf("keyring: unlock %q: private key does not match the recorded public key", name)
	}
	k.unlocked[name] = priv
	return priv, nil
}

// seal encodes seed for a .key file. The file backend obtains the keyring
// passphrase, creating the passphrase check file on the first key, and
// encrypts seed with it. k.mu must be held.
func (k *Keyring) seal(seed []byte) ([]byte, error) {
	if k.backend != BackendFile {
		return encodePlainKey(seed)
	}
	passphrase, err := k.keyringPassphrase()
	if err != nil {
		return nil, err
	}
	return encrypt(seed, passphrase, k.scryptLogN, false)
}

// keyringPassphrase asks for the passphrase that new keys are encrypted
// with. If the home has a check file the passphrase must decrypt it;
// otherwise the user chooses one, with confirmation, and the check file is
// written. k.mu must be held.
func (k *Keyring) keyringPassphrase() (string, error) {
	check, err := k.store.read(checkFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		passphrase, err := k.askPassphrase("Enter a new keyring passphrase", true)
		if err != nil {
			return "", err
		}
		sealed, err := encrypt([]byte(checkPlaintext), passphrase, k.scryptLogN, false)
		if err != nil {
			return "", err
		}
		if err := k.store.write(checkFile, sealed); err != nil {
			return "", err
		}
		return passphrase, nil
	case err != nil:
		return "", err
	}
	passphrase, err := k.askPassphrase("Enter keyring passphrase", false)
	if err != nil {
		return "", err
	}
	plaintext, err := decrypt(check, passphrase, len(checkPlaintext), false)
	if err != nil {
		return "", fmt.Errorf("check keyring passphrase: %w", err)
	}
	if string(plaintext) != checkPlaintext {
		return "", fmt.Errorf("check keyring passphrase: %s has unexpected content", checkFile)
	}
	return passphrase, nil
}

// open decodes the .key file of name into its seed, asking the file
// backend's passphrase. k.mu must be held.
func (k *Keyring) open(name string, sealed []byte) ([]byte, error) {
	if k.backend != BackendFile {
		return decodePlainKey(sealed)
	}
	passphrase, err := k.askPassphrase(fmt.Sprintf("Enter keyring passphrase to unlock key %q", name), false)
	if err != nil {
		return nil, err
	}
	return decrypt(sealed, passphrase, ed25519.SeedSize, false)
}

// askPassphrase obtains a non-empty passphrase from k.ask.
func (k *Keyring) askPassphrase(prompt string, confirm bool) (string, error) {
	if k.ask == nil {
		return "", errors.New("file backend needs a passphrase but no PassphraseFunc was given")
	}
	passphrase, err := k.ask(prompt, confirm)
	if err != nil {
		return "", fmt.Errorf("read passphrase: %w", err)
	}
	if passphrase == "" {
		return "", errEmptyPassphrase
	}
	return passphrase, nil
}
