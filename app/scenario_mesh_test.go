package app_test

// The mesh's messages and queries for the scenario scripts, added to the
// runner's tables (scenario_test.go) at init:
//
//	register-executor bond=N [floor=N]
//	update-executor bond=N [floor=N]
//	leave-executor
//	post-job <job> by=<account> fuel=N price=N [r=N] [k=N] [window=N] [deadline=N] [seq=N]
//	cancel-job <job>
//	bid <job> price=N
//	commit <job> <executor> output=<name> fuel=N [exit=N] [as=<name>]
//	receipt <job> <executor> output=<name> fuel=N [exit=N] [as=<name>]
//
// post-job declares <job> as the job's CID and <job>.escrow as its escrow
// id as mana's events print it (hex); by= must name the transaction's
// signer, since the job id is derived from the poster. The job runs the module "module" on the input
// "input" (raw CIDs of those words). receipt builds the receipt block
// signed with the executor's key-1, reveals it and declares it as
// <job>.<executor>; output=<name> declares the raw CID of <name>. commit
// builds the same block and commits to it (commit_receipt). as=<name>
// declares the block under another name (a second receipt of one
// executor).
//
//	query job <job>
//	query executor <account>

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mesh"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

func init() {
	msgParsers["register-executor"] = msgParser{opts: []string{"bond", "floor"}, build: buildRegisterExecutor}
	msgParsers["update-executor"] = msgParser{opts: []string{"bond", "floor"}, build: buildUpdateExecutor}
	msgParsers["leave-executor"] = msgParser{build: buildLeaveExecutor}
	msgParsers["post-job"] = msgParser{args: []string{"job"}, opts: []string{"by", "fuel", "price", "r", "k", "window", "deadline", "seq"}, build: buildPostJob}
	msgParsers["cancel-job"] = msgParser{args: []string{"job"}, build: buildCancelJob}
	msgParsers["bid"] = msgParser{args: []string{"job"}, opts: []string{"price"}, build: buildBid}
	msgParsers["receipt"] = msgParser{args: []string{"job", "executor"}, opts: []string{"output", "fuel", "exit", "as"}, build: buildReceipt}
	msgParsers["commit"] = msgParser{args: []string{"job", "executor"}, opts: []string{"output", "fuel", "exit", "as"}, build: buildCommit}
	queries["job"] = (*scenario).queryJob
	queries["executor"] = (*scenario).queryExecutor
}

// uintOpt reads option key as a number, def when absent.
func uintOpt(a msgArgs, key string, def uint64) (uint64, error) {
	v := a.opt(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%s: want a number", key, v)
	}
	return n, nil
}

func offer(a msgArgs) (client.Offer, error) {
	bond, err := uintOpt(a, "bond", 0)
	if err != nil {
		return client.Offer{}, err
	}
	floor, err := uintOpt(a, "floor", 1)
	return client.Offer{MaxFuel: 1_000_000, MemoryPages: 256, Kinds: []string{"wasi-p1"}, PriceFloor: floor, Bond: bond}, err
}

func buildRegisterExecutor(_ *scenario, a msgArgs) (*txv1.Msg, error) {
	o, err := offer(a)
	if err != nil {
		return nil, err
	}
	return client.RegisterExecutor(o)
}

func buildUpdateExecutor(_ *scenario, a msgArgs) (*txv1.Msg, error) {
	o, err := offer(a)
	if err != nil {
		return nil, err
	}
	return client.UpdateExecutor(o)
}

func buildLeaveExecutor(*scenario, msgArgs) (*txv1.Msg, error) { return client.LeaveExecutor(), nil }

func buildPostJob(s *scenario, a msgArgs) (*txv1.Msg, error) {
	poster, err := s.account(a.opt("by"))
	if err != nil {
		return nil, fmt.Errorf("by=: %w", err)
	}
	n := map[string]uint64{}
	for key, def := range map[string]uint64{"fuel": 1000, "price": 10, "r": 1, "k": 0, "window": 3, "deadline": 5, "seq": 0} {
		if n[key], err = uintOpt(a, key, def); err != nil {
			return nil, err
		}
	}
	spec := &meshv1.MsgPostJob{Module: client.RawCID([]byte("module")).Bytes(), Input: client.RawCID([]byte("input")).Bytes(),
		FuelLimit: n["fuel"], MaxPrice: n["price"], Replication: uint32(n["r"]), Agreement: uint32(n["k"]),
		BidWindow: n["window"], Deadline: n["deadline"], Sequence: n["seq"],
		Requirements: &meshv1.Requirements{Kind: "wasi-p1", MemoryPages: 16}}
	msg, job, err := client.PostJob(poster, spec)
	if err != nil {
		return nil, err
	}
	id, _ := mesh.JobIDFromCID(job)
	if err := s.declare(a.pos[0], job.String()); err != nil {
		return nil, err
	}
	return msg, s.declare(a.pos[0]+".escrow", hex.EncodeToString(id))
}

