package keyring

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestTerminalPassphrasePiped(t *testing.T) {
	in := strings.NewReader("first secret\r\nsecond\nsecond\nthird\nnot third\nlast without newline")
	var out strings.Builder
	ask := TerminalPassphrase(in, &out)

	steps := []struct {
		prompt  string
		confirm bool
		want    string
		wantErr string
	}{
		{"Enter keyring passphrase", false, "first secret", ""},
		{"Enter a new keyring passphrase", true, "second", ""},
		{"Enter a new keyring passphrase", true, "", "passphrases do not match"},
		{"Enter keyring passphrase", false, "last without newline", ""},
		{"Enter keyring passphrase", false, "", io.ErrUnexpectedEOF.Error()},
	}
	for i, s := range steps {
		got, err := ask(s.prompt, s.confirm)
		if s.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), s.wantErr) {
				t.Errorf("step %d: got %q, %v; want error containing %q", i, got, err, s.wantErr)
			}
			continue
		}
		if err != nil || got != s.want {
			t.Errorf("step %d: got %q, %v; want %q", i, got, err, s.want)
		}
	}

	printed := out.String()
	for _, secret := range []string{"first secret", "second", "third", "last without newline"} {
		if strings.Contains(printed, secret) {
			t.Errorf("output %q contains passphrase %q", printed, secret)
		}
	}
	if got := strings.Count(printed, "Enter keyring passphrase: "); got != 3 {
		t.Errorf("output %q shows the keyring prompt %d times, want 3", printed, got)
	}
	if got := strings.Count(printed, "Repeat the passphrase: "); got != 2 {
		t.Errorf("output %q shows the repeat prompt %d times, want 2", printed, got)
	}
}

func TestTerminalPassphraseReadError(t *testing.T) {
	broken := errors.New("broken pipe")
	ask := TerminalPassphrase(io.MultiReader(strings.NewReader("partial"), errReader{broken}), io.Discard)
	if _, err := ask("Enter keyring passphrase", false); !errors.Is(err, broken) {
		t.Errorf("ask = %v, want the reader's error", err)
	}
}

// TestTerminalPassphraseWithKeyring drives the file backend the way a script
// piping passphrases into the CLI would.
func TestTerminalPassphraseWithKeyring(t *testing.T) {
	home := t.TempDir()
	k := openKeyring(t, home, BackendFile,
		TerminalPassphrase(strings.NewReader("piped pass\npiped pass\n"), io.Discard))
	rec, err := k.Add("scripted")
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	k = openKeyring(t, home, BackendFile, TerminalPassphrase(strings.NewReader("piped pass\n"), io.Discard))
	if _, err := k.Sign("scripted", []byte("m")); err != nil {
		t.Fatalf("Sign: %v", err)
	}
	k = openKeyring(t, home, BackendFile, TerminalPassphrase(strings.NewReader("other pass\n"), io.Discard))
	if _, err := k.Sign(rec.Name, []byte("m")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Sign with piped wrong passphrase = %v, want ErrWrongPassphrase", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
