package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/governance"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// govTxCmd is "icnd tx governance": proposals, votes, vetoes and
// delegations.
func govTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "governance",
		Short: "Governance transactions: propose, vote, veto, delegate",
		Long: `Transactions of the governance module (docs/governance.md). An organization
acts through proposals its members vote on; the root federation's proposals
change the chain (parameters, validators, upgrades).`,
		Example: `  icnd tx governance propose proposal.json --from bob
  icnd tx governance vote 7 yes --from alice
  icnd tx governance delegate did:icn:<coop> did:icn:<alice> --from carol`,
	}
	cmd.AddCommand(txProposeCmd(), txVoteCmd(), txGovIDCmd("withdraw", "Withdraw your proposal before its first vote", client.WithdrawProposal),
		txGovIDCmd("veto", "Veto a passed proposal during its timelock (veto holders only)", client.Veto),
		txDelegateCmd(), txUndelegateCmd())
	return cmd
}

// proposalExample is one example file of "propose --help".
type proposalExample struct {
	// what the proposal does, shown above the file.
	what string
	// file is a complete proposal file, with placeholders in angle
	// brackets (<coop>, <root>, ...) for DIDs, keys and CIDs.
	file string
}

// proposalExamples are shown by "propose --help": one complete file per
// kind of proposal. TestProposalExamples fills in the placeholders and
// checks that each decodes and passes the chain's stateless checks.
var proposalExamples = []proposalExample{
	{"Text only (no messages; a decision on the record)", `{"org": "did:icn:<coop>", "title": "Adopt the 2027 budget",
 "summary": "See the attached document.",
 "summary_cid": "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"}`},
	{"Hand control to the assembly (once, for good)", `{"org": "did:icn:<coop>", "title": "Assembly control",
 "messages": [{"transfer_control": {"org": "did:icn:<coop>"}}]}`},
	{"Membership add (the invitee then accepts) and remove", `{"org": "did:icn:<coop>", "title": "Admit dave, part with erin",
 "messages": [{"invite_member": {"org": "did:icn:<coop>", "member": "did:icn:<dave>", "roles": ["baker"]}},
              {"remove_member": {"org": "did:icn:<coop>", "member": "did:icn:<erin>"}}]}`},
	{"Role grant and revoke, including the compliance officer", `{"org": "did:icn:<coop>", "title": "New compliance officer",
 "messages": [{"grant_role": {"org": "did:icn:<coop>", "member": "did:icn:<dave>", "role": "compliance-officer"}},
              {"revoke_role": {"org": "did:icn:<coop>", "member": "did:icn:<carol>", "role": "compliance-officer"}}]}`},
	{"Treasury spend (mana from the organization's treasury to a DID)", `{"org": "did:icn:<coop>", "title": "Pay the bakery",
 "messages": [{"spend_treasury": {"org": "did:icn:<coop>", "to": "did:icn:<bakery>", "amount": "5000"}}]}`},
	{"Issue a credential as the organization (cid: the base64 binary CID of the signed credential)", `{"org": "did:icn:<coop>", "title": "Membership credential for dave",
 "messages": [{"issue_credential": {"cid": "<base64 binary CID>", "issuer": "did:icn:<coop>", "subject": "did:icn:<dave>", "credential_type": "MembershipCredential"}}]}`},
	{"Revoke it", `{"org": "did:icn:<coop>", "title": "Revoke dave's credential",
 "messages": [{"revoke_credential": {"cid": "<base64 binary CID>", "issuer": "did:icn:<coop>", "reason": "left"}}]}`},
	{"Policy change (the organization's own)", `{"org": "did:icn:<coop>", "title": "Two-thirds majority, shorter votes",
 "messages": [{"set_policy": {"org": "did:icn:<coop>", "policy": {
     "electorate": "ELECTORATE_ONE_MEMBER_ONE_VOTE",
     "quorum": {"num": "1", "den": "2"}, "threshold": {"num": "2", "den": "3"},
     "voting_period": "600", "timelock": "60",
     "veto_role": "compliance-officer", "deposit": "100"}}}]}`},
	{"Root federation only: the governance params (a params change carries the whole params: " +
		"take \"icnd query governance params --output json\" and edit it)", `{"org": "did:icn:<root>", "title": "Shorter default votes",
 "messages": [{"set_governance_params": {"params": {
     "default_policy": {"electorate": "ELECTORATE_ONE_MEMBER_ONE_VOTE",
       "quorum": {"num": "1", "den": "3"}, "threshold": {"num": "1", "den": "2"},
       "voting_period": "43200", "timelock": "3600", "deposit": "100"},
     "max_voting_period": "1000000", "max_timelock": "1000000", "max_electorate": 20000,
     "snapshot_cost_per_voter": "1"}}}]}`},
	{"Root federation only: the mana params (chain costs; <mana params> is the edited result of " +
		"\"icnd query mana params --output json\")", `{"org": "did:icn:<root>", "title": "Cheaper transactions",
 "messages": [{"set_mana_params": {"params": <mana params>}}]}`},
	{"Root federation only: the mesh params (the whole params: take \"icnd query mesh params --output json\" " +
		"and edit it; they apply from the next block, and jobs already posted keep their terms)", `{"org": "did:icn:<root>", "title": "Larger executor bonds",
 "messages": [{"set_mesh_params": {"params": {
     "max_bids_per_job": 16, "max_jobs_per_block": 100, "min_bond": "500",
     "slash_bps": "5000", "slash_absent_bps": "2000",
     "reputation_gain": "100", "reputation_loss_disagree": "1000", "reputation_loss_absent": "500",
     "max_reputation": "20000", "max_bid_window": "1000", "max_deadline": "10000",
     "reputation_gain_interval": "100"}}}]}`},
	{"Root federation only: add a validator (power 0 removes it)", `{"org": "did:icn:<root>", "title": "Fifth validator",
 "messages": [{"set_validator": {"pub_key": "<base64 Ed25519 key>", "power": "10"}}]}`},
	{"Root federation only: a software upgrade (a later proposal carrying {\"cancel_upgrade\": {\"name\": \"v2\"}} cancels it)", `{"org": "did:icn:<root>", "title": "Upgrade to v2",
 "messages": [{"schedule_upgrade": {"plan": {"name": "v2", "height": "120000", "info": "https://..."}}}]}`},
}

