package keyring

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
	"filippo.io/age/armor"
)

const (
	// defaultScryptLogN is the scrypt work factor (log2 of N) for files this
	// package encrypts: age's default, about one second and 256 MiB.
	defaultScryptLogN = 18

	// maxScryptLogN is the highest work factor accepted when decrypting. It
	// leaves room for files written by the age CLI, which scales the work
	// factor to the machine, while bounding what an imported file can make
	// us spend (2^20 costs 1 GiB of memory; age's own limit of 2^22 costs
	// 4 GiB).
	maxScryptLogN = 20
)

// errEmptyPassphrase is returned for an empty passphrase, which age refuses.
var errEmptyPassphrase = errors.New("passphrase must not be empty")

// encrypt encrypts plaintext to passphrase as a binary age file, with
// scrypt work factor 2^logN. If armored, the file is ASCII-armored.
func encrypt(plaintext []byte, passphrase string, logN int, armored bool) ([]byte, error) {
	if passphrase == "" {
		return nil, errEmptyPassphrase
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(logN)

	var buf bytes.Buffer
	var dst io.Writer = &buf
	var armorW io.WriteCloser
	if armored {
		armorW = armor.NewWriter(&buf)
		dst = armorW
	}
	w, err := age.Encrypt(dst, r)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if armorW != nil {
		if err := armorW.Close(); err != nil {
			return nil, fmt.Errorf("armor: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// decrypt decrypts an age file encrypted to passphrase, ASCII-armored if
// armored, whose plaintext must be at most maxLen bytes. A passphrase that
// does not open the file gives ErrWrongPassphrase; so does a file encrypted
// to something other than a passphrase, which age does not tell apart.
func decrypt(ciphertext []byte, passphrase string, maxLen int, armored bool) ([]byte, error) {
	if passphrase == "" {
		return nil, errEmptyPassphrase
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	id.SetMaxWorkFactor(maxScryptLogN)

	var src io.Reader = bytes.NewReader(ciphertext)
	if armored {
		src = armor.NewReader(src)
	}
	r, err := age.Decrypt(src, id)
	if errors.Is(err, age.ErrIncorrectIdentity) {
		return nil, ErrWrongPassphrase
	}
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	plaintext, err := io.ReadAll(io.LimitReader(r, int64(maxLen)+1))
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	if len(plaintext) > maxLen {
		return nil, fmt.Errorf("decrypt: plaintext longer than %d bytes", maxLen)
	}
	return plaintext, nil
}
