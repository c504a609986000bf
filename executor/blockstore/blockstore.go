// Package blockstore keeps blocks on disk, addressed by CID: the modules, inputs,
// outputs and receipts of mesh jobs (docs/executor.md, section 2).
//
// A block is stored in one file named by its CID, below a two-character shard
// directory taken from the end of the CID string. A file is written to a
// temporary name in the same directory, synced and renamed, so a reader sees a
// whole block or none, and several processes (the node, the CLI, an executor)
// may share one directory. Nothing is trusted on the way out either: Get reads
// at most the size bound and re-hashes the bytes, so a file damaged on disk is
// reported (ErrHashMismatch), never returned.
//
// Only the CIDs the chain anchors are accepted: CIDv1 with a 32-byte sha2-256
// multihash and one of the codecs raw, dag-pb, dag-cbor or dag-json.
package blockstore

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// DefaultMaxBlockSize is the documented limit of a block: 4 MiB.
const DefaultMaxBlockSize = 4 << 20

// Errors returned by the store and Verify, wrapped with the details.
var (
	// ErrNotFound: the store has no block with that CID.
	ErrNotFound = errors.New("block not found")
	// ErrTooLarge: the block is over the store's size bound.
	ErrTooLarge = errors.New("block too large")
	// ErrHashMismatch: the bytes do not hash to the CID's digest.
	ErrHashMismatch = errors.New("block does not match its CID")
	// ErrUnsupportedCID: the CID is not a CIDv1 with a sha2-256 multihash and
	// an allowed codec (raw, dag-pb, dag-cbor, dag-json).
	ErrUnsupportedCID = errors.New("unsupported CID")
)

// codecs are the codecs a block's CID may name, as the dag module allows.
var codecs = map[uint64]bool{
	cid.Raw:         true,
	cid.DagProtobuf: true,
	cid.DagCBOR:     true,
	cid.DagJSON:     true,
}

// tmpDir is the directory, inside the store's, where blocks are written
// before they are renamed into their shard. A writer killed mid-write leaves
// its file there, and Open removes such files once they are older than
// staleTmpAge; a younger one may be another process's write in progress (a
// write takes well under a second).
const (
	tmpDir      = ".tmp"
	tmpPrefix   = "put-"
	staleTmpAge = time.Hour
)

// Store is a directory of blocks. Its methods are safe for concurrent use, by
// goroutines and by processes sharing the directory.
type Store struct {
	dir     string
	maxSize int
}

// Open opens the store in dir, creating the directory if needed. Blocks larger
// than maxBlockSize bytes are refused; maxBlockSize <= 0 means
// DefaultMaxBlockSize.
func Open(dir string, maxBlockSize int) (*Store, error) {
	if dir == "" {
		return nil, errors.New("blockstore: empty directory")
	}
	if maxBlockSize <= 0 {
		maxBlockSize = DefaultMaxBlockSize
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("blockstore: %w", err)
	}
	s := &Store{dir: dir, maxSize: maxBlockSize}
	s.removeStale(time.Now().Add(-staleTmpAge))
	return s, nil
}

// removeStale removes the temporary files last modified before cutoff. It
// is housekeeping, so it never fails: a store the caller cannot write (a
// read-only copy, or another user's store read by `icnd dag get`) or whose
// .tmp is not a directory opens all the same, and the files are left for a
// later Open. It removes only files named as writeAtomic names them, and
// only inside the store: a .tmp that is a symbolic link out of it is not
// followed, so Open never deletes another directory's old files.
func (s *Store) removeStale(cutoff time.Time) {
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return
	}
	defer root.Close()
	tmp, err := root.OpenRoot(tmpDir)
	if err != nil {
		return // nothing was written yet, not a directory, or out of the store
	}
	defer tmp.Close()
	entries, err := fs.ReadDir(tmp.FS(), ".")
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tmpPrefix) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err != nil || !info.ModTime().Before(cutoff) {
			continue // gone meanwhile (another process removed or renamed it), or young
		}
		_ = tmp.Remove(e.Name())
	}
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// MaxBlockSize returns the largest block, in bytes, the store takes.
func (s *Store) MaxBlockSize() int { return s.maxSize }

// RawCID returns the CID of data as a raw block: CIDv1, codec raw (0x55),
// sha2-256.
func RawCID(data []byte) cid.Cid {
	sum := sha256.Sum256(data)
	mh, err := multihash.Encode(sum[:], multihash.SHA2_256)
	if err != nil {
		// A 32-byte sha2-256 digest always encodes.
		panic("blockstore: multihash: " + err.Error())
	}
	return cid.NewCidV1(cid.Raw, mh)
}

// Put stores data as a raw block and returns its CID (CIDv1, raw, sha2-256).
func (s *Store) Put(data []byte) (cid.Cid, error) {
	c := RawCID(data)
	if err := s.PutBlock(c, data); err != nil {
		return cid.Undef, err
	}
	return c, nil
}

