package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/cosmos/iavl"
)

// Constants of the snapshot stream format; the format itself is documented
// on Export.
const (
	snapshotMagic = "ICNSNAP1"
	tagEnd        = 0x00
	tagNode       = 0x01
	rootHashSize  = 32

	// maxSnapshotVersion bounds the version a stream may declare. IAVL's
	// importer allocates a table of four bytes per version up to the imported
	// one before reading any node; the bound caps it at 4 GiB. 2^30 heights
	// last 34 years at one block per second.
	maxSnapshotVersion = 1 << 30

	// smallField is the length up to which a field is read into a buffer of
	// its declared size at once; longer fields grow as their bytes arrive, so
	// a forged length costs memory only for data actually present.
	smallField = 64 << 10
)

// Export writes the tree at a retained version to w as a snapshot stream. It
// returns an error wrapping ErrVersionUnavailable for a version not retained.
// It checks the shape of what it writes, so a tree that cannot be read in full
// yields an error, never a truncated snapshot that looks whole.
//
// The stream format (version 1) is stable: a stream written by one release
// must import into every later one. Integers are unsigned varints
// (encoding/binary) in their shortest form; a longer encoding is rejected, so
// a tree has exactly one stream.
//
//	snapshot    = magic version root node* end
//	magic       = "ICNSNAP1"        8 bytes
//	version     = uvarint           the exported version, 1 to 2^30
//	root        = 32 bytes          the root hash of that version
//	node        = 0x01 height nodeVersion keyLen key [valueLen value]
//	height      = 1 byte            0 to 127; 0 is a leaf
//	nodeVersion = uvarint           the version that wrote the node, 1 to version
//	keyLen      = uvarint           the key is never empty
//	valueLen    = uvarint           present for leaves only
//	end         = 0x00              nothing may follow it
//
// Nodes come in the order iavl.Exporter yields them: depth-first post-order.
// A leaf carries its value and an inner node does not; the height says which,
// so no presence flag is needed. There is no checksum: Import checks every
// field, either through the shape of the tree (leaf order, inner-node keys,
// heights) or by recomputing the root hash, which covers keys, values,
// versions and heights.
func (s *CommitStore) Export(version int64, w io.Writer) error {
	if version > maxSnapshotVersion {
		return fmt.Errorf("store: version %d is above %d, the largest a snapshot can hold", version, maxSnapshotVersion)
	}
	t, err := s.immutableAt(version)
	if err != nil {
		return err
	}
	exporter, err := t.Export()
	if err != nil {
		return fmt.Errorf("store: exporting version %d: %w", version, err)
	}
	defer exporter.Close()

	bw := bufio.NewWriter(w)
	buf := append([]byte(snapshotMagic), binary.AppendUvarint(nil, uint64(version))...)
	buf = append(buf, t.Hash()...)
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("store: writing snapshot: %w", err)
	}
	shape := newTreeShape(version)
	for {
		node, err := exporter.Next()
		if errors.Is(err, iavl.ErrorExportDone) {
			break
		}
		if err != nil {
			return fmt.Errorf("store: exporting version %d: %w", version, err)
		}
		if err := shape.add(node); err != nil {
			return fmt.Errorf("store: exporting version %d: %w", version, err)
		}
		if _, err := bw.Write(appendNode(buf[:0], node)); err != nil {
			return fmt.Errorf("store: writing snapshot: %w", err)
		}
	}
	height, size, err := shape.finish()
	if err != nil {
		return fmt.Errorf("store: exporting version %d: %w", version, err)
	}
	// IAVL's exporter stops silently when it cannot read a node; an export
	// that ended early is missing leaves.
	if size != t.Size() || height != t.Height() {
		return fmt.Errorf("store: exporting version %d: exported %d keys in a tree of height %d, want %d keys and height %d",
			version, size, height, t.Size(), t.Height())
	}
	if err := bw.WriteByte(tagEnd); err != nil {
		return fmt.Errorf("store: writing snapshot: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("store: writing snapshot: %w", err)
	}
	return nil
}

