package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
)

func keysConvertCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "convert PUBKEY",
		Aliases: []string{"did-key"},
		Short:   "Show a public key as base64, did:key and did:icn",
		Long: `Convert an Ed25519 public key between the forms icnd reads and prints. PUBKEY is
either base64 of the raw 32 bytes (standard or URL alphabet, padding optional)
or a did:key ("did:key:z6Mk..."); the command prints both forms and the did:icn
the key registers. It reads no keyring and needs no node.

Every command that takes a public key (--pubkey) accepts both forms.`,
		Example: `  icnd keys convert did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
  icnd keys convert 3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := jsonOutput(cmd)
			if err != nil {
				return err
			}
			pub, err := client.ParsePublicKey(args[0])
			if err != nil {
				return err
			}
			forms := client.NewKeyForms(pub)
			if asJSON {
				return printJSON(os.Stdout, forms)
			}
			printFields(os.Stdout,
				[2]string{"public_key", forms.PublicKey},
				[2]string{"did_key", forms.DIDKey},
				[2]string{"did", forms.DID},
			)
			return nil
		},
	}
	addOutputFlag(cmd)
	return cmd
}
