package executor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// Status is how a job ended; it is the `exit` field of the mesh receipt
// (docs/receipts.md). Every status is deterministic: the same module, input and
// limits give the same status, output and fuel on every machine and engine.
type Status uint64

const (
	// StatusOK: the module ran to completion, or called proc_exit(0).
	StatusOK Status = 0
	// StatusOutOfFuel: the fuel limit was reached; the fuel used is the limit.
	StatusOutOfFuel Status = 1
	// StatusTrap: the module trapped (unreachable, out-of-bounds access, division
	// by zero, stack exhaustion, ...).
	StatusTrap Status = 2
	// StatusOutputTooLarge: the module wrote more than the output cap to stdout.
	StatusOutputTooLarge Status = 3
	// StatusRefused: the module broke a determinism rule or is not a valid WASI
	// command module; it did not run and used no fuel.
	StatusRefused Status = 4
	// StatusCallDepth: calls nested deeper than MaxCallDepth.
	StatusCallDepth Status = 5
	// StatusExitBase + c: the module called proc_exit(c) with c != 0.
	StatusExitBase Status = 256
)

func (s Status) String() string {
	switch {
	case s == StatusOK:
		return "ok"
	case s == StatusOutOfFuel:
		return "out of fuel"
	case s == StatusTrap:
		return "trap"
	case s == StatusOutputTooLarge:
		return "output too large"
	case s == StatusRefused:
		return "refused"
	case s == StatusCallDepth:
		return "call depth exceeded"
	case s >= StatusExitBase:
		return fmt.Sprintf("exit %d", uint64(s-StatusExitBase))
	}
	return fmt.Sprintf("status %d", uint64(s))
}

// ErrNoReceipt wraps a run the host stopped for its own safety (the wall-clock
// timeout, a cancelled context): the run has no result and must produce no receipt.
var ErrNoReceipt = errors.New("run stopped by the host: no receipt")

// Engine picks wazero's execution engine. Fuel and results are identical on both.
type Engine int

const (
	// EngineCompiler is wazero's compiler where the platform supports it, else its
	// interpreter.
	EngineCompiler Engine = iota
	// EngineInterpreter is wazero's interpreter.
	EngineInterpreter
)

// Config holds the limits of a Runtime. For a mesh job, MemoryPages is the job's
// memory_pages and MaxOutput is JobMaxOutput (JobConfig); CacheSize is local.
type Config struct {
	Engine      Engine
	MemoryPages uint32 // linear memory limit in 64 KiB pages, 1..65536
	MaxOutput   int    // stdout cap in bytes
	CacheSize   int    // compiled modules kept; 0 means 16
}

// Result is the outcome of one run.
type Result struct {
	Status   Status
	Output   []byte  // stdout; nil unless Status is StatusOK or an exit status
	OutputID cid.Cid // CIDv1, raw codec, sha2-256 of Output
	Fuel     uint64  // fuel used, at most the limit
	Detail   string  // the reason of a trap or refusal, for logs; never compared
}

// Runtime runs jobs. It is safe for concurrent use; Close releases it.
type Runtime struct {
	cfg Config
	rt  wazero.Runtime

	mu    sync.Mutex
	cache map[cid.Cid]*compiled
	order []cid.Cid // insertion order, for eviction

	compiles atomic.Uint64
}

type compiled struct {
	mod     wazero.CompiledModule
	refused error // non-nil: the module is refused, mod is nil
}

// New starts a runtime with the WASI preview 1 host functions.
func New(ctx context.Context, cfg Config) (*Runtime, error) {
	if cfg.MemoryPages == 0 || cfg.MemoryPages > 65536 {
		return nil, fmt.Errorf("memory limit of %d pages is not in 1..65536", cfg.MemoryPages)
	}
	if cfg.MaxOutput <= 0 {
		return nil, fmt.Errorf("output cap %d is not positive", cfg.MaxOutput)
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 16
	}
	rt, err := newWazero(ctx, cfg, true)
	if err != nil {
		return nil, err
	}
	return &Runtime{cfg: cfg, rt: rt, cache: map[cid.Cid]*compiled{}}, nil
}

// newWazero starts the wazero runtime of a Runtime, with the WASI host functions:
// metered (each charges the calling module's fuel, see hostfuel.go), or wazero's
// own for modules that are not instrumented (the benchmarks' unmetered runs).
func newWazero(ctx context.Context, cfg Config, metered bool) (wazero.Runtime, error) {
	rc := wazero.NewRuntimeConfig() // the compiler where supported, else the interpreter
	if cfg.Engine == EngineInterpreter {
		rc = wazero.NewRuntimeConfigInterpreter()
	}
	rc = rc.WithCoreFeatures(api.CoreFeaturesV2 &^ api.CoreFeatureSIMD).
		WithMemoryLimitPages(cfg.MemoryPages).
		WithCloseOnContextDone(true).
		WithCustomSections(false)
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	var err error
	if metered {
		err = instantiateMeteredWASI(ctx, rt)
	} else {
		_, err = wasi_snapshot_preview1.Instantiate(ctx, rt)
	}
	if err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("wasi: %w", err)
	}
	return rt, nil
}