// proposalExamplesText renders proposalExamples for --help.
func proposalExamplesText() string {
	var b strings.Builder
	for i, e := range proposalExamples {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.what + ":\n")
		for _, line := range strings.Split(e.file, "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func txProposeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "propose FILE.json | --text --org ORG --title TITLE",
		Short: "Submit a proposal of an organization you are a member of",
		Long: `Submit a proposal read from FILE.json, or, with --text, a text-only proposal
given by --org, --title and --summary. The --from account must be a member of
the organization; it locks the policy's deposit (returned when the proposal
reaches quorum or is withdrawn, burned when it fails quorum or is vetoed).

Each message is a transaction message in protobuf JSON, keyed by its name in
docs/tx-format.md section 2.3; only those marked for governance may be
proposed, the root-only ones only by the root federation. They are checked
here as the chain will check them, then run with the organization's authority
if the proposal passes. Prints the proposal's id.

Example files, one per kind of proposal:

` + proposalExamplesText(),
		Example: `  icnd tx governance propose proposal.json --from bob
  icnd tx governance propose --text --org did:icn:<coop> --title "Adopt the budget" --summary "..." --from bob`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			text, _ := cmd.Flags().GetBool("text")
			var msg *txv1.Msg
			var err error
			switch {
			case text && len(args) == 0:
				org, _ := cmd.Flags().GetString("org")
				title, _ := cmd.Flags().GetString("title")
				summary, _ := cmd.Flags().GetString("summary")
				msg, err = client.SubmitProposal(org, title, summary, "", nil)
			case !text && len(args) == 1:
				data, rerr := os.ReadFile(args[0])
				if rerr != nil {
					return rerr
				}
				msg, err = client.ParseProposalFile(data)
			default:
				return errors.New("give either FILE.json or --text with --org and --title")
			}
			if err != nil {
				return err
			}
			sp := msg.GetSubmitProposal()
			if _, _, err := governance.DecodeMessages(app.MessageRouter(), sp.Messages); err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("submit_proposal to %s: %q with %d messages", sp.Org, sp.Title, len(sp.Messages)))
		},
	}
	cmd.Flags().Bool("text", false, "a text-only proposal from --org, --title and --summary")
	cmd.Flags().String("org", "", "organization (with --text)")
	cmd.Flags().String("title", "", "title (with --text)")
	cmd.Flags().String("summary", "", "summary (with --text)")
	return cmd
}

func parseID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("proposal id %q: want a number from 1", s)
	}
	return id, nil
}

func txVoteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "vote ID yes|no|abstain",
		Short: "Vote on a proposal (again to change your vote)",
		Long: `Vote on proposal ID. You must have been a member of its organization when it
was submitted. A vote can be changed until the voting period ends; your own
vote overrides the vote of anyone you delegated to, for this proposal.
Abstaining counts toward the quorum, not toward the threshold.`,
		Example: `  icnd tx governance vote 7 yes --from alice`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			msg, err := client.Vote(id, args[1])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("vote %s on proposal %d", args[1], id))
		},
	}
}

func txGovIDCmd(name, short string, build func(uint64) *txv1.Msg) *cobra.Command {
	return &cobra.Command{
		Use:     name + " ID",
		Short:   short,
		Example: fmt.Sprintf("  icnd tx governance %s 7 --from alice", name),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			return simpleTx(cmd, build(id), fmt.Sprintf("%s proposal %d", name, id))
		},
	}
}

func txDelegateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delegate ORG DELEGATE",
		Short: "Delegate your vote in an organization to another member",
		Long: `Delegate your vote in ORG to DELEGATE, another member, for proposals submitted
from now on (one hop: DELEGATE's own delegation does not carry yours). Your own
vote on a proposal always overrides DELEGATE's. Undo with undelegate.`,
		Example: `  icnd tx governance delegate did:icn:<coop> did:icn:<alice> --from carol`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := client.Delegate(args[0], args[1])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("delegate in %s to %s", args[0], args[1]))
		},
	}
}

func txUndelegateCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "undelegate ORG",
		Short:   "End your delegation in an organization",
		Example: `  icnd tx governance undelegate did:icn:<coop> --from carol`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := client.Undelegate(args[0])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, "undelegate in "+args[0])
		},
	}
}
