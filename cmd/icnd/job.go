package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/spf13/cobra"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/executor"
	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/p2p"
)

func jobCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "job",
		Short: "Check the mesh's compute jobs off chain",
		Long: `Commands that work on a mesh job with the executor's runtime, off chain
(docs/executor.md section 4).`,
		Example: `  icnd job verify bafkrei... --store localnet/.data/node0/data/blocks`,
	}
	cmd.AddCommand(jobVerifyCmd())
	return cmd
}

func jobVerifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify ID",
		Short: "Re-run a job locally and check its receipts: output, fuel and exit",
		Long: `Re-run the job ID (its CID) on this machine, as an executor runs it, and check
every receipt the chain took for it, and the agreed result once it settled.

The job and its receipts (each assigned executor's output CID, fuel and exit
status, recorded on chain from the receipt it revealed) are read from --node
with proofs verified by the light client, as "icnd query --prove" does (pass
--witnesses to cross-check the node; --prove=false trusts the node instead).
The module and the input are fetched by CID from the block store --store
(default HOME/data/blocks, the node's), then from the libp2p peers --peer,
and checked against their CIDs. The job runs with its fuel limit, its
memory_pages requirement as the memory limit and the executors' output cap
(4 MiB); --timeout bounds the run on this machine and decides nothing.

For each receipt it prints whether it matches the local run or names each field
that differs (exit, fuel, output) with both values. The command exits
non-zero when anything differs or could not be checked: a job without
receipts, a module or input it could not fetch, a run stopped by --timeout.`,
		Example: `  icnd job verify bafkrei... --node tcp://127.0.0.2:26657 --store localnet/.data/node0/data/blocks
  icnd job verify bafkrei... --peer /ip4/127.0.0.2/tcp/4001/p2p/12D3KooW... --output json
  icnd job verify bafkrei... --prove=false --height 120`,
		Args: cobra.ExactArgs(1),
		RunE: runJobVerify,
	}
	addQueryFlags(cmd)
	prove := cmd.Flags().Lookup(flagProve)
	prove.DefValue = "true"
	_ = prove.Value.Set("true")
	prove.Usage = "verify the job record with an ICS23 proof against a light-client-verified header (--prove=false trusts the node)"
	cmd.Flags().String("store", "", "block store directory to fetch the module and input from (default HOME/data/blocks)")
	cmd.Flags().StringArray("peer", nil, "libp2p multiaddr (with /p2p/<id>) of a peer to fetch blocks from when the store lacks them (repeatable)")
	cmd.Flags().Duration("timeout", 10*time.Minute, "wall-clock bound of the local run; a run stopped by it checks nothing")
	return cmd
}

func runJobVerify(cmd *cobra.Command, args []string) error {
	asJSON, err := jsonOutput(cmd)
	if err != nil {
		return err
	}
	timeout, _ := cmd.Flags().GetDuration("timeout")
	if timeout <= 0 {
		return fmt.Errorf("--timeout must be positive, got %s", timeout)
	}
	q, height, err := querierAt(cmd)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	v, res, err := q.Job(ctx, args[0], height)
	if err != nil {
		if errors.Is(err, client.ErrNotFound) && res != nil {
			return fmt.Errorf("job %s not found at height %d", args[0], res.Height)
		}
		return err
	}
	fetch, closeFetch, err := jobFetcher(cmd)
	if err != nil {
		return err
	}
	defer closeFetch()
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r, err := verifyJob(rctx, v, fetch, executor.EngineCompiler)
	if err != nil {
		return err
	}
	r.Height = res.Height
	if res.Proven {
		r.Proof = res.Header
		warnProof(res)
	}
	if asJSON {
		if err := printJSON(os.Stdout, r); err != nil {
			return err
		}
	} else {
		printJobVerification(os.Stdout, r)
	}
	if failed := r.failed(); len(failed) > 0 {
		return &reportedError{msg: "job verification failed: " + strings.Join(failed, "; ")}
	}
	return nil
}

