package blockstore

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// emptyRawCID is the CID of zero bytes as a raw block, as IPFS tools print it
// (`ipfs add --cid-version 1 --raw-leaves` of an empty file).
const emptyRawCID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"

func open(t *testing.T, max int) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "blocks"), max)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustCID(t *testing.T, codec uint64, mhType uint64, digest []byte) cid.Cid {
	t.Helper()
	mh, err := multihash.Encode(digest, mhType)
	if err != nil {
		t.Fatal(err)
	}
	return cid.NewCidV1(codec, mh)
}

func TestPutGetRaw(t *testing.T) {
	s := open(t, 0)
	if s.MaxBlockSize() != DefaultMaxBlockSize || DefaultMaxBlockSize != 4194304 {
		t.Fatalf("max block size %d, want 4194304", s.MaxBlockSize())
	}
	c, err := s.Put(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != emptyRawCID {
		t.Fatalf("empty block: CID %s, want %s", c, emptyRawCID)
	}
	data := []byte("hello, cooperative world")
	c, err = s.Put(data)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if want := mustCID(t, cid.Raw, multihash.SHA2_256, sum[:]); !c.Equals(want) {
		t.Fatalf("CID %s, want %s", c, want)
	}
	if !s.Has(c) {
		t.Fatal("Has: false after Put")
	}
	got, err := s.Get(c)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get: %q, %v; want %q", got, err, data)
	}
	// A second Put of the same bytes is a no-op.
	if c2, err := s.Put(data); err != nil || !c2.Equals(c) {
		t.Fatalf("second Put: %s, %v", c2, err)
	}
	// The file is below a shard named by the CID's last two characters.
	name := c.String()
	if _, err := os.Stat(filepath.Join(s.Dir(), name[len(name)-2:], name)); err != nil {
		t.Fatal(err)
	}
}

// TestPutBlockCodecs stores a block of each allowed codec, among them a real
// receipt (dag-cbor) whose CID docs/receipts.md gives.
func TestPutBlockCodecs(t *testing.T) {
	s := open(t, 0)
	receipt, err := os.ReadFile("../../protocol/receipt/testdata/receipt-1.cbor")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := cid.Decode("bafyreibry4glpsonna3azgchrgziktpzo4ujhmbp54rw7svblhkp2w4khy")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutBlock(rc, receipt); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(rc); err != nil || !bytes.Equal(got, receipt) {
		t.Fatalf("receipt: Get %v", err)
	}
	data := []byte("{}")
	sum := sha256.Sum256(data)
	for _, codec := range []uint64{cid.Raw, cid.DagProtobuf, cid.DagCBOR, cid.DagJSON} {
		c := mustCID(t, codec, multihash.SHA2_256, sum[:])
		if err := s.PutBlock(c, data); err != nil {
			t.Fatalf("codec 0x%x: %v", codec, err)
		}
		if got, err := s.Get(c); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("codec 0x%x: Get %q, %v", codec, got, err)
		}
	}
}

