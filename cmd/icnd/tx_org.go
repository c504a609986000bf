package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	orgmod "github.com/intercooperative/icnd/modules/org"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// orgTxCmds are the transactions of the org module: organizations,
// membership, roles, control and compliance freezes.
func orgTxCmds() []*cobra.Command {
	return []*cobra.Command{
		txCreateOrgCmd(), txInviteCmd(), txAcceptCmd(), txLeaveCmd(), txRemoveMemberCmd(),
		txGrantRoleCmd(), txRevokeRoleCmd(), txTransferControlCmd(), txSetSeatsCmd(),
		txFreezeCmd(), txUnfreezeCmd(), txAppealCmd(),
	}
}

// simpleTx broadcasts the one message msg builds, described by describe.
func simpleTx(cmd *cobra.Command, msg *txv1.Msg, describe string) error {
	return runTx(cmd, func(txEnv) ([]*txv1.Msg, []string, txOutput, error) {
		return []*txv1.Msg{msg}, []string{describe}, txOutput{}, nil
	})
}

func txCreateOrgCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create-org NAME",
		Short: "Found a community, cooperative or federation under a federation",
		Long: `Found an organization called NAME under the federation --parent. The --from
account becomes its founder: its first member, with the roles "founder" and
"member", and its controller until control passes to the assembly
(transfer-control). The organization gets a DID derived from the parent and the
name (docs/did-method.md), a DID document without keys, and a mana account as
its treasury. It starts with no bonus seats, so its members, the founder
included, earn no mana bonus until its parent's controller gives it seats
(set-seats).

NAME is 1 to 64 characters of a-z, 0-9 and '-', not starting or ending with
'-', and unique under its parent. Prints the organization's DID.`,
		Example: `  icnd tx identity create-org bakery --kind cooperative --parent did:icn:<root> --from alice
  icnd tx identity create-org north --kind federation --parent did:icn:<root> --from alice --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, _ := cmd.Flags().GetString("kind")
			parent, _ := cmd.Flags().GetString("parent")
			if kind == "" || parent == "" {
				return errors.New("--kind and --parent are required, e.g. --kind cooperative --parent did:icn:<federation>")
			}
			msg, did, err := client.CreateOrganization(args[0], kind, parent)
			if err != nil {
				return err
			}
			return runTx(cmd, func(txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				d := fmt.Sprintf("create_organization %s (%s under %s) = %s", args[0], kind, parent, did)
				return []*txv1.Msg{msg}, []string{d}, txOutput{DID: did}, nil
			})
		},
	}
	cmd.Flags().String("kind", "", "community, cooperative or federation (required)")
	cmd.Flags().String("parent", "", "DID of the parent federation (required)")
	return cmd
}

func txInviteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "invite ORG MEMBER",
		Short: "Invite a registered DID to an organization (founder only)",
		Long: `Invite MEMBER, a registered DID, to the organization ORG, offering the roles
given with --role besides "member" (which every member holds). The invitee
joins with accept. Inviting again replaces a pending invitation. Only ORG's
controller (its founder, until control passes to the assembly) may invite.

Roles are 1 to 32 characters of a-z, 0-9 and '-': "compliance-officer" may
freeze members' accounts; any other name is a custom role. "founder" cannot be
given.`,
		Example: `  icnd tx identity invite did:icn:<org> did:icn:<bob> --from alice
  icnd tx identity invite did:icn:<org> did:icn:<carol> --role compliance-officer --from alice`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			roles, _ := cmd.Flags().GetStringArray("role")
			msg, err := client.InviteMember(args[0], args[1], roles)
			if err != nil {
				return err
			}
			d := fmt.Sprintf("invite_member %s to %s", args[1], args[0])
			if len(roles) > 0 {
				d += " with roles " + strings.Join(roles, ",")
			}
			return simpleTx(cmd, msg, d)
		},
	}
	cmd.Flags().StringArray("role", nil, "role offered besides member (repeatable)")
	return cmd
}

func txAcceptCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "accept ORG",
		Short: "Accept your pending invitation to an organization",
		Long: `Join the organization ORG with the roles of the --from account's pending
invitation. If ORG has a free bonus seat the account takes it, which raises its
mana capacity; otherwise it waits for one (query identity members).`,
		Example: `  icnd tx identity accept did:icn:<org> --from bob`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := client.AcceptInvitation(args[0])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, "accept_invitation to "+args[0])
		},
	}
}

func txLeaveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "leave ORG",
		Short: "Leave an organization",
		Long: `End the --from account's membership of ORG. A founder who controls ORG cannot
leave until control has passed to the assembly.`,
		Example: `  icnd tx identity leave did:icn:<org> --from bob`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := client.LeaveOrganization(args[0])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, "leave_organization "+args[0])
		},
	}
}

func txRemoveMemberCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove-member ORG MEMBER",
		Short: "Remove a member from an organization (founder only)",
		Long: `End MEMBER's membership of ORG. Only ORG's controller may remove a member, and
never the founder while it controls ORG. A freeze ORG placed on the account
stays until an officer lifts it.`,
		Example: `  icnd tx identity remove-member did:icn:<org> did:icn:<bob> --from alice`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := client.RemoveMember(args[0], args[1])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("remove_member %s from %s", args[1], args[0]))
		},
	}
}

func txGrantRoleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "grant-role ORG MEMBER ROLE",
		Short: "Give a member a role (founder only)",
		Long: `Give MEMBER of ORG the role ROLE: "compliance-officer" or a custom role of 1 to