// jobConfig is the module configuration of one run: input on stdin, output to out.
func jobConfig(input []byte, out io.Writer) wazero.ModuleConfig {
	return wazero.NewModuleConfig().
		WithName("").
		WithArgs("job").
		WithStdin(bytes.NewReader(input)).
		WithStdout(out).
		WithStderr(io.Discard).
		WithRandSource(newDetRand())
}

// Close releases the compiled modules and the runtime.
func (r *Runtime) Close(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cache, r.order = map[cid.Cid]*compiled{}, nil
	return r.rt.Close(ctx)
}

// ModuleID is the CID the runtime caches a module under: CIDv1, raw, sha2-256.
func ModuleID(module []byte) cid.Cid { return rawCID(module) }

func rawCID(b []byte) cid.Cid {
	h, err := mh.Sum(b, mh.SHA2_256, -1)
	if err != nil {
		panic(err) // sha2-256 is always registered
	}
	return cid.NewCidV1(cid.Raw, h)
}

// Compile instruments and compiles a module, or returns it from the cache. A
// refused module returns an error wrapping ErrRefused (also cached).
func (r *Runtime) Compile(ctx context.Context, module []byte) (wazero.CompiledModule, error) {
	id := ModuleID(module)
	r.mu.Lock()
	c, ok := r.cache[id]
	r.mu.Unlock()
	if ok {
		return c.mod, c.refused
	}
	c = &compiled{}
	r.compiles.Add(1)
	metered, err := Instrument(module)
	if err == nil {
		c.mod, err = r.rt.CompileModule(ctx, metered)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%w: %v", ErrNoReceipt, err)
			}
			err = refuse("compile: %v", err)
		}
	}
	if err == nil {
		err = checkImports(c.mod)
		if err != nil {
			_ = c.mod.Close(ctx)
			c.mod = nil
		}
	}
	c.refused = err
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.cache[id]; ok { // compiled concurrently: keep the first
		if c.mod != nil {
			_ = c.mod.Close(ctx)
		}
		return prev.mod, prev.refused
	}
	r.cache[id] = c
	r.order = append(r.order, id)
	for len(r.order) > r.cfg.CacheSize {
		// An evicted module may still be running: wazero keeps an instantiated
		// module valid after its CompiledModule is closed.
		old := r.cache[r.order[0]]
		delete(r.cache, r.order[0])
		r.order = r.order[1:]
		if old.mod != nil {
			_ = old.mod.Close(ctx)
		}
	}
	return c.mod, c.refused
}

// Compiles is how many times the runtime has instrumented and compiled a module
// (or refused one) since it started. A module found in the cache is not compiled
// again and not counted.
func (r *Runtime) Compiles() uint64 { return r.compiles.Load() }

// checkImports refuses a module importing a WASI function the host does not define
// with that signature: wazero would only fail at instantiation.
func checkImports(m wazero.CompiledModule) error {
	if _, ok := m.ExportedFunctions()["_start"]; !ok {
		return refuse("no _start export: not a WASI command module")
	}
	for _, f := range m.ImportedFunctions() {
		mod, name, _ := f.Import()
		if !wasiFunctions[name] || mod != wasiModule {
			return refuse("import %s.%s is not a WASI preview 1 function", mod, name)
		}
	}
	return nil
}