func appendNode(buf []byte, n *iavl.ExportNode) []byte {
	buf = append(buf, tagNode, byte(n.Height))
	buf = binary.AppendUvarint(buf, uint64(n.Version))
	buf = binary.AppendUvarint(buf, uint64(len(n.Key)))
	buf = append(buf, n.Key...)
	if n.Height == 0 {
		buf = binary.AppendUvarint(buf, uint64(len(n.Value)))
		buf = append(buf, n.Value...)
	}
	return buf
}

// Import reads a snapshot written by Export from r, which must hold exactly
// one snapshot, and saves it as the store's only and latest version.
//
// The store must be empty: no saved version and no working changes; otherwise
// Import returns ErrNotEmpty. Import rejects, with an error wrapping
// ErrBadSnapshot, a stream that is truncated, malformed, does not form a
// valid IAVL tree, or whose tree does not hash to the root the stream
// declares. It never panics on bad input.
//
// The stream's root is only as trustworthy as the stream: the caller must
// compare the returned CommitID with a root it trusts (for state sync, the app
// hash the light client verified).
//
// When Import fails, it deletes what it wrote and leaves the store empty. An
// import is not atomic, though: if the process dies during one, the database
// may fail to open or hold an unverified tree, and must be removed before
// retrying.
func (s *CommitStore) Import(r io.Reader) (CommitID, error) {
	if s.tree.Version() != 0 || !s.tree.IsEmpty() {
		return CommitID{}, fmt.Errorf("%w: at version %d", ErrNotEmpty, s.tree.Version())
	}
	// Reads of the empty store may have cached absences.
	s.cache.reset()
	dec := snapshotReader{r: bufio.NewReader(r)}
	version, root, err := dec.header()
	if err != nil {
		return CommitID{}, err
	}
	importer, err := s.tree.Import(version)
	if err != nil {
		return CommitID{}, fmt.Errorf("store: starting import of version %d: %w", version, err)
	}
	id, err := s.importNodes(importer, &dec, version, root)
	if err != nil {
		importer.Close()
		return CommitID{}, errors.Join(err, s.undoImport())
	}
	return id, nil
}

// ReadSnapshotHeader reads the version and root hash that the snapshot
// stream in r declares, and nothing more. It lets a caller refuse a stream
// whose root is not the one it trusts before importing anything; Import
// still checks that the tree hashes to that root.
func ReadSnapshotHeader(r io.Reader) (version int64, root []byte, err error) {
	dec := snapshotReader{r: bufio.NewReader(r)}
	return dec.header()
}

// importNodes feeds the nodes of the stream to importer, commits the import,
// and checks the result against the declared version and root.
func (s *CommitStore) importNodes(importer *iavl.Importer, dec *snapshotReader, version int64, root []byte) (CommitID, error) {
	shape := newTreeShape(version)
	for i := 0; ; i++ {
		node, err := dec.node(i)
		if err != nil {
			return CommitID{}, err
		}
		if node == nil {
			break
		}
		if err := shape.add(node); err != nil {
			return CommitID{}, fmt.Errorf("%w: node %d: %w", ErrBadSnapshot, i, err)
		}
		if err := importer.Add(node); err != nil {
			return CommitID{}, fmt.Errorf("store: importing node %d: %w", i, err)
		}
	}
	if err := dec.end(); err != nil {
		return CommitID{}, err
	}
	if _, _, err := shape.finish(); err != nil {
		return CommitID{}, fmt.Errorf("%w: %w", ErrBadSnapshot, err)
	}
	if err := importer.Commit(); err != nil {
		return CommitID{}, fmt.Errorf("store: committing import of version %d: %w", version, err)
	}
	id := s.LastCommitID()
	if !bytes.Equal(id.Hash, root) {
		return CommitID{}, fmt.Errorf("%w: imported tree hashes to %X, stream declares %X", ErrBadSnapshot, id.Hash, root)
	}
	latest, err := s.tree.GetLatestVersion()
	if err != nil {
		return CommitID{}, fmt.Errorf("store: reading latest version after import: %w", err)
	}
	if id.Version != version || latest != version {
		return CommitID{}, fmt.Errorf("store: after importing version %d the store is at version %d with latest %d", version, id.Version, latest)
	}
	// The imported version is the first on disk: pruning starts there.
	s.pruner.restartAt(version)
	return id, nil
}

