package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"
)

// Pruning settings of the tests below: small, so that pruning runs often.
const (
	testKeep     = 5
	testInterval = 10
)

// writeVersion makes the writes of version v, the same on every call: new
// keys at random places, rewrites of hot keys, and, every seventh version,
// nothing at all (an empty block: IAVL then saves a reference to the
// previous root, which pruning reformats).
func writeVersion(set func(k, v []byte), v int64) {
	if v%7 == 3 {
		return
	}
	key := func(tag string, i int64) []byte {
		h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte(tag), uint64(i)))
		return h[:]
	}
	n := int64(100)
	if v == 1 {
		n = 1000
	}
	for j := int64(0); j < n; j++ {
		set(key("new", v*10_000+j), []byte("an anchored entry, about the size of a DAG entry record"))
	}
	for j := int64(0); j < 20; j++ {
		set(key("hot", j), fmt.Appendf(nil, "sequence or mana %d", v))
	}
}

// syncPrunedDB returns the database IAVL itself leaves after versions
// 1..last written by writeVersion and pruned synchronously
// (DeleteVersionsTo in the committing goroutine), as the store did before
// pruning moved to the background.
func syncPrunedDB(t *testing.T, last int64) idb.DB {
	t.Helper()
	db := idb.NewMemDB()
	tree := iavl.NewMutableTree(db, 10_000, skipFastStorage, iavl.NewNopLogger())
	for v := int64(1); v <= last; v++ {
		writeVersion(func(k, val []byte) {
			if _, err := tree.Set(k, val); err != nil {
				t.Fatal(err)
			}
		}, v)
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
		if w := pruneWatermark(v, testKeep, testInterval); w > 0 && v%testInterval == 0 {
			if err := tree.DeleteVersionsTo(w); err != nil {
				t.Fatal(err)
			}
		}
	}
	return db
}

