package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// snapshotSource builds a store whose latest tree has nodes written by
// several versions, some keys deleted and some overwritten.
func snapshotSource(t *testing.T) (*CommitStore, []CommitID) {
	s := newMemStore(t, Options{})
	var ids []CommitID
	for v := 1; v <= 4; v++ {
		for i := 0; i < 40; i++ {
			if (i+v)%3 == 0 {
				s.Working().Set(fmt.Appendf(nil, "key/%02d", i), fmt.Appendf(nil, "v%d-%d", v, i))
			}
			if (i*v)%7 == 3 {
				s.Working().Delete(fmt.Appendf(nil, "key/%02d", i))
			}
		}
		s.Working().Set([]byte("last"), fmt.Appendf(nil, "v%d", v))
		ids = append(ids, commit(t, s))
	}
	return s, ids
}

func export(t *testing.T, s *CommitStore, version int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Export(version, &buf); err != nil {
		t.Fatalf("Export(%d): %v", version, err)
	}
	return buf.Bytes()
}

func TestExportImport(t *testing.T) {
	src, ids := snapshotSource(t)
	for _, version := range []int64{4, 2} {
		t.Run(fmt.Sprintf("version %d", version), func(t *testing.T) {
			snapshot := export(t, src, version)
			dst := newMemStore(t, Options{})
			id, err := dst.Import(bytes.NewReader(snapshot))
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			want := ids[version-1]
			if id.Version != want.Version || !bytes.Equal(id.Hash, want.Hash) {
				t.Fatalf("Import = {%d, %X}, want {%d, %X}", id.Version, id.Hash, want.Version, want.Hash)
			}
			if got := dst.LastCommitID(); got.Version != version || !bytes.Equal(got.Hash, want.Hash) {
				t.Errorf("LastCommitID = {%d, %X}, want {%d, %X}", got.Version, got.Hash, version, want.Hash)
			}
			if got := dst.AvailableVersions(); !slices.Equal(got, []int64{version}) {
				t.Errorf("AvailableVersions = %v, want [%d]", got, version)
			}
			srcView, err := src.ReadOnlyAt(version)
			if err != nil {
				t.Fatal(err)
			}
			wantKV := dump(t, srcView.Iterator(nil, nil))
			if got := dump(t, dst.Working().Iterator(nil, nil)); !slices.Equal(got, wantKV) {
				t.Errorf("imported state = %v, want %v", got, wantKV)
			}
			if len(wantKV) < 10 {
				t.Fatalf("test state too small: %v", wantKV)
			}
			if again := export(t, dst, version); !bytes.Equal(again, snapshot) {
				t.Error("re-exporting the imported version gives a different stream")
			}

			// The imported store carries on exactly as the source would.
			cont := newMemStore(t, Options{})
			if _, err := cont.Import(bytes.NewReader(export(t, src, version))); err != nil {
				t.Fatal(err)
			}
			setAll(dst.Working(), "next", "1", "key/05", "changed")
			setAll(cont.Working(), "next", "1", "key/05", "changed")
			a, b := commit(t, dst), commit(t, cont)
			if a.Version != version+1 || !bytes.Equal(a.Hash, b.Hash) {
				t.Errorf("commits after import: {%d, %X} and {%d, %X}", a.Version, a.Hash, b.Version, b.Hash)
			}
		})
	}
}

func TestExportImportEmptyTree(t *testing.T) {
	src := newMemStore(t, Options{})
	commit(t, src)
	snapshot := export(t, src, 1)
	dst := newMemStore(t, Options{})
	id, err := dst.Import(bytes.NewReader(snapshot))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if id.Version != 1 || !bytes.Equal(id.Hash, emptyTreeHash) {
		t.Errorf("Import = {%d, %X}, want {1, %X}", id.Version, id.Hash, emptyTreeHash)
	}
}

func TestExportUnavailableVersion(t *testing.T) {
	src, _ := snapshotSource(t)
	for _, v := range []int64{0, 5} {
		if err := src.Export(v, &bytes.Buffer{}); !errors.Is(err, ErrVersionUnavailable) {
			t.Errorf("Export(%d): error %v, want ErrVersionUnavailable", v, err)
		}
	}
}

func TestImportIntoNonEmptyStore(t *testing.T) {
	src, _ := snapshotSource(t)
	snapshot := export(t, src, 4)

	committed := newMemStore(t, Options{})
	setAll(committed.Working(), "a", "1")
	id := commit(t, committed)
	if _, err := committed.Import(bytes.NewReader(snapshot)); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("Import over a saved version: error %v, want ErrNotEmpty", err)
	}
	if got := committed.LastCommitID(); got.Version != 1 || !bytes.Equal(got.Hash, id.Hash) {
		t.Errorf("refused Import changed the store to {%d, %X}", got.Version, got.Hash)
	}

	working := newMemStore(t, Options{})
	setAll(working.Working(), "a", "1")
	if _, err := working.Import(bytes.NewReader(snapshot)); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("Import over working changes: error %v, want ErrNotEmpty", err)
	}
}

