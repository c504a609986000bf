package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cometbft/cometbft/crypto"
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/node/home"
)

func genesisCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "genesis",
		Short: "Edit and check the home's genesis.json",
		Long: `Add accounts and validators to config/genesis.json of --home, and check a
genesis file the way a starting node would.`,
		Example: `  icnd genesis add-account alice --balance 200000 --capacity 200000 --rate 100
  icnd genesis add-validator --power 10
  icnd genesis validate`,
	}
	cmd.AddCommand(genesisAddAccountCmd(), genesisAddValidatorCmd(), genesisValidateCmd())
	return cmd
}

func genesisFile(cmd *cobra.Command) string {
	return filepath.Join(homeDir(cmd), "config", "genesis.json")
}

func genesisAddAccountCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-account [KEYNAME | DID | PUBKEY]",
		Short: "Add a DID with a funded mana account to genesis",
		Long: `Add an identity document and a mana account to the genesis app state.

The document needs the account's public key, given as the name of a key in the
keyring, as a base64 public key (the argument or --pubkey), or as a DID together
with --pubkey. A DID that already has a document in genesis only gets the mana
account. An account already in genesis is refused.

--capacity defaults to --balance; the balance may not exceed the capacity.
--rate is the mana regenerated per block. Capacity and rate may not exceed the
genesis mana params' max_capacity and max_rate (by default 250000 and 500, what
one DID may gather from memberships); "icnd genesis validate" checks them.`,
		Example: `  icnd genesis add-account alice --balance 200000 --rate 100
  icnd genesis add-account --pubkey 3q2+7w... --balance 500 --capacity 1000 --rate 1
  icnd genesis add-account did:icn:abcd... --balance 500`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			acc, err := genesisAccountFromArgs(cmd, args)
			if err != nil {
				return err
			}
			acc.Balance, _ = cmd.Flags().GetUint64("balance")
			acc.Capacity = acc.Balance
			if cmd.Flags().Changed("capacity") {
				acc.Capacity, _ = cmd.Flags().GetUint64("capacity")
			}
			acc.Rate, _ = cmd.Flags().GetUint64("rate")
			path := genesisFile(cmd)
			var did string
			err = home.EditGenesis(path, func(_ *types.GenesisDoc, state *app.GenesisState) (err error) {
				did, err = home.AddAccount(state, acc)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Printf("added %s (balance %d, capacity %d, rate %d) to %s\n", did, acc.Balance, acc.Capacity, acc.Rate, path)
			return nil
		},
	}
	cmd.Flags().String("pubkey", "", "the account's Ed25519 public key, base64")
	cmd.Flags().Uint64("balance", 0, "initial mana balance")
	cmd.Flags().Uint64("capacity", 0, "mana capacity (default: the balance)")
	cmd.Flags().Uint64("rate", 0, "mana regenerated per block")
	addKeyringFlag(cmd.Flags(), keyring.BackendFile)
	return cmd
}

// genesisAccountFromArgs resolves the account's key or DID from the
// argument and --pubkey.
func genesisAccountFromArgs(cmd *cobra.Command, args []string) (home.GenesisAccount, error) {
	var acc home.GenesisAccount
	if s, _ := cmd.Flags().GetString("pubkey"); s != "" {
		pub, err := client.ParsePublicKey(s)
		if err != nil {
			return acc, fmt.Errorf("--pubkey: %w", err)
		}
		acc.PublicKey = pub
	}
	if len(args) == 0 {
		if acc.PublicKey == nil {
			return acc, errors.New("name the account: a key name, a DID or a public key, or pass --pubkey")
		}
		return acc, nil
	}
	arg := args[0]
	if strings.HasPrefix(arg, "did:") {
		if err := didmod.ParseDID(arg); err != nil {
			return acc, err
		}
		acc.DID = arg
		return acc, nil
	}
	if acc.PublicKey != nil {
		return acc, errors.New("give either a key name or public key argument, or --pubkey, not both")
	}
	kr, err := openKeyring(cmd)
	if err != nil {
		return acc, err
	}
	rec, keyErr := kr.Get(arg)
	if keyErr == nil {
		acc.PublicKey = rec.PublicKey
		return acc, nil
	}
	if !errors.Is(keyErr, keyring.ErrNotFound) && !errors.Is(keyErr, keyring.ErrBadName) {
		return acc, keyErr
	}
	if pub, err := client.ParsePublicKey(arg); err == nil {
		acc.PublicKey = pub
		return acc, nil
	}
	backend, _ := cmd.Flags().GetString(flagKeyringBackend)
	return acc, fmt.Errorf("%q is not a key in the %s keyring of %s, a DID or a base64 Ed25519 public key", arg, backend, homeDir(cmd))
}

func genesisAddValidatorCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-validator",
		Short: "Add a validator to genesis",
		Long: `Add a validator with --power to genesis.json: this home's validator key
(config/priv_validator_key.json) or, with --pubkey, another node's Ed25519
consensus key (base64, as "cometbft show-validator" prints it). A validator
already listed is refused.`,
		Example: `  icnd genesis add-validator --power 10
  icnd genesis add-validator --pubkey dGhpcyBpcyBub3QgYSByZWFsIGtleSBhdCBhbGwhIQ== --power 5 --name val2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var pub crypto.PubKey
			if s, _ := cmd.Flags().GetString("pubkey"); s != "" {
				raw, err := client.ParsePublicKey(s)
				if err != nil {
					return fmt.Errorf("--pubkey: %w", err)
				}
				pub = cmted25519.PubKey(append([]byte(nil), raw[:ed25519.PublicKeySize]...))
			} else {
				var err error
				pub, err = home.ReadValidatorPubKey(filepath.Join(homeDir(cmd), "config", "priv_validator_key.json"))
				if err != nil {
					return err
				}
			}
			power, _ := cmd.Flags().GetInt64("power")
			name, _ := cmd.Flags().GetString("name")
			path := genesisFile(cmd)
			err := home.EditGenesis(path, func(doc *types.GenesisDoc, _ *app.GenesisState) error {
				return home.AddValidator(doc, pub, power, name)
			})
			if err != nil {
				return err
			}
			fmt.Printf("added validator %s with power %d to %s\n", pub.Address(), power, path)
			return nil
		},
	}
	cmd.Flags().String("pubkey", "", "the validator's Ed25519 consensus public key, base64 (default: this home's)")
	cmd.Flags().Int64("power", home.DefaultValidatorPower, "voting power")
	cmd.Flags().String("name", "", "a name for the validator in genesis.json")
	return cmd
}

func genesisValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check a genesis file as a starting node would",
		Long: `Check FILE (default: the home's config/genesis.json): CometBFT's checks
(ValidateAndComplete), the strict decoding of app_state, and the app's own
validation (every account and entry names a registered DID, params are sound).
Prints OK, or the first problem and exits non-zero.`,
		Example: `  icnd genesis validate
  icnd genesis validate exported.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := genesisFile(cmd)
			if len(args) == 1 {
				path = args[0]
			}
			doc, warnings, err := home.ValidateGenesisFile(path)
			if err != nil {
				return err
			}
			for _, w := range warnings {
				fmt.Fprintln(os.Stderr, "warning: "+w)
			}
			fmt.Fprintf(os.Stdout, "OK: %s (chain %s, validators: %d)\n", path, doc.ChainID, len(doc.Validators))
			return nil
		},
	}
}
