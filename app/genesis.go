package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/identity"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/store"
)

// GenesisState is the app_state of genesis.json: one section per module.
type GenesisState struct {
	Identity identity.Genesis `json:"identity"`
	Mana     mana.Genesis     `json:"mana"`
	DAG      dag.Genesis      `json:"dag"`
}

// DefaultGenesis is an empty chain with default params.
func DefaultGenesis() GenesisState {
	return GenesisState{
		Identity: identity.Genesis{Documents: nil},
		Mana:     mana.DefaultGenesis(MessageSpecs()),
		DAG:      dag.Genesis{},
	}
}

// MessageSpecs returns the spec of every message the app executes, sorted
// by name: the message table without its handlers.
func MessageSpecs() []modules.MsgSpec {
	// The keepers hold no state, so a throwaway set yields the same rows
	// as a running App's.
	a := &App{}
	a.wireKeepers()
	t, err := newMsgTable(a.messageRows())
	if err != nil {
		// The same table is built by New, which every test and node
		// start runs first; an inconsistent table is a programming error.
		panic(err)
	}
	return t.specs()
}

// ParseGenesis decodes app_state strictly: unknown fields are an error, so
// a misspelt field never silently becomes a default.
func ParseGenesis(raw []byte) (GenesisState, error) {
	var g GenesisState
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return GenesisState{}, fmt.Errorf("app_state: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return GenesisState{}, errors.New("app_state: trailing data after the JSON object")
	}
	return g, nil
}

// Validate checks each module's genesis and that references between them
// resolve: mana accounts and dag entries name registered DIDs.
func (g GenesisState) Validate() error {
	if err := g.Identity.Validate(); err != nil {
		return err
	}
	dids := make(map[string]bool)
	for _, d := range g.Identity.DIDs() {
		dids[d] = true
	}
	if err := g.Mana.Validate(MessageSpecs(), dids); err != nil {
		return err
	}
	return g.DAG.Validate(dids)
}

// chainIDKey records the chain id in the app's own prefix, so that a
// restarted node knows it without reading genesis.json again.
var chainIDKey = []byte{modules.PrefixApp, 0x01}

func readChainID(kv store.KVStore) (string, error) {
	bz := kv.Get(chainIDKey)
	if len(bz) == 0 {
		return "", errors.New("app: committed state has no chain id")
	}
	return string(bz), nil
}

// InitChain validates the genesis app state and writes it into the working
// tree at initialHeight. It returns the app hash of the genesis state; the
// first Commit persists it together with the first block.
func (a *App) InitChain(chainID string, initialHeight int64, genesisTime time.Time, appState []byte) ([]byte, error) {
	if last := a.cms.LastCommitID(); last.Version != 0 {
		return nil, fmt.Errorf("app: InitChain on a store that has height %d", last.Version)
	}
	if chainID == "" || len(chainID) > MaxChainIDLength {
		return nil, fmt.Errorf("app: chain id must have 1 to %d bytes", MaxChainIDLength)
	}
	g, err := ParseGenesis(appState)
	if err != nil {
		return nil, err
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if initialHeight < 1 {
		return nil, fmt.Errorf("app: initial height %d, want at least 1", initialHeight)
	}
	a.chainID = chainID
	a.initialHeight = initialHeight
	kv := a.cms.Working()
	kv.Set(chainIDKey, []byte(chainID))
	ctx := modules.NewContext(chainID, initialHeight, genesisTime, kv)
	if err := a.identity.InitGenesis(ctx, g.Identity); err != nil {
		return nil, err
	}
	if err := a.mana.InitGenesis(ctx, g.Mana, g.Identity.DIDs()); err != nil {
		return nil, err
	}
	if err := a.dag.InitGenesis(ctx, g.DAG); err != nil {
		return nil, err
	}
	a.lastBlockTime = genesisTime
	return a.cms.WorkingHash(), nil
}

// ExportGenesis returns the app state at a committed height (0 = latest) in
// genesis form.
func (a *App) ExportGenesis(height int64) (GenesisState, int64, error) {
	if height == 0 {
		height = a.cms.LastCommitID().Version
	}
	ro, err := a.cms.ReadOnlyAt(height)
	if err != nil {
		return GenesisState{}, 0, err
	}
	ctx := modules.NewContext(a.chainID, height, time.Time{}, ro)
	var g GenesisState
	if g.Identity, err = a.identity.ExportGenesis(ctx); err != nil {
		return GenesisState{}, 0, err
	}
	if g.Mana, err = a.mana.ExportGenesis(ctx); err != nil {
		return GenesisState{}, 0, err
	}
	if g.DAG, err = a.dag.ExportGenesis(ctx); err != nil {
		return GenesisState{}, 0, err
	}
	return g, height, nil
}