// jobFetcher returns the block source of --store and --peer and a function that
// releases it.
func jobFetcher(cmd *cobra.Command) (func(context.Context, cid.Cid) ([]byte, error), func(), error) {
	dir, _ := cmd.Flags().GetString("store")
	if dir == "" {
		dir = filepath.Join(homeDir(cmd), "data", "blocks")
	}
	peers, _ := cmd.Flags().GetStringArray("peer")
	chainID := ""
	if len(peers) > 0 {
		c, err := dial(cmd)
		if err != nil {
			return nil, nil, err
		}
		flag, _ := cmd.Flags().GetString(flagChainID)
		if chainID, err = c.ResolveChainID(cmd.Context(), flag); err != nil {
			return nil, nil, err
		}
	}
	return blockFetcher(cmd.Context(), dir, chainID, peers)
}

// blockFetcher returns a function that reads a block from the store in dir and,
// when peers (libp2p multiaddrs with /p2p/<id>) are given, fetches the blocks the
// store lacks from the chain's libp2p network through them, checked against their
// CID and kept in the store; and a function that stops the libp2p host. Without
// peers, dir must exist.
func blockFetcher(ctx context.Context, dir, chainID string, peers []string) (func(context.Context, cid.Cid) ([]byte, error), func(), error) {
	if len(peers) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, nil, fmt.Errorf("block store %s: %w (give --store, or --peer to fetch from peers)", dir, err)
		}
	}
	store, err := blockstore.Open(dir, 0)
	if err != nil {
		return nil, nil, err
	}
	if len(peers) == 0 {
		fetch := func(_ context.Context, c cid.Cid) ([]byte, error) {
			b, err := store.Get(c)
			if errors.Is(err, blockstore.ErrNotFound) {
				return nil, fmt.Errorf("not in the block store %s and no --peer given: %w", dir, err)
			}
			return b, err
		}
		return fetch, func() {}, nil
	}
	host, err := p2p.New(ctx, p2p.Config{ChainID: chainID, Bootstrap: peers, ClientOnly: true}, store, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("--peer: %w", err)
	}
	fetch := func(ctx context.Context, c cid.Cid) ([]byte, error) {
		b, err := host.Fetch(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("not in the block store %s nor from the peers: %w", dir, err)
		}
		return b, nil
	}
	return fetch, func() { _ = host.Close() }, nil
}

// jobVerification is the report of icnd job verify, its JSON output.
type jobVerification struct {
	Job         string `json:"job"`
	Height      int64  `json:"height"`
	Status      string `json:"status"`
	Module      string `json:"module"`
	Input       string `json:"input"`
	FuelLimit   uint64 `json:"fuel_limit"`
	MemoryPages uint64 `json:"memory_pages"`
	MaxOutput   int    `json:"max_output"`
	// Local is the result of the local run.
	Local localRun `json:"local"`
	// Receipts checks the result each executor revealed, in bid order.
	Receipts []*receiptCheck `json:"receipts"`
	// Agreed checks the job's agreed result, once it settled.
	Agreed *receiptCheck `json:"agreed,omitempty"`
	// Match is true when every receipt and the agreed result match.
	Match bool                   `json:"match"`
	Proof *client.VerifiedHeader `json:"proof,omitempty"`
}

type localRun struct {
	Exit   uint64 `json:"exit"`
	Status string `json:"status"`
	Fuel   uint64 `json:"fuel"`
	Output string `json:"output"`
	Detail string `json:"detail,omitempty"`
}

type receiptCheck struct {
	Executor string              `json:"executor,omitempty"`
	Receipt  string              `json:"receipt,omitempty"`
	Exit     uint64              `json:"exit"`
	Fuel     uint64              `json:"fuel"`
	Output   string              `json:"output"`
	Match    bool                `json:"match"`
	Differs  []executor.Mismatch `json:"differs"`
}

