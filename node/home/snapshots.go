package home

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/types"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/store"
)

// snapshotStore is the home's snapshot directory.
func snapshotStore(cfg *cmtcfg.Config) *abci.SnapshotStore {
	return abci.NewSnapshotStore(filepath.Join(cfg.DBDir(), abci.SnapshotsDir), 0)
}

// ListSnapshots returns the snapshots the node in home has taken, the most
// recent first. It reads only the snapshot files, so the node may run.
func ListSnapshots(home string) ([]abci.SnapshotInfo, error) {
	cfg, err := abci.LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	return snapshotStore(cfg).List()
}

// SnapshotFile describes a snapshot stream written to or read from a file.
type SnapshotFile struct {
	Path    string        `json:"path"`
	Height  int64         `json:"height"`
	AppHash abci.HexBytes `json:"app_hash"`
	Size    int64         `json:"size"`
	// Stored is set when the file is a copy of a snapshot the node took;
	// otherwise it was exported from the app store.
	Stored bool `json:"stored"`
}

// ExportSnapshot writes the snapshot stream of the state at height to the
// new file out. A snapshot the node took at height is copied (the node may
// run); otherwise the state is exported from the app store, which needs the
// node stopped and the height retained (height 0: the last committed one).
func ExportSnapshot(home string, height int64, out string) (*SnapshotFile, error) {
	if height < 0 {
		return nil, fmt.Errorf("height %d is negative", height)
	}
	cfg, err := abci.LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	if height > 0 {
		if _, err := snapshotStore(cfg).Get(height); err == nil {
			return writeSnapshotFile(out, true, func(w io.Writer) error {
				f, err := os.Open(snapshotStore(cfg).DataPath(height))
				if err != nil {
					return err
				}
				defer f.Close()
				_, err = io.Copy(w, f)
				return err
			})
		}
	}
	a, cms, _, err := openApp(home)
	if err != nil {
		return nil, err
	}
	defer cms.Close()
	if height == 0 {
		height = a.LastCommit().Version
		if height == 0 {
			return nil, errors.New("the app store holds no committed state")
		}
	}
	return writeSnapshotFile(out, false, func(w io.Writer) error { return a.ExportSnapshot(height, w) })
}

// writeSnapshotFile writes the stream from write to the new file path,
// through a temporary file, and describes it from its header.
func writeSnapshotFile(path string, stored bool, write func(io.Writer) error) (*SnapshotFile, error) {
	if exists(path) {
		return nil, fmt.Errorf("%s exists; choose a new file", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snapshot-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	info, err := readSnapshotFile(tmp.Name())
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	info.Path, info.Stored = path, stored
	return info, nil
}

// readSnapshotFile describes the snapshot file at path from its header.
func readSnapshotFile(path string) (*SnapshotFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	version, root, err := store.ReadSnapshotHeader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &SnapshotFile{Path: path, Height: version, AppHash: root, Size: st.Size()}, nil
}

// RestoreResult is what RestoreSnapshot left in the home.
type RestoreResult struct {
	Height  int64         `json:"height"`
	AppHash abci.HexBytes `json:"app_hash"`
	ChainID string        `json:"chain_id"`
}

// RestoreSnapshot restores the snapshot file into the stopped node in home,
// whose data directory must hold no state (a fresh `icnd init`), so that
// `icnd start` goes on from the snapshot's height: the file is imported into
// the app store, and CometBFT's state at that height is bootstrapped with
// the light client configured in config.toml's [statesync] section
// (rpc_servers, trust_height, trust_hash, trust_period), which also checks
// the file's app hash against the chain's header. Without that section it
// refuses, changing nothing. On any failure it removes what it wrote.
func RestoreSnapshot(ctx context.Context, home, file string) (*RestoreResult, error) {
	cfg, err := abci.LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	ss := cfg.StateSync
	if len(ss.RPCServers) < 2 || ss.TrustHeight <= 0 || ss.TrustHash == "" || ss.TrustPeriod <= 0 {
		return nil, errors.New("config.toml [statesync] needs rpc_servers (two or more), trust_height, trust_hash and trust_period: the light client checks the snapshot's app hash against the chain and bootstraps CometBFT's state from them")
	}
	cometDBs := []string{filepath.Join(cfg.DBDir(), "blockstore.db"), filepath.Join(cfg.DBDir(), "state.db")}
	for _, p := range cometDBs {
		if exists(p) {
			return nil, fmt.Errorf("%s exists: restore needs a home whose node has never run (a fresh `icnd init` with this chain's genesis.json)", p)
		}
	}
	snap, err := readSnapshotFile(file)
	if err != nil {
		return nil, err
	}
	genDoc, err := types.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("read genesis: %w", err)
	}
	a, cms, _, err := openApp(home)
	if err != nil {
		return nil, err
	}
	appDB := filepath.Join(cfg.DBDir(), "application.db")
	undo := func(err error) (*RestoreResult, error) {
		return nil, errors.Join(err, os.RemoveAll(appDB), os.RemoveAll(cometDBs[0]), os.RemoveAll(cometDBs[1]))
	}
	if last := a.LastCommit(); last.Version != 0 {
		cms.Close()
		return nil, fmt.Errorf("the app store already holds height %d: restore needs an empty data directory", last.Version)
	}
	f, err := os.Open(file)
	if err != nil {
		cms.Close()
		return nil, err
	}
	id, err := a.Restore(f)
	f.Close()
	chainID := a.ChainID()
	if cerr := cms.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return undo(fmt.Errorf("restore %s: %w", file, err))
	}
	if chainID != genDoc.ChainID {
		return undo(fmt.Errorf("the snapshot is of chain %q, genesis.json of %q", chainID, genDoc.ChainID))
	}
	if err := node.BootstrapState(ctx, cfg, cmtcfg.DefaultDBProvider, uint64(id.Version), id.Hash); err != nil {
		return undo(fmt.Errorf("bootstrap CometBFT state at height %d: %w", id.Version, err))
	}
	return &RestoreResult{Height: id.Version, AppHash: snap.AppHash, ChainID: chainID}, nil
}