// Run runs a module on an input with a fuel limit. ctx is the wall-clock safety
// net: when it ends first, Run returns an error wrapping ErrNoReceipt and no
// result. Every other outcome, including a refused module, is a Result.
func (r *Runtime) Run(ctx context.Context, module, input []byte, fuelLimit uint64) (Result, error) {
	if fuelLimit > MaxFuel {
		return Result{}, fmt.Errorf("fuel limit %d is over %d", fuelLimit, MaxFuel)
	}
	compiledMod, err := r.Compile(ctx, module)
	if errors.Is(err, ErrRefused) {
		return Result{Status: StatusRefused, OutputID: rawCID(nil), Detail: err.Error()}, nil
	}
	if err != nil {
		return Result{}, err
	}
	out := &capped{max: r.cfg.MaxOutput}
	mc := jobConfig(input, out).WithStartFunctions() // started below, once the fuel is set
	mod, err := r.rt.InstantiateModule(ctx, compiledMod, mc)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("%w: %v", ErrNoReceipt, err)
		}
		// Instantiation fails deterministically: a data or element segment out of
		// bounds, a memory minimum over the limit.
		return Result{Status: StatusTrap, OutputID: rawCID(nil), Detail: err.Error()}, nil
	}
	defer func() { _ = mod.Close(context.Background()) }()
	fuelGlobal, ok := mod.ExportedGlobal(FuelExport).(api.MutableGlobal)
	if !ok {
		return Result{}, errors.New("instrumented module lacks its fuel global")
	}
	fuelGlobal.Set(fuelLimit)

	var runErr error
	if start := mod.ExportedFunction(StartExport); start != nil {
		_, runErr = start.Call(ctx)
	}
	if runErr == nil {
		_, runErr = mod.ExportedFunction("_start").Call(ctx)
	}
	left := fuelGlobal.Get()
	depthGlobal := mod.ExportedGlobal(DepthExport)
	res := Result{Fuel: fuelLimit - left}
	var exit *sys.ExitError
	switch {
	case ctx.Err() != nil:
		return Result{}, fmt.Errorf("%w: %v", ErrNoReceipt, ctx.Err())
	case left == exhausted:
		res.Status, res.Fuel = StatusOutOfFuel, fuelLimit
	case depthGlobal != nil && uint32(depthGlobal.Get()) == 0xffffffff:
		res.Status, res.Detail = StatusCallDepth, fmt.Sprint(runErr)
	case out.over:
		res.Status = StatusOutputTooLarge
	case runErr == nil:
		res.Status = StatusOK
	case errors.As(runErr, &exit) && exit.ExitCode() == 0:
		res.Status = StatusOK
	case errors.As(runErr, &exit) && exit.ExitCode() != sys.ExitCodeContextCanceled && exit.ExitCode() != sys.ExitCodeDeadlineExceeded:
		res.Status = StatusExitBase + Status(exit.ExitCode())
	default:
		res.Status, res.Detail = StatusTrap, runErr.Error()
	}
	if res.Status == StatusOK || res.Status >= StatusExitBase {
		res.Output = out.buf.Bytes()
	}
	res.OutputID = rawCID(res.Output)
	return res, nil
}

// capped is the job's stdout: a write that would pass the cap fails and marks it.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

var errOutputTooLarge = errors.New("output too large")

func (c *capped) Write(p []byte) (int, error) {
	if c.over || len(p) > c.max-c.buf.Len() {
		c.over = true
		return 0, errOutputTooLarge
	}
	return c.buf.Write(p)
}

// detRand is the job's random source: SHA-256 in counter mode over a fixed seed,
// block i = SHA-256("icn executor random v1" ‖ uint64 big-endian i).
type detRand struct {
	msg   [len(randSeed) + 8]byte // the seed, then the counter of the next block
	n     uint64
	block [sha256.Size]byte
	left  []byte // the unread end of block
}

const randSeed = "icn executor random v1"

func newDetRand() *detRand {
	d := &detRand{}
	copy(d.msg[:], randSeed)
	return d
}

func (d *detRand) Read(p []byte) (int, error) {
	for n := 0; n < len(p); {
		if len(d.left) == 0 {
			binary.BigEndian.PutUint64(d.msg[len(randSeed):], d.n)
			d.n++
			d.block = sha256.Sum256(d.msg[:])
			d.left = d.block[:]
		}
		c := copy(p[n:], d.left)
		d.left = d.left[c:]
		n += c
	}
	return len(p), nil
}

// wasiFunctions are the names wazero's wasi_snapshot_preview1 defines.
var wasiFunctions = map[string]bool{
	"args_get": true, "args_sizes_get": true, "environ_get": true, "environ_sizes_get": true,
	"clock_res_get": true, "clock_time_get": true, "fd_advise": true, "fd_allocate": true,
	"fd_close": true, "fd_datasync": true, "fd_fdstat_get": true, "fd_fdstat_set_flags": true,
	"fd_fdstat_set_rights": true, "fd_filestat_get": true, "fd_filestat_set_size": true,
	"fd_filestat_set_times": true, "fd_pread": true, "fd_prestat_get": true,
	"fd_prestat_dir_name": true, "fd_pwrite": true, "fd_read": true, "fd_readdir": true,
	"fd_renumber": true, "fd_seek": true, "fd_sync": true, "fd_tell": true, "fd_write": true,
	"path_create_directory": true, "path_filestat_get": true, "path_filestat_set_times": true,
	"path_link": true, "path_open": true, "path_readlink": true, "path_remove_directory": true,
	"path_rename": true, "path_symlink": true, "path_unlink_file": true, "poll_oneoff": true,
	"proc_exit": true, "proc_raise": true, "sched_yield": true, "random_get": true,
	"sock_accept": true, "sock_recv": true, "sock_send": true, "sock_shutdown": true,
}
