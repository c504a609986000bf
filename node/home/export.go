package home

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/types"
)

// Export returns a genesis document that restarts the chain of the
// (stopped) node in home from the app state committed at height (0 = the
// latest): the original genesis with app_state replaced by the exported
// state, initial_height height+1, app_hash the app hash committed at
// height, and, when the node's CometBFT state still has them, the
// validators after block height's changes (those CometBFT puts in force
// at height+2) and the consensus params in force for height+1.
func Export(home string, height int64) (*types.GenesisDoc, error) {
	a, cms, cometCfg, err := openApp(home)
	if err != nil {
		return nil, err
	}
	defer cms.Close()
	last := a.LastCommit()
	if last.Version == 0 {
		return nil, errors.New("the app store is empty: the node has not committed a block yet")
	}
	if height < 0 || height > last.Version {
		return nil, fmt.Errorf("height %d is not committed (last committed height %d)", height, last.Version)
	}
	state, height, err := a.ExportGenesis(height)
	if err != nil {
		return nil, fmt.Errorf("export app state at height %d: %w", height, err)
	}
	doc, err := types.GenesisDocFromFile(cometCfg.GenesisFile())
	if err != nil {
		return nil, err
	}
	doc.InitialHeight = height + 1
	doc.AppHash = nil
	if height == last.Version {
		doc.AppHash = bytes.Clone(last.Hash)
	}
	if err := SetAppState(doc, state); err != nil {
		return nil, err
	}
	stores, err := openCometStores(cometCfg)
	if err != nil {
		if errors.Is(err, ErrNodeRunning) {
			return nil, err
		}
		return nil, fmt.Errorf("read CometBFT's block and state stores for the validators and params at height %d: %w", height+1, err)
	}
	{
		defer stores.Close()
		// The header of height+1 carries the app hash of height, as agreed
		// by the validators; the app store only keeps its latest hash.
		if meta := stores.blocks.LoadBlockMeta(height + 1); meta != nil {
			if doc.AppHash != nil && !bytes.Equal(doc.AppHash, meta.Header.AppHash) {
				return nil, fmt.Errorf("app store hash %X at height %d differs from the app hash %X in block %d",
					doc.AppHash, height, meta.Header.AppHash, height+1)
			}
			doc.AppHash = bytes.Clone(meta.Header.AppHash)
		}
		// The validators of height+2 include the changes of block height
		// itself (CometBFT applies a block's validator updates two heights
		// later): the set the app recorded after height, which InitChain
		// of the new chain records again. CometBFT saves them with block
		// height; a node stopped between the app's commit and CometBFT's
		// has only height+1's.
		vals, err := stores.state.LoadValidators(height + 2)
		if err != nil {
			if vals, err = stores.state.LoadValidators(height + 1); err != nil {
				return nil, fmt.Errorf("load the validators of height %d: %w", height+1, err)
			}
		}
		doc.Validators = make([]types.GenesisValidator, 0, len(vals.Validators))
		for _, v := range vals.Validators {
			doc.Validators = append(doc.Validators, types.GenesisValidator{Address: v.Address, PubKey: v.PubKey, Power: v.VotingPower})
		}
		params, err := stores.state.LoadConsensusParams(height + 1)
		if err != nil {
			return nil, fmt.Errorf("load the consensus params of height %d: %w", height+1, err)
		}
		doc.ConsensusParams = &params
	}
	return doc, nil
}
