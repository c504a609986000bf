package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/credential"
	"github.com/intercooperative/icnd/modules/did"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

func credentialCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credential",
		Short: "Issue and verify verifiable credentials",
		Long: `Verifiable credentials are W3C Verifiable Credentials (data model 2.0) secured
with an eddsa-jcs-2022 Data Integrity proof by the issuer's key. The credential
is a JSON file held by its subject; the chain anchors its CID with the issuer,
subject and type, and records its revocation (docs/credentials.md).

Revoke with "icnd tx identity revoke-credential", read the on-chain status with
"icnd query identity credential".`,
		Example: `  icnd credential issue --subject did:icn:bob... --type CourseCredential --claim course=bookkeeping --from alice --output-document bob-course.json
  icnd credential issue --type MembershipCredential --subject did:icn:bob... --issuer did:icn:<coop> --from alice --output-document bob-member.json
  icnd credential verify bob-member.json --witnesses tcp://127.0.0.4:26657`,
	}
	cmd.AddCommand(credentialIssueCmd(), credentialVerifyCmd())
	return cmd
}

func credentialIssueCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "issue",
		Short: "Sign a credential with --from, anchor its CID on chain and write it to a file",
		Long: `Build a credential about --subject of type --type with the given --claim
name=value pairs, sign it with the --from key (its eddsa-jcs-2022 proof names
the verification method SIGNER#KEY-ID, see --key-id), anchor its CID with an
issue_credential transaction, and write it to --output-document, which must not
exist yet. The file is written only once the transaction succeeded.

The issuer is the signer's DID, or --issuer: an organization whose controller
signs. The credential records the chain's latest committed height
(icnIssuedAtHeight): verifiers check that the signing key belonged to the
issuer at that height.

A MembershipCredential, issued by an organization on admission, claims
"organization" (default: --issuer) and "role" (default: "member"); the command
checks on chain that the subject is a member holding that role.

The transaction flags are those of "icnd tx".`,
		Example: `  icnd credential issue --subject did:icn:bob... --type CourseCredential --claim course=bookkeeping --claim grade=A --from alice --output-document bob-course.json
  icnd credential issue --type MembershipCredential --subject did:icn:bob... --issuer did:icn:<coop> --from alice --output-document bob-member.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			subject, _ := cmd.Flags().GetString("subject")
			credType, _ := cmd.Flags().GetString("type")
			issuerFlag, _ := cmd.Flags().GetString("issuer")
			outPath, _ := cmd.Flags().GetString("output-document")
			pairs, _ := cmd.Flags().GetStringArray("claim")
			switch {
			case subject == "":
				return errors.New("--subject is required: the DID the credential is about")
			case credType == "":
				return errors.New("--type is required, e.g. --type MembershipCredential")
			case outPath == "":
				return errors.New("--output-document FILE is required: where to write the signed credential")
			}
			if err := did.ParseDID(subject); err != nil {
				return fmt.Errorf("--subject: %w", err)
			}
			if issuerFlag != "" {
				if err := did.ParseDID(issuerFlag); err != nil {
					return fmt.Errorf("--issuer: %w", err)
				}
			}
			claims, err := credential.ParseClaims(pairs)
			if err != nil {
				return err
			}
			// Refuse to overwrite a credential; the file stays empty until
			// the anchoring transaction succeeded, and goes if it failed.
			out, err := os.OpenFile(outPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return fmt.Errorf("--output-document: %w", err)
			}
			written := false
			defer func() {
				if !written {
					out.Close()
					os.Remove(outPath)
				}
			}()
			var signedDoc []byte
			err = runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				issuer := issuerFlag
				if issuer == "" {
					issuer = env.signer
				}
				iss, err := credential.Issue(env.ctx, env.client, credential.IssueRequest{
					Issuer: issuer, Subject: subject, Type: credType, Claims: claims,
					VerificationMethod: env.signer + "#" + env.keyID, Now: time.Now(),
				}, env.sign)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				signedDoc = iss.Document
				d := fmt.Sprintf("issue_credential %s type=%s issuer=%s subject=%s claims=%s",
					iss.CID, credType, issuer, subject, strings.Join(credential.ClaimNames(iss.Claims), ","))
				return []*txv1.Msg{iss.Msg}, []string{d}, txOutput{CID: iss.CID.String()}, nil
			})
			if err != nil {
				return err
			}
			_, err = out.Write(signedDoc)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			written = err == nil
			if err != nil {
				// The credential is anchored and cannot be signed again
				// with the same CID: hand it over rather than lose it.
				os.Stdout.Write(signedDoc)
				return fmt.Errorf("the credential is anchored, but writing %s failed (it is printed above): %w", outPath, err)
			}
			fmt.Fprintf(os.Stderr, "credential written to %s\n", outPath)
			return nil
		},
	}
	// The transaction flags of "icnd tx", taken from that command so that
	// the two never drift apart.
	cmd.Flags().AddFlagSet(txCmd().PersistentFlags())
	cmd.Flags().String("subject", "", "DID the credential is about (required)")
	cmd.Flags().String("type", "", "credential type besides VerifiableCredential, e.g. MembershipCredential (required)")
	cmd.Flags().StringArray("claim", nil, "claim about the subject, name=value (repeatable)")
	cmd.Flags().String("issuer", "", "issuer DID (default: the signer); an organization the signer controls")
	cmd.Flags().String("output-document", "", "file to write the signed credential to; must not exist (required)")
	return cmd
}

func credentialVerifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify FILE",
		Short: "Verify a credential: its signature, the issuer's key at issuance, and its on-chain status",
		Long: `Verify the credential in FILE and print each check with ✓ or ✗:

  signature   the eddsa-jcs-2022 proof verifies under the key its verification
              method names (read from the chain; revoked keys stay listed)
  issuer key  that key was valid at the height the credential records
              (icnIssuedAtHeight) and belongs to the issuer, or to the
              controller that anchored the credential for the issuer
  status      the credential's CID is anchored on chain for the same issuer,
              subject and type, after that height, and is not revoked