func TestErrors(t *testing.T) {
	s := open(t, 16)
	good := []byte("sixteen bytes!!!")
	goodSum := sha256.Sum256(good)
	big := []byte("seventeen bytes!!")
	bigSum := sha256.Sum256(big)
	sha512Sum := sha512.Sum512(good)
	v0, err := cid.Decode("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    cid.Cid
		data []byte
		err  error
		msg  string
	}{
		{"wrong bytes", mustCID(t, cid.Raw, multihash.SHA2_256, goodSum[:]), []byte("sixteen bytes!!?"), ErrHashMismatch,
			"block does not match its CID: bafkreidaflwdnh6esi765qpnzpyoowwbw3nk7fyzm6yatbqq4zt4htfyea: 16 bytes hash to sha2-256 160495b0631c4509ad99368d2f1c056e77f0c8280da40169c0e61aedf1ac0064"},
		{"too large", mustCID(t, cid.Raw, multihash.SHA2_256, bigSum[:]), big, ErrTooLarge,
			"block too large: bafkreifdkdoqcdzgnxguxastgndqh3aebufdi2gjuv27lthcahvqey6dfq: 17 bytes, limit 16"},
		{"undefined", cid.Undef, good, ErrUnsupportedCID, "unsupported CID: empty CID"},
		{"CIDv0", v0, good, ErrUnsupportedCID, "unsupported CID: QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR is CIDv0, want CIDv1"},
		{"codec dag-jose", mustCID(t, 0x85, multihash.SHA2_256, goodSum[:]), good, ErrUnsupportedCID,
			"codec 0x85 is not raw, dag-pb, dag-cbor or dag-json"},
		{"sha2-512", mustCID(t, cid.Raw, multihash.SHA2_512, sha512Sum[:]), good, ErrUnsupportedCID,
			"multihash must be sha2-256 with a 32-byte digest"},
		{"identity", mustCID(t, cid.Raw, multihash.IDENTITY, good), good, ErrUnsupportedCID,
			"multihash must be sha2-256 with a 32-byte digest"},
		{"short digest", mustCID(t, cid.Raw, multihash.SHA2_256, goodSum[:20]), good, ErrUnsupportedCID,
			"multihash must be sha2-256 with a 32-byte digest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.PutBlock(tc.c, tc.data)
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("PutBlock: %v, want %v containing %q", err, tc.err, tc.msg)
			}
			if s.Has(tc.c) {
				t.Fatal("refused block is stored")
			}
			if _, err := s.Get(tc.c); err == nil {
				t.Fatal("Get of a refused block succeeded")
			}
		})
	}
	if _, err := s.Put(big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put 17 bytes with limit 16: %v", err)
	}
	if _, err := s.Put(good); err != nil {
		t.Fatalf("Put 16 bytes with limit 16: %v", err)
	}
	missing := mustCID(t, cid.Raw, multihash.SHA2_256, bigSum[:])
	if _, err := s.Get(missing); !errors.Is(err, ErrNotFound) || err.Error() != "block not found: "+missing.String() {
		t.Fatalf("Get missing: %v", err)
	}
	entries, err := os.ReadDir(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Name() != tmpDir {
		t.Fatalf("store holds %v, want the temporary directory and the 1 shard of the one stored block", entries)
	}
}

