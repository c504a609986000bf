package keyring

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age/armor"
)

// testScryptLogN keeps scrypt cheap in tests; the format does not depend on it.
const testScryptLogN = 10

var allBackends = []string{BackendFile, BackendTest, BackendMemory}

// openKeyring opens the keyring of home for backend with a cheap work factor.
func openKeyring(t *testing.T, home, backend string, ask PassphraseFunc) *Keyring {
	t.Helper()
	k, err := New(home, backend, ask)
	if err != nil {
		t.Fatalf("New(%q, %q): %v", home, backend, err)
	}
	k.scryptLogN = testScryptLogN
	return k
}

// passphrase returns a PassphraseFunc that always answers p.
func passphrase(p string) PassphraseFunc {
	return func(string, bool) (string, error) { return p, nil }
}

// noPassphrase returns a PassphraseFunc that fails the test if called.
func noPassphrase(t *testing.T) PassphraseFunc {
	return func(prompt string, _ bool) (string, error) {
		t.Errorf("unexpected passphrase prompt %q", prompt)
		return "", errors.New("no passphrase in this test")
	}
}

// askFor returns the PassphraseFunc a backend gets in tests: a fixed
// passphrase for the file backend, and one that must never be called for the
// others.
func askFor(t *testing.T, backend string) PassphraseFunc {
	if backend == BackendFile {
		return passphrase("correct horse")
	}
	return noPassphrase(t)
}

// countingPassphrase answers p and counts calls, recording whether each asked
// for confirmation.
type countingPassphrase struct {
	p        string
	confirms []bool
}

func (c *countingPassphrase) ask(_ string, confirm bool) (string, error) {
	c.confirms = append(c.confirms, confirm)
	return c.p, nil
}

func TestNew(t *testing.T) {
	home := t.TempDir()
	tests := []struct {
		home, backend string
		wantErr       string // substring; empty for success
	}{
		{home, BackendFile, ""},
		{home, BackendTest, ""},
		{home, BackendMemory, ""},
		{"", BackendMemory, ""},
		{"", BackendFile, "needs a home directory"},
		{"", BackendTest, "needs a home directory"},
		{home, "os", `unknown backend "os", want one of "file", "test", "memory"`},
		{home, "", `unknown backend ""`},
	}
	for _, tt := range tests {
		_, err := New(tt.home, tt.backend, nil)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("New(%q, %q) = %v, want success", tt.home, tt.backend, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("New(%q, %q) = %v, want error containing %q", tt.home, tt.backend, err, tt.wantErr)
		}
	}
}

