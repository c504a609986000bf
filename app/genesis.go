package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/modules/profile"
	"github.com/intercooperative/icnd/store"
)

// GenesisState is the app_state of genesis.json: one section per module.
type GenesisState struct {
	DID        did.Genesis        `json:"did"`
	Org        org.Genesis        `json:"org"`
	Credential credential.Genesis `json:"credential"`
	Profile    profile.Genesis    `json:"profile"`
	Mana       mana.Genesis       `json:"mana"`
	DAG        dag.Genesis        `json:"dag"`
}

// DefaultGenesis is an empty chain with default params.
func DefaultGenesis() GenesisState {
	return GenesisState{Mana: mana.DefaultGenesis()}
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
// resolve: organizations name DIDs with documents, and credentials,
// profiles, mana accounts and dag entries name registered DIDs.
func (g GenesisState) Validate() error {
	if err := g.DID.Validate(); err != nil {
		return err
	}
	if err := g.Org.Validate(set(g.DID.DIDs())); err != nil {
		return err
	}
	dids := set(g.RegisteredDIDs())
	if err := g.Credential.Validate(dids); err != nil {
		return err
	}
	if err := g.Profile.Validate(dids); err != nil {
		return err
	}
	if err := g.Mana.Validate(KnownMessages(), dids); err != nil {
		return err
	}
	return g.DAG.Validate(dids)
}

// RegisteredDIDs returns every DID the genesis registers, those of the did
// documents and of the organizations, sorted. The caller owns the slice.
func (g GenesisState) RegisteredDIDs() []string {
	out := append(g.DID.DIDs(), g.Org.DIDs()...)
	sort.Strings(out)
	return out
}

// set returns a lookup of the strings in list.
func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
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
	// did first: org registers its organizations' documents through it.
	if err := a.did.InitGenesis(ctx, g.DID); err != nil {
		return nil, err
	}
	if err := a.org.InitGenesis(ctx, g.Org); err != nil {
		return nil, err
	}
	if err := a.credential.InitGenesis(ctx, g.Credential); err != nil {
		return nil, err
	}
	if err := a.profile.InitGenesis(ctx, g.Profile); err != nil {
		return nil, err
	}
	if err := a.mana.InitGenesis(ctx, g.Mana, g.RegisteredDIDs()); err != nil {
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
	if g.DID, err = a.did.ExportGenesis(ctx); err != nil {
		return GenesisState{}, 0, err
	}
	if g.Org, err = a.org.ExportGenesis(ctx); err != nil {
		return GenesisState{}, 0, err
	}
	if g.Credential, err = a.credential.ExportGenesis(ctx); err != nil {
		return GenesisState{}, 0, err
	}
	if g.Profile, err = a.profile.ExportGenesis(ctx); err != nil {
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
