package abci

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/intercooperative/icnd/store"
)

// SnapshotFormat is the one snapshot format icnd takes, serves and
// restores: the store's snapshot stream (store.CommitStore.Export, stream
// version 1) cut into chunks of at most SnapshotChunkSize bytes. A change of
// the stream or of the chunking needs a new format number.
const SnapshotFormat uint32 = 1

// SnapshotChunkSize is the size of every chunk but the last. CometBFT
// carries a chunk in one p2p message of at most 16 MB.
const SnapshotChunkSize = 4 << 20

// maxSnapshotChunks bounds the chunks of a snapshot offered to this node
// (64 GiB of state at 4 MiB a chunk), and so the metadata it accepts: 32
// bytes of chunk hash per chunk, under CometBFT's 4 MB snapshot message.
const maxSnapshotChunks = 1 << 14

// Files of one snapshot, in SnapshotDir/<height>/.
const (
	snapshotDataFile = "snapshot.bin"
	snapshotMetaFile = "metadata.json"
)

// SnapshotsDir is where a node keeps its snapshots, below its data directory.
const SnapshotsDir = "snapshots"

// SnapshotInfo describes one stored snapshot; it is the content of its
// metadata.json.
type SnapshotInfo struct {
	Height int64  `json:"height"`
	Format uint32 `json:"format"`
	// AppHash is the root hash of the state at Height, which the stream
	// declares and CometBFT's header at Height+1 carries.
	AppHash HexBytes `json:"app_hash"`
	// Size is the length of the stream in bytes.
	Size int64 `json:"size"`
	// ChunkSize is the size of every chunk but the last.
	ChunkSize int64 `json:"chunk_size"`
	// ChunkHashes are the SHA-256 hashes of the chunks, in order.
	ChunkHashes []HexBytes `json:"chunk_hashes"`
}

// HexBytes marshals to JSON as upper-case hex, as CometBFT prints hashes.
type HexBytes []byte

// MarshalJSON encodes b as a hex string.
func (b HexBytes) MarshalJSON() ([]byte, error) {
	return json.Marshal(fmt.Sprintf("%X", []byte(b)))
}

// UnmarshalJSON decodes a hex string.
func (b *HexBytes) UnmarshalJSON(bz []byte) error {
	var s string
	if err := json.Unmarshal(bz, &s); err != nil {
		return err
	}
	out, err := hex.DecodeString(s)
	if err != nil {
		return err
	}
	*b = out
	return nil
}

// Metadata is what ListSnapshots offers as the snapshot's metadata: the
// chunk hashes, concatenated. A restoring node checks each chunk against it.
func (i SnapshotInfo) Metadata() []byte {
	out := make([]byte, 0, len(i.ChunkHashes)*sha256.Size)
	for _, h := range i.ChunkHashes {
		out = append(out, h...)
	}
	return out
}

// Hash is the snapshot's hash as offered to peers: the SHA-256 of Metadata.
func (i SnapshotInfo) Hash() []byte {
	h := sha256.Sum256(i.Metadata())
	return h[:]
}

// SnapshotStore keeps a node's snapshots as files: <dir>/<height>/ holds
// snapshot.bin (the stream) and metadata.json (SnapshotInfo). A snapshot
// is written in a temporary directory and renamed into place, so a
// directory named by a height is always complete.
type SnapshotStore struct {
	dir       string
	chunkSize int64
}

// NewSnapshotStore returns the snapshot store in dir (created on the first
// write) with chunks of chunkSize bytes; zero means SnapshotChunkSize.
func NewSnapshotStore(dir string, chunkSize int64) *SnapshotStore {
	if chunkSize <= 0 {
		chunkSize = SnapshotChunkSize
	}
	return &SnapshotStore{dir: dir, chunkSize: chunkSize}
}

// Dir is the store's directory.
func (s *SnapshotStore) Dir() string { return s.dir }

func (s *SnapshotStore) heightDir(height int64) string {
	return filepath.Join(s.dir, strconv.FormatInt(height, 10))
}

// DataPath is the stream file of the snapshot at height.
func (s *SnapshotStore) DataPath(height int64) string {
	return filepath.Join(s.heightDir(height), snapshotDataFile)
}

// Create writes the snapshot at height, whose stream export writes and
// whose root must be appHash, and returns its description. A stored
// snapshot at height of the same app hash is kept as it is; one of another
// hash (the height was rolled back and re-executed differently) is
// replaced.
func (s *SnapshotStore) Create(height int64, appHash []byte, export func(io.Writer) error) (SnapshotInfo, error) {
	if info, err := s.Get(height); err == nil {
		if bytes.Equal(info.AppHash, appHash) {
			return info, nil
		}
		if err := os.RemoveAll(s.heightDir(height)); err != nil {
			return SnapshotInfo{}, fmt.Errorf("snapshot: %w", err)
		}
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot: %w", err)
	}
	tmp, err := os.MkdirTemp(s.dir, ".tmp-")
	if err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot: %w", err)
	}
	info, err := s.write(tmp, height, export)
	if err == nil && !bytes.Equal(info.AppHash, appHash) {
		err = fmt.Errorf("the stream declares root %X, the app hash is %X", []byte(info.AppHash), appHash)
	}
	if err == nil {
		err = os.Rename(tmp, s.heightDir(height))
	}
	if err != nil {
		return SnapshotInfo{}, errors.Join(fmt.Errorf("snapshot at height %d: %w", height, err), os.RemoveAll(tmp))
	}
	return info, nil
}