// undoImport deletes every node a failed import wrote (the store was empty
// before it, so that is every node) and reloads the empty tree.
func (s *CommitStore) undoImport() error {
	if err := s.tree.DeleteVersionsFrom(1); err != nil {
		return fmt.Errorf("store: undoing failed import: %w", err)
	}
	failed := s.tree
	if err := s.loadTree(); err != nil {
		return fmt.Errorf("store: undoing failed import: %w", err)
	}
	return failed.Close()
}

// snapshotReader decodes the snapshot stream format.
type snapshotReader struct {
	r *bufio.Reader
}

// header reads the magic, the version and the root hash.
func (d *snapshotReader) header() (version int64, root []byte, err error) {
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(d.r, magic); err != nil {
		return 0, nil, d.fail("magic", err)
	}
	if string(magic) != snapshotMagic {
		return 0, nil, fmt.Errorf("%w: not a snapshot: magic %q, want %q", ErrBadSnapshot, magic, snapshotMagic)
	}
	v, err := d.uvarint("version")
	if err != nil {
		return 0, nil, err
	}
	if v < 1 || v > maxSnapshotVersion {
		return 0, nil, fmt.Errorf("%w: version %d out of range [1, %d]", ErrBadSnapshot, v, maxSnapshotVersion)
	}
	root = make([]byte, rootHashSize)
	if _, err := io.ReadFull(d.r, root); err != nil {
		return 0, nil, d.fail("root hash", err)
	}
	return int64(v), root, nil
}

// node reads the i-th node, or returns nil at the end marker. Only the range
// of each field is checked here; treeShape checks how nodes fit together.
func (d *snapshotReader) node(i int) (*iavl.ExportNode, error) {
	what := func(field string) string { return fmt.Sprintf("node %d %s", i, field) }
	tag, err := d.r.ReadByte()
	if err != nil {
		return nil, d.fail(what("tag"), err)
	}
	switch tag {
	case tagEnd:
		return nil, nil
	case tagNode:
	default:
		return nil, fmt.Errorf("%w: node %d: unknown tag %#x", ErrBadSnapshot, i, tag)
	}
	height, err := d.r.ReadByte()
	if err != nil {
		return nil, d.fail(what("height"), err)
	}
	if height > math.MaxInt8 {
		return nil, fmt.Errorf("%w: node %d: height %d out of range", ErrBadSnapshot, i, height)
	}
	version, err := d.uvarint(what("version"))
	if err != nil {
		return nil, err
	}
	if version > math.MaxInt64 {
		return nil, fmt.Errorf("%w: node %d: version %d out of range", ErrBadSnapshot, i, version)
	}
	node := &iavl.ExportNode{Version: int64(version), Height: int8(height)}
	if node.Key, err = d.field(what("key")); err != nil {
		return nil, err
	}
	if height == 0 {
		if node.Value, err = d.field(what("value")); err != nil {
			return nil, err
		}
	}
	return node, nil
}

// end checks that nothing follows the end marker.
func (d *snapshotReader) end() error {
	_, err := d.r.ReadByte()
	switch {
	case err == nil:
		return fmt.Errorf("%w: data after the end marker", ErrBadSnapshot)
	case errors.Is(err, io.EOF):
		return nil
	default:
		return fmt.Errorf("store: reading snapshot: %w", err)
	}
}

// field reads a length-prefixed byte string. The result is never nil.
func (d *snapshotReader) field(what string) ([]byte, error) {
	n, err := d.uvarint(what + " length")
	if err != nil {
		return nil, err
	}
	if n <= smallField {
		buf := make([]byte, n)
		if _, err := io.ReadFull(d.r, buf); err != nil {
			return nil, d.fail(what, err)
		}
		return buf, nil
	}
	if n > math.MaxInt64 {
		return nil, fmt.Errorf("%w: %s: length %d out of range", ErrBadSnapshot, what, n)
	}
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, d.r, int64(n)); err != nil {
		return nil, d.fail(what, err)
	}
	return buf.Bytes(), nil
}

