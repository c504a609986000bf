package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
)

// meshQueryCmd groups the queries of the mesh module.
func meshQueryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mesh",
		Short: "Query jobs and executors",
		Long:  `Queries of the mesh module (docs/mesh.md).`,
		Example: `  icnd query mesh job bafkrei...
  icnd query mesh jobs --status open
  icnd query mesh executors
  icnd query mesh params --output json`,
	}
	cmd.AddCommand(queryJobCmd(), queryJobsCmd(), queryExecutorCmd(), queryExecutorsCmd(), queryMeshParamsCmd())
	return cmd
}

func printJob(j *client.JobView, _ *client.QueryResult) {
	fields := [][2]string{
		{"id", j.ID},
		{"status", j.Status},
		{"poster", j.Poster},
		{"module", j.Module},
		{"input", j.Input},
		{"requirements", fmt.Sprintf("kind %s, %d memory pages, reputation %d", j.Kind, j.MemoryPages, j.MinReputation)},
		{"fuel limit", strconv.FormatUint(j.FuelLimit, 10)},
		{"max price", strconv.FormatUint(j.MaxPrice, 10) + " per unit of fuel"},
		{"replication", fmt.Sprintf("%d (agreement %d)", j.Replication, j.Agreement)},
		{"escrow", strconv.FormatUint(j.Escrow, 10)},
		{"heights", fmt.Sprintf("posted %d, bids until %d, receipts until %d", j.PostedHeight, j.WindowClose, j.DeadlineHeight)},
	}
	if t := j.Terms; t != nil {
		fields = append(fields, [2]string{"terms", fmt.Sprintf("at most %d bids; slashes %d bps of a bid's hold if its receipt disagrees, %d if absent", t.MaxBids, t.SlashBps, t.SlashAbsentBps)})
	}
	if j.CommitDeadline != 0 {
		fields = append(fields, [2]string{"commit phase", fmt.Sprintf("until every executor commits, at most until %d; reveals after", j.CommitDeadline)})
	}
	if j.ClosedHeight != 0 {
		fields = append(fields, [2]string{"closed", fmt.Sprintf("height %d, refunded %d", j.ClosedHeight, j.Refunded)})
	}
	if j.Output != "" {
		fields = append(fields, [2]string{"result", fmt.Sprintf("output %s, fuel %d, exit %d", j.Output, j.Fuel, j.Exit)})
	}
	if j.Reason != "" {
		fields = append(fields, [2]string{"reason", j.Reason})
	}
	printFields(os.Stdout, fields...)
	for _, b := range j.Bids {
		s := fmt.Sprintf("  bid %s at %d (holds %d of its bond)", b.Executor, b.Price, b.Reserved)
		if b.Assigned {
			s += ", assigned"
		}
		if b.Commitment != "" {
			s += ", committed " + b.Commitment
		}
		if b.Receipt != "" {
			s += fmt.Sprintf(", receipt %s: output %s, fuel %d, exit %d", b.Receipt, b.Output, b.Fuel, b.Exit)
		}
		if b.Paid != 0 || b.Slashed != 0 {
			s += fmt.Sprintf(", paid %d, slashed %d", b.Paid, b.Slashed)
		}
		fmt.Println(s)
	}
}

func queryJobCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "job ID",
		Short: "Show a job, its bids, receipts and outcome",
		Long: `Show the job ID (its CID, as post-job printed it): what it runs, its escrow,
its heights, each bid (price, bond held, whether assigned, its receipt) and,
once closed, its result or the reason it failed and what was refunded.`,
		Example: `  icnd query mesh job bafkrei...
  icnd query mesh job bafkrei... --output json --prove --witnesses tcp://127.0.0.4:26657`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuery(cmd, "job "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) (*client.JobView, *client.QueryResult, error) {
					return q.Job(ctx, args[0], height)
				},
				printJob)
		},
	}
	addQueryFlags(cmd)
	return cmd
}

func queryJobsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "List jobs, by status or poster",
		Long: `List the jobs with --status (` + strings.Join(client.JobStatuses, ", ") + `), or posted by
--poster, or both, or every job when neither is given, by id. With --prove the
list is proven complete and each job proven.`,
		Example: `  icnd query mesh jobs
  icnd query mesh jobs --status open
  icnd query mesh jobs --poster did:icn:<alice> --status completed --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			status, _ := cmd.Flags().GetString("status")
			poster, _ := cmd.Flags().GetString("poster")
			return runQuery(cmd, "jobs",
				func(ctx context.Context, q *client.Querier, height int64) ([]*client.JobView, *client.QueryResult, error) {
					return q.Jobs(ctx, status, poster, height, n)
				},
				func(js []*client.JobView, res *client.QueryResult) {
					for _, j := range js {
						fmt.Printf("%s  %-9s  %s  escrow %d\n", j.ID, j.Status, j.Poster, j.Escrow)
					}
					fmt.Fprintf(os.Stderr, "%d jobs at height %d\n", len(js), res.Height)
				})
		},
	}
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	cmd.Flags().String("status", "", "open, assigned, completed, failed or cancelled")
	cmd.Flags().String("poster", "", "DID of the poster")
	return cmd
}

func printExecutor(e *client.ExecutorView, _ *client.QueryResult) {
	printFields(os.Stdout,
		[2]string{"did", e.DID},
		[2]string{"status", e.Status},
		[2]string{"capabilities", fmt.Sprintf("max fuel %d, %d memory pages, kinds %s", e.MaxFuel, e.MemoryPages, strings.Join(e.Kinds, ","))},
		[2]string{"price floor", strconv.FormatUint(e.PriceFloor, 10)},
		[2]string{"bond", fmt.Sprintf("%d (%d held by %d open bids)", e.Bond, e.Reserved, e.Open)},
		[2]string{"reputation", strconv.FormatUint(e.Reputation, 10)},
		[2]string{"registered", "height " + strconv.FormatInt(e.RegisteredHeight, 10)},
	)
}

func queryExecutorCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "executor DID",
		Short: "Show an executor: capabilities, bond and reputation",
		Example: `  icnd query mesh executor did:icn:<carol>
  icnd query mesh executor did:icn:<carol> --prove --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuery(cmd, "executor "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) (*client.ExecutorView, *client.QueryResult, error) {
					return q.Executor(ctx, args[0], height)
				},
				printExecutor)
		},
	}
	addQueryFlags(cmd)
	return cmd
}

func queryExecutorsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "executors",
		Short:   "List every executor, by DID",
		Example: `  icnd query mesh executors --output json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, "executors",
				func(ctx context.Context, q *client.Querier, height int64) ([]*client.ExecutorView, *client.QueryResult, error) {
					return q.Executors(ctx, height, n)
				},
				func(es []*client.ExecutorView, res *client.QueryResult) {
					for _, e := range es {
						fmt.Printf("%s  %-7s  bond %d (%d held)  reputation %d  floor %d\n", e.DID, e.Status, e.Bond, e.Reserved, e.Reputation, e.PriceFloor)
					}
					fmt.Fprintf(os.Stderr, "%d executors at height %d\n", len(es), res.Height)
				})
		},
	}
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	return cmd
}

func queryLinksCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "links CID",
		Short: "Show what a CID's entries link to and which entries link to it",
		Long: `Show both directions of CID's links in the dag: for each entry anchored for
CID (one per anchorer), the CIDs it links to; and every entry (CID and
anchorer) whose links include CID, from the reverse-link index. With --prove
both lists are proven complete.`,
		Example: `  icnd query dag links bafkrei...
  icnd query dag links bafkrei... --prove --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client.ParseCID(args[0])
			if err != nil {
				return err
			}
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, "links of "+c.String(),
				func(ctx context.Context, q *client.Querier, height int64) (*client.LinksView, *client.QueryResult, error) {
					return q.Links(ctx, c, height, n)
				},
				func(v *client.LinksView, _ *client.QueryResult) {
					for _, e := range v.To {
						fmt.Printf("%s (%s, anchored by %s) links to:\n", v.CID, e.Kind, e.AnchoredBy)
						for _, l := range e.Links {
							fmt.Println("  " + l)
						}
					}
					if len(v.From) > 0 {
						fmt.Printf("linked to from:\n")
					}
					for _, r := range v.From {
						fmt.Printf("  %s (anchored by %s)\n", r.CID, r.AnchoredBy)
					}
				})
		},
	}
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	return cmd
}
