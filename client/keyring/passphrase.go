package keyring

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// TerminalPassphrase returns a PassphraseFunc that writes each prompt to out
// and reads the answer from in. When in is a terminal it reads without echo;
// otherwise it reads one line per request, so that a script can pipe
// passphrases in (twice when confirm is set). The passphrase is never written
// to out. With confirm set, differing answers are an error.
//
// In the non-terminal case the returned function buffers in, so the caller
// must not read from in elsewhere afterwards. The function is not safe for
// concurrent use.
func TerminalPassphrase(in io.Reader, out io.Writer) PassphraseFunc {
	var lines *bufio.Reader
	read := func(prompt string) (string, error) {
		if _, err := fmt.Fprintf(out, "%s: ", prompt); err != nil {
			return "", err
		}
		defer fmt.Fprintln(out)
		if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			b, err := term.ReadPassword(int(f.Fd()))
			if err != nil {
				return "", fmt.Errorf("read passphrase from terminal: %w", err)
			}
			return string(b), nil
		}
		if lines == nil {
			lines = bufio.NewReader(in)
		}
		line, err := lines.ReadString('\n')
		if errors.Is(err, io.EOF) && line == "" {
			return "", fmt.Errorf("read passphrase: %w", io.ErrUnexpectedEOF)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read passphrase: %w", err)
		}
		return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
	}
	return func(prompt string, confirm bool) (string, error) {
		passphrase, err := read(prompt)
		if err != nil {
			return "", err
		}
		if !confirm {
			return passphrase, nil
		}
		again, err := read("Repeat the passphrase")
		if err != nil {
			return "", err
		}
		if again != passphrase {
			return "", errors.New("passphrases do not match")
		}
		return passphrase, nil
	}
}
