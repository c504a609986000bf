package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
)

func keysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the Ed25519 keys in the home's keyring",
		Long: `Manage the Ed25519 keys that sign transactions. Each key has a did:icn, derived
from its public key, under which it can be registered on chain.

Backends (--keyring-backend): "file" encrypts every key with one passphrase
(asked on the terminal, or read line by line from a pipe); "test" stores keys
unencrypted, for local networks and scripts; "memory" keeps them only for the
life of the command.`,
		Example: `  icnd keys add alice
  icnd keys list
  icnd keys show alice --did
  icnd keys export alice > alice.age
  icnd keys import alice2 alice.age
  icnd keys delete alice --yes
  icnd keys convert did:key:z6Mk...`,
	}
	addKeyringFlag(cmd.PersistentFlags(), keyring.BackendFile)
	cmd.AddCommand(keysAddCmd(), keysListCmd(), keysShowCmd(), keysDeleteCmd(), keysExportCmd(), keysImportCmd())
	cmd.AddCommand(keysConvertCmd())
	return cmd
}

func printKey(cmd *cobra.Command, rec keyring.Record) error {
	asJSON, err := jsonOutput(cmd)
	if err != nil {
		return err
	}
	info := client.NewKeyInfo(rec)
	if asJSON {
		return printJSON(os.Stdout, info)
	}
	printFields(os.Stdout,
		[2]string{"name", info.Name},
		[2]string{"did", info.DID},
		[2]string{"public_key", info.PublicKey},
		[2]string{"did_key", info.DIDKey},
	)
	return nil
}

func keysAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Create a new key and print its DID and public key",
		Long: `Generate a new Ed25519 key called NAME and store it in the keyring. Prints the
key's name, its did:icn, its public key (base64) and its did:key form.

With the file backend the first key of a home sets the keyring passphrase;
later keys must use the same one.`,
		Example: `  icnd keys add alice
  icnd keys add bob --keyring-backend test --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := jsonOutput(cmd); err != nil {
				return err
			}
			kr, err := openKeyring(cmd)
			if err != nil {
				return err
			}
			rec, err := kr.Add(args[0])
			if err != nil {
				return err
			}
			return printKey(cmd, rec)
		},
	}
	addOutputFlag(cmd)
	return cmd
}

func keysListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the keys with their DIDs",
		Long:    `List every key of the keyring, sorted by name, with its DID. Never asks for a passphrase.`,
		Example: `  icnd keys list --keyring-backend test --output json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := jsonOutput(cmd)
			if err != nil {
				return err
			}
			kr, err := openKeyring(cmd)
			if err != nil {
				return err
			}
			recs, err := kr.List()
			if err != nil {
				return err
			}
			infos := make([]client.KeyInfo, 0, len(recs))
			for _, r := range recs {
				infos = append(infos, client.NewKeyInfo(r))
			}
			if asJSON {
				return printJSON(os.Stdout, infos)
			}
			if len(infos) == 0 {
				fmt.Fprintln(os.Stderr, "no keys")
				return nil
			}
			width := 4
			for _, i := range infos {
				width = max(width, len(i.Name))
			}
			fmt.Printf("%-*s  %s\n", width, "NAME", "DID")
			for _, i := range infos {
				fmt.Printf("%-*s  %s\n", width, i.Name, i.DID)
			}
			return nil
		},
	}
	addOutputFlag(cmd)
	return cmd
}

func keysShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a key's DID and public key",
		Long: `Print the name, did:icn, public key (base64) and did:key of the key called NAME.
With --did only the DID is printed, for scripts. Never asks for a passphrase.`,
		Example: `  icnd keys show alice
  DID=$(icnd keys show alice --did)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := openKeyring(cmd)
			if err != nil {
				return err
			}
			rec, err := kr.Get(args[0])
			if err != nil {
				return err
			}
			if onlyDID, _ := cmd.Flags().GetBool("did"); onlyDID {
				fmt.Println(client.NewKeyInfo(rec).DID)
				return nil
			}
			return printKey(cmd, rec)
		},
	}
	cmd.Flags().Bool("did", false, "print only the key's DID")
	addOutputFlag(cmd)
	return cmd
}

func keysDeleteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key from the keyring",
		Long: `Delete the key called NAME. This cannot be undone: export the key first if you
may need it again. Asks for confirmation on a terminal; a script must pass --yes.`,
		Example: `  icnd keys delete alice --yes`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := openKeyring(cmd)
			if err != nil {
				return err
			}
			if _, err := kr.Get(args[0]); err != nil {
				return err
			}
			yes, _ := cmd.Flags().GetBool(flagYes)
			if !yes {
				// Deleting a key cannot be undone, so unlike broadcasting a
				// piped stdin is not taken as consent.
				if !stdinIsTerminal() {
					return errors.New("refusing to delete a key without confirmation: pass --yes")
				}
				ok, err := confirm(cmd, fmt.Sprintf("Delete key %q? This cannot be undone.", args[0]))
				if err != nil {
					return err
				}
				if !ok {
					return errors.New("aborted")
				}
			}
			if err := kr.Delete(args[0]); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "deleted key %q\n", args[0])
			return nil
		},
	}
	cmd.Flags().Bool(flagYes, false, "delete without asking")
	return cmd
}

func keysExportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export NAME",
		Short: "Write a key, encrypted with an export passphrase, to stdout",
		Long: `Write the private key called NAME to stdout as an ASCII-armored age file,
encrypted with an export passphrase that is asked (twice) for the purpose. The
file can be read back with "icnd keys import", or decrypted with the age tool.`,
		Example: `  icnd keys export alice > alice.age`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := openKeyring(cmd)
			if err != nil {
				return err
			}
			if _, err := kr.Get(args[0]); err != nil {
				return err
			}
			// Unlock first, so the keyring passphrase (file backend) is asked
			// before the export passphrase, not mixed up with it.
			if _, err := kr.PrivateKey(args[0]); err != nil {
				return err
			}
			exportPass, err := passphrase("Enter a passphrase to encrypt the exported key", true)
			if err != nil {
				return err
			}
			armored, err := kr.Export(args[0], exportPass)
			if err != nil {
				return err
			}
			_, err = os.Stdout.Write(armored)
			return err
		},
	}
	return cmd
}

func keysImportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import NAME FILE",
		Short: "Import a key written by keys export",
		Long: `Decrypt FILE, written by "icnd keys export", with its export passphrase and
store the key under NAME.`,
		Example: `  icnd keys import alice alice.age`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			armored, err := os.ReadFile(args[1])
			if err != nil {
				return err
			}
			kr, err := openKeyring(cmd)
			if err != nil {
				return err
			}
			exportPass, err := passphrase("Enter the passphrase of the exported key", false)
			if err != nil {
				return err
			}
			rec, err := kr.Import(args[0], armored, exportPass)
			if err != nil {
				return err
			}
			return printKey(cmd, rec)
		},
	}
	addOutputFlag(cmd)
	return cmd
}
