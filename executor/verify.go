package executor

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/executor/blockstore"
)

// Claim is what a receipt reports about a run: the three fields that executors
// must agree on (docs/mesh.md, "Receipts") and that a re-run decides.
type Claim struct {
	Output cid.Cid
	Fuel   uint64
	Exit   uint64
}

// Mismatch names one field of a claim that differs from a run.
type Mismatch struct {
	Field   string `json:"field"` // "exit", "fuel" or "output"
	Claimed string `json:"claimed"`
	Local   string `json:"local"`
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s %s (the local run: %s)", m.Field, m.Claimed, m.Local)
}

// Compare returns the fields of c that differ from res, in the order of the
// receipt (exit, fuel, output); none when the claim matches the run.
func Compare(res Result, c Claim) []Mismatch {
	var out []Mismatch
	if c.Exit != uint64(res.Status) {
		out = append(out, Mismatch{Field: "exit", Claimed: exitName(c.Exit), Local: exitName(uint64(res.Status))})
	}
	if c.Fuel != res.Fuel {
		out = append(out, Mismatch{Field: "fuel", Claimed: strconv.FormatUint(c.Fuel, 10), Local: strconv.FormatUint(res.Fuel, 10)})
	}
	if !c.Output.Equals(res.OutputID) {
		claimed := "none"
		if c.Output.Defined() {
			claimed = c.Output.String()
		}
		out = append(out, Mismatch{Field: "output", Claimed: claimed, Local: res.OutputID.String()})
	}
	return out
}

func exitName(e uint64) string { return fmt.Sprintf("%d (%s)", e, Status(e)) }

// MaxMemoryPages is the most memory a run may have: 65536 pages of 64 KiB, all
// that a 32-bit WebAssembly memory addresses.
const MaxMemoryPages = 65536

// JobMaxOutput is the output cap of every run of a mesh job: the block store's
// raw block limit, since an output is stored and served as one raw block. The
// chain has no parameter for it; every executor, and icnd job verify, must use
// this one cap, or a job writing more than one's cap and less than another's
// would end differently on them (status 3 on one, ok on the other).
const JobMaxOutput = blockstore.DefaultMaxBlockSize

// JobConfig is the runtime configuration a mesh job runs with, on every
// executor and in icnd job verify: the job's memory_pages requirement as the
// memory limit and JobMaxOutput as the output cap. Only the engine, which
// changes no result, is the caller's.
func JobConfig(engine Engine, memoryPages uint64) (Config, error) {
	if memoryPages == 0 || memoryPages > MaxMemoryPages {
		return Config{}, fmt.Errorf("the job asks for %d memory pages, want 1 to %d", memoryPages, MaxMemoryPages)
	}
	return Config{Engine: engine, MemoryPages: uint32(memoryPages), MaxOutput: JobMaxOutput}, nil
}

// Rerun is a job to run again: its module and input, fuel limit and memory.
type Rerun struct {
	Module, Input cid.Cid
	FuelLimit     uint64
	// MemoryPages is the job's memory_pages requirement, the memory limit every
	// executor of the job runs it with (JobConfig).
	MemoryPages uint64
	Engine      Engine
}

// ErrFetch wraps a module or input that could not be had.
var ErrFetch = errors.New("cannot fetch")

// Run fetches the module and the input with fetch, which must return the bytes of
// the block a CID names, checked against it, and runs the job as an executor does.
// ctx bounds the run; when it ends first the error wraps ErrNoReceipt.
func (j Rerun) Run(ctx context.Context, fetch func(context.Context, cid.Cid) ([]byte, error)) (Result, error) {
	cfg, err := JobConfig(j.Engine, j.MemoryPages)
	if err != nil {
		return Result{}, err
	}
	cfg.CacheSize = 1
	if j.FuelLimit > MaxFuel {
		return Result{}, fmt.Errorf("fuel limit %d is over %d", j.FuelLimit, MaxFuel)
	}
	module, err := fetch(ctx, j.Module)
	if err != nil {
		return Result{}, fmt.Errorf("%w module %s: %w", ErrFetch, j.Module, err)
	}
	input, err := fetch(ctx, j.Input)
	if err != nil {
		return Result{}, fmt.Errorf("%w input %s: %w", ErrFetch, j.Input, err)
	}
	rt, err := New(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	defer func() { _ = rt.Close(context.Background()) }()
	return rt.Run(ctx, module, input, j.FuelLimit)
}