// write exports into dir/snapshot.bin, hashing the chunks on the way, and
// writes dir/metadata.json.
func (s *SnapshotStore) write(dir string, height int64, export func(io.Writer) error) (SnapshotInfo, error) {
	f, err := os.Create(filepath.Join(dir, snapshotDataFile))
	if err != nil {
		return SnapshotInfo{}, err
	}
	hw := &chunkHasher{size: s.chunkSize}
	if err := export(io.MultiWriter(f, hw)); err != nil {
		f.Close()
		return SnapshotInfo{}, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return SnapshotInfo{}, err
	}
	if err := f.Close(); err != nil {
		return SnapshotInfo{}, err
	}
	hashes := hw.finish()
	f, err = os.Open(filepath.Join(dir, snapshotDataFile))
	if err != nil {
		return SnapshotInfo{}, err
	}
	_, root, err := store.ReadSnapshotHeader(f)
	f.Close()
	if err != nil {
		return SnapshotInfo{}, err
	}
	info := SnapshotInfo{Height: height, Format: SnapshotFormat, AppHash: root, Size: hw.total, ChunkSize: s.chunkSize, ChunkHashes: hashes}
	bz, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return SnapshotInfo{}, err
	}
	return info, os.WriteFile(filepath.Join(dir, snapshotMetaFile), append(bz, '\n'), 0o600)
}

// chunkHasher hashes what is written to it in chunks of size bytes.
type chunkHasher struct {
	size   int64
	total  int64
	cur    int64
	h      hash.Hash
	hashes []HexBytes
}

func (c *chunkHasher) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if c.h == nil {
			c.h = sha256.New()
		}
		take := min(int64(len(p)), c.size-c.cur)
		c.h.Write(p[:take])
		c.cur += take
		c.total += take
		p = p[take:]
		if c.cur == c.size {
			c.hashes = append(c.hashes, c.h.Sum(nil))
			c.h, c.cur = nil, 0
		}
	}
	return n, nil
}

func (c *chunkHasher) finish() []HexBytes {
	if c.h != nil {
		c.hashes = append(c.hashes, c.h.Sum(nil))
		c.h, c.cur = nil, 0
	}
	return c.hashes
}

// Get returns the snapshot at height.
func (s *SnapshotStore) Get(height int64) (SnapshotInfo, error) {
	bz, err := os.ReadFile(filepath.Join(s.heightDir(height), snapshotMetaFile))
	if err != nil {
		return SnapshotInfo{}, err
	}
	var info SnapshotInfo
	if err := json.Unmarshal(bz, &info); err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot at height %d: %w", height, err)
	}
	if info.Height != height {
		return SnapshotInfo{}, fmt.Errorf("snapshot in %s says height %d", s.heightDir(height), info.Height)
	}
	return info, nil
}

// List returns the stored snapshots, the most recent first. Directories
// that are not a complete snapshot (a crash during Create) are skipped.
func (s *SnapshotStore) List() ([]SnapshotInfo, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []SnapshotInfo
	for _, e := range entries {
		h, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil || !e.IsDir() || h < 1 {
			continue
		}
		info, err := s.Get(h)
		if err != nil {
			continue
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b SnapshotInfo) int { return cmp.Compare(b.Height, a.Height) })
	return out, nil
}

// Chunk returns chunk index of the snapshot at height.
func (s *SnapshotStore) Chunk(height int64, index uint32) ([]byte, error) {
	info, err := s.Get(height)
	if err != nil {
		return nil, err
	}
	if int(index) >= len(info.ChunkHashes) {
		return nil, fmt.Errorf("snapshot at height %d has %d chunks, not %d", height, len(info.ChunkHashes), index+1)
	}
	f, err := os.Open(s.DataPath(height))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	off := int64(index) * info.ChunkSize
	buf := make([]byte, min(info.ChunkSize, info.Size-off))
	if _, err := f.ReadAt(buf, off); err != nil {
		return nil, fmt.Errorf("snapshot at height %d chunk %d: %w", height, index, err)
	}
	return buf, nil
}

// Prune deletes all but the keep most recent snapshots, and leftovers of
// interrupted writes.
func (s *SnapshotStore) Prune(keep int) error {
	list, err := s.List()
	if err != nil {
		return err
	}
	var errs []error
	for i, info := range list {
		if i >= keep {
			errs = append(errs, os.RemoveAll(s.heightDir(info.Height)))
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(s.dir, ".tmp-*"))
	for _, t := range tmps {
		errs = append(errs, os.RemoveAll(t))
	}
	return errors.Join(errs...)
}

// checkOffered validates a snapshot of our format offered by a peer: a
// bounded number of chunks, and metadata of one SHA-256 hash per chunk that
// hashes to the snapshot's hash. It returns the chunk hashes.
func checkOffered(chunks uint32, hash, metadata []byte) ([][]byte, error) {
	if chunks < 1 || chunks > maxSnapshotChunks {
		return nil, fmt.Errorf("%d chunks, want 1 to %d", chunks, maxSnapshotChunks)
	}
	if len(metadata) != int(chunks)*sha256.Size {
		return nil, fmt.Errorf("metadata of %d bytes for %d chunks", len(metadata), chunks)
	}
	if sum := sha256.Sum256(metadata); !bytes.Equal(sum[:], hash) {
		return nil, errors.New("hash is not the hash of the metadata")
	}
	out := make([][]byte, chunks)
	for i := range out {
		out[i] = metadata[i*sha256.Size : (i+1)*sha256.Size]
	}
	return out, nil
}
