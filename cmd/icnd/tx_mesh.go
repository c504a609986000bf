package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// meshTxCmd groups the transactions of the mesh module (docs/mesh.md).
func meshTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mesh",
		Short: "Compute jobs: executors, jobs, bids and receipts",
		Long:  `Transactions of the mesh module: the compute-job market (docs/mesh.md).`,
		Example: `  icnd tx mesh register-executor --bond 1000 --price-floor 1 --max-fuel 1000000 --memory-pages 256 --kind wasi-p1 --from carol
  icnd tx mesh post-job --module bafkrei... --input bafkrei... --fuel-limit 1000 --max-price 10 --replication 3 --kind wasi-p1 --from alice`,
	}
	cmd.AddCommand(txRegisterExecutorCmd(), txUpdateExecutorCmd(), txLeaveExecutorCmd(), txPostJobCmd(),
		txCancelJobCmd(), txBidCmd(), txCommitReceiptCmd(), txSubmitReceiptCmd())
	return cmd
}

func addOfferFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Uint64("bond", 0, "mana locked as the bond (required; at least the params' min_bond, 100 by default)")
	f.Uint64("price-floor", 1, "lowest price per unit of fuel this executor bids")
	f.Uint64("max-fuel", 1_000_000, "most fuel this executor runs one job for")
	f.Uint64("memory-pages", 256, "WASM memory (64 KiB pages) this executor grants a job")
	f.StringArray("kind", []string{"wasi-p1"}, "module kind this executor runs (repeatable)")
}

func offerFromFlags(cmd *cobra.Command) (client.Offer, error) {
	var o client.Offer
	f := cmd.Flags()
	o.Bond, _ = f.GetUint64("bond")
	o.PriceFloor, _ = f.GetUint64("price-floor")
	o.MaxFuel, _ = f.GetUint64("max-fuel")
	o.MemoryPages, _ = f.GetUint64("memory-pages")
	o.Kinds, _ = f.GetStringArray("kind")
	if o.Bond == 0 {
		return o, errors.New("--bond is required, e.g. --bond 1000")
	}
	return o, nil
}

func describeOffer(o client.Offer) string {
	return fmt.Sprintf("bond %d, price floor %d, max fuel %d, %d memory pages, kinds %s",
		o.Bond, o.PriceFloor, o.MaxFuel, o.MemoryPages, strings.Join(o.Kinds, ","))
}

func txRegisterExecutorCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "register-executor",
		Short: "Register the --from DID as an executor, locking a bond",
		Long: `Register the --from DID as an executor that runs jobs for pay: its capabilities
(--max-fuel, --memory-pages, --kind), the lowest price per unit of fuel it bids
(--price-floor) and a bond of --bond mana, locked from its balance. Each bid
holds price × fuel_limit of the bond until the job closes; a receipt that
disagrees with the agreed result burns half of what its bid held, and an
assignment left without a revealed receipt a fifth (the params' slash_bps and
slash_absent_bps). A DID that
left registers again with the reputation it had.`,
		Example: `  icnd tx mesh register-executor --bond 50000 --price-floor 1 --kind wasi-p1 --from carol`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := offerFromFlags(cmd)
			if err != nil {
				return err
			}
			msg, err := client.RegisterExecutor(o)
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, "register_executor: "+describeOffer(o))
		},
	}
	addOfferFlags(cmd)
	return cmd
}

func txUpdateExecutorCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "update-executor",
		Short: "Change the --from executor's capabilities, price floor or bond",
		Long: `Replace the --from executor's capabilities, price floor and bond with the flags'
values (every flag counts: unchanged values must be given again). A larger bond
locks the difference from the balance; a smaller one returns it, never below
what open bids and assignments hold.`,
		Example: `  icnd tx mesh update-executor --bond 80000 --price-floor 2 --kind wasi-p1 --from carol`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := offerFromFlags(cmd)
			if err != nil {
				return err
			}
			msg, err := client.UpdateExecutor(o)
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, "update_executor: "+describeOffer(o))
		},
	}
	addOfferFlags(cmd)
	return cmd
}

func txLeaveExecutorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "leave",
		Short: "Stop bidding; the bond returns when open jobs close",
		Long: `Stop the --from executor from bidding. Its bond returns at once if it has no
open bid or assignment, else when the last one closes (it still answers its
assignments, and is paid for them). Its open bids are not selected when their
windows close. Its reputation is kept.`,
		Example: `  icnd tx mesh leave --from carol`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return simpleTx(cmd, client.LeaveExecutor(), "leave_executor")
		},
	}
}

func txPostJobCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "post-job",
		Short: "Post a compute job, escrowing its worst-case cost",
		Long: `Post a job: run the WASM module --module on the input --input (CIDs), with at
most --fuel-limit fuel, paying at most --max-price mana per unit of fuel to each
of --replication executors (1 to 5), of which --agreement (default: a
majority) must report the same result. Bids are taken for --bid-window blocks
after the block that posts the job; receipts for --deadline blocks (at least
2) after that: executors commit to their receipts until every one has
committed, at most until the last deadline/4 blocks (at least 1), which are
kept for reveals.

The job escrows replication × max-price × fuel-limit from the --from account:
the most it can cost. At settlement each agreeing executor is paid its own bid
× the fuel it reported, and the rest comes back. Prints the job's id (a CID).
The id is derived from the poster, the job's fields and --job-sequence
(default: the signer's sequence), so the same request is never posted twice.`,
		Example: `  icnd tx mesh post-job --module bafkrei... --input bafkrei... --fuel-limit 1000 --max-price 10 --replication 3 --kind wasi-p1 --from alice`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			get := func(name string) uint64 { v, _ := f.GetUint64(name); return v }
			getStr := func(name string) string { v, _ := f.GetString(name); return v }
			module, err := client.ParseCID(getStr("module"))
			if err != nil {
				return fmt.Errorf("--module: %w", err)
			}
			input, err := client.ParseCID(getStr("input"))
			if err != nil {
				return fmt.Errorf("--input: %w", err)
			}
			r, _ := f.GetUint32("replication")
			k, _ := f.GetUint32("agreement")
			spec := &meshv1.MsgPostJob{Module: module.Bytes(), Input: input.Bytes(), FuelLimit: get("fuel-limit"),
				MaxPrice: get("max-price"), Replication: r, Agreement: k, BidWindow: get("bid-window"), Deadline: get("deadline"),
				Requirements: &meshv1.Requirements{Kind: getStr("kind"), MemoryPages: get("memory-pages"), MinReputation: get("min-reputation")}}
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				if f.Changed("job-sequence") {
					spec.Sequence = get("job-sequence")
				} else {
					seq, err := env.client.ResolveSequence(env.ctx, env.signer, sequenceOverride(cmd))
					if err != nil {
						return nil, nil, txOutput{}, err
					}
					spec.Sequence = seq
				}
				msg, job, err := client.PostJob(env.signer, spec)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				d := fmt.Sprintf("post_job %s: module %s, input %s, fuel %d, max price %d, r %d, window %d, deadline %d",
					job, module, input, spec.FuelLimit, spec.MaxPrice, spec.Replication, spec.BidWindow, spec.Deadline)
				return []*txv1.Msg{msg}, []string{d}, txOutput{CID: job.String()}, nil
			})
		},
	}
	f := cmd.Flags()
	f.String("module", "", "CID of the WASM module (required)")
	f.String("input", "", "CID of the input block (required)")
	f.Uint64("fuel-limit", 0, "most fuel an executor may use and be paid for (required)")
	f.Uint64("max-price", 0, "most mana paid per unit of fuel, per executor (required)")
	f.Uint32("replication", 1, "executors that run the job, 1 to 5")
	f.Uint32("agreement", 0, "receipts that must agree (default: a majority of --replication)")
	f.Uint64("bid-window", 5, "blocks after the posting block that take bids")
	f.Uint64("deadline", 20, "blocks after the window that take receipts")
	f.String("kind", "wasi-p1", "module kind an executor must run")
	f.Uint64("memory-pages", 16, "least memory (64 KiB pages) an executor must grant")
	f.Uint64("min-reputation", 0, "least reputation (basis points, 10000 neutral) a bidder must have")
	f.Uint64("job-sequence", 0, "sequence that tells apart identical jobs (default: the signer's sequence)")
	return cmd
}

// sequenceOverride is --sequence when given.
func sequenceOverride(cmd *cobra.Command) *uint64 {
	if !cmd.Flags().Changed(flagSequence) {
		return nil
	}
	seq, _ := cmd.Flags().GetUint64(flagSequence)
	return &seq
}

func txCancelJobCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cancel-job JOB",
		Short: "Cancel your job before its executors are assigned",
		Long: `Cancel the job JOB (its CID, as post-job printed it) while it still takes bids:
its escrow comes back whole and its bids' bonds are freed. Only the poster may
cancel; after the bid window has closed a job can no longer be cancelled.`,
		Example: `  icnd tx mesh cancel-job bafkrei... --from alice`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := client.CancelJob(args[0])
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, "cancel_job "+args[0])
		},
	}
}

func txBidCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bid JOB",
		Short: "Bid on an open job at a price per unit of fuel",
		Long: `Offer to run the job JOB (its CID) for --price mana per unit of fuel: at most
the job's max price, at least the executor's price floor. The --from DID must
be a registered executor that meets the job's requirements, with price ×
fuel_limit of its bond free; the bid holds that much until the job closes.`,
		Example: `  icnd tx mesh bid bafkrei... --price 8 --from carol`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			price, _ := cmd.Flags().GetUint64("price")
			msg, err := client.Bid(args[0], price)
			if err != nil {
				return err
			}
			return simpleTx(cmd, msg, fmt.Sprintf("bid on %s at %d per unit of fuel", args[0], price))
		},
	}
	cmd.Flags().Uint64("price", 0, "price per unit of fuel (required)")
	return cmd
}