// assertImportFails imports data into a fresh store, expects ErrBadSnapshot,
// and checks that the store is left empty and usable.
func assertImportFails(t *testing.T, data, valid []byte, what string) {
	t.Helper()
	s := newMemStore(t, Options{})
	id, err := s.Import(bytes.NewReader(data))
	if !errors.Is(err, ErrBadSnapshot) {
		t.Fatalf("%s: Import = {%d, %X}, %v; want ErrBadSnapshot", what, id.Version, id.Hash, err)
	}
	if got := s.LastCommitID(); got.Version != 0 || !bytes.Equal(got.Hash, emptyTreeHash) || len(s.AvailableVersions()) != 0 {
		t.Fatalf("%s: failed Import left the store at {%d, %X}", what, got.Version, got.Hash)
	}
	if valid != nil {
		if _, err := s.Import(bytes.NewReader(valid)); err != nil {
			t.Fatalf("%s: valid Import after a failed one: %v", what, err)
		}
	}
}

func TestImportRejectsTruncation(t *testing.T) {
	src, _ := snapshotSource(t)
	snapshot := export(t, src, 4)
	for n := 0; n < len(snapshot); n++ {
		var valid []byte
		if n%50 == 0 {
			valid = snapshot
		}
		assertImportFails(t, snapshot[:n], valid, fmt.Sprintf("first %d of %d bytes", n, len(snapshot)))
	}
}

// TestImportRejectsCorruption flips bits in every byte of a snapshot. Each
// change must be rejected, except in the version header, which the root hash
// does not cover: there the import may succeed, but at another version, which
// the caller's comparison with the trusted height catches.
func TestImportRejectsCorruption(t *testing.T) {
	src, ids := snapshotSource(t)
	snapshot := export(t, src, 4)
	want := ids[3]
	for i := range snapshot {
		for _, mask := range []byte{0x01, 0x80, 0xFF} {
			data := bytes.Clone(snapshot)
			data[i] ^= mask
			s := newMemStore(t, Options{})
			id, err := s.Import(bytes.NewReader(data))
			switch {
			case err == nil && id.Version == want.Version && bytes.Equal(id.Hash, want.Hash):
				t.Fatalf("byte %d ^ %#x: corrupted snapshot imported as the original", i, mask)
			case err == nil && (i < len(snapshotMagic) || i >= len(snapshotMagic)+1):
				t.Fatalf("byte %d ^ %#x: corrupted snapshot imported as {%d, %X}", i, mask, id.Version, id.Hash)
			case err != nil && !errors.Is(err, ErrBadSnapshot):
				t.Fatalf("byte %d ^ %#x: error %v, want ErrBadSnapshot", i, mask, err)
			}
		}
	}
}

func TestImportRejectsMalformed(t *testing.T) {
	src, _ := snapshotSource(t)
	snapshot := export(t, src, 4)
	header := len(snapshotMagic) + 1 + rootHashSize

	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"garbage", []byte("this is not a snapshot at all, not even close")},
		{"trailing data", append(bytes.Clone(snapshot), 0x00)},
		{"version zero", append([]byte(snapshotMagic+"\x00"), snapshot[len(snapshotMagic)+1:]...)},
		{"version too large", append([]byte(snapshotMagic+"\x80\x80\x80\x80\x08"), snapshot[len(snapshotMagic)+1:]...)},
		{"non-minimal varint", append([]byte(snapshotMagic+"\x84\x00"), snapshot[len(snapshotMagic)+1:]...)},
		{"no nodes", append(bytes.Clone(snapshot[:header]), tagEnd)},
		{"unknown tag", append(bytes.Clone(snapshot[:header]), 0x02)},
		{"inner node first", append(bytes.Clone(snapshot[:header]), tagNode, 1, 1, 1, 'a', tagEnd)},
		{"leaf of version zero", append(bytes.Clone(snapshot[:header]), tagNode, 0, 0, 1, 'a', 1, 'v', tagEnd)},
		{"leaf above the snapshot version", append(bytes.Clone(snapshot[:header]), tagNode, 0, 5, 1, 'a', 1, 'v', tagEnd)},
		{"leaf with an empty key", append(bytes.Clone(snapshot[:header]), tagNode, 0, 1, 0, 1, 'v', tagEnd)},
		{"negative height", append(bytes.Clone(snapshot[:header]), tagNode, 0x80, 1, 1, 'a', tagEnd)},
		{"leaves out of order", append(bytes.Clone(snapshot[:header]), tagNode, 0, 1, 1, 'b', 1, 'v', tagNode, 0, 1, 1, 'a', 1, 'v', tagNode, 1, 1, 1, 'a', tagEnd)},
		{"inner key not the right subtree's first", append(bytes.Clone(snapshot[:header]), tagNode, 0, 1, 1, 'a', 1, 'v', tagNode, 0, 1, 1, 'b', 1, 'v', tagNode, 1, 1, 1, 'a', tagEnd)},
		{"inner height wrong", append(bytes.Clone(snapshot[:header]), tagNode, 0, 1, 1, 'a', 1, 'v', tagNode, 0, 1, 1, 'b', 1, 'v', tagNode, 2, 1, 1, 'b', tagEnd)},
		{"two trees", append(bytes.Clone(snapshot[:header]), tagNode, 0, 1, 1, 'a', 1, 'v', tagNode, 0, 1, 1, 'b', 1, 'v', tagEnd)},
		{"huge field length", append(bytes.Clone(snapshot[:header]), tagNode, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 'a')},
		{"varint overflow", append(bytes.Clone(snapshot[:header]), tagNode, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F)},
		{"well-formed tree, wrong hash", append(bytes.Clone(snapshot[:header]), tagNode, 0, 1, 1, 'a', 1, 'v', tagNode, 0, 1, 1, 'b', 1, 'v', tagNode, 1, 1, 1, 'b', tagEnd)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertImportFails(t, tt.data, snapshot, tt.name)
		})
	}
}

