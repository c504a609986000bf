package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

const flagLimit = "limit"

// orgQueryCmds are the queries of the org module: organizations,
// membership and compliance freezes.
func orgQueryCmds() []*cobra.Command {
	return []*cobra.Command{queryOrgCmd(), queryMembersCmd(), queryOrgsOfCmd(), queryFreezesCmd()}
}

func addLimitFlag(cmd *cobra.Command) {
	cmd.Flags().Int(flagLimit, client.DefaultScanLimit, "read at most this many entries; more is an error")
}

func limit(cmd *cobra.Command) (int, error) {
	n, _ := cmd.Flags().GetInt(flagLimit)
	if n < 1 {
		return 0, fmt.Errorf("--%s must be at least 1, got %d", flagLimit, n)
	}
	return n, nil
}

func printOrganization(o *client.OrganizationView, _ *client.QueryResult) {
	fields := [][2]string{
		{"did", o.DID},
		{"name", o.Name},
		{"kind", o.Kind},
		{"parent", o.Parent},
		{"founder", o.Founder},
		{"control", o.Control},
		{"created", "height " + strconv.FormatInt(o.CreatedHeight, 10)},
		{"bonus seats", fmt.Sprintf("%d (%d held by members, %d free)", o.BonusSeats, o.SeatsUsed, o.BonusSeats-min(o.SeatsUsed, o.BonusSeats))},
	}
	if o.Parent == "" {
		fields[3][1] = "(none: the root federation)"
	}
	if o.ControlTransferredHeight != 0 {
		fields = append(fields, [2]string{"transferred", "height " + strconv.FormatInt(o.ControlTransferredHeight, 10)})
	}
	printFields(os.Stdout, fields...)
}

func queryOrgCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "org DID",
		Short: "Show an organization",
		Long: `Show the organization DID: its name, kind, parent federation, founder, who
controls it (its founder, or its assembly of members) and since when, and its
bonus seats: how many it holds, how many its members hold, and how many are
free (for members who join, or to pass down with set-seats). Its DID document
(no keys; controllers) is shown by "icnd query identity did".`,
		Example: `  icnd query identity org did:icn:<org>
  icnd query identity org did:icn:<org> --output json --prove --witnesses tcp://127.0.0.4:26657`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuery(cmd, "organization "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) (*client.OrganizationView, *client.QueryResult, error) {
					return q.Organization(ctx, args[0], height)
				},
				printOrganization)
		},
	}
	addQueryFlags(cmd)
	return cmd
}

func queryMembersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "members ORG",
		Short: "List an organization's members and their roles",
		Long: `List the members of the organization ORG, by DID, with their roles, the
height at which they joined, and whether they hold one of ORG's bonus seats
(only seated members earn ORG's mana bonus; the others wait). With --prove the list is proven complete: each
entry and each gap between entries is proven against the same verified
header, so a node can neither add nor hide a member.`,
		Example: `  icnd query identity members did:icn:<org>
  icnd query identity members did:icn:<org> --prove --witnesses tcp://127.0.0.4:26657 --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, "organization "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) ([]*identityv1.Membership, *client.QueryResult, error) {
					return q.Members(ctx, args[0], height, n)
				},
				func(ms []*identityv1.Membership, res *client.QueryResult) {
					for _, m := range ms {
						seat := "waiting for a seat"
						if m.Seated {
							seat = "seated"
						}
						fmt.Printf("%s  %s  (joined at height %d, %s)\n", m.Member, strings.Join(m.Roles, ","), m.JoinedHeight, seat)
					}
					fmt.Fprintf(os.Stderr, "%d members at height %d\n", len(ms), res.Height)
				})
		},
	}
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	return cmd
}

func queryOrgsOfCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "orgs-of DID",
		Short: "List the organizations a DID is a member of",
		Long: `List the organizations DID is a member of, by organization DID. With --prove
the list is proven complete and each organization proven.`,
		Example: `  icnd query identity orgs-of did:icn:<bob>
  icnd query identity orgs-of did:icn:<bob> --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, "DID "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) ([]*client.OrganizationView, *client.QueryResult, error) {
					return q.OrganizationsOf(ctx, args[0], height, n)
				},
				func(orgs []*client.OrganizationView, res *client.QueryResult) {
					for _, o := range orgs {
						fmt.Printf("%s  %s  %s\n", o.DID, o.Kind, o.Name)
					}
					fmt.Fprintf(os.Stderr, "%d organizations at height %d\n", len(orgs), res.Height)
				})
		},
	}
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	return cmd
}

func queryFreezesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "freezes DID",
		Short: "List the compliance freezes in force on an account",
		Long: `List the freezes in force on the account DID: which organization froze it, by
which officer, why, when, and its appeal if it made one. An empty list means
the account is not frozen. With --prove the list is proven complete.`,
		Example: `  icnd query identity freezes did:icn:<bob>
  icnd query identity freezes did:icn:<bob> --prove --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := limit(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, "DID "+args[0],
				func(ctx context.Context, q *client.Querier, height int64) ([]*identityv1.Freeze, *client.QueryResult, error) {
					return q.Freezes(ctx, args[0], height, n)
				},
				func(fs []*identityv1.Freeze, res *client.QueryResult) {
					for _, f := range fs {
						fmt.Printf("frozen by %s (officer %s) at height %d: %q\n", f.Org, f.FrozenBy, f.Height, f.Reason)
						if f.AppealHeight != 0 {
							fmt.Printf("  appealed at height %d: %q\n", f.AppealHeight, f.Appeal)
						}
					}
					fmt.Fprintf(os.Stderr, "%d freezes at height %d\n", len(fs), res.Height)
				})
		},
	}
	addQueryFlags(cmd)
	addLimitFlag(cmd)
	return cmd
}