Chain state is read with proofs verified by the light client, as "icnd query
--prove" does (pass --witnesses to cross-check the node); --prove=false trusts
the node instead. The command exits non-zero and names the checks that failed.`,
		Example: `  icnd credential verify bob-member.json
  icnd credential verify bob-member.json --witnesses tcp://127.0.0.4:26657,tcp://127.0.0.5:26657 --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := jsonOutput(cmd)
			if err != nil {
				return err
			}
			raw, err := readBounded(args[0], credential.MaxDocumentBytes)
			if err != nil {
				return err
			}
			d, err := credential.Parse(raw)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			q, height, err := querierAt(cmd)
			if err != nil {
				return err
			}
			r, err := credential.Verify(cmd.Context(), d, q, height)
			if err != nil {
				return err
			}
			if r.Proof != nil {
				warnProof(&client.QueryResult{Proven: true, Header: r.Proof})
			}
			if asJSON {
				if err := printJSON(os.Stdout, r); err != nil {
					return err
				}
			} else {
				printReport(r)
			}
			if failed := r.Failed(); len(failed) > 0 {
				return &reportedError{msg: "credential verification failed: " + strings.Join(failed, ", ")}
			}
			return nil
		},
	}
	addQueryFlags(cmd)
	// Verification rests on proofs unless the user opts out.
	prove := cmd.Flags().Lookup(flagProve)
	prove.DefValue = "true"
	_ = prove.Value.Set("true")
	prove.Usage = "verify chain state with ICS23 proofs against light-client-verified headers (--prove=false trusts the node)"
	return cmd
}

func printReport(r *credential.Report) {
	fmt.Printf("credential %s\n  %s issued by %s about %s at height %d\n", r.CID, r.Type, r.Issuer, r.Subject, r.IssuedAtHeight)
	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.Name))
	}
	for _, c := range r.Checks {
		mark := "✓"
		if !c.OK {
			mark = "✗"
		}
		fmt.Printf("%s %-*s  %s\n", mark, width, c.Name, c.Detail)
	}
}