func TestAddGetListDelete(t *testing.T) {
	for _, backend := range allBackends {
		t.Run(backend, func(t *testing.T) {
			k := openKeyring(t, t.TempDir(), backend, askFor(t, backend))

			recs, err := k.List()
			if err != nil || len(recs) != 0 {
				t.Fatalf("List on empty keyring = %v, %v; want none", recs, err)
			}

			before := time.Now().UTC().Truncate(time.Second)
			added := make(map[string]Record)
			for _, name := range []string{"bob", "alice", "carol"} {
				rec, err := k.Add(name)
				if err != nil {
					t.Fatalf("Add(%q): %v", name, err)
				}
				if rec.Name != name || len(rec.PublicKey) != ed25519.PublicKeySize {
					t.Fatalf("Add(%q) = %+v", name, rec)
				}
				if rec.CreatedAt.Location() != time.UTC || !rec.CreatedAt.Equal(rec.CreatedAt.Truncate(time.Second)) ||
					rec.CreatedAt.Before(before) || rec.CreatedAt.After(time.Now()) {
					t.Errorf("Add(%q).CreatedAt = %v, want now in UTC at second precision", name, rec.CreatedAt)
				}
				added[name] = rec
			}

			for name, want := range added {
				got, err := k.Get(name)
				if err != nil {
					t.Fatalf("Get(%q): %v", name, err)
				}
				if !recordsEqual(got, want) {
					t.Errorf("Get(%q) = %+v, want %+v", name, got, want)
				}
			}

			recs, err = k.List()
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got, want := names(recs), []string{"alice", "bob", "carol"}; !slices.Equal(got, want) {
				t.Fatalf("List names = %v, want %v", got, want)
			}
			for _, rec := range recs {
				if !recordsEqual(rec, added[rec.Name]) {
					t.Errorf("List has %+v, want %+v", rec, added[rec.Name])
				}
			}

			if err := k.Delete("bob"); err != nil {
				t.Fatalf("Delete(bob): %v", err)
			}
			if _, err := k.Get("bob"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"bob"`) {
				t.Errorf("Get(bob) after Delete = %v, want ErrNotFound naming bob", err)
			}
			if _, err := k.Sign("bob", []byte("m")); !errors.Is(err, ErrNotFound) {
				t.Errorf("Sign(bob) after Delete = %v, want ErrNotFound", err)
			}
			if err := k.Delete("bob"); !errors.Is(err, ErrNotFound) {
				t.Errorf("second Delete(bob) = %v, want ErrNotFound", err)
			}
			recs, err = k.List()
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got, want := names(recs), []string{"alice", "carol"}; !slices.Equal(got, want) {
				t.Errorf("List names after Delete = %v, want %v", got, want)
			}

			// The name is free again, for a different key.
			rec, err := k.Add("bob")
			if err != nil {
				t.Fatalf("Add(bob) after Delete: %v", err)
			}
			if rec.PublicKey.Equal(added["bob"].PublicKey) {
				t.Error("re-added bob has the deleted key")
			}
		})
	}
}

func TestAddDuplicate(t *testing.T) {
	for _, backend := range allBackends {
		t.Run(backend, func(t *testing.T) {
			k := openKeyring(t, t.TempDir(), backend, askFor(t, backend))
			orig, err := k.Add("dup")
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			if _, err := k.Add("dup"); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), `"dup"`) {
				t.Errorf("second Add = %v, want ErrExists naming dup", err)
			}
			_, priv, _ := ed25519.GenerateKey(nil)
			if _, err := k.AddPrivateKey("dup", priv); !errors.Is(err, ErrExists) {
				t.Errorf("AddPrivateKey over existing = %v, want ErrExists", err)
			}
			exported, err := k.Export("dup", "export pass")
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			if _, err := k.Import("dup", exported, "export pass"); !errors.Is(err, ErrExists) {
				t.Errorf("Import over existing = %v, want ErrExists", err)
			}
			got, err := k.Get("dup")
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if !recordsEqual(got, orig) {
				t.Errorf("after failed overwrites Get = %+v, want %+v", got, orig)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"Alice_01", true},
		{"node-1.validator", true},
		{"trailing.", true},
		{"x.info", true},
		{strings.Repeat("k", 64), true},
		{"", false},
		{strings.Repeat("k", 65), false},
		{".hidden", false},
		{".", false},
		{"..", false},
		{"-flag", false},
		{"a/b", false},
		{"../escape", false},
		{`a\b`, false},
		{"with space", false},
		{"nul\x00", false},
		{"ünïcode", false},
		{"semi;colon", false},
	}
	for _, tt := range tests {
		k := openKeyring(t, t.TempDir(), BackendTest, noPassphrase(t))
		_, err := k.Add(tt.name)
		if tt.ok {
			if err != nil {
				t.Errorf("Add(%q) = %v, want success", tt.name, err)
				continue
			}
			if _, err := k.Get(tt.name); err != nil {
				t.Errorf("Get(%q) = %v, want success", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrBadName) {
			t.Errorf("Add(%q) = %v, want ErrBadName", tt.name, err)
		}
		_, priv, _ := ed25519.GenerateKey(nil)
		calls := map[string]error{}
		_, calls["AddPrivateKey"] = k.AddPrivateKey(tt.name, priv)
		_, calls["Get"] = k.Get(tt.name)
		calls["Delete"] = k.Delete(tt.name)
		_, calls["Sign"] = k.Sign(tt.name, nil)
		_, calls["PrivateKey"] = k.PrivateKey(tt.name)
		_, calls["Export"] = k.Export(tt.name, "pass")
		_, calls["Import"] = k.Import(tt.name, nil, "pass")
		for call, err := range calls {
			if !errors.Is(err, ErrBadName) {
				t.Errorf("%s(%q) = %v, want ErrBadName", call, tt.name, err)
			}
		}
		if recs, err := k.List(); err != nil || len(recs) != 0 {
			t.Errorf("after rejecting %q, List = %v, %v; want none", tt.name, recs, err)
		}
	}
}

func TestSign(t *testing.T) {
	msg := []byte("transfer 10 tokens to carol")
	for _, backend := range allBackends {
		t.Run(backend, func(t *testing.T) {
			k := openKeyring(t, t.TempDir(), backend, askFor(t, backend))
			rec, err := k.Add("signer")
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			sig, err := k.Sign("signer", msg)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if !ed25519.Verify(rec.PublicKey, msg, sig) {
				t.Error("signature does not verify with the record's public key")
			}
			if ed25519.Verify(rec.PublicKey, []byte("transfer 99 tokens to carol"), sig) {
				t.Error("signature verifies for a different message")
			}

			priv, err := k.PrivateKey("signer")
			if err != nil {
				t.Fatalf("PrivateKey: %v", err)
			}
			if !priv.Public().(ed25519.PublicKey).Equal(rec.PublicKey) {
				t.Error("PrivateKey does not match the record's public key")
			}
			clear(priv) // The caller owns the copy; the keyring must not care.
			sig2, err := k.Sign("signer", msg)
			if err != nil {
				t.Fatalf("Sign after clearing PrivateKey's result: %v", err)
			}
			if !bytes.Equal(sig, sig2) {
				t.Error("clearing PrivateKey's result changed the key in the keyring")
			}
		})
	}
}

func TestAddPrivateKey(t *testing.T) {
	_, good, _ := ed25519.GenerateKey(nil)
	_, other, _ := ed25519.GenerateKey(nil)
	mismatched := ed25519.PrivateKey(slices.Concat(good.Seed(), other.Public().(ed25519.PublicKey)))
	tests := []struct {
		name    string
		priv    ed25519.PrivateKey
		wantErr string
	}{
		{"good", good, ""},
		{"seed-only", good.Seed(), "has 32 bytes, want 64"},
		{"nil", nil, "has 0 bytes, want 64"},
		{"mismatched", mismatched, "public half does not match seed"},
	}
	k := openKeyring(t, t.TempDir(), BackendMemory, noPassphrase(t))
	for _, tt := range tests {
		rec, err := k.AddPrivateKey(tt.name, tt.priv)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("AddPrivateKey(%s) = %v, want error containing %q", tt.name, err, tt.wantErr)
			}
			if _, err := k.Get(tt.name); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get(%s) after rejected add = %v, want ErrNotFound", tt.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("AddPrivateKey(%s): %v", tt.name, err)
		}
		if !rec.PublicKey.Equal(tt.priv.Public()) {
			t.Errorf("AddPrivateKey(%s) public key = %x, want %x", tt.name, rec.PublicKey, tt.priv.Public())
		}
		got, err := k.PrivateKey(tt.name)
		if err != nil || !got.Equal(tt.priv) {
			t.Errorf("PrivateKey(%s) = %x, %v; want the added key", tt.name, got, err)
		}
	}
}

func TestFileBackendEncryptsKeys(t *testing.T) {
	home := t.TempDir()
	k := openKeyring(t, home, BackendFile, passphrase("correct horse"))
	if _, err := k.Add("secret"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	priv, err := k.PrivateKey("secret")
	if err != nil {
		t.Fatalf("PrivateKey: %v", err)
	}
	dir := filepath.Join(home, "keyring-file")
	keyFile, err := os.ReadFile(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatalf("read key file: %v", err)
	}
	if !bytes.HasPrefix(keyFile, []byte("age-encryption.org/v1\n")) {
		t.Errorf("key file is not a binary age file: %q", keyFile[:min(len(keyFile), 40)])
	}
	seed := priv.Seed()
	for _, clearForm := range [][]byte{seed, []byte(hex.EncodeToString(seed)), priv} {
		if bytes.Contains(keyFile, clearForm) {
			t.Errorf("key file contains the private key in clear (%d bytes)", len(clearForm))
		}
	}
	checkPerms(t, dir, []string{"secret.key", "secret.info", ".passphrase-check.age"})
}

func TestTestBackendStoresKeysInClear(t *testing.T) {
	home := t.TempDir()
	k := openKeyring(t, home, BackendTest, noPassphrase(t))
	if _, err := k.Add("plain"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	priv, err := k.PrivateKey("plain")
	if err != nil {
		t.Fatalf("PrivateKey: %v", err)
	}
	dir := filepath.Join(home, "keyring-test")
	keyFile, err := os.ReadFile(filepath.Join(dir, "plain.key"))
	if err != nil {
		t.Fatalf("read key file: %v", err)
	}
	if want := `{"seed":"` + hex.EncodeToString(priv.Seed()) + `"}`; string(keyFile) != want {
		t.Errorf("key file = %s, want %s", keyFile, want)
	}
	checkPerms(t, dir, []string{"plain.key", "plain.info"})
	if _, err := os.Stat(filepath.Join(dir, checkFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("test backend wrote a passphrase check file: %v", err)
	}
}

func TestMemoryBackendTouchesNoDisk(t *testing.T) {
	home := t.TempDir()
	k := openKeyring(t, home, BackendMemory, noPassphrase(t))
	if _, err := k.Add("volatile"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	entries, err := os.ReadDir(home)
	if err != nil || len(entries) != 0 {
		t.Errorf("home after memory Add holds %v (%v), want nothing", entries, err)
	}
	other := openKeyring(t, home, BackendMemory, noPassphrase(t))
	if _, err := other.Get("volatile"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second memory keyring Get = %v, want ErrNotFound", err)
	}
}

func TestTestBackendReopen(t *testing.T) {
	home := t.TempDir()
	rec, err := openKeyring(t, home, BackendTest, noPassphrase(t)).Add("ci")
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	k := openKeyring(t, home, BackendTest, noPassphrase(t))
	got, err := k.Get("ci")
	if err != nil || !recordsEqual(got, rec) {
		t.Fatalf("Get after reopen = %+v, %v; want %+v", got, err, rec)
	}
	sig, err := k.Sign("ci", []byte("m"))
	if err != nil {
		t.Fatalf("Sign after reopen: %v", err)
	}
	if !ed25519.Verify(rec.PublicKey, []byte("m"), sig) {
		t.Error("signature after reopen does not verify")
	}
}

func TestFileBackendReopen(t *testing.T) {
	home := t.TempDir()
	first := &countingPassphrase{p: "correct horse"}
	k := openKeyring(t, home, BackendFile, first.ask)
	alice, err := k.Add("alice")
	if err != nil {
		t.Fatalf("Add(alice): %v", err)
	}
	if _, err := k.Add("bob"); err != nil {
		t.Fatalf("Add(bob): %v", err)
	}
	// The first key chooses the passphrase; later keys check it.
	if want := []bool{true, false}; !slices.Equal(first.confirms, want) {
		t.Errorf("Add prompts asked confirm = %v, want %v", first.confirms, want)
	}

	// A fresh Keyring lists without a passphrase, then asks once per key.
	asked := &countingPassphrase{p: "correct horse"}
	k = openKeyring(t, home, BackendFile, asked.ask)
	recs, err := k.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if got := names(recs); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Errorf("List names = %v, want [alice bob]", got)
	}
	if len(asked.confirms) != 0 {
		t.Errorf("List asked for a passphrase %d times", len(asked.confirms))
	}
	for i, msg := range []string{"one", "two", "three"} {
		sig, err := k.Sign("alice", []byte(msg))
		if err != nil {
			t.Fatalf("Sign #%d: %v", i, err)
		}
		if !ed25519.Verify(alice.PublicKey, []byte(msg), sig) {
			t.Errorf("signature #%d does not verify", i)
		}
	}
	if want := []bool{false}; !slices.Equal(asked.confirms, want) {
		t.Errorf("three Signs asked %v, want one prompt without confirm", asked.confirms)
	}
	if _, err := k.Add("carol"); err != nil {
		t.Errorf("Add(carol) after reopen: %v", err)
	}
}

func TestFileBackendWrongPassphrase(t *testing.T) {
	home := t.TempDir()
	right := openKeyring(t, home, BackendFile, passphrase("correct horse"))
	rec, err := right.Add("alice")
	if err != nil {
		t.Fatalf("Add: %v", err)
	}

	wrong := openKeyring(t, home, BackendFile, passphrase("battery staple"))
	if _, err := wrong.Sign("alice", []byte("m")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Sign with wrong passphrase = %v, want ErrWrongPassphrase", err)
	}
	if _, err := wrong.PrivateKey("alice"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("PrivateKey with wrong passphrase = %v, want ErrWrongPassphrase", err)
	}
	if _, err := wrong.Export("alice", "export pass"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Export with wrong passphrase = %v, want ErrWrongPassphrase", err)
	}
	if _, err := wrong.Add("bob"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Add with wrong passphrase = %v, want ErrWrongPassphrase", err)
	}
	for _, f := range []string{"bob.info", "bob.key"} {
		if _, err := os.Stat(filepath.Join(home, "keyring-file", f)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Add with wrong passphrase left %s: %v", f, err)
		}
	}

	failing := openKeyring(t, home, BackendFile, func(string, bool) (string, error) {
		return "", errors.New("no tty")
	})
	if _, err := failing.Sign("alice", nil); err == nil || !strings.Contains(err.Error(), "no tty") {
		t.Errorf("Sign with failing PassphraseFunc = %v, want its error", err)
	}
	if _, err := openKeyring(t, home, BackendFile, passphrase("")).Sign("alice", nil); !errors.Is(err, errEmptyPassphrase) {
		t.Errorf("Sign with empty passphrase = %v, want errEmptyPassphrase", err)
	}
	if _, err := openKeyring(t, home, BackendFile, nil).Sign("alice", nil); err == nil {
		t.Error("Sign without PassphraseFunc succeeded")
	}

	// The failures neither changed the key nor poisoned a later unlock.
	sig, err := openKeyring(t, home, BackendFile, passphrase("correct horse")).Sign("alice", []byte("m"))
	if err != nil {
		t.Fatalf("Sign with the right passphrase: %v", err)
	}
	if !ed25519.Verify(rec.PublicKey, []byte("m"), sig) {
		t.Error("signature does not verify")
	}
}

func TestExportImport(t *testing.T) {
	msg := []byte("vote yes on proposal 7")
	for _, from := range allBackends {
		for _, to := range allBackends {
			t.Run(from+"-to-"+to, func(t *testing.T) {
				src := openKeyring(t, t.TempDir(), from, askFor(t, from))
				orig, err := src.Add("alice")
				if err != nil {
					t.Fatalf("Add: %v", err)
				}
				exported, err := src.Export("alice", "export pass")
				if err != nil {
					t.Fatalf("Export: %v", err)
				}
				if !bytes.HasPrefix(exported, []byte(armor.Header+"\n")) {
					t.Errorf("export is not ASCII-armored: %q", exported[:min(len(exported), 40)])
				}

				dst := openKeyring(t, t.TempDir(), to, askFor(t, to))
				if _, err := dst.Import("alice2", exported, "wrong pass"); !errors.Is(err, ErrWrongPassphrase) {
					t.Errorf("Import with wrong export passphrase = %v, want ErrWrongPassphrase", err)
				}
				if _, err := dst.Get("alice2"); !errors.Is(err, ErrNotFound) {
					t.Errorf("failed Import stored a key: Get = %v", err)
				}
				imported, err := dst.Import("alice2", exported, "export pass")
				if err != nil {
					t.Fatalf("Import: %v", err)
				}
				if imported.Name != "alice2" || !imported.PublicKey.Equal(orig.PublicKey) {
					t.Errorf("Import = %+v, want alice2 with public key %x", imported, orig.PublicKey)
				}
				want, err := src.Sign("alice", msg)
				if err != nil {
					t.Fatalf("Sign with original: %v", err)
				}
				got, err := dst.Sign("alice2", msg)
				if err != nil {
					t.Fatalf("Sign with imported: %v", err)
				}
				if !bytes.Equal(got, want) {
					t.Error("imported key signs differently from the original")
				}
			})
		}
	}
}

func TestImportRejects(t *testing.T) {
	src := openKeyring(t, t.TempDir(), BackendMemory, noPassphrase(t))
	if _, err := src.Add("k"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	exported, err := src.Export("k", "export pass")
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	tooLong, err := encrypt(make([]byte, ed25519.SeedSize+1), "export pass", testScryptLogN, true)
	if err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	tooShort, err := encrypt(make([]byte, ed25519.SeedSize-1), "export pass", testScryptLogN, true)
	if err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	tests := []struct {
		desc       string
		armored    []byte
		passphrase string
		wantErr    string
	}{
		{"not armored", []byte("hello"), "export pass", "decrypt"},
		{"truncated", exported[:len(exported)/2], "export pass", "decrypt"},
		{"empty passphrase", exported, "", "passphrase must not be empty"},
		{"plaintext too long", tooLong, "export pass", "longer than 32 bytes"},
		{"plaintext too short", tooShort, "export pass", "seed has 31 bytes, want 32"},
	}
	for _, tt := range tests {
		dst := openKeyring(t, t.TempDir(), BackendMemory, noPassphrase(t))
		_, err := dst.Import("k", tt.armored, tt.passphrase)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("%s: Import = %v, want error containing %q (not ErrWrongPassphrase)", tt.desc, err, tt.wantErr)
		}
		if recs, err := dst.List(); err != nil || len(recs) != 0 {
			t.Errorf("%s: after failed Import, List = %v, %v; want none", tt.desc, recs, err)
		}
	}
	if _, err := src.Export("k", ""); !errors.Is(err, errEmptyPassphrase) {
		t.Errorf("Export with empty passphrase = %v, want errEmptyPassphrase", err)
	}
}

func TestUnlockDetectsMismatchedKeyFile(t *testing.T) {
	home := t.TempDir()
	k := openKeyring(t, home, BackendTest, noPassphrase(t))
	for _, name := range []string{"a", "b"} {
		if _, err := k.Add(name); err != nil {
			t.Fatalf("Add(%s): %v", name, err)
		}
	}
	dir := filepath.Join(home, "keyring-test")
	bKey, err := os.ReadFile(filepath.Join(dir, "b.key"))
	if err != nil {
		t.Fatalf("read b.key: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.key"), bKey, 0o600); err != nil {
		t.Fatalf("write a.key: %v", err)
	}
	k = openKeyring(t, home, BackendTest, noPassphrase(t))
	if _, err := k.Sign("a", nil); err == nil || !strings.Contains(err.Error(), "does not match the recorded public key") {
		t.Errorf("Sign with swapped key file = %v, want public key mismatch", err)
	}
}

// checkPerms checks the modes of the keyring directory dir and of files in
// it, and that no temporary file was left behind.
func checkPerms(t *testing.T, dir string, files []string) {
	t.Helper()
	checkMode := func(path string, want fs.FileMode) {
		t.Helper()
		st, err := os.Stat(path)
		if err != nil {
			t.Errorf("stat: %v", err)
			return
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
	checkMode(dir, dirPerm)
	for _, f := range files {
		checkMode(filepath.Join(dir, f), filePerm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read keyring directory: %v", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func recordsEqual(a, b Record) bool {
	return a.Name == b.Name && a.PublicKey.Equal(b.PublicKey) && a.CreatedAt.Equal(b.CreatedAt)
}

func names(recs []Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Name
	}
	return out
}
