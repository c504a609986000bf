package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
	didmod "github.com/intercooperative/icnd/modules/did"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

const (
	flagSigner = "signer"
	flagDID    = "did"
)

// signerDID is the DID a transaction is signed as: --signer when given,
// else the DID derived from the --from key (rec).
func signerDID(cmd *cobra.Command, rec keyring.Record) (string, error) {
	if s, _ := cmd.Flags().GetString(flagSigner); s != "" {
		if err := didmod.ParseDID(s); err != nil {
			return "", fmt.Errorf("--%s: %w", flagSigner, err)
		}
		return s, nil
	}
	return didmod.DeriveDID(rec.PublicKey), nil
}

// targetDID is the DID a lifecycle command manages: --did when given, else
// the signer's own DID.
func targetDID(cmd *cobra.Command, env txEnv) (string, error) {
	if d, _ := cmd.Flags().GetString(flagDID); d != "" {
		if err := didmod.ParseDID(d); err != nil {
			return "", fmt.Errorf("--%s: %w", flagDID, err)
		}
		return d, nil
	}
	return env.signer, nil
}

func addDIDFlag(cmd *cobra.Command) {
	cmd.Flags().String(flagDID, "", "DID whose document changes (default: the signer's DID); the signer must control it")
}

// addNewKeyFlags adds the flags that name a key being added: a keyring key,
// or a public key with a proof of possession made by its holder.
func addNewKeyFlags(cmd *cobra.Command) {
	cmd.Flags().String("key", "", "keyring key to add (signs the proof of possession)")
	cmd.Flags().String("pubkey", "", "Ed25519 public key to add, base64 or did:key (needs --pop)")
	cmd.Flags().String("pop", "", "proof of possession for --pubkey, base64")
}

// newKey reads the new key flags and returns the key with its proof of
// possession for slot keyID of did.
func newKey(cmd *cobra.Command, env txEnv, did, keyID string) (client.NewKey, error) {
	keyName, _ := cmd.Flags().GetString("key")
	pubStr, _ := cmd.Flags().GetString("pubkey")
	popStr, _ := cmd.Flags().GetString("pop")
	switch {
	case keyName != "" && (pubStr != "" || popStr != ""):
		return client.NewKey{}, errors.New("give either --key, or --pubkey with --pop, not both")
	case keyName == "" && pubStr == "":
		return client.NewKey{}, errors.New("name the new key: --key NAME (from the keyring), or --pubkey with --pop")
	case pubStr != "" && popStr == "":
		return client.NewKey{}, errors.New("--pubkey needs --pop: adding a key requires a proof of possession signed by it (or use --key NAME)")
	case keyName != "":
		rec, err := env.keyring.Get(keyName)
		if err != nil {
			return client.NewKey{}, err
		}
		return client.SignNewKey(env.chainID, did, keyID, rec.PublicKey, func(b []byte) ([]byte, error) {
			return env.keyring.Sign(keyName, b)
		})
	}
	pub, err := client.ParsePublicKey(pubStr)
	if err != nil {
		return client.NewKey{}, fmt.Errorf("--pubkey: %w", err)
	}
	pop, err := client.ProofOfPossession(popStr)
	if err != nil {
		return client.NewKey{}, fmt.Errorf("--pop: %w", err)
	}
	return client.NewKey{PublicKey: pub, ProofOfPossession: pop}, nil
}

// possessionHelp documents the bytes a new key signs, for --pop.
const possessionHelp = `A key held elsewhere can be added with --pubkey (base64 or did:key) and a proof
made by its holder, --pop: the base64 Ed25519 signature over
"icn/identity/add-key\x00<chain-id>\x00<did>\x00<key-id>".`

func txAddKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-key KEY_ID",
		Short: "Add a verification key to a DID document",
		Long: `Add a new Ed25519 verification key, with id KEY_ID (1 to 32 characters of a-z,
0-9 and '-'), to the document of --did (default: the signer's DID). The signer
must control that DID. The new key proves possession by signing the key
possession bytes (chain id, DID and KEY_ID); --key NAME signs them with a
keyring key. Key ids are never reused within a document, and a document holds
at most 16 keys, revoked ones included.

` + possessionHelp + `

Once added, the key signs for the DID with --from NAME --signer DID --key-id KEY_ID.`,
		Example: `  icnd keys add alice-laptop
  icnd tx identity add-key key-2 --key alice-laptop --from alice
  icnd tx identity add-key key-2 --pubkey did:key:z6Mk... --pop q83v... --from alice`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keyID := args[0]
			if err := didmod.ValidateKeyID(keyID); err != nil {
				return err
			}
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				did, err := targetDID(cmd, env)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				nk, err := newKey(cmd, env, did, keyID)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				msg, err := client.AddKey(env.chainID, did, keyID, nk)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				d := fmt.Sprintf("add_key %s#%s %s", did, keyID, client.DIDKey(nk.PublicKey))
				return []*txv1.Msg{msg}, []string{d}, txOutput{DID: did}, nil
			})
		},
	}
	addDIDFlag(cmd)
	addNewKeyFlags(cmd)
	return cmd
}

func txRotateKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rotate-key KEY_ID NEW_KEY_ID",
		Short: "Replace a verification key with a new one, atomically",
		Long: `Revoke the key KEY_ID of --did (default: the signer's DID) and add a new key as
NEW_KEY_ID, in one change, so that the document is never without the key it
needs. The signer must control the DID; it may sign with the very key being
rotated out. The revoked key can no longer sign, but stays in the document's
history so that what it signed before can still be checked.

The new key proves possession as for add-key: --key NAME signs with a keyring key.
` + possessionHelp,
		Example: `  icnd tx identity rotate-key key-1 key-3 --key alice-new --from alice
  icnd tx identity rotate-key key-2 key-3 --key alice-new --from alice-laptop --signer did:icn:abcd... --key-id key-2`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			keyID, newKeyID := args[0], args[1]
			for _, id := range args {
				if err := didmod.ValidateKeyID(id); err != nil {
					return err
				}
			}
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				did, err := targetDID(cmd, env)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				nk, err := newKey(cmd, env, did, newKeyID)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				msg, err := client.RotateKey(env.chainID, did, keyID, newKeyID, nk)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				d := fmt.Sprintf("rotate_key %s#%s -> #%s %s", did, keyID, newKeyID, client.DIDKey(nk.PublicKey))
				return []*txv1.Msg{msg}, []string{d}, txOutput{DID: did}, nil
			})
		},
	}
	addDIDFlag(cmd)
	addNewKeyFlags(cmd)
	return cmd
}

func txRevokeKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "revoke-key KEY_ID",
		Short: "Revoke a verification key of a DID document",
		Long: `Revoke the key KEY_ID of --did (default: the signer's DID). The signer must
control the DID. The key can no longer sign; it stays in the document's history
and its id is never reused. The last active key cannot be revoked: rotate it,
or deactivate the DID.`,
		Example: `  icnd tx identity revoke-key key-2 --from alice`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keyID := args[0]
			if err := didmod.ValidateKeyID(keyID); err != nil {
				return err
			}
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				did, err := targetDID(cmd, env)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				msg, err := client.RevokeKey(did, keyID)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				return []*txv1.Msg{msg}, []string{fmt.Sprintf("revoke_key %s#%s", did, keyID)}, txOutput{DID: did}, nil
			})
		},
	}
	addDIDFlag(cmd)
	return cmd
}

func txDeactivateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deactivate",
		Short: "Deactivate a DID for good",
		Long: `Deactivate --did (default: the signer's DID). The signer must control it.
Deactivation is final: no key of the DID can sign again and its document can no
longer change. Resolution still answers, with "deactivated": true in the
document metadata and no verification methods.`,
		Example: `  icnd tx identity deactivate --from alice
  icnd tx identity deactivate --did did:icn:abcd... --from alice`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				did, err := targetDID(cmd, env)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				msg, err := client.DeactivateDID(did)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				return []*txv1.Msg{msg}, []string{"deactivate_did " + did + " (final)"}, txOutput{DID: did}, nil
			})
		},
	}
	addDIDFlag(cmd)
	return cmd
}