// addReceiptFlags adds the flags that describe a receipt without a FILE.
func addReceiptFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String("job", "", "the job's CID (without FILE)")
	f.String("output-cid", "", "CID of the output block (without FILE)")
	f.Uint64("fuel", 0, "fuel the job used (without FILE)")
	f.Uint64("exit", 0, "exit status (without FILE; 0: ran to completion)")
	f.String("write", "", "also write the receipt block to this file")
}

// receiptBlock reads the receipt block from args[0], or builds and signs
// the one the flags describe (client.Querier.BuildReceipt), and writes it
// to --write when given.
func receiptBlock(cmd *cobra.Command, args []string, env txEnv) ([]byte, error) {
	f := cmd.Flags()
	var block []byte
	var err error
	if len(args) == 1 {
		if block, err = os.ReadFile(args[0]); err != nil {
			return nil, err
		}
	} else {
		job, _ := f.GetString("job")
		var res client.ReceiptResult
		res.Output, _ = f.GetString("output-cid")
		res.Fuel, _ = f.GetUint64("fuel")
		res.Exit, _ = f.GetUint64("exit")
		if job == "" || res.Output == "" {
			return nil, errors.New("give a receipt FILE, or --job and --output-cid (and --fuel)")
		}
		block, err = client.NewQuerier(env.client, nil).BuildReceipt(env.ctx, job, res,
			client.ReceiptSigner{ChainID: env.chainID, Executor: env.signer, KeyID: env.keyID, Sign: env.sign})
		if err != nil {
			return nil, err
		}
	}
	if write, _ := f.GetString("write"); write != "" {
		if err := os.WriteFile(write, block, 0o644); err != nil {
			return nil, err
		}
	}
	return block, nil
}

func txCommitReceiptCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "commit-receipt [FILE]",
		Short: "Commit to a receipt before revealing it",
		Long: `Commit the --from executor to the receipt it will reveal with submit-receipt,
while the job's commit phase is open: from its assignment until every
assigned executor has committed, at most until the job's commit deadline
(query mesh job shows it). The receipt is the DAG-CBOR block in FILE, or the
one built from the flags exactly as submit-receipt builds it (--job,
--output-cid, --fuel, --exit; signatures are deterministic, so the same
flags and key give the same block). Only the commitment goes on chain:
sha2-256 over the job id, the executor's DID and the receipt's CID
(docs/receipts.md), which tells nothing of the result. An executor that does
not commit in time cannot reveal, and counts as absent. Prints the receipt's
CID; --write saves the block.`,
		Example: `  icnd tx mesh commit-receipt --job bafkrei... --output-cid bafkrei... --fuel 700 --write receipt.cbor --from carol
  icnd tx mesh commit-receipt receipt.cbor --from carol`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				block, err := receiptBlock(cmd, args, env)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				msg, commitment, err := client.CommitReceipt(block)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				r, _ := receipt.Decode(block)
				c := receipt.CID(block)
				d := fmt.Sprintf("commit_receipt %x for job %s (receipt %s: output %s, fuel %d, exit %d)", commitment, r.Job, c, r.Output, r.Fuel, r.Exit)
				return []*txv1.Msg{msg}, []string{d}, txOutput{CID: c.String()}, nil
			})
		},
	}
	addReceiptFlags(cmd)
	return cmd
}

func txSubmitReceiptCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submit-receipt [FILE]",
		Short: "Reveal a signed receipt for an assigned job",
		Long: `Reveal the receipt of a job the --from executor was assigned and committed to
(commit-receipt): the DAG-CBOR block in FILE (docs/receipts.md), or, without
FILE, one built from the flags and signed with the --from key: --job,
--output-cid (the output's CID), --fuel and --exit; the module and input are
read from the job on chain. It is taken only after the job's commit phase has
closed (every assigned executor committed, or the commit deadline passed) and
only if it is the receipt committed to. --write saves the block. The chain
checks the receipt, anchors it in the dag with links to the job, module, input
and output, and settles the job at the end of the block in which enough
receipts agree and every executor that committed has revealed (else at the
deadline). Prints the receipt's CID.`,
		Example: `  icnd tx mesh submit-receipt --job bafkrei... --output-cid bafkrei... --fuel 700 --from carol
  icnd tx mesh submit-receipt receipt.cbor --from carol`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTx(cmd, func(env txEnv) ([]*txv1.Msg, []string, txOutput, error) {
				block, err := receiptBlock(cmd, args, env)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				msg, err := client.SubmitReceipt(block)
				if err != nil {
					return nil, nil, txOutput{}, err
				}
				r, _ := receipt.Decode(block)
				c := receipt.CID(block)
				d := fmt.Sprintf("submit_receipt %s for job %s: output %s, fuel %d, exit %d", c, r.Job, r.Output, r.Fuel, r.Exit)
				return []*txv1.Msg{msg}, []string{d}, txOutput{CID: c.String()}, nil
			})
		},
	}
	addReceiptFlags(cmd)
	return cmd
}