func TestImportReaderError(t *testing.T) {
	src, _ := snapshotSource(t)
	snapshot := export(t, src, 4)
	boom := errors.New("disk on fire")
	s := newMemStore(t, Options{})
	_, err := s.Import(&failingReader{data: snapshot[:100], err: boom})
	if !errors.Is(err, boom) || errors.Is(err, ErrBadSnapshot) {
		t.Errorf("Import over a failing reader: error %v, want the reader's error", err)
	}
	if got := s.LastCommitID(); got.Version != 0 {
		t.Errorf("failed Import left version %d", got.Version)
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestGoldenSnapshots imports the valid snapshots of the fuzz corpus, which
// were written by Export when the format was defined. If this fails, the
// format changed and old snapshots no longer restore.
func TestGoldenSnapshots(t *testing.T) {
	tests := []struct {
		file    string
		version int64
		hash    string
		state   []string
	}{
		{"valid-empty", 1, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", nil},
		{"valid-small", 2, "B50A2A1B79D9283ADAA3603AA4F63BF0D295C1D30B16F87926A2E525D8A7F3F2", []string{"a=1", "b=", "c=33"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readCorpusFile(t, filepath.Join("testdata", "fuzz", "FuzzImport", tt.file))
			s := newMemStore(t, Options{})
			id, err := s.Import(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if got := fmt.Sprintf("%X", id.Hash); id.Version != tt.version || got != tt.hash {
				t.Errorf("Import = {%d, %s}, want {%d, %s}", id.Version, got, tt.version, tt.hash)
			}
			if got := dump(t, s.Working().Iterator(nil, nil)); !slices.Equal(got, tt.state) {
				t.Errorf("state = %v, want %v", got, tt.state)
			}
		})
	}
}

// readCorpusFile decodes a one-value "go test fuzz v1" file holding []byte.
func readCorpusFile(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") || !strings.HasSuffix(lines[1], ")") {
		t.Fatalf("%s: not a one-value []byte corpus file", path)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}

// FuzzImport feeds arbitrary streams to Import. It must never panic, must
// reject bad input with ErrBadSnapshot and leave the store empty, and
// whatever it accepts must export back to exactly the same bytes: the format
// has a single encoding per tree.
func FuzzImport(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		// IAVL's importer allocates four bytes per version; keep the fuzzer
		// to versions whose table is small.
		if version, _, err := (&snapshotReader{r: bufio.NewReader(bytes.NewReader(data))}).header(); err == nil && version > 1<<16 {
			t.Skip("version too large for fuzzing")
		}
		s := newMemStore(t, Options{})
		id, err := s.Import(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrBadSnapshot) {
				t.Fatalf("error %v does not wrap ErrBadSnapshot", err)
			}
			if got := s.LastCommitID(); got.Version != 0 || len(s.AvailableVersions()) != 0 {
				t.Fatalf("failed Import left the store at version %d", got.Version)
			}
			return
		}
		var out bytes.Buffer
		if err := s.Export(id.Version, &out); err != nil {
			t.Fatalf("Export after Import: %v", err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("accepted stream %X exports as %X", data, out.Bytes())
		}
	})
}

// TestReadSnapshotHeader reads what a stream declares without importing
// it, and refuses what is not a snapshot.
func TestReadSnapshotHeader(t *testing.T) {
	s, ids := snapshotSource(t)
	last := ids[len(ids)-1]
	version, root, err := ReadSnapshotHeader(bytes.NewReader(export(t, s, last.Version)))
	if err != nil || version != last.Version || !bytes.Equal(root, last.Hash) {
		t.Fatalf("header: version %d root %X (%v), want %d %X", version, root, err, last.Version, last.Hash)
	}
	for _, bad := range [][]byte{nil, []byte("ICNSNAP2\x01"), []byte("ICNSNAP1\x01short root")} {
		if _, _, err := ReadSnapshotHeader(bytes.NewReader(bad)); !errors.Is(err, ErrBadSnapshot) {
			t.Errorf("header of %q: %v, want ErrBadSnapshot", bad, err)
		}
	}
}
