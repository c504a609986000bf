package home

import (
	"bytes"
	"fmt"

	cmtstate "github.com/cometbft/cometbft/state"
)

// RollbackResult is the state a rollback left.
type RollbackResult struct {
	// Height is the new last height of both CometBFT's state and the app.
	Height int64 `json:"height"`
	// AppHash is the app hash CometBFT's state records for Height.
	AppHash []byte `json:"app_hash"`
	// AppRolledBackFrom is the app store's last height before the
	// rollback (equal to Height when the app had nothing to undo).
	AppRolledBackFrom int64 `json:"app_rolled_back_from"`
	// BlockRemoved is set when hard removed the last block too.
	BlockRemoved bool `json:"block_removed"`
}

// Rollback rolls the (stopped) node in home back by one height, as
// `cometbft rollback` does, and then rolls the app store back to the same
// height, so that on restart CometBFT replays the block against matching
// app state. With hard the last block is removed from the block store too,
// and the node fetches it again from its peers.
//
// Everything is opened and checked before anything is changed: a running
// node (locked database) or an app store that no longer has the target
// height fails without writing.
func Rollback(home string, hard bool) (*RollbackResult, error) {
	_, cms, cometCfg, err := openApp(home)
	if err != nil {
		return nil, err
	}
	defer cms.Close()
	stores, err := openCometStores(cometCfg)
	if err != nil {
		return nil, err
	}
	defer stores.Close()

	target, err := rollbackTarget(stores)
	if err != nil {
		return nil, err
	}
	appLast := cms.LastCommitID().Version
	if appLast < target {
		return nil, fmt.Errorf("the app store is at height %d, below the rollback height %d: nothing to roll back in the app; start the node to let it replay", appLast, target)
	}
	if appLast > target {
		if _, err := cms.ReadOnlyAt(target); err != nil {
			return nil, fmt.Errorf("the app store cannot roll back to height %d: %w", target, err)
		}
	}

	height, hash, err := cmtstate.Rollback(stores.blocks, stores.state, hard)
	if err != nil {
		return nil, fmt.Errorf("roll back CometBFT state: %w", err)
	}
	if height != target {
		return nil, fmt.Errorf("CometBFT rolled back to height %d, expected %d; the app store is unchanged at %d", height, target, appLast)
	}
	if appLast > height {
		if err := cms.RollbackTo(height); err != nil {
			return nil, fmt.Errorf("CometBFT state is at height %d but rolling back the app store failed: %w", height, err)
		}
	}
	if got := cms.LastCommitID(); !bytes.Equal(got.Hash, hash) {
		return nil, fmt.Errorf("after rollback the app store's hash at height %d is %X but CometBFT expects %X", got.Version, got.Hash, hash)
	}
	return &RollbackResult{Height: height, AppHash: hash, AppRolledBackFrom: appLast, BlockRemoved: hard}, nil
}

// rollbackTarget predicts the height cmtstate.Rollback will leave, from
// the same state it reads.
func rollbackTarget(s cometStores) (int64, error) {
	st, err := s.state.Load()
	if err != nil {
		return 0, fmt.Errorf("load CometBFT state: %w", err)
	}
	if st.IsEmpty() {
		return 0, fmt.Errorf("no CometBFT state found: the node has never run")
	}
	if s.blocks.Height() == st.LastBlockHeight+1 {
		return st.LastBlockHeight, nil
	}
	if st.LastBlockHeight <= st.InitialHeight {
		return 0, fmt.Errorf("cannot roll back below height %d", st.LastBlockHeight)
	}
	return st.LastBlockHeight - 1, nil
}
