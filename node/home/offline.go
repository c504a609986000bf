package home

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtstate "github.com/cometbft/cometbft/state"
	cmtstore "github.com/cometbft/cometbft/store"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/store"
)

// ErrNodeRunning is returned by the offline operations when a database of
// the home is locked, which means the node (or another icnd command) has
// it open.
var ErrNodeRunning = errors.New("the node's database is in use: stop the node first")

// lockedErr maps goleveldb's lock failure to ErrNodeRunning.
func lockedErr(what string, err error) error {
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) ||
		strings.Contains(err.Error(), "resource temporarily unavailable") {
		return fmt.Errorf("%w (%s is locked)", ErrNodeRunning, what)
	}
	return fmt.Errorf("open %s: %w", what, err)
}

// openApp opens the home's app over its store, mapping a lock to
// ErrNodeRunning.
func openApp(home string) (*app.App, *store.CommitStore, *cmtcfg.Config, error) {
	cometCfg, err := abci.LoadCometConfig(home)
	if err != nil {
		return nil, nil, nil, err
	}
	appCfg, err := abci.LoadAppConfig(home)
	if err != nil {
		return nil, nil, nil, err
	}
	a, cms, err := abci.OpenApp(home, cometCfg, appCfg)
	if err != nil {
		return nil, nil, nil, lockedErr("the app store", err)
	}
	return a, cms, cometCfg, nil
}

// cometStores are the CometBFT block store and state store of a home.
type cometStores struct {
	blocks *cmtstore.BlockStore
	state  cmtstate.Store
}

func (s cometStores) Close() error {
	return errors.Join(s.blocks.Close(), s.state.Close())
}

// openCometStores opens the block store and state store as `cometbft
// rollback` does, refusing a home without them.
func openCometStores(cfg *cmtcfg.Config) (cometStores, error) {
	backend := dbm.BackendType(cfg.DBBackend)
	for _, name := range []string{"blockstore", "state"} {
		if !exists(filepath.Join(cfg.DBDir(), name+".db")) {
			return cometStores{}, fmt.Errorf("no %s database in %s: the node has never run", name, cfg.DBDir())
		}
	}
	blockDB, err := dbm.NewDB("blockstore", backend, cfg.DBDir())
	if err != nil {
		return cometStores{}, lockedErr("the block store", err)
	}
	stateDB, err := dbm.NewDB("state", backend, cfg.DBDir())
	if err != nil {
		blockDB.Close()
		return cometStores{}, lockedErr("the state store", err)
	}
	return cometStores{
		blocks: cmtstore.NewBlockStore(blockDB),
		state:  cmtstate.NewStore(stateDB, cmtstate.StoreOptions{DiscardABCIResponses: cfg.Storage.DiscardABCIResponses}),
	}, nil
}
