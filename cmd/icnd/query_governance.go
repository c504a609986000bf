package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// govQueryCmd is "icnd query governance".
func govQueryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "governance",
		Short: "Query proposals, votes, policies and delegations",
		Long:  `Queries of the governance module (docs/governance.md).`,
		Example: `  icnd query governance proposal 7
  icnd query governance proposals did:icn:<coop> --status voting`,
	}
	cmd.AddCommand(queryProposalCmd(), queryProposalsCmd(), queryVotesCmd(), queryPolicyCmd(), queryDelegationsCmd(),
		queryParamsCmd("params", "Show the governance params (protobuf JSON)", (*client.Querier).GovernanceParams))
	return cmd
}

func printProposal(p *client.ProposalView, _ *client.QueryResult) {
	fields := [][2]string{
		{"id", strconv.FormatUint(p.ID, 10)},
		{"org", p.Org},
		{"title", p.Title},
		{"proposer", p.Proposer},
		{"status", p.Status},
		{"voting", fmt.Sprintf("heights %d to %d", p.SubmitHeight, p.VotingEndHeight)},
		{"tally", fmt.Sprintf("yes %d, no %d, abstain %d of %d (%d voters)", p.Yes, p.No, p.Abstain, p.TotalWeight, p.Voters)},
		{"deposit", strconv.FormatUint(p.Deposit, 10)},
		{"messages", strconv.Itoa(len(p.Messages))},
	}
	if p.ExecuteHeight != 0 {
		fields = append(fields, [2]string{"executes", "height " + strconv.FormatInt(p.ExecuteHeight, 10)})
	}
	if p.EndHeight != 0 {
		fields = append(fields, [2]string{"ended", "height " + strconv.FormatInt(p.EndHeight, 10)})
	}
	if p.Failure != "" {
		fields = append(fields, [2]string{"failure", p.Failure})
	}
	printFields(os.Stdout, fields...)
	for i, m := range p.Messages {
		fmt.Printf("  %d: %s\n", i, m)
	}
}

func queryProposalCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proposal ID",
		Short: "Show a proposal with its live tally",
		Example: `  icnd query governance proposal 7
  icnd query governance proposal 7 --output json --prove --witnesses tcp://127.0.0.4:26657`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			return runQuery(cmd, "proposal "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) (*client.ProposalView, *client.QueryResult, error) {
					return q.Proposal(ctx, id, height)
				}, printProposal)
		},
	}
	addQueryFlags(cmd)
	return cmd
}

func queryProposalsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proposals ORG",
		Short: "List an organization's proposals, optionally of one status",
		Long: `List the proposals of ORG by status and id; --status voting, rejected, expired,
timelocked, vetoed, executed, failed or withdrawn keeps one status.`,
		Example: `  icnd query governance proposals did:icn:<coop>
  icnd query governance proposals did:icn:<coop> --status executed --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			status, _ := cmd.Flags().GetString("status")
			return runQuery(cmd, "organization "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) ([]*client.ProposalView, *client.QueryResult, error) {
					return q.Proposals(ctx, args[0], status, height, n)
				},
				func(ps []*client.ProposalView, res *client.QueryResult) {
					for _, p := range ps {
						fmt.Printf("%d  %s  %q  yes %d no %d abstain %d\n", p.ID, p.Status, p.Title, p.Yes, p.No, p.Abstain)
					}
					fmt.Fprintf(os.Stderr, "%d proposals at height %d\n", len(ps), res.Height)
				})
		},
	}
	cmd.Flags().String("status", "", "only proposals with this status")
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	return cmd
}

func queryVotesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "votes ID",
		Short:   "List a proposal's electorate and their votes",
		Example: `  icnd query governance votes 7`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, "proposal "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) ([]*client.VoteView, *client.QueryResult, error) {
					return q.Votes(ctx, id, height, n)
				},
				func(vs []*client.VoteView, res *client.QueryResult) {
					for _, v := range vs {
						fmt.Printf("%s  %s  weight %d", v.Voter, v.Option, v.Weight)
						if v.Delegate != "" {
							fmt.Printf("  delegates to %s", v.Delegate)
						}
						if v.Delegated != 0 {
							fmt.Printf("  carries %d", v.Delegated)
						}
						fmt.Println()
					}
					fmt.Fprintf(os.Stderr, "%d voters at height %d\n", len(vs), res.Height)
				})
		},
	}
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	return cmd
}

func queryPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "policy ORG",
		Short:   "Show an organization's governance policy",
		Example: `  icnd query governance policy did:icn:<coop> --output json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuery(cmd, "organization "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) (*client.PolicyView, *client.QueryResult, error) {
					return q.Policy(ctx, args[0], height)
				},
				func(p *client.PolicyView, _ *client.QueryResult) {
					if p.Default {
						fmt.Println("(the chain's default policy: the organization never set one)")
					}
					fmt.Println(string(p.Policy))
				})
		},
	}
	addQueryFlags(cmd)
	return cmd
}

func queryDelegationsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "delegations DID",
		Short:   "List a DID's standing delegations",
		Example: `  icnd query governance delegations did:icn:<carol>`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, "DID "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) ([]*governancev1.Delegation, *client.QueryResult, error) {
					return q.Delegations(ctx, args[0], height, n)
				},
				func(ds []*governancev1.Delegation, res *client.QueryResult) {
					for _, d := range ds {
						fmt.Printf("in %s to %s (since height %d)\n", d.Org, d.Delegate, d.Height)
					}
					fmt.Fprintf(os.Stderr, "%d delegations at height %d\n", len(ds), res.Height)
				})
		},
	}
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	return cmd
}

// queryParamsCmd shows a module's params as protobuf JSON: the form a
// proposal that changes them carries.
func queryParamsCmd(use, short string, read func(*client.Querier, context.Context, int64) (json.RawMessage, *client.QueryResult, error)) *cobra.Command {
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: "  icnd query governance params --output json\n  icnd query mana params --output json\n  icnd query mesh params --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQuery(cmd, use,
				func(ctx context.Context, q *client.Querier, height int64) (json.RawMessage, *client.QueryResult, error) {
					return read(q, ctx, height)
				},
				func(js json.RawMessage, _ *client.QueryResult) { fmt.Println(string(js)) })
		},
	}
	addQueryFlags(cmd)
	return cmd
}

// queryMeshParamsCmd is "icnd query mesh params".
func queryMeshParamsCmd() *cobra.Command {
	return queryParamsCmd("params", "Show the mesh params (protobuf JSON)", (*client.Querier).MeshParams)
}

// queryManaParamsCmd is "icnd query mana params".
func queryManaParamsCmd() *cobra.Command {
	return queryParamsCmd("params", "Show the mana params (protobuf JSON)", (*client.Querier).ManaParams)
}
