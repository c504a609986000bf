package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/mesh"
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
	Governance governance.Genesis `json:"governance"`
	Mesh       mesh.Genesis       `json:"mesh"`
}

// DefaultGenesis is an empty chain with default params: each module's
// DefaultGenesis.
func DefaultGenesis() GenesisState {
	a := newModuleSet()
	sections := make(map[string]json.RawMessage, len(a.modules))
	facts := modules.GenesisFacts{Messages: a.msgs.specs()}
	for _, m := range a.modules {
		raw, err := m.DefaultGenesis(facts)
		if err != nil {
			panic(fmt.Sprintf("app: default genesis of %s: %v", m.Name(), err))
		}
		sections[m.Name()] = raw
	}
	g, err := sectionsToState(sections)
	if err != nil {
		// The modules' own defaults always decode; this is a bug.
		panic(fmt.Sprintf("app: default genesis: %v", err))
	}
	return g
}

// MessageSpecs returns the spec of every message the app executes, sorted
// by name: the message table without its handlers.
func MessageSpecs() []modules.MsgSpec {
	return newModuleSet().msgs.specs()
}

// newModuleSet returns an App holding only its modules and message table,
// for what needs them without a store (defaults, validation). The keepers
// hold no state, so these are the same rows and rules as a running App's.
func newModuleSet() *App {
	a := &App{}
	if err := a.composeModules(); err != nil {
		// New composes the same modules first on every start and in every
		// test; an inconsistent set is a programming error.
		panic(err)
	}
	return a
}

// ParseGenesis decodes app_state strictly: a section no module owns (by
// its exact name: JSON's case-insensitive field matching is not used), a
// section listed twice, an unknown field or trailing data is an error, so
// a misspelt field never silently becomes a default, and what parses here
// is what InitChain reads.
func ParseGenesis(raw []byte) (GenesisState, error) {
	if _, err := newModuleSet().splitSections(raw); err != nil {
		return GenesisState{}, err
	}
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

// Validate checks each module's section, in module order, and that
// references between them resolve (GenesisFacts): what InitChain checks.
func (g GenesisState) Validate() error {
	raw, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("app_state: %w", err)
	}
	_, _, err = newModuleSet().validateGenesis(raw)
	return err
}

// sectionsToState assembles module sections into the typed GenesisState.
func sectionsToState(sections map[string]json.RawMessage) (GenesisState, error) {
	raw, err := json.Marshal(sections)
	if err != nil {
		return GenesisState{}, err
	}
	return ParseGenesis(raw)
}

// splitSections splits app_state, a JSON object, into its sections by
// their exact names, refusing a name no module owns, a name listed twice
// and anything after the object.
func (a *App) splitSections(appState []byte) (map[string]json.RawMessage, error) {
	owned := make(map[string]bool, len(a.modules))
	for _, m := range a.modules {
		owned[m.Name()] = true
	}
	dec := json.NewDecoder(bytes.NewReader(appState))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("app_state: want a JSON object (%v)", err)
	}
	sections := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("app_state: %w", err)
		}
		name, _ := tok.(string)
		if !owned[name] {
			return nil, fmt.Errorf("app_state: unknown section %q", name)
		}
		if _, dup := sections[name]; dup {
			return nil, fmt.Errorf("app_state: section %q is listed twice", name)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("app_state: section %q: %w", name, err)
		}
		sections[name] = raw
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("app_state: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("app_state: trailing data after the JSON object")
	}
	return sections, nil
}

// validateGenesis splits app_state into the modules' sections, refusing a
// section no module owns, establishes the facts the sections are checked
// against (the registered DIDs, the message table) and validates each
// module's section in module order.
func (a *App) validateGenesis(appState []byte) (map[string]json.RawMessage, modules.GenesisFacts, error) {
	sections, err := a.splitSections(appState)
	if err != nil {
		return nil, modules.GenesisFacts{}, err
	}
	facts := modules.GenesisFacts{DIDs: make(map[string]bool), Documents: make(map[string]bool), Messages: a.msgs.specs()}
	for _, m := range a.modules {
		src, ok := m.(modules.GenesisDIDs)
		if !ok {
			continue
		}
		dids, err := src.GenesisDIDs(sections[m.Name()])
		if err != nil {
			return nil, modules.GenesisFacts{}, err
		}
		for _, d := range dids {
			facts.DIDs[d] = true
		}
	}
	for _, m := range a.modules {
		src, ok := m.(modules.GenesisDocuments)
		if !ok {
			continue
		}
		docs, err := src.GenesisDocuments(sections[m.Name()])
		if err != nil {
			return nil, modules.GenesisFacts{}, err
		}
		for _, d := range docs {
			facts.Documents[d] = true
		}
	}
	for _, m := range a.modules {
		if err := m.ValidateGenesis(sections[m.Name()], facts); err != nil {
			return nil, modules.GenesisFacts{}, err
		}
	}
	return sections, facts, nil
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
	sections, facts, err := a.validateGenesis(appState)
	if err != nil {
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
	for _, m := range a.modules {
		if err := m.InitGenesis(ctx, sections[m.Name()], facts); err != nil {
			return nil, fmt.Errorf("app: genesis of %s: %w", m.Name(), err)
		}
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
	sections := make(map[string]json.RawMessage, len(a.modules))
	for _, m := range a.modules {
		if sections[m.Name()], err = m.ExportGenesis(ctx); err != nil {
			return GenesisState{}, 0, fmt.Errorf("app: export %s: %w", m.Name(), err)
		}
	}
	g, err := sectionsToState(sections)
	if err != nil {
		return GenesisState{}, 0, fmt.Errorf("app: export: %w", err)
	}
	return g, height, nil
}
