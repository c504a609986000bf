package blockstore

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/ipfs/go-cid"
)

// FuzzVerify: Verify never panics, accepts only supported CIDs, and accepts
// exactly the bytes whose sha2-256 is the CID's digest. The seed corpus is
// testdata/fuzz/FuzzVerify.
func FuzzVerify(f *testing.F) {
	f.Fuzz(func(t *testing.T, cidBytes, data []byte) {
		c, err := cid.Cast(cidBytes)
		if err != nil {
			return
		}
		err = Verify(c, data)
		if err == nil {
			sum := sha256.Sum256(data)
			if Check(c) != nil || !bytes.HasSuffix(c.Bytes(), sum[:]) {
				t.Fatalf("Verify accepted %s for %x", c, data)
			}
			return
		}
		if !errors.Is(err, ErrUnsupportedCID) && !errors.Is(err, ErrHashMismatch) {
			t.Fatalf("Verify: unexpected error %v", err)
		}
	})
}

// FuzzPutBlock: PutBlock never panics; what it takes reads back identical and
// what it refuses is not stored. The seed corpus is testdata/fuzz/FuzzPutBlock.
func FuzzPutBlock(f *testing.F) {
	s, err := Open(f.TempDir(), 64)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, cidBytes, data []byte) {
		c, err := cid.Cast(cidBytes)
		if err != nil {
			return
		}
		had := s.Has(c)
		if err := s.PutBlock(c, data); err != nil {
			if !had && s.Has(c) {
				t.Fatalf("refused block %s is stored: %v", c, err)
			}
			return
		}
		got, err := s.Get(c)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("Get %s after PutBlock: %x, %v", c, got, err)
		}
	})
}
