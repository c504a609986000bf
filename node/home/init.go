package home

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/app"
)

// DefaultValidatorPower is the voting power `icnd init` and `icnd testnet`
// give each validator, as `cometbft init` does.
const DefaultValidatorPower = 10

// ErrGenesisExists is returned by Init when the home already has a
// genesis.json and Overwrite is not set.
var ErrGenesisExists = errors.New("genesis.json already exists")

// InitOptions configures Init.
type InitOptions struct {
	Home    string
	Moniker string
	ChainID string
	// GenesisTime is the chain's genesis time; zero means now.
	GenesisTime time.Time
	// Overwrite replaces an existing genesis.json. Keys and config files
	// are never replaced.
	Overwrite bool
}

// InitResult describes what Init wrote.
type InitResult struct {
	Home             string   `json:"home"`
	Moniker          string   `json:"moniker"`
	ChainID          string   `json:"chain_id"`
	NodeID           string   `json:"node_id"`
	ValidatorAddress string   `json:"validator_address"`
	GenesisFile      string   `json:"genesis_file"`
	Created          []string `json:"created"`
	Kept             []string `json:"kept"`
}

// Init creates a single-validator home like `cometbft init`: config.toml
// and app.toml (when missing), the node key and validator key (when
// missing), and a genesis.json with the default app state, opts.ChainID and
// this node as the only validator with DefaultValidatorPower.
func Init(opts InitOptions) (*InitResult, error) {
	if opts.ChainID == "" {
		return nil, errors.New("a chain id is required")
	}
	if len(opts.ChainID) > app.MaxChainIDLength || len(opts.ChainID) > types.MaxChainIDLen {
		return nil, fmt.Errorf("chain id %q is too long (max %d bytes)", opts.ChainID, min(app.MaxChainIDLength, types.MaxChainIDLen))
	}
	if opts.Moniker == "" {
		return nil, errors.New("a moniker is required")
	}
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(opts.Home)
	cfg.Moniker = opts.Moniker
	res := &InitResult{Home: opts.Home, Moniker: opts.Moniker, ChainID: opts.ChainID, GenesisFile: cfg.GenesisFile()}

	if exists(cfg.GenesisFile()) && !opts.Overwrite {
		return nil, fmt.Errorf("%w at %s (pass --overwrite to replace it)", ErrGenesisExists, cfg.GenesisFile())
	}
	if err := EnsureDirs(opts.Home); err != nil {
		return nil, err
	}
	wrote, err := WriteConfigIfMissing(cfg)
	if err != nil {
		return nil, err
	}
	res.note(filepath.Join(opts.Home, "config", "config.toml"), wrote)
	appTOML := filepath.Join(opts.Home, abci.AppConfigFile)
	if exists(appTOML) {
		res.note(appTOML, false)
	} else {
		if err := abci.WriteAppConfig(opts.Home, abci.DefaultAppConfig()); err != nil {
			return nil, fmt.Errorf("write %s: %w", appTOML, err)
		}
		res.note(appTOML, true)
	}
	keys, err := EnsureNodeKeys(cfg)
	if err != nil {
		return nil, err
	}
	res.note(cfg.NodeKeyFile(), keys.NodeKeyCreated)
	res.note(cfg.PrivValidatorKeyFile(), keys.ValidatorKeyCreated)
	res.NodeID = string(keys.NodeID)
	res.ValidatorAddress = keys.ValidatorPubKey.Address().String()

	doc, err := NewGenesisDoc(opts.ChainID, opts.GenesisTime, app.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	if err := AddValidator(doc, keys.ValidatorPubKey, DefaultValidatorPower, opts.Moniker); err != nil {
		return nil, err
	}
	if err := doc.SaveAs(cfg.GenesisFile()); err != nil {
		return nil, fmt.Errorf("write %s: %w", cfg.GenesisFile(), err)
	}
	res.note(cfg.GenesisFile(), true)
	return res, nil
}

func (r *InitResult) note(path string, created bool) {
	if created {
		r.Created = append(r.Created, path)
	} else {
		r.Kept = append(r.Kept, path)
	}
}

// EnsureDirs creates home, home/config and home/data.
func EnsureDirs(home string) error {
	for _, dir := range []string{home, filepath.Join(home, cmtcfg.DefaultConfigDir), filepath.Join(home, cmtcfg.DefaultDataDir)} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	return nil
}

// WriteConfigIfMissing writes cfg to its home's config/config.toml unless
// the file exists, and reports whether it wrote it.
func WriteConfigIfMissing(cfg *cmtcfg.Config) (bool, error) {
	path := filepath.Join(cfg.RootDir, cmtcfg.DefaultConfigDir, "config.toml")
	if exists(path) {
		return false, nil
	}
	return true, WriteConfig(cfg)
}

// WriteConfig validates cfg and writes it to its home's config/config.toml.
func WriteConfig(cfg *cmtcfg.Config) error {
	if err := cfg.ValidateBasic(); err != nil {
		return fmt.Errorf("config.toml: %w", err)
	}
	dir := filepath.Join(cfg.RootDir, cmtcfg.DefaultConfigDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	cmtcfg.WriteConfigFile(filepath.Join(dir, "config.toml"), cfg)
	return nil
}

// NodeKeys are a home's p2p identity and consensus key.
type NodeKeys struct {
	NodeID              p2p.ID
	ValidatorPubKey     crypto.PubKey
	NodeKeyCreated      bool
	ValidatorKeyCreated bool
}

// EnsureNodeKeys loads the node key and validator key of cfg's home,
// generating whichever is missing.
func EnsureNodeKeys(cfg *cmtcfg.Config) (NodeKeys, error) {
	var out NodeKeys
	out.NodeKeyCreated = !exists(cfg.NodeKeyFile())
	nk, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return out, fmt.Errorf("node key %s: %w", cfg.NodeKeyFile(), err)
	}
	out.NodeID = nk.ID()
	if exists(cfg.PrivValidatorKeyFile()) {
		pub, err := ReadValidatorPubKey(cfg.PrivValidatorKeyFile())
		if err != nil {
			return out, err
		}
		out.ValidatorPubKey = pub
		return out, nil
	}
	if err := os.MkdirAll(filepath.Dir(cfg.PrivValidatorKeyFile()), 0o700); err != nil {
		return out, err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.PrivValidatorStateFile()), 0o700); err != nil {
		return out, err
	}
	pv := privval.GenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	pv.Save()
	out.ValidatorKeyCreated = true
	out.ValidatorPubKey = pv.Key.PubKey
	return out, nil
}

// ReadValidatorPubKey returns the public key in a priv_validator_key.json.
// Unlike privval.LoadFilePV it returns errors instead of exiting.
func ReadValidatorPubKey(path string) (crypto.PubKey, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read validator key: %w", err)
	}
	var key privval.FilePVKey
	if err := cmtjson.Unmarshal(bz, &key); err != nil {
		return nil, fmt.Errorf("decode validator key %s: %w", path, err)
	}
	if key.PrivKey == nil {
		return nil, fmt.Errorf("validator key %s has no private key", path)
	}
	return key.PrivKey.PubKey(), nil
}

// ReadNodeID returns the node id of a node_key.json.
func ReadNodeID(path string) (p2p.ID, error) {
	nk, err := p2p.LoadNodeKey(path)
	if err != nil {
		return "", fmt.Errorf("read node key %s: %w", path, err)
	}
	return nk.ID(), nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