// verifyJob runs the job v describes with the module and input fetch returns and
// compares the result with each revealed receipt and the agreed result. An error
// means that nothing could be checked: no receipt, a bad CID in the record, a
// block that could not be fetched, a run the context stopped.
func verifyJob(ctx context.Context, v *client.JobView, fetch func(context.Context, cid.Cid) ([]byte, error), engine executor.Engine) (*jobVerification, error) {
	r := &jobVerification{Job: v.ID, Status: v.Status, Module: v.Module, Input: v.Input, FuelLimit: v.FuelLimit,
		MemoryPages: v.MemoryPages, MaxOutput: executor.JobMaxOutput, Receipts: []*receiptCheck{}, Match: true}
	var claims []executor.Claim
	for _, b := range v.Bids {
		if b.Receipt == "" {
			continue
		}
		out, err := cid.Decode(b.Output)
		if err != nil {
			return nil, fmt.Errorf("the receipt of %s names the output %q: %w", b.Executor, b.Output, err)
		}
		r.Receipts = append(r.Receipts, &receiptCheck{Executor: b.Executor, Receipt: b.Receipt, Exit: b.Exit, Fuel: b.Fuel, Output: b.Output})
		claims = append(claims, executor.Claim{Output: out, Fuel: b.Fuel, Exit: b.Exit})
	}
	if len(r.Receipts) == 0 {
		return nil, fmt.Errorf("job %s (%s) has no revealed receipt: nothing to check", v.ID, v.Status)
	}
	if v.Output != "" {
		out, err := cid.Decode(v.Output)
		if err != nil {
			return nil, fmt.Errorf("the job's agreed output %q: %w", v.Output, err)
		}
		r.Agreed = &receiptCheck{Exit: v.Exit, Fuel: v.Fuel, Output: v.Output}
		claims = append(claims, executor.Claim{Output: out, Fuel: v.Fuel, Exit: v.Exit})
	}
	module, err := cid.Decode(v.Module)
	if err != nil {
		return nil, fmt.Errorf("the job's module %q: %w", v.Module, err)
	}
	input, err := cid.Decode(v.Input)
	if err != nil {
		return nil, fmt.Errorf("the job's input %q: %w", v.Input, err)
	}
	job := executor.Rerun{Module: module, Input: input, FuelLimit: v.FuelLimit, MemoryPages: v.MemoryPages, Engine: engine}
	res, err := job.Run(ctx, fetch)
	if errors.Is(err, executor.ErrNoReceipt) {
		return nil, fmt.Errorf("the local run was stopped before it ended (--timeout or an interrupt): nothing checked: %w", err)
	}
	if err != nil {
		return nil, err
	}
	r.Local = localRun{Exit: uint64(res.Status), Status: res.Status.String(), Fuel: res.Fuel, Output: res.OutputID.String(), Detail: res.Detail}
	checks := append(append([]*receiptCheck{}, r.Receipts...), r.Agreed)
	for i, c := range claims {
		d := executor.Compare(res, c)
		checks[i].Match, checks[i].Differs = len(d) == 0, append([]executor.Mismatch{}, d...)
		r.Match = r.Match && len(d) == 0
	}
	return r, nil
}

// failed lists what differs, one entry per receipt or agreed result.
func (r *jobVerification) failed() []string {
	var out []string
	name := func(c *receiptCheck) string {
		if c.Executor == "" {
			return "the agreed result"
		}
		return "the receipt of " + c.Executor
	}
	for _, c := range append(append([]*receiptCheck{}, r.Receipts...), r.Agreed) {
		if c == nil || c.Match {
			continue
		}
		fields := make([]string, len(c.Differs))
		for i, d := range c.Differs {
			fields[i] = d.Field
		}
		out = append(out, name(c)+" differs in "+strings.Join(fields, ", "))
	}
	return out
}

func printJobVerification(w io.Writer, r *jobVerification) {
	local := fmt.Sprintf("exit %d (%s), fuel %d, output %s", r.Local.Exit, r.Local.Status, r.Local.Fuel, r.Local.Output)
	if r.Local.Detail != "" {
		local += " (" + r.Local.Detail + ")"
	}
	fields := [][2]string{
		{"job", fmt.Sprintf("%s (%s, height %d)", r.Job, r.Status, r.Height)},
		{"module", r.Module},
		{"input", r.Input},
		{"limits", fmt.Sprintf("fuel %d, %d memory pages, output %d bytes", r.FuelLimit, r.MemoryPages, r.MaxOutput)},
		{"local run", local},
	}
	line := func(c *receiptCheck) string {
		if c.Match {
			return "matches"
		}
		parts := make([]string, len(c.Differs))
		for i, d := range c.Differs {
			parts[i] = d.String()
		}
		return "DIFFERS: " + strings.Join(parts, "; ")
	}
	for _, c := range r.Receipts {
		fields = append(fields, [2]string{"receipt", fmt.Sprintf("%s by %s: %s", c.Receipt, c.Executor, line(c))})
	}
	if r.Agreed != nil {
		fields = append(fields, [2]string{"agreed", line(r.Agreed)})
	}
	printFields(w, fields...)
}