// PutBlock stores data under c, after checking that c is supported, that data
// is within the size bound and that it hashes to c. Storing a block the store
// already holds intact is a no-op; a damaged copy is replaced.
func (s *Store) PutBlock(c cid.Cid, data []byte) error {
	if err := Check(c); err != nil {
		return err
	}
	if len(data) > s.maxSize {
		return fmt.Errorf("%w: %s: %d bytes, limit %d", ErrTooLarge, c, len(data), s.maxSize)
	}
	if err := Verify(c, data); err != nil {
		return err
	}
	if _, err := s.Get(c); err == nil {
		return nil
	}
	path, tmp := s.path(c), filepath.Join(s.dir, tmpDir)
	for _, d := range []string{filepath.Dir(path), tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("blockstore: %w", err)
		}
	}
	return writeAtomic(tmp, path, data)
}

// writeAtomic writes data to a temporary file in tmp (on path's file
// system), syncs it and renames it to path, so no reader ever sees part of
// it.
func writeAtomic(tmp, path string, data []byte) error {
	f, err := os.CreateTemp(tmp, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("blockstore: %w", err)
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("blockstore: write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// Get returns the block c. The bytes are read anew and re-hashed: a missing
// block is ErrNotFound, a file over the size bound ErrTooLarge, a file whose
// bytes do not hash to c (damaged on disk) ErrHashMismatch. The caller owns the
// returned slice.
func (s *Store) Get(c cid.Cid) ([]byte, error) {
	if err := Check(c); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(c))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, c)
	}
	if err != nil {
		return nil, fmt.Errorf("blockstore: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(s.maxSize)+1))
	if err != nil {
		return nil, fmt.Errorf("blockstore: read %s: %w", c, err)
	}
	if len(data) > s.maxSize {
		return nil, fmt.Errorf("%w: %s: the stored file is over the limit of %d bytes", ErrTooLarge, c, s.maxSize)
	}
	if err := Verify(c, data); err != nil {
		return nil, fmt.Errorf("stored file: %w", err)
	}
	return data, nil
}

// Has reports whether the store holds a file for c. It does not read the file:
// Get is what checks the bytes.
func (s *Store) Has(c cid.Cid) bool {
	if Check(c) != nil {
		return false
	}
	fi, err := os.Stat(s.path(c))
	return err == nil && fi.Mode().IsRegular()
}

// List calls fn with the CID of each block file in the store, in no
// particular order, until fn returns false. Files whose names are not
// supported CIDs in their shard (temporary files, strays) are skipped; the
// blocks are not read, so Get is what checks them.
func (s *Store) List(fn func(cid.Cid) bool) error {
	shards, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("blockstore: %w", err)
	}
	for _, shard := range shards {
		if !shard.IsDir() || len(shard.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(s.dir, shard.Name()))
		if err != nil {
			return fmt.Errorf("blockstore: %w", err)
		}
		for _, f := range files {
			name := f.Name()
			if !f.Type().IsRegular() || !strings.HasSuffix(name, shard.Name()) {
				continue
			}
			c, err := cid.Decode(name)
			if err != nil || Check(c) != nil || c.String() != name {
				continue
			}
			if !fn(c) {
				return nil
			}
		}
	}
	return nil
}

// path is dir/<last two characters of the CID>/<CID>. The CID's string form
// (base32) starts with the same characters for every block of one codec, so
// the shard is taken from its end, which comes from the digest.
func (s *Store) path(c cid.Cid) string {
	name := c.String()
	return filepath.Join(s.dir, name[len(name)-2:], name)
}

// Check reports whether c is a CID the store accepts: a canonical CIDv1 with a
// 32-byte sha2-256 multihash and codec raw, dag-pb, dag-cbor or dag-json.
func Check(c cid.Cid) error {
	if !c.Defined() {
		return fmt.Errorf("%w: empty CID", ErrUnsupportedCID)
	}
	if c.Version() != 1 {
		return fmt.Errorf("%w: %s is CIDv%d, want CIDv1", ErrUnsupportedCID, c, c.Version())
	}
	if !codecs[c.Type()] {
		return fmt.Errorf("%w: %s: codec 0x%x is not raw, dag-pb, dag-cbor or dag-json", ErrUnsupportedCID, c, c.Type())
	}
	p := c.Prefix()
	if p.MhType != multihash.SHA2_256 || p.MhLength != sha256.Size {
		return fmt.Errorf("%w: %s: multihash must be sha2-256 with a 32-byte digest", ErrUnsupportedCID, c)
	}
	// Re-parsing the binary form catches a CID built by hand with a digest of
	// another length than its multihash header says.
	if back, err := cid.Cast(c.Bytes()); err != nil || !back.Equals(c) {
		return fmt.Errorf("%w: %s is not canonically encoded", ErrUnsupportedCID, c)
	}
	return nil
}

// ParseCID parses the string form of a CID and checks it with Check.
func ParseCID(s string) (cid.Cid, error) {
	c, err := cid.Decode(s)
	if err != nil {
		return cid.Undef, fmt.Errorf("%w: %q: %v", ErrUnsupportedCID, s, err)
	}
	if err := Check(c); err != nil {
		return cid.Undef, err
	}
	return c, nil
}

// Verify checks that c is supported (Check) and that data hashes to c's digest.
func Verify(c cid.Cid, data []byte) error {
	if err := Check(c); err != nil {
		return err
	}
	dec, err := multihash.Decode(c.Hash())
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnsupportedCID, c, err)
	}
	sum := sha256.Sum256(data)
	if !bytes.Equal(dec.Digest, sum[:]) {
		return fmt.Errorf("%w: %s: %d bytes hash to sha2-256 %x", ErrHashMismatch, c, len(data), sum)
	}
	return nil
}
