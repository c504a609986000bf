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
	"github.com/intercooperative/icnd/modules/did"
)

func queryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "query",
		Aliases: []string{"q"},
		Short:   "Read chain state, optionally verified with Merkle proofs",
		Long: `Read module state from --node at --height (default: the latest committed height).

With --prove the answer is verified, not trusted: the node returns an ICS23
proof of the value (or of its absence) against the app hash in the header of
the next height, and CometBFT's light client verifies that header from a
trusted root, cross-checked by --witnesses. The root of trust is --trust-height
and --trust-hash when given, else the header trusted by an earlier run
(kept in HOME/light), else the needed header itself, taken from the node on
first use and checked against the witnesses, which is reported as a warning.

A key that holds nothing is reported as not found (exit code 1); with --prove
the absence itself is verified.

The signing flags of "icnd tx", --keyring-backend and --from, are accepted and
ignored, so that the same client flags serve queries and transactions.`,
		Example: `  icnd query identity did did:icn:abcd... --prove --witnesses tcp://127.0.0.4:26657
  icnd query dag entry bafkrei... --output json
  icnd query mana balance did:icn:abcd... --height 100`,
	}
	idCmd := &cobra.Command{
		Use:   "identity",
		Short: "Query DID documents and organizations",
		Long:  `Queries of the did, org, credential and profile modules (protobuf package icn.identity.v1).`,
		Example: `  icnd query identity did did:icn:abcd...
  icnd query identity members did:icn:<org>`,
	}
	idCmd.AddCommand(queryDIDCmd())
	idCmd.AddCommand(orgQueryCmds()...)
	idCmd.AddCommand(queryCredentialCmd(), queryProfileCmd(), queryDIDByEmailCmd())
	dagCmd := &cobra.Command{
		Use:     "dag",
		Short:   "Query anchored entries",
		Long:    `Queries of the dag module.`,
		Example: `  icnd query dag entry bafkrei...`,
	}
	dagCmd.AddCommand(queryEntryCmd())
	dagCmd.AddCommand(queryLinksCmd())
	manaCmd := &cobra.Command{
		Use:     "mana",
		Short:   "Query mana accounts",
		Long:    `Queries of the mana module.`,
		Example: `  icnd query mana balance did:icn:abcd...`,
	}
	manaCmd.AddCommand(queryBalanceCmd())
	manaCmd.AddCommand(queryManaParamsCmd())
	cmd.AddCommand(idCmd, dagCmd, manaCmd)
	cmd.AddCommand(govQueryCmd())
	cmd.AddCommand(meshQueryCmd())
	return cmd
}

// queryOutput is the JSON form of every query answer.
type queryOutput struct {
	Height int64                  `json:"height"`
	Result any                    `json:"result"`
	Proof  *client.VerifiedHeader `json:"proof,omitempty"`
}

// proofSummary says what a proven answer was checked against.
func proofSummary(res *client.QueryResult) string {
	h := res.Header
	return fmt.Sprintf("against app hash %s of header %d (hash %s) verified by the light client; witnesses: %d",
		h.AppHash, h.Height, h.Hash, h.Witnesses)
}

// reportProof prints, on stderr, what a proven answer rests on and what
// weakens it.
func reportProof(res *client.QueryResult) {
	if res == nil || !res.Proven {
		return
	}
	fmt.Fprintf(os.Stderr, "proof verified: value at height %d %s\n", res.Height, proofSummary(res))
	warnProof(res)
}

func warnProof(res *client.QueryResult) {
	if h := res.Header.TrustedOnFirstUse; h != 0 {
		fmt.Fprintf(os.Stderr, "warning: the root of trust (header %d) was taken from the queried node on first use; pin one with --trust-height and --trust-hash\n", h)
	}
	if res.Header.Witnesses == 0 {
		fmt.Fprintln(os.Stderr, "warning: no independent witness cross-checked the headers; pass --witnesses with other nodes' RPC addresses")
	}
}

// runQuery is the body of every query command: it checks --output, opens
// the querier the flags ask for, reads with read at --height and prints the
// answer, as JSON with --output json and else with printText. A key that
// holds nothing fails the command, naming what was asked for; a verified
// absence is reported as such.
func runQuery[T any](cmd *cobra.Command, what string,
	read func(ctx context.Context, q *client.Querier, height int64) (T, *client.QueryResult, error),
	printText func(v T, res *client.QueryResult),
) error {
	asJSON, err := jsonOutput(cmd)
	if err != nil {
		return err
	}
	q, height, err := querierAt(cmd)
	if err != nil {
		return err
	}
	v, res, err := read(cmd.Context(), q, height)
	if errors.Is(err, client.ErrNotFound) && res != nil {
		if asJSON {
			if perr := printJSON(os.Stdout, queryOutput{Height: res.Height, Result: nil, Proof: res.Header}); perr != nil {
				return perr
			}
		}
		if res.Proven {
			warnProof(res)
			return &reportedError{msg: fmt.Sprintf("verified: %s does not exist at height %d (proof of absence %s)", what, res.Height, proofSummary(res))}
		}
		return fmt.Errorf("%s not found at height %d", what, res.Height)
	}
	if err != nil {
		return err
	}
	if asJSON {
		if res.Proven {
			warnProof(res)
		}
		return printJSON(os.Stdout, queryOutput{Height: res.Height, Result: v, Proof: res.Header})
	}
	printText(v, res)
	reportProof(res)
	return nil
}

func queryDIDCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "did DID",
		Short: "Resolve a DID to its W3C DID document and metadata",
		Long: `Resolve DID to its DID document, in the W3C DID Core JSON representation
(Ed25519VerificationKey2020 keys), followed by its document metadata: when it
was created and last updated (block times, with the heights) and whether it is
deactivated. Only keys that can sign now are listed; revoked keys are history.

--output json prints the DID resolution result (W3C DID Core §7.1:
didDocument, didResolutionMetadata, didDocumentMetadata) with the height and,
with --prove, the verified header. The proof covers the document and its
heights; the block times are as the node reports them.`,
		Example: `  icnd query identity did did:icn:abcd...
  icnd query identity did did:icn:abcd... --prove --node tcp://127.0.0.3:26657 --witnesses tcp://127.0.0.4:26657,tcp://127.0.0.5:26657`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := did.ParseDID(args[0]); err != nil {
				return err
			}
			return runQuery(cmd, "DID "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) (*did.ResolutionResult, *client.QueryResult, error) {
					return q.ResolveDID(ctx, args[0], height)
				},
				func(rr *did.ResolutionResult, _ *client.QueryResult) { printResolution(rr) })
		},
	}
	addQueryFlags(cmd)
	return cmd
}

func queryEntryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "entry CID",
		Short: "Show the entries anchored for a CID",
		Long: `Show what was anchored for CID: each entry's kind, links, the DID that
anchored it and the height.

Every DID that anchors a CID has an entry of its own, and nobody else's anchor
changes it. With --anchorer DID, show the one entry that DID anchored (--output
json: an object). Without it, list every entry of the CID in anchorer order
(--output json: an array); usually there is exactly one. With --prove the
entry, or the list as complete, is proven: a node can neither hide an
anchorer nor add one.`,
		Example: `  icnd query dag entry bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e
  icnd query dag entry bafkrei... --prove --witnesses tcp://127.0.0.4:26657
  icnd query dag entry bafkrei... --anchorer did:icn:abcd... --prove --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client.ParseCID(args[0])
			if err != nil {
				return err
			}
			anchorer, _ := cmd.Flags().GetString("anchorer")
			if anchorer != "" {
				return runQuery(cmd, "entry for CID "+c.String()+" anchored by "+anchorer,
					func(ctx context.Context, q *client.Querier, height int64) (*client.EntryView, *client.QueryResult, error) {
						return q.Entry(ctx, c, anchorer, height)
					},
					printEntry)
			}
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, "entry for CID "+c.String(),
				func(ctx context.Context, q *client.Querier, height int64) ([]*client.EntryView, *client.QueryResult, error) {
					return q.Entries(ctx, c, height, n)
				},
				func(es []*client.EntryView, res *client.QueryResult) {
					for i, e := range es {
						if i > 0 {
							fmt.Println()
						}
						printEntry(e, res)
					}
				})
		},
	}
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	cmd.Flags().String("anchorer", "", "show only the entry this DID anchored")
	return cmd
}

func printEntry(e *client.EntryView, _ *client.QueryResult) {
	links := "none"
	if len(e.Links) > 0 {
		links = strings.Join(e.Links, ", ")
	}
	printFields(os.Stdout,
		[2]string{"cid", e.CID},
		[2]string{"kind", e.Kind},
		[2]string{"links", links},
		[2]string{"anchored_by", e.AnchoredBy},
		[2]string{"height", strconv.FormatInt(e.Height, 10)},
	)
}

func queryBalanceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "balance DID",
		Short: "Show a DID's mana balance, capacity and regeneration",
		Long: `Show DID's mana account as of the queried height H. The balance shown is the one
the next block (H+1) sees: the stored balance plus what regenerated since the
account last changed, capped at the capacity less what is locked in escrow.
Also shows the capacity and the rate (mana per block), each split into the
account's own base grant and what its memberships add, the escrowed mana, and
how many blocks until the account is full.`,
		Example: `  icnd query mana balance did:icn:abcd...
  icnd query mana balance did:icn:abcd... --output json --prove`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := did.ParseDID(args[0]); err != nil {
				return err
			}
			return runQuery(cmd, "mana account of "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) (*client.ManaBalance, *client.QueryResult, error) {
					return q.ManaBalance(ctx, args[0], height)
				},
				printBalance)
		},
	}
	addQueryFlags(cmd)
	return cmd
}

func printBalance(b *client.ManaBalance, _ *client.QueryResult) {
	full := "full"
	switch {
	case b.NeverFull:
		full = "never (rate 0)"
	case b.BlocksUntilFull > 0:
		full = fmt.Sprintf("in %d blocks", b.BlocksUntilFull)
	}
	printFields(os.Stdout,
		[2]string{"did", b.DID},
		[2]string{"height", fmt.Sprintf("%d (balance as block %d sees it)", b.Height, b.Height+1)},
		[2]string{"balance", strconv.FormatUint(b.Balance, 10)},
		[2]string{"capacity", fmt.Sprintf("%d (base %d + membership %d)", b.Capacity, b.BaseCapacity, b.MembershipCapacity)},
		[2]string{"rate", fmt.Sprintf("%d per block (base %d + membership %d)", b.Rate, b.BaseRate, b.MembershipRate)},
		[2]string{"escrowed", strconv.FormatUint(b.Escrowed, 10)},
		[2]string{"full", full},
	)
}