func buildCancelJob(s *scenario, a msgArgs) (*txv1.Msg, error) {
	job, err := s.id(a.pos[0])
	if err != nil {
		return nil, err
	}
	return client.CancelJob(job)
}

func buildBid(s *scenario, a msgArgs) (*txv1.Msg, error) {
	job, err := s.id(a.pos[0])
	if err != nil {
		return nil, err
	}
	price, err := uintOpt(a, "price", 0)
	if err != nil {
		return nil, err
	}
	return client.Bid(job, price)
}

func buildReceipt(s *scenario, a msgArgs) (*txv1.Msg, error) {
	block, err := receiptBlock(s, a)
	if err != nil {
		return nil, err
	}
	return client.SubmitReceipt(block)
}

func buildCommit(s *scenario, a msgArgs) (*txv1.Msg, error) {
	block, err := receiptBlock(s, a)
	if err != nil {
		return nil, err
	}
	msg, _, err := client.CommitReceipt(block)
	return msg, err
}

// receiptBlock builds the receipt block receipt and commit name.
func receiptBlock(s *scenario, a msgArgs) ([]byte, error) {
	jobStr, err := s.id(a.pos[0])
	if err != nil {
		return nil, err
	}
	executor, err := s.account(a.pos[1])
	if err != nil {
		return nil, err
	}
	job, err := cid.Decode(jobStr)
	if err != nil {
		return nil, err
	}
	out := client.RawCID([]byte(a.opt("output")))
	if err := s.declare(a.opt("output"), out.String()); err != nil {
		return nil, err
	}
	fuel, err := uintOpt(a, "fuel", 0)
	if err != nil {
		return nil, err
	}
	exit, err := uintOpt(a, "exit", 0)
	if err != nil {
		return nil, err
	}
	r := &receipt.Receipt{ChainID: testChainID, Job: job, Executor: executor, KeyID: did.FirstKeyID,
		Module: client.RawCID([]byte("module")), Input: client.RawCID([]byte("input")), Output: out, Fuel: fuel, Exit: exit}
	block, rc, err := client.SignReceipt(r, signWith(scenarioKey(a.pos[1], did.FirstKeyID)))
	if err != nil {
		return nil, err
	}
	name := a.pos[0] + "." + a.pos[1]
	if as := a.opt("as"); as != "" {
		name = as
	}
	if err := s.declare(name, rc.String()); err != nil {
		return nil, err
	}
	return block, nil
}

// queryJob describes a job: status, escrow, heights, bids and outcome.
func (s *scenario) queryJob(name string) (string, error) {
	jobStr, err := s.id(name)
	if err != nil {
		return "", err
	}
	id, err := mesh.ParseJob(jobStr)
	if err != nil {
		return "", err
	}
	var j meshv1.Job
	if found, err := s.getRecord(mesh.JobKey(id), &j); err != nil || !found {
		return jobStr + ": no such job\n", err
	}
	v := client.NewJobView(&j)
	var out strings.Builder
	fmt.Fprintf(&out, "%s: %s, posted by %s at height %d; escrow %d; bids until %d, receipts until %d",
		v.ID, v.Status, v.Poster, v.PostedHeight, v.Escrow, v.WindowClose, v.DeadlineHeight)
	if v.CommitDeadline != 0 {
		fmt.Fprintf(&out, ", commitments until %d", v.CommitDeadline)
	}
	out.WriteString("\n")
	for _, b := range v.Bids {
		fmt.Fprintf(&out, "bid %s at %d, holds %d", b.Executor, b.Price, b.Reserved)
		if b.Assigned {
			out.WriteString(", assigned")
		}
		if b.Commitment != "" {
			out.WriteString(", committed")
		}
		if b.Receipt != "" {
			fmt.Fprintf(&out, ", receipt %s: output %s fuel %d", b.Receipt, b.Output, b.Fuel)
		}
		if b.Paid != 0 || b.Slashed != 0 {
			fmt.Fprintf(&out, ", paid %d, slashed %d", b.Paid, b.Slashed)
		}
		out.WriteString("\n")
	}
	if v.ClosedHeight != 0 {
		fmt.Fprintf(&out, "closed at height %d: refunded %d", v.ClosedHeight, v.Refunded)
		if v.Output != "" {
			fmt.Fprintf(&out, ", output %s fuel %d", v.Output, v.Fuel)
		}
		if v.Reason != "" {
			fmt.Fprintf(&out, ", %s", v.Reason)
		}
		out.WriteString("\n")
	}
	return out.String(), nil
}

// queryExecutor describes an executor record.
func (s *scenario) queryExecutor(name string) (string, error) {
	d, err := s.account(name)
	if err != nil {
		return "", err
	}
	var e meshv1.Executor
	if found, err := s.getRecord(mesh.ExecutorKey(d), &e); err != nil || !found {
		return d + ": not an executor\n", err
	}
	v := client.NewExecutorView(&e)
	return fmt.Sprintf("%s: %s, bond %d (%d held by %d open), reputation %d, floor %d\n",
		v.DID, v.Status, v.Bond, v.Reserved, v.Open, v.Reputation, v.PriceFloor), nil
}
