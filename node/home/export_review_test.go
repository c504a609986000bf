package home

import (
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	cmtstate "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/types"
)

// TestExportKeepsTheLastBlocksValidatorChange: the validator changes of the
// exported height itself (a passed root proposal executed in its last
// block, which CometBFT applies two heights later) are part of the exported
// validators: the new chain starts with the set the app recorded, not the
// one before the change.
func TestExportKeepsTheLastBlocksValidatorChange(t *testing.T) {
	home, _ := initHome(t)
	a, cms, cometCfg, err := openApp(home)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := types.GenesisDocFromFile(cometCfg.GenesisFile())
	if err != nil {
		t.Fatal(err)
	}
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
	if err := cms.Close(); err != nil {
		t.Fatal(err)
	}

	// CometBFT's state after block 2, whose validator updates added a
	// second validator: it signs from height 4.
	before := types.NewValidatorSet([]*types.Validator{types.NewValidator(cmted25519.GenPrivKey().PubKey(), 10)})
	after := before.Copy()
	added := types.NewValidator(cmted25519.GenPrivKey().PubKey(), 10)
	if err := after.UpdateWithChangeSet([]*types.Validator{added}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"blockstore", "state"} {
		db, err := dbm.NewDB(name, dbm.BackendType(cometCfg.DBBackend), cometCfg.DBDir())
		if err != nil {
			t.Fatal(err)
		}
		if name == "state" {
			st := cmtstate.NewStore(db, cmtstate.StoreOptions{})
			s := cmtstate.State{ChainID: doc.ChainID, InitialHeight: 1, ConsensusParams: *doc.ConsensusParams,
				LastBlockHeight: 1, Validators: before.Copy(), NextValidators: before.Copy(), LastValidators: before.Copy(),
				LastHeightValidatorsChanged: 3, LastHeightConsensusParamsChanged: 2}
			if err := st.Save(s); err != nil {
				t.Fatal(err)
			}
			s.LastBlockHeight, s.NextValidators, s.LastHeightValidatorsChanged = 2, after.Copy(), 4
			if err := st.Save(s); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}

	out, err := Export(home, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Validators) != 2 {
		t.Fatalf("exported %d validators, want the 2 after block 2's change", len(out.Validators))
	}
}