// readBounded reads the file at path, refusing one larger than limit.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%s is larger than a credential may be (%d bytes)", path, limit)
	}
	return raw, nil
}

func txRevokeCredentialCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "revoke-credential CID",
		Short: "Revoke a credential for good, as its issuer or the issuer's controller",
		Long: `Revoke the credential whose CID is given (the CID "icnd credential issue"
printed), anchored for --issuer (default: the signer's DID; give the
organization for an organization's credential). The chain keeps credentials by
issuer and CID. The signer must be the issuer or, for an organization's
credential, a DID that controls the organization now. Revocation is final; the
--reason (at most 256 bytes) is public and shown to verifiers.`,
		Example: `  icnd tx identity revoke-credential bafkrei... --reason "course withdrawn" --from alice
  icnd tx identity revoke-credential bafkrei... --issuer did:icn:<coop> --reason "left the cooperative" --from alice`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client.ParseCID(args[0])
			if err != nil {
				return err
			}
			issuerFlag, _ := cmd.Flags().GetString("issuer")
			if issuerFlag != "" {
				if err := did.ParseDID(issuerFlag); err != nil {
					return fmt.Errorf("--issuer: %w", err)
				}
			}
			reason, _ := cmd.Flags().GetString("reason")
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				issuer := issuerFlag
				if issuer == "" {
					issuer = env.signer
				}
				msg, err := credential.RevokeMsg(c, issuer, reason)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				d := fmt.Sprintf("revoke_credential %s issuer=%s reason=%q", c, issuer, reason)
				return []*txv1.Msg{msg}, []string{d}, txOutput{CID: c.String()}, nil
			})
		},
	}
	cmd.Flags().String("issuer", "", "DID the credential was anchored for (default: the signer); an organization the signer controls")
	cmd.Flags().String("reason", "", "why the credential is revoked, shown to verifiers")
	return cmd
}

func queryCredentialCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credential CID --issuer DID",
		Short: "Show a credential's on-chain status: issuer, subject, type, issuance and revocation",
		Long: `Show the on-chain record of the credential whose CID is given, anchored for
--issuer (required: the chain keeps credentials by issuer and CID, so that
nobody can anchor a CID in their own name ahead of its real issuer): its
subject and type, the height and signer of its anchoring, and, if it was
revoked, when, by whom and why. The credential itself is not on chain; check a
credential file with "icnd credential verify".`,
		Example: `  icnd query identity credential bafkrei... --issuer did:icn:<issuer>
  icnd query identity credential bafkrei... --issuer did:icn:<issuer> --prove --witnesses tcp://127.0.0.4:26657 --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client.ParseCID(args[0])
			if err != nil {
				return err
			}
			issuer, _ := cmd.Flags().GetString("issuer")
			if issuer == "" {
				return errors.New("--issuer is required: the DID the credential was anchored for")
			}
			if err := did.ParseDID(issuer); err != nil {
				return fmt.Errorf("--issuer: %w", err)
			}
			return runQuery(cmd, "credential "+c.String()+" issued by "+issuer,
				func(ctx context.Context, q *client.Querier, height int64) (*client.CredentialView, *client.QueryResult, error) {
					return q.Credential(ctx, issuer, c, height)
				},
				printCredential)
		},
	}
	cmd.Flags().String("issuer", "", "DID the credential was anchored for (required)")
	addQueryFlags(cmd)
	return cmd
}

func printCredential(view *client.CredentialView, _ *client.QueryResult) {
	fields := [][2]string{
		{"cid", view.CID},
		{"type", view.Type},
		{"issuer", view.Issuer},
		{"subject", view.Subject},
		{"issued", fmt.Sprintf("height %d by %s", view.IssuedHeight, view.IssuedBy)},
	}
	if view.Revoked {
		fields = append(fields, [2]string{"revoked", fmt.Sprintf("height %d by %s: %s", view.RevokedHeight, view.RevokedBy, strconv.Quote(view.Reason))})
	} else {
		fields = append(fields, [2]string{"revoked", "no"})
	}
	printFields(os.Stdout, fields...)
}
