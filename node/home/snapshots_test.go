package home

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/abci"
)

// committedHome is a stopped home whose app committed heights 1 and 2.
func committedHome(t *testing.T) (string, []byte) {
	t.Helper()
	home, _ := initHome(t)
	doc, _, err := ReadGenesis(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, cms, _, err := openApp(home)
	if err != nil {
		t.Fatal(err)
	}
	defer cms.Close()
	if _, err := a.InitChain(doc.ChainID, 1, doc.GenesisTime, doc.AppState); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 2; h++ {
		if _, err := a.FinalizeBlock(h, doc.GenesisTime.Add(time.Duration(h)*time.Second), nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return home, a.LastCommit().Hash
}

// setStateSync writes a [statesync] light-client section into home's
// config.toml, with RPC servers that refuse connections.
func setStateSync(t *testing.T, home string) {
	t.Helper()
	cfg, err := abci.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.StateSync.RPCServers = []string{"tcp://127.0.0.1:1", "tcp://127.0.0.1:2"}
	cfg.StateSync.TrustHeight = 1
	cfg.StateSync.TrustHash = strings.Repeat("AB", 32)
	if err := WriteConfig(cfg); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotsExportAndList exports the last committed state from the app
// store, lists a snapshot the node took, and exports that as a copy.
func TestSnapshotsExportAndList(t *testing.T) {
	home, appHash := committedHome(t)
	out := filepath.Join(t.TempDir(), "state.snap")
	res, err := ExportSnapshot(home, 0, out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Height != 2 || !bytes.Equal(res.AppHash, appHash) || res.Stored || res.Path != out {
		t.Fatalf("export: %+v, want height 2 app hash %X", res, appHash)
	}
	if _, err := ExportSnapshot(home, 0, out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("export over an existing file: %v", err)
	}
	if _, err := ExportSnapshot(home, 7, filepath.Join(t.TempDir(), "x")); err == nil {
		t.Fatal("export of an uncommitted height: want an error")
	}

	if list, err := ListSnapshots(home); err != nil || len(list) != 0 {
		t.Fatalf("list before any snapshot: %v %v", list, err)
	}
	stream, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	st := abci.NewSnapshotStore(filepath.Join(home, "data", abci.SnapshotsDir), 0)
	if _, err := st.Create(2, appHash, func(w io.Writer) error { _, err := w.Write(stream); return err }); err != nil {
		t.Fatal(err)
	}
	list, err := ListSnapshots(home)
	if err != nil || len(list) != 1 || list[0].Height != 2 || !bytes.Equal(list[0].AppHash, appHash) || list[0].Size != int64(len(stream)) {
		t.Fatalf("list: %+v %v", list, err)
	}
	copied := filepath.Join(t.TempDir(), "copy.snap")
	res, err = ExportSnapshot(home, 2, copied)
	if err != nil || !res.Stored || res.Height != 2 {
		t.Fatalf("export of a stored snapshot: %+v %v", res, err)
	}
	if bz, _ := os.ReadFile(copied); !bytes.Equal(bz, stream) {
		t.Fatal("the copied snapshot differs from the stored one")
	}
}

// TestSnapshotRestoreRefusals checks that restore changes nothing in the
// home when it cannot finish: no light-client config, a home that holds
// state, a snapshot of another chain, and a light client that cannot
// reach the chain (the full restore runs in tests/e2e).
func TestSnapshotRestoreRefusals(t *testing.T) {
	src, _ := committedHome(t)
	file := filepath.Join(t.TempDir(), "state.snap")
	if _, err := ExportSnapshot(src, 0, file); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	appDB := func(home string) string { return filepath.Join(home, "data", "application.db") }

	fresh, _ := initHome(t)
	if _, err := RestoreSnapshot(ctx, fresh, file); err == nil || !strings.Contains(err.Error(), "[statesync]") {
		t.Fatalf("restore without [statesync]: %v", err)
	}
	setStateSync(t, src)
	if _, err := RestoreSnapshot(ctx, src, file); err == nil || !strings.Contains(err.Error(), "already holds height 2") {
		t.Fatalf("restore into a home with state: %v", err)
	}

	// Same chain id, unreachable light client: the app store is removed.
	setStateSync(t, fresh)
	if err := copyFile(filepath.Join(src, "config", "genesis.json"), filepath.Join(fresh, "config", "genesis.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := RestoreSnapshot(ctx, fresh, file); err == nil || !strings.Contains(err.Error(), "bootstrap CometBFT state at height 2") {
		t.Fatalf("restore with an unreachable light client: %v", err)
	}
	for _, db := range []string{appDB(fresh), filepath.Join(fresh, "data", "blockstore.db"), filepath.Join(fresh, "data", "state.db")} {
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Fatalf("a failed restore left %s: %v", db, err)
		}
	}

	other := filepath.Join(t.TempDir(), "other")
	if _, err := Init(InitOptions{Home: other, Moniker: "m", ChainID: "icn-other"}); err != nil {
		t.Fatal(err)
	}
	setStateSync(t, other)
	if _, err := RestoreSnapshot(ctx, other, file); err == nil || !strings.Contains(err.Error(), `chain "icn-test"`) {
		t.Fatalf("restore of another chain's snapshot: %v", err)
	}
	if _, err := os.Stat(appDB(other)); !os.IsNotExist(err) {
		t.Fatalf("a failed restore left the app store: %v", err)
	}
}

func copyFile(from, to string) error {
	bz, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, bz, 0o600)
}
