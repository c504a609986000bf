package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/profile"
	didmod "github.com/intercooperative/icnd/modules/did"
	profilemod "github.com/intercooperative/icnd/modules/profile"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

const flagPasswordFile = "password-file"

// maxPasswordFileBytes bounds a --password-file.
const maxPasswordFileBytes = 4096

// profilePassword returns the profile password: the first line of
// --password-file, or else asked on the terminal (twice when confirm is set).
func profilePassword(cmd *cobra.Command, confirm bool) (string, error) {
	path, _ := cmd.Flags().GetString(flagPasswordFile)
	if path == "" {
		return passphrase("Profile password", confirm)
	}
	raw, err := readBounded(path, maxPasswordFileBytes)
	if err != nil {
		return "", fmt.Errorf("--%s: %w", flagPasswordFile, err)
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("--%s: the first line of %s is empty", flagPasswordFile, path)
	}
	return line, nil
}

func txSetProfileCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set-profile",
		Short: "Encrypt profile fields on this machine and store them as the signer's profile",
		Long: `Replace the signer's profile. Each --field name=value is encrypted here, before
anything is sent: a key is derived from the profile password with Argon2id (a
fresh random salt each time) and each value is sealed with AES-256-GCM under a
random nonce, bound to the signer's DID and the field name. The chain stores the
salt, the field names, the nonces and the ciphertexts; never a value.

--email stores the address as an encrypted "email" field and, for lookup with
"icnd query identity did-by-email", a salted Argon2id hash of it (trimmed and
lower-cased). Anyone who guesses the address can confirm it from that hash: give
--email only if being found by it is what you want. The lookup lists every DID
that claims an address; nothing checks a claim, so others may claim yours too
(and cannot stop you claiming it).

The password is asked twice on the terminal; --password-file reads it from the
first line of a file instead, for scripts. A forgotten password cannot be
recovered: set the profile again. See docs/profiles.md.`,
		Example: `  icnd tx identity set-profile --field name="Ada Lovelace" --field city=London --email ada@example.org --from ada
  icnd tx identity set-profile --field city=Paris --password-file ./pw.txt --from ada --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pairs, _ := cmd.Flags().GetStringArray("field")
			email, _ := cmd.Flags().GetString("email")
			fields := make([]profile.Field, 0, len(pairs)+1)
			for _, kv := range pairs {
				name, value, ok := strings.Cut(kv, "=")
				if !ok {
					return fmt.Errorf("--field %q: want name=value", kv)
				}
				if err := profilemod.ValidateProfileFieldName(name); err != nil {
					return fmt.Errorf("--field %q: %w", kv, err)
				}
				if name == profile.EmailField && email != "" {
					return fmt.Errorf("give the email with --email or as --field %s=..., not both", profile.EmailField)
				}
				fields = append(fields, profile.Field{Name: name, Value: value})
			}
			if email != "" {
				normalized, err := profile.NormalizeEmail(email)
				if err != nil {
					return fmt.Errorf("--email: %w", err)
				}
				email = normalized
				fields = append(fields, profile.Field{Name: profile.EmailField, Value: email})
			}
			if len(fields) == 0 {
				return errors.New("nothing to set: give --field name=value (repeatable) and/or --email")
			}
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				did := env.signer
				var hash []byte
				if email != "" {
					var err error
					if hash, err = profile.EmailHash(env.chainID, email); err != nil {
						return nil, nil, txOutput{}, err
					}
				}
				password, err := profilePassword(cmd, true)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				m, err := profile.Seal(did, password, fields, hash)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				names := make([]string, len(m.Fields))
				for i, f := range m.Fields {
					names[i] = f.Name
				}
				lookup := "off"
				if hash != nil {
					lookup = "on"
				}
				d := fmt.Sprintf("set_profile of %s: encrypted fields %s; email lookup %s", did, strings.Join(names, ", "), lookup)
				return []*txv1.Msg{profile.SetProfileMsg(m)}, []string{d}, txOutput{DID: did}, nil
			})
		},
	}
	cmd.Flags().StringArray("field", nil, "profile field, name=value; names are 1-32 characters of a-z, 0-9, '_', '-' (repeatable)")
	cmd.Flags().String("email", "", "email address: stored encrypted, and as a salted hash for lookup by email")
	cmd.Flags().String(flagPasswordFile, "", "read the profile password from the first line of this file instead of the terminal")
	return cmd
}

func txEraseProfileCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "erase-profile",
		Short: "Delete the signer's profile and its email lookup entry from the current state",
		Long: `Delete the signer's profile and its email lookup entry from the current chain
state. Erasure does not rewrite history: the blocks that carried the profile,
and nodes that keep old state versions, still hold its ciphertexts and email
hash, readable by whoever has the password (or guesses the email). See
docs/profiles.md.`,
		Example: `  icnd tx identity erase-profile --from ada`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTx(cmd, func(txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				d := "erase_profile (from the current state; past blocks keep the ciphertexts)"
				return []*txv1.Msg{profile.EraseProfileMsg()}, []string{d}, txOutput{}, nil
			})
		},
	}
	return cmd
}

func queryProfileCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile DID",
		Short: "Show a DID's encrypted profile; --decrypt opens it here with the password",
		Long: `Show the profile of DID as the chain stores it: its field names and ciphertext