// TestDamagedFile: bytes changed on disk are caught by Get, never returned,
// and a PutBlock of the right bytes repairs the file.
func TestDamagedFile(t *testing.T) {
	s := open(t, 0)
	data := []byte("module bytes")
	c, err := s.Put(data)
	if err != nil {
		t.Fatal(err)
	}
	name := c.String()
	path := filepath.Join(s.Dir(), name[len(name)-2:], name)
	if err := os.WriteFile(path, []byte("module bytez"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(c); !errors.Is(err, ErrHashMismatch) || got != nil ||
		!strings.HasPrefix(err.Error(), "stored file: block does not match its CID: "+name) {
		t.Fatalf("Get damaged: %q, %v", got, err)
	}
	if err := s.PutBlock(c, data); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(c); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after repair: %q, %v", got, err)
	}
	// A file over the bound of the store that reads it is refused before it
	// is hashed.
	small, err := Open(s.Dir(), 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := small.Get(c); !errors.Is(err, ErrTooLarge) ||
		err.Error() != "block too large: "+name+": the stored file is over the limit of 4 bytes" {
		t.Fatalf("Get over the bound: %v", err)
	}
}

// TestSharedDirectory: several stores on one directory (as the node, the CLI
// and an executor are) write the same and different blocks at once; every
// block reads back whole and no temporary file is left.
func TestSharedDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blocks")
	stores := make([]*Store, 4)
	for i := range stores {
		s, err := Open(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = s
	}
	blocks := make([][]byte, 8)
	for i := range blocks {
		blocks[i] = bytes.Repeat([]byte{byte(i)}, 100_000+i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*len(blocks))
	for _, s := range stores {
		for _, b := range blocks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Put(b); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, b := range blocks {
		got, err := stores[0].Get(RawCID(b))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("Get: %d bytes, %v", len(got), err)
		}
	}
	left, err := os.ReadDir(filepath.Join(dir, tmpDir))
	if err != nil || len(left) != 0 {
		t.Fatalf("temporary files left: %v %v", left, err)
	}
}

// TestStaleTemporaryFilesRemoved: Open removes the temporary files a killed
// writer left, once they are older than staleTmpAge, and leaves younger
// ones, which may be another process's write in progress, and the blocks.
func TestStaleTemporaryFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Put([]byte("kept"))
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, tmpDir, "put-stale")
	young := filepath.Join(dir, tmpDir, "put-young")
	for _, p := range []string{stale, young} {
		if err := os.WriteFile(p, []byte("part of a block"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-staleTmpAge - time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stale temporary file: %v, want removed", err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Fatalf("young temporary file: %v, want kept", err)
	}
	if got, err := s.Get(c); err != nil || string(got) != "kept" {
		t.Fatalf("block after reopening: %q %v", got, err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("", 0); err == nil || err.Error() != "blockstore: empty directory" {
		t.Fatalf("Open empty: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(file, "blocks"), 0); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("Open below a file: %v", err)
	}
}

func TestParseCID(t *testing.T) {
	if c, err := ParseCID(emptyRawCID); err != nil || c.String() != emptyRawCID {
		t.Fatalf("ParseCID: %s, %v", c, err)
	}
	for in, msg := range map[string]string{
		"":        `unsupported CID: "": invalid cid: cid too short`,
		"bafkzzz": `unsupported CID: "bafkzzz": `,
		"QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR": "is CIDv0, want CIDv1",
	} {
		if _, err := ParseCID(in); !errors.Is(err, ErrUnsupportedCID) || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseCID(%q): %v, want %q", in, err, msg)
		}
	}
}

func TestList(t *testing.T) {
	s := open(t, 0)
	want := map[string]bool{}
	for _, b := range []string{"a", "b", "c"} {
		c, err := s.Put([]byte(b))
		if err != nil {
			t.Fatal(err)
		}
		want[c.String()] = true
	}
	// Strays are skipped: a temporary file, a file in the wrong shard, a
	// non-CID name, a directory with a long name.
	first := RawCID([]byte("a")).String()
	for _, p := range []string{first[len(first)-2:] + "/.tmp-123", "zz/" + first, "ab/notacid", "abc/x"} {
		if err := os.MkdirAll(filepath.Join(s.Dir(), filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.Dir(), p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]bool{}
	if err := s.List(func(c cid.Cid) bool { got[c.String()] = true; return true }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("List: %v, want %v", got, want)
	}
	n := 0
	if err := s.List(func(cid.Cid) bool { n++; return false }); err != nil || n != 1 {
		t.Fatalf("List stopping at the first: %d calls, %v", n, err)
	}
}

// TestStaleRemovalStaysInTheStore: Open's removal of stale temporary files
// never follows a .tmp that is a symbolic link out of the store, where it
// would delete another directory's old files, and removes only files named
// as the store names its temporary files.
func TestStaleRemovalStaysInTheStore(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	old := time.Now().Add(-staleTmpAge - time.Minute)
	oldFile := func(p string) {
		t.Helper()
		if err := os.WriteFile(p, []byte("someone's file"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(elsewhere, "put-report")
	oldFile(outside)
	if err := os.Symlink(elsewhere, filepath.Join(dir, tmpDir)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Fatalf("a file outside the store, through a symbolic link .tmp: %v, want kept", err)
	}

	dir = t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, tmpDir), 0o755); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, tmpDir, "notes")
	oldFile(foreign)
	if _, err := Open(dir, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Fatalf("an old file in .tmp not named put-*: %v, want kept", err)
	}
}

// TestOpenWhenStaleRemovalFails: removing stale temporary files is
// housekeeping; when it cannot be done (a read-only store, as `icnd dag get`
// or `icnd job verify` may open; a .tmp that is not a directory), Open still
// opens the store and its blocks are read.
func TestOpenWhenStaleRemovalFails(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Put([]byte("kept"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, tmpDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, tmpDir), []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, 0)
	if err != nil {
		t.Fatalf("Open with a .tmp that is a file: %v", err)
	}
	if got, err := s.Get(c); err != nil || string(got) != "kept" {
		t.Fatalf("block: %q %v", got, err)
	}
}

// TestOpenReadOnlyStore: a store whose stale temporary file this user may
// not remove opens, and serves its blocks. (Root may remove anything: the
// test needs another user.)
func TestOpenReadOnlyStore(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores the directory's permissions")
	}
	dir := t.TempDir()
	s, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Put([]byte("kept"))
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, tmpDir, tmpPrefix+"stale")
	if err := os.WriteFile(stale, []byte("part of a block"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-staleTmpAge - time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, tmpDir), 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(dir, tmpDir), 0o755) })
	if s, err = Open(dir, 0); err != nil {
		t.Fatalf("Open of a store whose stale file cannot be removed: %v", err)
	}
	if got, err := s.Get(c); err != nil || string(got) != "kept" {
		t.Fatalf("block: %q %v", got, err)
	}
}
