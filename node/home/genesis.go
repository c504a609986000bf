package home

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cometbft/cometbft/crypto"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/types"
	cmttime "github.com/cometbft/cometbft/types/time"

	"github.com/intercooperative/icnd/app"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// ErrDuplicate is wrapped when a genesis edit would list something twice.
var ErrDuplicate = errors.New("already in genesis")

// NewGenesisDoc returns a genesis with CometBFT's default consensus params,
// no validators and state as app_state. A zero genesisTime means now.
func NewGenesisDoc(chainID string, genesisTime time.Time, state app.GenesisState) (*types.GenesisDoc, error) {
	if genesisTime.IsZero() {
		genesisTime = cmttime.Now()
	}
	params := types.DefaultConsensusParams()
	// The app reports app.Version in Info, and CometBFT puts that in block
	// headers; but it takes the version from the consensus params when it
	// rebuilds its state, as `cometbft rollback` does. With the default 0
	// there, a rolled-back node would expect headers of version 0 and halt
	// on the first block of its peers.
	params.Version.App = app.Version
	doc := &types.GenesisDoc{
		ChainID:         chainID,
		GenesisTime:     genesisTime,
		InitialHeight:   1,
		ConsensusParams: params,
	}
	if err := SetAppState(doc, state); err != nil {
		return nil, err
	}
	return doc, nil
}

// SetAppState encodes state as doc's app_state.
func SetAppState(doc *types.GenesisDoc, state app.GenesisState) error {
	bz, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return fmt.Errorf("encode app_state: %w", err)
	}
	doc.AppState = bz
	return nil
}

// ReadGenesis reads a genesis.json, checks it as CometBFT does
// (ValidateAndComplete) and decodes its app_state strictly. It does not run
// the app's cross-module validation; see ValidateGenesisFile.
func ReadGenesis(path string) (*types.GenesisDoc, app.GenesisState, error) {
	doc, err := types.GenesisDocFromFile(path)
	if err != nil {
		return nil, app.GenesisState{}, err
	}
	state, err := app.ParseGenesis(doc.AppState)
	if err != nil {
		return nil, app.GenesisState{}, fmt.Errorf("%s: %w", path, err)
	}
	return doc, state, nil
}

// WriteGenesis stores state as doc's app_state and writes doc to path,
// replacing the file atomically.
func WriteGenesis(path string, doc *types.GenesisDoc, state app.GenesisState) error {
	if err := SetAppState(doc, state); err != nil {
		return err
	}
	bz, err := cmtjson.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encode genesis: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(bz, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// EditGenesis reads the genesis.json at path (ReadGenesis), lets edit change
// it and its app state, and writes the result back (WriteGenesis). Nothing
// is written when edit fails.
func EditGenesis(path string, edit func(doc *types.GenesisDoc, state *app.GenesisState) error) error {
	doc, state, err := ReadGenesis(path)
	if err != nil {
		return err
	}
	if err := edit(doc, &state); err != nil {
		return err
	}
	return WriteGenesis(path, doc, state)
}

// ValidateGenesisFile checks a genesis.json as a node starting from it
// would: CometBFT's checks, the strict app_state decoding and the app's
// cross-module validation. Warnings describe what a node accepts but
// operators should fix.
func ValidateGenesisFile(path string) (doc *types.GenesisDoc, warnings []string, err error) {
	doc, state, err := ReadGenesis(path)
	if err != nil {
		return nil, nil, err
	}
	if len(doc.ChainID) > app.MaxChainIDLength {
		return nil, nil, fmt.Errorf("chain_id %q is longer than %d bytes", doc.ChainID, app.MaxChainIDLength)
	}
	if err := state.Validate(); err != nil {
		return nil, nil, fmt.Errorf("app_state: %w", err)
	}
	if v := doc.ConsensusParams.Version.App; v != app.Version {
		warnings = append(warnings, fmt.Sprintf("consensus_params.version.app is %d but the app's protocol version is %d: a node rolled back with `icnd rollback` would then reject its peers' blocks", v, app.Version))
	}
	return doc, warnings, nil
}

// GenesisAccount is a funded account to add with AddAccount.
type GenesisAccount struct {
	// PublicKey is the account's first key (key-1). It may be nil when the
	// DID already has a document in the genesis.
	PublicKey ed25519.PublicKey
	// DID is required when PublicKey is nil; otherwise it is derived and,
	// if set, must match.
	DID      string
	Balance  uint64
	Capacity uint64
	Rate     uint64
}

// AddAccount adds to state an identity document for acc's key (unless the
// DID already has one) and a mana account. It returns the DID, or an error
// wrapping ErrDuplicate when the DID already has a mana account.
func AddAccount(state *app.GenesisState, acc GenesisAccount) (string, error) {
	did := acc.DID
	if acc.PublicKey != nil {
		if len(acc.PublicKey) != ed25519.PublicKeySize {
			return "", fmt.Errorf("public key has %d bytes, want %d", len(acc.PublicKey), ed25519.PublicKeySize)
		}
		derived := didmod.DeriveDID(acc.PublicKey)
		if did != "" && did != derived {
			return "", fmt.Errorf("DID %s does not belong to the given key, which derives %s", did, derived)
		}
		did = derived
	}
	if err := didmod.ParseDID(did); err != nil {
		return "", err
	}
	if acc.Balance > acc.Capacity {
		return "", fmt.Errorf("balance %d exceeds capacity %d", acc.Balance, acc.Capacity)
	}
	for _, a := range state.Mana.Accounts {
		if a.DID == did {
			return "", fmt.Errorf("%w: %s already has a mana account", ErrDuplicate, did)
		}
	}
	hasDoc := false
	for _, d := range state.DID.Documents {
		if d != nil && d.Did == did {
			hasDoc = true
		}
	}
	if !hasDoc {
		if acc.PublicKey == nil {
			return "", fmt.Errorf("%s has no identity document in genesis: give its public key (a key name or --pubkey) so one can be added", did)
		}
		state.DID.Documents = append(state.DID.Documents, &identityv1.DIDDocument{
			Did:          did,
			Keys:         []*identityv1.VerificationKey{{Id: didmod.FirstKeyID, PublicKey: bytes.Clone(acc.PublicKey)}},
			RegisteredBy: did,
		})
	}
	state.Mana.Accounts = append(state.Mana.Accounts, mana.GenesisAccount{
		DID:      did,
		Balance:  acc.Balance,
		Capacity: acc.Capacity,
		Rate:     acc.Rate,
	})
	return did, nil
}

// AddValidator appends a validator with power to doc, or returns an error
// wrapping ErrDuplicate when its key is already listed.
func AddValidator(doc *types.GenesisDoc, pub crypto.PubKey, power int64, name string) error {
	if power <= 0 {
		return fmt.Errorf("validator power must be positive, got %d", power)
	}
	for _, v := range doc.Validators {
		if bytes.Equal(v.PubKey.Bytes(), pub.Bytes()) {
			return fmt.Errorf("%w: validator %s", ErrDuplicate, pub.Address())
		}
	}
	doc.Validators = append(doc.Validators, types.GenesisValidator{
		Address: pub.Address(),
		PubKey:  pub,
		Power:   power,
		Name:    name,
	})
	return nil
}
