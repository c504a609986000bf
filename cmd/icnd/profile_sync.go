package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
	didmod "github.com/intercooperative/icnd/modules/did"
)

func profileCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Share profile details with an organization's indexer",
		Long: `Commands that share what your on-chain encrypted profile keeps private with an
organization you belong to, by a request signed with your DID's key to the
organization's indexer (docs/indexer.md, section 4). Your profile itself is
set and erased with "icnd tx identity set-profile" and "erase-profile".`,
		Example: `  icnd profile sync --org did:icn:<coop> --indexer http://127.0.0.1:8088 --consent --email ada@example.org --from ada`,
	}
	cmd.AddCommand(profileSyncCmd())
	return cmd
}

func profileSyncCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Send your contact details in plaintext to an organization's indexer, with consent",
		Long: `Send your email and other contact details to the indexer of an organization you
belong to, signed by one of your DID's keys (docs/indexer.md, section 4). The
indexer keeps them in plaintext for the organization's data stewards, only with
--consent, and checks first that the email hashes to the email hash of your
on-chain profile (set it with "icnd tx identity set-profile --email").

--marketing sets gdpr_marketing_consent (default false). Without --consent the
request withdraws consent: the indexer nulls what it held. Erasing your
profile on chain (icnd tx identity erase-profile) wipes the plaintext too.`,
		Example: `  icnd profile sync --org did:icn:<coop> --indexer http://127.0.0.1:8088 --consent --email ada@example.org --field phone=+44123 --from ada
  icnd profile sync --org did:icn:<coop> --indexer http://127.0.0.1:8088 --from ada`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			req := client.SyncRequest{}
			req.Org, _ = f.GetString("org")
			if err := didmod.ParseDID(req.Org); err != nil {
				return fmt.Errorf("--org: %w", err)
			}
			base, _ := f.GetString("indexer")
			req.Consent, _ = f.GetBool("consent")
			req.MarketingConsent, _ = f.GetBool("marketing")
			req.Email, _ = f.GetString("email")
			pairs, _ := f.GetStringArray("field")
			for _, kv := range pairs {
				name, value, ok := strings.Cut(kv, "=")
				if !ok {
					return fmt.Errorf("--field %q: want name=value", kv)
				}
				if req.Fields == nil {
					req.Fields = map[string]string{}
				}
				req.Fields[name] = value
			}
			from, _ := f.GetString(flagFrom)
			if from == "" {
				return fmt.Errorf("--%s is required: the key that signs", flagFrom)
			}
			kr, err := openKeyring(cmd)
			if err != nil {
				return err
			}
			rec, err := kr.Get(from)
			if err != nil {
				return err
			}
			signer, err := signerDID(cmd, rec)
			if err != nil {
				return err
			}
			keyID, _ := f.GetString(flagKeyID)
			s := client.RequestSigner{DID: signer, KeyID: keyID, Sign: func(b []byte) ([]byte, error) { return kr.Sign(from, b) }}
			res, err := s.Sync(cmd.Context(), base, req)
			if err != nil {
				return err
			}
			if asJSON, _ := jsonOutput(cmd); asJSON {
				return printJSON(os.Stdout, res)
			}
			fmt.Printf("%s (checked against the chain at height %d)\n", res.Status, res.Height)
			return nil
		},
	}
	f := cmd.Flags()
	f.String("org", "", "DID of the organization (required)")
	f.String("indexer", "http://127.0.0.1:8088", "base URL of the organization's indexer")
	f.Bool("consent", false, "consent to the indexer keeping the details in plaintext (without it, consent is withdrawn)")
	f.Bool("marketing", false, "gdpr_marketing_consent: allow mailings beyond the organization's duties")
	f.String("email", "", "the email of your on-chain profile (required with --consent)")
	f.StringArray("field", nil, "another contact detail as name=value (repeatable)")
	f.String(flagFrom, "", "name of the keyring key that signs (required)")
	f.String(flagSigner, "", "DID to sign as (default: the DID of the --from key)")
	f.String(flagKeyID, didmod.FirstKeyID, "id of the signing key in the DID's document")
	f.String(flagOutput, "text", "output format: text or json")
	addKeyringFlag(f, keyring.BackendFile)
	return cmd
}