32 characters of a-z, 0-9 and '-'. "member" and "founder" cannot be granted. A
member holds at most 8 roles, "member" included.`,
		Example: `  icnd tx identity grant-role did:icn:<org> did:icn:<carol> compliance-officer --from alice`,
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := client.GrantRole(args[0], args[1], args[2])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("grant_role %s to %s in %s", args[2], args[1], args[0]))
		},
	}
}

func txRevokeRoleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke-role ORG MEMBER ROLE",
		Short: "Take a role from a member (founder only)",
		Long: `Take the role ROLE from MEMBER of ORG. "member" ends with the membership
(remove-member) and "founder" with the transfer of control, so neither is
revoked this way.`,
		Example: `  icnd tx identity revoke-role did:icn:<org> did:icn:<carol> compliance-officer --from alice`,
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := client.RevokeRole(args[0], args[1], args[2])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("revoke_role %s from %s in %s", args[2], args[1], args[0]))
		},
	}
}

func txTransferControlCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "transfer-control ORG",
		Short: "Hand an organization to its assembly of members, for good",
		Long: `Hand control of ORG from its founder to its assembly of members. This cannot be
undone: afterwards no single key, the founder's included, can invite, remove,
grant or revoke roles, or transfer control for ORG; only governance outcomes of
its assembly act for it. The founder stays a member and loses the "founder"
role. Compliance officers keep theirs.`,
		Example: `  icnd tx identity transfer-control did:icn:<org> --from alice`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := client.TransferControl(args[0])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, "transfer_control of "+args[0]+" to its assembly (irreversible)")
		},
	}
}

func txSetSeatsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set-seats ORG N",
		Short: "Set how many bonus seats an organization holds (its parent's controller only)",
		Long: `Set the bonus seats of ORG to N, moving the difference from, or back to, the
free seats of ORG's parent federation. A member of ORG earns ORG's mana
capacity bonus only while it holds one of ORG's seats; the seats its members do
not hold can be passed down to organizations under it. Only the controller of
ORG's parent may set them (its founder, until control passes to its assembly);
the root federation's seats come from genesis.

Raising seats ORG's members who wait for a seat, in DID order, at most ` + strconv.Itoa(orgmod.MaxSeatedPerMessage) + `
per transaction; setting N again seats more. N below the seats ORG's members
hold is refused: no member is unseated; they must leave or be removed first.`,
		Example: `  icnd tx identity set-seats did:icn:<org> 10 --from alice`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.ParseUint(args[1], 10, 32)
			if err != nil {
				return fmt.Errorf("seats %q: want a whole number", args[1])
			}
			msg, err := client.SetSeats(args[0], uint32(n))
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("set_seats of %s to %d", args[0], n))
		},
	}
}

func txFreezeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "freeze ORG ACCOUNT",
		Short: "Freeze a member's account (compliance officer only)",
		Long: `Freeze ACCOUNT, a member of ORG, on behalf of ORG. The --from account must hold
ORG's "compliance-officer" role. Until an officer of ORG unfreezes it, the
account may not act within ORG's scope: ORG and every organization below it
(code org/51); it may still leave an organization and appeal. Only a freeze by
the root federation, whose scope is the whole network, refuses every
transaction the account signs but those (code tx/30). The officer gains no
other power over the account: it cannot sign for it or move its mana.
--reason (1 to 512 bytes) is recorded on chain, in public.`,
		Example: `  icnd tx identity freeze did:icn:<org> did:icn:<bob> --reason "audit of March accounts" --from carol`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			reason, _ := cmd.Flags().GetString("reason")
			msg, err := client.FreezeAccount(args[0], args[1], reason)
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("freeze_account %s for %s: %q", args[1], args[0], reason))
		},
	}
	cmd.Flags().String("reason", "", "why the account is frozen, recorded on chain (required)")
	return cmd
}

func txUnfreezeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "unfreeze ORG ACCOUNT",
		Short: "Lift an organization's freeze of an account (compliance officer only)",
		Long: `Lift ORG's freeze of ACCOUNT. The --from account must hold ORG's
"compliance-officer" role. The account acts again within ORG's scope, except
where another organization's freeze holds. --reason (1 to 512 bytes) goes into the transaction and its
event, in public.`,
		Example: `  icnd tx identity unfreeze did:icn:<org> did:icn:<bob> --reason "audit closed" --from carol`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			reason, _ := cmd.Flags().GetString("reason")
			msg, err := client.UnfreezeAccount(args[0], args[1], reason)
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("unfreeze_account %s for %s: %q", args[1], args[0], reason))
		},
	}
	cmd.Flags().String("reason", "", "why the freeze is lifted (required)")
	return cmd
}

func txAppealCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "appeal ORG",
		Short: "Appeal an organization's freeze of your account",
		Long: `Record a statement against ORG's freeze of the --from account. A frozen account
may always send this, even under a freeze by the root federation; it is
recorded once per freeze, on chain and in public, for ORG's officers and,
later, its governance. --statement is 1 to 2048 bytes.`,
		Example: `  icnd tx identity appeal did:icn:<org> --statement "the audit closed on 3 April" --from bob`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			statement, _ := cmd.Flags().GetString("statement")
			msg, err := client.AppealFreeze(args[0], statement)
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, "appeal_freeze of "+args[0])
		},
	}
	cmd.Flags().String("statement", "", "the appeal, recorded on chain (required)")
	return cmd
}
