package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
	"github.com/intercooperative/icnd/modules/did"
)

const (
	flagSponsor      = "sponsor"
	flagSponsorPayer = "sponsor-payer"
	flagSponsorKeyID = "sponsor-key-id"
)

// addSponsorFlags adds the flags of a sponsored transaction to every tx
// command.
func addSponsorFlags(f *pflag.FlagSet) {
	f.String(flagSponsor, "", "name of a keyring key that signs as sponsor and pays the mana instead of --from")
	f.String(flagSponsorPayer, "", "with --sponsor: DID that pays (default: the --sponsor key's DID); an organization the sponsor controls pays from its treasury")
	f.String(flagSponsorKeyID, did.FirstKeyID, "with --sponsor: id of the sponsor's verification key in its DID document")
}

// sponsorFromFlags returns the sponsor that --sponsor names, or nil when it
// is not given.
func sponsorFromFlags(cmd *cobra.Command, kr *keyring.Keyring) (*client.Sponsor, error) {
	name, _ := cmd.Flags().GetString(flagSponsor)
	payer, _ := cmd.Flags().GetString(flagSponsorPayer)
	if name == "" {
		if payer != "" || cmd.Flags().Changed(flagSponsorKeyID) {
			return nil, fmt.Errorf("--%s and --%s need --%s, the key that signs for the payer", flagSponsorPayer, flagSponsorKeyID, flagSponsor)
		}
		return nil, nil
	}
	rec, err := kr.Get(name)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagSponsor, err)
	}
	s := &client.Sponsor{
		Payer:  payer,
		Signer: did.DeriveDID(rec.PublicKey),
		Sign:   func(b []byte) ([]byte, error) { return kr.Sign(name, b) },
	}
	s.KeyID, _ = cmd.Flags().GetString(flagSponsorKeyID)
	if s.Payer == "" {
		s.Payer = s.Signer
	} else if err := did.ParseDID(s.Payer); err != nil {
		return nil, fmt.Errorf("--%s: %w", flagSponsorPayer, err)
	}
	if err := did.ValidateKeyID(s.KeyID); err != nil {
		return nil, fmt.Errorf("--%s: %w", flagSponsorKeyID, err)
	}
	return s, nil
}

// describeSponsor is the confirmation line of a sponsored transaction.
func describeSponsor(s *client.Sponsor, keyName string) string {
	if s.Payer == s.Signer {
		return fmt.Sprintf("payer:   %s (sponsor, key %q, %s)", s.Payer, keyName, s.KeyID)
	}
	return fmt.Sprintf("payer:   %s (signed for by its controller %s, key %q, %s)", s.Payer, s.Signer, keyName, s.KeyID)
}