// dbContents lists every record of db, as "key=value" in hex.
func dbContents(t *testing.T, db idb.DB) []string {
	t.Helper()
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for ; it.Valid(); it.Next() {
		out = append(out, fmt.Sprintf("%x=%x", it.Key(), it.Value()))
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameContents(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("database holds %d records, synchronous pruning leaves %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("record %d: %.80s, synchronous pruning leaves %.80s", i, got[i], want[i])
		}
	}
}

// commitVersions commits versions up to last with writeVersion's writes,
// starting after s's latest version.
func commitVersions(t testing.TB, s *CommitStore, last int64) {
	t.Helper()
	kv := s.Working()
	for v := s.LastCommitID().Version + 1; v <= last; v++ {
		writeVersion(kv.Set, v)
		if id, err := s.Commit(); err != nil || id.Version != v {
			t.Fatalf("commit of version %d: %v, %v", v, id, err)
		}
	}
}

// checkRetained checks that exactly the versions synchronous pruning keeps
// after latest are available, that each can be read in full (an export
// reads every node, and fails on a missing one), and that the others are
// refused with ErrVersionUnavailable.
func checkRetained(t *testing.T, s *CommitStore) {
	t.Helper()
	latest := s.LastCommitID().Version
	first := pruneWatermark(latest, testKeep, testInterval) + 1
	var want []int64
	for v := first; v <= latest; v++ {
		want = append(want, v)
	}
	if got := s.AvailableVersions(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("AvailableVersions at %d = %v, want %v", latest, got, want)
	}
	for _, v := range want {
		if err := s.Export(v, io.Discard); err != nil {
			t.Fatalf("export of retained version %d: %v", v, err)
		}
	}
	reader := s.NewConcurrentReader(100)
	for v := max(1, first-3); v < first; v++ {
		if _, err := s.ReadOnlyAt(v); !errors.Is(err, ErrVersionUnavailable) {
			t.Fatalf("ReadOnlyAt(%d) of a pruned version: %v, want ErrVersionUnavailable", v, err)
		}
		if _, err := reader.At(v); !errors.Is(err, ErrVersionUnavailable) {
			t.Fatalf("ConcurrentReader.At(%d) of a pruned version: %v, want ErrVersionUnavailable", v, err)
		}
	}
}

// TestBackgroundPruningDeletesWhatSyncPruningDeletes: once it has caught
// up, the background pruning leaves the database record for record as
// IAVL's synchronous pruning does, empty versions included.
func TestBackgroundPruningDeletesWhatSyncPruningDeletes(t *testing.T) {
	db := idb.NewMemDB()
	s, err := Open(db, Options{PruneKeepRecent: testKeep, PruneInterval: testInterval})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	commitVersions(t, s, 95)
	if err := s.pruner.wait(); err != nil {
		t.Fatal(err)
	}
	checkRetained(t, s)
	if st := s.PruneStats(); st.Watermark != 85 || st.Backlog != 0 || st.Deleted != 85 {
		t.Fatalf("PruneStats = %+v, want watermark 85, 85 deleted, no backlog", st)
	}
	sameContents(t, dbContents(t, db), dbContents(t, syncPrunedDB(t, 95)))
}

// TestPrunedVersionRefusedBeforeDeletion: a version is refused from the
// commit that prunes it on, before the background pruning deleted it and
// after a restart that finds it still on disk; the restart deletes it.
func TestPrunedVersionRefusedBeforeDeletion(t *testing.T) {
	dir := t.TempDir()
	opts := Options{PruneKeepRecent: testKeep, PruneInterval: testInterval}
	s, err := OpenDir(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.pruner.halt() // a pruning that has not started yet
	commitVersions(t, s, 40)
	if st := s.PruneStats(); st.Watermark != 35 || st.Backlog != 35 {
		t.Fatalf("PruneStats = %+v, want watermark 35 and 35 versions still on disk", st)
	}
	checkRetained(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = OpenDir(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkRetained(t, s)
	if err := s.pruner.wait(); err != nil {
		t.Fatal(err)
	}
	if st := s.PruneStats(); st.Backlog != 0 || st.Deleted != 35 {
		t.Fatalf("PruneStats after restart = %+v, want 35 deleted, no backlog", st)
	}
	checkRetained(t, s)
}

// TestCloseDuringPruning: Close stops the pruning after at most the version
// it is deleting, and the next Open resumes it to the same end.
func TestCloseDuringPruning(t *testing.T) {
	dir := t.TempDir()
	opts := Options{PruneKeepRecent: testKeep, PruneInterval: testInterval}
	for round := int64(1); round <= 4; round++ {
		s, err := OpenDir(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkRetained(t, s)
		commitVersions(t, s, 40*round)
		start := time.Now()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: Close took %v", round, time.Since(start))
	}
	s, err := OpenDir(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.pruner.wait(); err != nil {
		t.Fatal(err)
	}
	checkRetained(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	sameContents(t, levelContents(t, dir), dbContents(t, syncPrunedDB(t, 160)))
}

// levelContents lists the records of the closed store's database in dir.
func levelContents(t *testing.T, dir string) []string {
	t.Helper()
	db, err := idb.NewGoLevelDBWithOpts(dbName, dir, levelDBOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return dbContents(t, db)
}

// TestRollbackWithPruning: a rollback stops and restarts the pruning, and
// refuses a pruned target.
func TestRollbackWithPruning(t *testing.T) {
	s := newMemStore(t, Options{PruneKeepRecent: testKeep, PruneInterval: testInterval})
	commitVersions(t, s, 42)
	if err := s.RollbackTo(35); !errors.Is(err, ErrVersionUnavailable) {
		t.Fatalf("RollbackTo(35), pruned at 40: %v, want ErrVersionUnavailable", err)
	}
	if err := s.RollbackTo(38); err != nil {
		t.Fatal(err)
	}
	commitVersions(t, s, 55)
	if err := s.pruner.wait(); err != nil {
		t.Fatal(err)
	}
	checkRetained(t, s)
}

// The killed-node test: a child process (this test binary, selected by
// pruneChildEnv) commits versions with writeVersion's writes into the store
// in the directory the variable names, printing "<version> <hash> <backlog>"
// after each commit, until it is killed.
const pruneChildEnv = "ICND_STORE_PRUNE_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(pruneChildEnv); dir != "" {
		os.Exit(pruneChild(dir))
	}
	os.Exit(m.Run())
}

func pruneChild(dir string) int {
	s, err := OpenDir(dir, Options{PruneKeepRecent: testKeep, PruneInterval: testInterval})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	kv := s.Working()
	for v := s.LastCommitID().Version + 1; ; v++ {
		writeVersion(kv.Set, v)
		id, err := s.Commit()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("%d %X %d\n", id.Version, id.Hash, s.PruneStats().Backlog)
	}
}

// TestKilledDuringPruningRestarts kills (SIGKILL) a process committing with
// pruning, several times, each time while its background pruning has
// versions to delete, and checks after each kill that the store reopens at
// the last version the process reported (or the one after, if the kill
// came between the commit and its report) with the same hash, that every
// retained version reads in full and every pruned one is refused; and at
// the end that, once caught up, the database holds exactly what
// synchronous pruning leaves.
func TestKilledDuringPruningRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	opts := Options{PruneKeepRecent: testKeep, PruneInterval: testInterval}
	hashes := map[int64]string{}
	for kill, after := range []int{23, 7, 41, 15, 30} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), pruneChildEnv+"="+dir)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		var reported int64
		for n := 0; lines.Scan(); n++ {
			f := strings.Fields(lines.Text())
			if len(f) != 3 {
				t.Fatalf("child printed %q", lines.Text())
			}
			reported, _ = strconv.ParseInt(f[0], 10, 64)
			hashes[reported] = f[1]
			if backlog, _ := strconv.ParseInt(f[2], 10, 64); n >= after && backlog > 0 {
				// Somewhere in a commit or a pruning batch.
				time.Sleep(time.Duration(kill) * 700 * time.Microsecond)
				break
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		// The child kept committing while this loop slept; what it printed
		// before the kill is still in the pipe. Each line is one write, well
		// under PIPE_BUF, so no line is cut.
		for lines.Scan() {
			f := strings.Fields(lines.Text())
			if len(f) != 3 {
				t.Fatalf("child printed %q", lines.Text())
			}
			reported, _ = strconv.ParseInt(f[0], 10, 64)
			hashes[reported] = f[1]
		}
		_ = cmd.Wait()
		if reported == 0 {
			t.Fatal("the child reported no commit")
		}

		s, err := OpenDir(dir, opts)
		if err != nil {
			t.Fatalf("kill %d: reopening after the kill at version %d: %v", kill, reported, err)
		}
		id := s.LastCommitID()
		if id.Version < reported {
			t.Fatalf("kill %d: reopened at version %d, below the reported %d", kill, id.Version, reported)
		}
		if want, ok := hashes[id.Version]; ok && fmt.Sprintf("%X", id.Hash) != want {
			t.Fatalf("kill %d: version %d reopened with hash %X, committed %s", kill, id.Version, id.Hash, want)
		}
		if id.Version > reported+1 {
			t.Fatalf("kill %d: reopened at version %d, reported %d", kill, id.Version, reported)
		}
		t.Logf("kill %d: reported %d, reopened at %d with %d versions to prune", kill, reported, id.Version, s.PruneStats().Backlog)
		checkRetained(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}

	s, err := OpenDir(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	last := s.LastCommitID().Version + 3
	commitVersions(t, s, last)
	if err := s.pruner.wait(); err != nil {
		t.Fatal(err)
	}
	checkRetained(t, s)
	want := syncPrunedDB(t, last)
	ref := iavl.NewMutableTree(want, 100, skipFastStorage, iavl.NewNopLogger())
	if _, err := ref.Load(); err != nil {
		t.Fatal(err)
	}
	if got := s.LastCommitID().Hash; !bytes.Equal(got, ref.Hash()) {
		t.Fatalf("hash at %d: %X, a store that was never killed: %X", last, got, ref.Hash())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	sameContents(t, levelContents(t, dir), dbContents(t, want))
}

// TestPruneStatsInitialVersion: a chain whose genesis starts at a later
// height (InitialVersion) has no versions below it; the pruning neither
// counts them as deleted nor reports them as a backlog.
func TestPruneStatsInitialVersion(t *testing.T) {
	s := newMemStore(t, Options{PruneKeepRecent: testKeep, PruneInterval: testInterval, InitialVersion: 1000})
	kv := s.Working()
	for v := int64(1000); v <= 1025; v++ {
		writeVersion(kv.Set, v)
		if id, err := s.Commit(); err != nil || id.Version != v {
			t.Fatalf("commit of version %d: %v, %v", v, id, err)
		}
		// 1010 refuses 1000 to 1005: six versions, none yet deleted at
		// the latest.
		if v == 1010 {
			if st := s.PruneStats(); st.Watermark != 1005 || st.Backlog+st.Deleted != 6 {
				t.Fatalf("PruneStats after 1010 = %+v, want watermark 1005 and backlog + deleted = 6", st)
			}
		}
	}
	if err := s.pruner.wait(); err != nil {
		t.Fatal(err)
	}
	// 1020 refuses up to 1015: versions 1000 to 1015.
	if st := s.PruneStats(); st.Watermark != 1015 || st.Backlog != 0 || st.Deleted != 16 {
		t.Fatalf("PruneStats = %+v, want watermark 1015, 16 deleted, no backlog", st)
	}
}
