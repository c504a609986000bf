package home

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/types"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/app"
	didmod "github.com/intercooperative/icnd/modules/did"
)

func initHome(t *testing.T) (string, *InitResult) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	res, err := Init(InitOptions{Home: home, Moniker: "m", ChainID: "icn-test"})
	if err != nil {
		t.Fatal(err)
	}
	return home, res
}

func TestInit(t *testing.T) {
	home, res := initHome(t)
	for _, f := range []string{"config/config.toml", "config/app.toml", "config/genesis.json", "config/node_key.json", "config/priv_validator_key.json", "data/priv_validator_state.json"} {
		if _, err := os.Stat(filepath.Join(home, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	doc, warnings, err := ValidateGenesisFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil || len(warnings) != 0 {
		t.Fatalf("genesis: %v %v", err, warnings)
	}
	if doc.ChainID != "icn-test" || len(doc.Validators) != 1 || doc.Validators[0].Power != DefaultValidatorPower ||
		doc.Validators[0].Address.String() != res.ValidatorAddress {
		t.Fatalf("genesis = %+v", doc)
	}
	if doc.ConsensusParams.Version.App != app.Version {
		t.Fatalf("consensus_params.version.app = %d, want %d", doc.ConsensusParams.Version.App, app.Version)
	}
	if _, err := abci.LoadCometConfig(home); err != nil {
		t.Fatal(err)
	}

	// A second init refuses to replace the genesis; --overwrite replaces it
	// but keeps the keys.
	if _, err := Init(InitOptions{Home: home, Moniker: "m", ChainID: "other"}); !errors.Is(err, ErrGenesisExists) {
		t.Fatalf("second Init: %v, want ErrGenesisExists", err)
	}
	again, err := Init(InitOptions{Home: home, Moniker: "m", ChainID: "other", Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if again.NodeID != res.NodeID || again.ValidatorAddress != res.ValidatorAddress {
		t.Fatalf("overwrite changed the keys: %+v then %+v", res, again)
	}
	if doc, _, err := ValidateGenesisFile(filepath.Join(home, "config", "genesis.json")); err != nil || doc.ChainID != "other" {
		t.Fatalf("overwritten genesis: %v, %v", doc, err)
	}
}

func TestAddAccount(t *testing.T) {
	state := app.DefaultGenesis()
	pub, _, _ := ed25519.GenerateKey(nil)
	did, err := AddAccount(&state, GenesisAccount{PublicKey: pub, Balance: 5, Capacity: 10, Rate: 1})
	if err != nil {
		t.Fatal(err)
	}
	if did != didmod.DeriveDID(pub) {
		t.Fatalf("did %s, want %s", did, didmod.DeriveDID(pub))
	}
	if err := state.Validate(); err != nil {
		t.Fatalf("state after AddAccount: %v", err)
	}
	if _, err := AddAccount(&state, GenesisAccount{PublicKey: pub, Balance: 1, Capacity: 1}); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate: %v, want ErrDuplicate", err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	for name, acc := range map[string]GenesisAccount{
		"balance over capacity": {PublicKey: other, Balance: 2, Capacity: 1},
		"DID without document":  {DID: didmod.DeriveDID(other)},
		"DID of another key":    {PublicKey: other, DID: did},
		"bad DID":               {DID: "did:icn:nope"},
	} {
		if _, err := AddAccount(&state, acc); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if len(state.Mana.Accounts) != 1 || len(state.DID.Documents) != 1 {
		t.Fatalf("failed adds changed the state: %+v", state)
	}
}

func TestAddValidator(t *testing.T) {
	doc, err := NewGenesisDoc("c", time.Time{}, app.DefaultGenesis())
	if err != nil {
		t.Fatal(err)
	}
	pub := cmted25519.GenPrivKey().PubKey()
	if err := AddValidator(doc, pub, 10, "v"); err != nil {
		t.Fatal(err)
	}
	if err := AddValidator(doc, pub, 5, "again"); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := AddValidator(doc, cmted25519.GenPrivKey().PubKey(), 0, "zero"); err == nil {
		t.Fatal("power 0 accepted")
	}
	if err := doc.ValidateAndComplete(); err != nil {
		t.Fatal(err)
	}
}

func TestWriteGenesisRoundTrip(t *testing.T) {
	home, _ := initHome(t)
	path := filepath.Join(home, "config", "genesis.json")
	doc, state, err := ReadGenesis(path)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	did, err := AddAccount(&state, GenesisAccount{PublicKey: pub, Balance: 1, Capacity: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteGenesis(path, doc, state); err != nil {
		t.Fatal(err)
	}
	_, back, err := ReadGenesis(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Mana.Accounts) != 1 || back.Mana.Accounts[0].DID != did || !bytes.Equal(back.DID.Documents[0].Keys[0].PublicKey, pub) {
		t.Fatalf("read back %+v", back)
	}
}

func TestEditGenesis(t *testing.T) {
	home, _ := initHome(t)
	path := filepath.Join(home, "config", "genesis.json")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	refused := errors.New("refused")
	err = EditGenesis(path, func(_ *types.GenesisDoc, state *app.GenesisState) error {
		if _, err := AddAccount(state, GenesisAccount{PublicKey: pub, Balance: 1, Capacity: 1}); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("failed edit: %v", err)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("a failed edit changed the file (read error %v)", err)
	}
	var did string
	err = EditGenesis(path, func(_ *types.GenesisDoc, state *app.GenesisState) error {
		did, err = AddAccount(state, GenesisAccount{PublicKey: pub, Balance: 1, Capacity: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, back, err := ReadGenesis(path); err != nil || len(back.Mana.Accounts) != 1 || back.Mana.Accounts[0].DID != did {
		t.Fatalf("read back %+v, %v", back, err)
	}
}

// TestExport commits one block through the app directly (no CometBFT) and
// exports it.
func TestExport(t *testing.T) {
	home, _ := initHome(t)
	path := filepath.Join(home, "config", "genesis.json")
	doc, state, err := ReadGenesis(path)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	_, err = AddAccount(&state, GenesisAccount{PublicKey: pub, Balance: 7, Capacity: 100, Rate: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteGenesis(path, doc, state); err != nil {
		t.Fatal(err)
	}

	a, cms, _, err := openApp(home)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(doc.ChainID, 1, doc.GenesisTime, doc.AppState); err != nil {
		t.Fatal(err)
	}
	if _, err := a.FinalizeBlock(1, doc.GenesisTime.Add(time.Second), nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Commit(); err != nil {
		t.Fatal(err)
	}

	// While the store is open, as in a running node, export refuses.
	if _, err := Export(home, 0); !errors.Is(err, ErrNodeRunning) {
		t.Fatalf("export with the store open: %v, want ErrNodeRunning", err)
	}
	if err := cms.Close(); err != nil {
		t.Fatal(err)
	}

	// An app store without CometBFT's stores is a broken home: export
	// refuses rather than guess the validators. tests/e2e exports from a
	// real node.
	if _, err := Export(home, 0); err == nil || !strings.Contains(err.Error(), "never run") {
		t.Fatalf("export without CometBFT's stores: %v", err)
	}
	if _, err := Export(home, 5); err == nil {
		t.Fatal("export of an uncommitted height: want an error")
	}
}