// uvarint reads an unsigned varint in its shortest encoding.
func (d *snapshotReader) uvarint(what string) (uint64, error) {
	var x uint64
	for i := 0; i < binary.MaxVarintLen64; i++ {
		b, err := d.r.ReadByte()
		if err != nil {
			return 0, d.fail(what, err)
		}
		if i == binary.MaxVarintLen64-1 && b > 1 {
			break
		}
		x |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			if i > 0 && b == 0 {
				return 0, fmt.Errorf("%w: %s: varint not in its shortest form", ErrBadSnapshot, what)
			}
			return x, nil
		}
	}
	return 0, fmt.Errorf("%w: %s: varint overflows 64 bits", ErrBadSnapshot, what)
}

// fail reports a read error: running out of input is a truncated snapshot;
// anything else is the reader's failure.
func (d *snapshotReader) fail(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated in %s", ErrBadSnapshot, what)
	}
	return fmt.Errorf("store: reading snapshot %s: %w", what, err)
}

// treeShape checks that nodes arriving in depth-first post-order form a
// well-formed IAVL tree of a given version, before they reach IAVL's importer,
// which trusts its input (an inner node without two subtrees beneath it, or a
// node version out of range, makes it misbehave or panic). The root hash
// cannot vouch for inner-node keys, which IAVL does not hash, so they are
// checked here: each must be the first key of its right subtree.
type treeShape struct {
	version  int64
	lastLeaf []byte
	stack    []subtree
}

// subtree summarises a finished subtree awaiting its parent.
type subtree struct {
	height int8
	first  []byte // its smallest key
	size   int64  // its number of leaves
}

func newTreeShape(version int64) *treeShape {
	return &treeShape{version: version}
}

func (t *treeShape) add(n *iavl.ExportNode) error {
	if n.Version < 1 || n.Version > t.version {
		return fmt.Errorf("node version %d out of range [1, %d]", n.Version, t.version)
	}
	if len(n.Key) == 0 {
		return errors.New("empty key")
	}
	if n.Height < 0 {
		return fmt.Errorf("negative height %d", n.Height)
	}
	if n.Height == 0 {
		if n.Value == nil {
			return errors.New("leaf without a value")
		}
		if t.lastLeaf != nil && bytes.Compare(n.Key, t.lastLeaf) <= 0 {
			return fmt.Errorf("leaf key %X does not follow %X", n.Key, t.lastLeaf)
		}
		t.lastLeaf = n.Key
		t.stack = append(t.stack, subtree{height: 0, first: n.Key, size: 1})
		return nil
	}
	if n.Value != nil {
		return errors.New("inner node with a value")
	}
	if len(t.stack) < 2 {
		return fmt.Errorf("inner node of height %d without two subtrees", n.Height)
	}
	left, right := t.stack[len(t.stack)-2], t.stack[len(t.stack)-1]
	if want := max(left.height, right.height) + 1; n.Height != want {
		return fmt.Errorf("inner node of height %d over subtrees of heights %d and %d", n.Height, left.height, right.height)
	}
	if d := int(left.height) - int(right.height); d < -1 || d > 1 {
		return fmt.Errorf("unbalanced inner node: subtrees of heights %d and %d", left.height, right.height)
	}
	if !bytes.Equal(n.Key, right.first) {
		return fmt.Errorf("inner node key %X is not %X, the first key of its right subtree", n.Key, right.first)
	}
	t.stack = append(t.stack[:len(t.stack)-2], subtree{height: n.Height, first: left.first, size: left.size + right.size})
	return nil
}

// finish returns the height and leaf count of the completed tree, which is
// empty (height 0, size 0) when no node was added.
func (t *treeShape) finish() (height int8, size int64, err error) {
	switch len(t.stack) {
	case 0:
		return 0, 0, nil
	case 1:
		return t.stack[0].height, t.stack[0].size, nil
	default:
		return 0, 0, fmt.Errorf("nodes end as %d separate subtrees, not one tree", len(t.stack))
	}
}