sizes, whether its email is indexed, and the height it was set at. With
--decrypt the password is asked (or read from --password-file) and the values
are decrypted on this machine; a wrong password is reported as such and shows
nothing.`,
		Example: `  icnd query identity profile did:icn:abcd...
  icnd query identity profile did:icn:abcd... --decrypt
  icnd query identity profile did:icn:abcd... --decrypt --password-file ./pw.txt --output json --prove`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := didmod.ParseDID(args[0]); err != nil {
				return err
			}
			decrypt, _ := cmd.Flags().GetBool("decrypt")
			return runQuery(cmd, "profile of "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) (*client.ProfileView, *client.QueryResult, error) {
					p, res, err := q.Profile(ctx, args[0], height)
					if err != nil {
						return nil, res, err
					}
					var opened []profile.Field
					if decrypt {
						// Asked only once there is a profile to decrypt.
						password, err := profilePassword(cmd, false)
						if err != nil {
							return nil, nil, err
						}
						if opened, err = profile.Open(p, password); err != nil {
							return nil, nil, err
						}
					}
					return client.NewProfileView(p, opened), res, nil
				},
				printProfile)
		},
	}
	addQueryFlags(cmd)
	cmd.Flags().Bool("decrypt", false, "decrypt the fields here; asks for the profile password")
	cmd.Flags().String(flagPasswordFile, "", "with --decrypt: read the password from the first line of this file")
	return cmd
}

// defaultEmailLookupLimit bounds the DIDs did-by-email lists unless told
// otherwise: anyone can claim any email hash, so the list is as long as
// claimants make it.
const defaultEmailLookupLimit = 100

// emailClaimNote is what a did-by-email answer says about itself.
const emailClaimNote = "a claim proves nothing about ownership: anyone can put any email hash in a profile"

// emailLookupView is the answer of did-by-email.
type emailLookupView struct {
	DIDs []string `json:"dids"`
	Note string   `json:"note"`
}

func queryDIDByEmailCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "did-by-email EMAIL",
		Short: "List the DIDs whose profiles claim an email address",
		Long: `List, in DID order, every DID whose profile carries the hash of EMAIL. The
address is trimmed and lower-cased, then hashed here with Argon2id and the
chain's email salt (this takes a moment and 64 MiB of memory); only the hash is
sent to the node.

A claim proves nothing about ownership: anyone who knows or guesses an address
can compute its hash and put it in their own profile, so the list may name
DIDs that do not own the address, and its owner may not be listed. Use the
answer as a hint, and confirm ownership another way (a credential from someone
who checked the address, or asking the person). See docs/profiles.md.

With --prove the list is proven complete: each entry and each gap between
entries is proven against the same verified header, so a node can neither add
nor hide a claim. An email nobody claims gives an empty list. More than --limit
claims is an error.`,
		Example: `  icnd query identity did-by-email ada@example.org
  icnd query identity did-by-email ada@example.org --prove --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			chainFlag, _ := cmd.Flags().GetString(flagChainID)
			return runQuery(cmd, "DIDs claiming that email",
				func(ctx context.Context, q *client.Querier, height int64) (emailLookupView, *client.QueryResult, error) {
					dids, res, err := q.DIDsByEmail(ctx, chainFlag, args[0], height, n)
					if errors.Is(err, client.ErrScanLimit) {
						err = fmt.Errorf("%w: more than %d DIDs claim that email; raise --%s to list them", err, n, flagLimit)
					}
					return emailLookupView{DIDs: dids, Note: emailClaimNote}, res, err
				},
				func(v emailLookupView, res *client.QueryResult) {
					for _, did := range v.DIDs {
						fmt.Println(did)
					}
					fmt.Fprintf(os.Stderr, "%d DIDs claim that email at height %d; %s\n", len(v.DIDs), res.Height, emailClaimNote)
				})
		},
	}
	addQueryFlags(cmd)
	cmd.Flags().Int(flagLimit, defaultEmailLookupLimit, "list at most this many DIDs; more is an error")
	return cmd
}

func printProfile(view *client.ProfileView, _ *client.QueryResult) {
	fields := [][2]string{
		{"did", view.DID},
		{"set at height", strconv.FormatInt(view.UpdatedHeight, 10)},
		{"email indexed", strconv.FormatBool(view.EmailIndexed)},
	}
	for _, f := range view.Fields {
		value := fmt.Sprintf("(%d bytes encrypted)", f.CiphertextBytes)
		if view.Decrypted {
			value = f.Value
		}
		fields = append(fields, [2]string{f.Name, value})
	}
	printFields(os.Stdout, fields...)
}
