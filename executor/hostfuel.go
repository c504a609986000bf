package executor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Fuel prices of the WASI host functions (docs/executor.md, "Fuel"). A host call
// runs Go code that the instrumentation does not see, so the host charges it,
// from the call's arguments, before the function runs: HostCallFuel, plus the
// price of the bytes or items its arguments ask it to handle. The prices follow
// the CPU time of each kind of work on wazero's compiler (BenchmarkHostCalls),
// counted at the rate of fast compiled code, about 0.45 ns per unit of fuel (the
// compute job of BenchmarkComputeJob), so that no host call does more work per
// unit of fuel than ordinary instructions do.
const (
	// HostCallFuel is charged for every call of a WASI function (a call that
	// does nothing takes about 100 ns).
	HostCallFuel = 200
	// HostByteShift prices the bytes fd_write, fd_read and the other iovec
	// functions copy: one unit per 2^HostByteShift bytes of each iovec, rounded
	// up, the price of memory.copy. stdout is capped at MaxOutput, stdin is the
	// input, and stderr is discarded without reading the bytes.
	HostByteShift = 6
	// IovecFuel is charged per iovec of fd_write, fd_read, fd_pwrite, fd_pread,
	// sock_send and sock_recv (about 9 ns each).
	IovecFuel = 16
	// RandomByteFuel is charged per byte random_get writes: SHA-256 in counter
	// mode, one hash per 32 bytes, about 3 ns a byte.
	RandomByteFuel = 8
	// PathByteFuel is charged per byte of the path of a path_* function, which
	// wazero copies and cleans before it looks at the directory (about 2.6 ns a
	// byte).
	PathByteFuel = 8
	// PollSubscriptionFuel is charged per subscription of poll_oneoff (about
	// 40 to 60 ns each).
	PollSubscriptionFuel = 128
)

// errHostOutOfFuel is the panic that ends a run from a host function when its
// price is more than the fuel left; the fuel global is then exhausted, so the
// run's status is StatusOutOfFuel.
var errHostOutOfFuel = errors.New("out of fuel in a host call")

// hostCost is the price of one call of a WASI function, from its arguments and
// the caller's memory.
type hostCost func(mem api.Memory, params []uint64) uint64

// hostCosts are the prices beyond HostCallFuel, by function name; a function
// not listed costs HostCallFuel alone. The argument positions are those of WASI
// preview 1 (wazero's parameter names in comments).
var hostCosts = map[string]hostCost{
	"random_get": func(mem api.Memory, p []uint64) uint64 { // buf, buf_len
		if !inMemory(mem, uint32(p[0]), uint32(p[1])) {
			return 0 // EFAULT: nothing written
		}
		return uint64(uint32(p[1])) * RandomByteFuel
	},
	"fd_write":  iovecCost, // fd, iovs, iovs_len, ...
	"fd_read":   iovecCost, // fd, iovs, iovs_len, ...
	"fd_pwrite": iovecCost, // fd, iovs, iovs_len, offset, ...
	"fd_pread":  iovecCost, // fd, iovs, iovs_len, offset, ...
	"sock_send": iovecCost, // fd, si_data, si_data_len, ...
	"sock_recv": iovecCost, // fd, ri_data, ri_data_len, ...
	"poll_oneoff": func(mem api.Memory, p []uint64) uint64 { // in, out, nsubscriptions, ...
		// wazero reads nsubscriptions*48 bytes from in and nsubscriptions*32 to
		// out (32-bit products) and fails with EFAULT when either is outside the
		// memory, before it handles a subscription.
		in, out, n := uint32(p[0]), uint32(p[1]), uint32(p[2])
		if n == 0 || !inMemory(mem, in, n*48) || !inMemory(mem, out, n*32) {
			return 0
		}
		return uint64(n) * PollSubscriptionFuel
	},
	"path_create_directory":   pathCost(1),    // fd, path, path_len
	"path_filestat_get":       pathCost(2),    // fd, flags, path, path_len, ...
	"path_filestat_set_times": pathCost(2),    // fd, flags, path, path_len, ...
	"path_link":               pathCost(2, 5), // old_fd, old_flags, old_path, old_path_len, new_fd, new_path, new_path_len
	"path_open":               pathCost(2),    // fd, dirflags, path, path_len, ...
	"path_readlink":           pathCost(1),    // fd, path, path_len, buf, buf_len, ...
	"path_remove_directory":   pathCost(1),    // fd, path, path_len
	"path_rename":             pathCost(1, 4), // fd, old_path, old_path_len, new_fd, new_path, new_path_len
	"path_symlink":            pathCost(0, 3), // old_path, old_path_len, fd, new_path, new_path_len
	"path_unlink_file":        pathCost(1),    // fd, path, path_len
}

// inMemory reports whether the n bytes at offset are all in the memory.
func inMemory(mem api.Memory, offset, n uint32) bool {
	return mem != nil && uint64(offset)+uint64(n) <= uint64(mem.Size())
}

// byteCost is the price of copying n bytes: ⌈n / 2^HostByteShift⌉.
func byteCost(n uint32) uint64 {
	return (uint64(n) + 1<<HostByteShift - 1) >> HostByteShift
}

// iovecCost prices an iovec array (params 1 and 2: its offset and count) as wazero
// walks it: nothing when the array is outside the memory (EFAULT), else
// IovecFuel and the bytes of each iovec up to the first whose buffer is outside
// the memory, where wazero stops with EFAULT. wazero computes the array's size as
// the 32-bit count << 3; so does this.
func iovecCost(mem api.Memory, p []uint64) uint64 {
	iovs, size := uint32(p[1]), uint32(p[2])<<3
	if !inMemory(mem, iovs, size) {
		return 0
	}
	arr, ok := mem.Read(iovs, size)
	if !ok {
		return 0
	}
	var cost uint64 // at most 2^29 iovecs of IovecFuel + 2^26: no overflow
	for i := 0; i+8 <= len(arr); i += 8 {
		offset := binary.LittleEndian.Uint32(arr[i:])
		n := binary.LittleEndian.Uint32(arr[i+4:])
		cost += IovecFuel
		if !inMemory(mem, offset, n) {
			break
		}
		cost += byteCost(n)
	}
	return cost
}

// pathCost prices the paths whose offset is the parameter at each index and whose
// length the next parameter: PathByteFuel per byte of each path that lies in the
// memory (wazero copies and cleans it; one outside the memory fails with EFAULT).
func pathCost(at ...int) hostCost {
	return func(mem api.Memory, p []uint64) uint64 {
		var cost uint64
		for _, i := range at {
			if offset, n := uint32(p[i]), uint32(p[i+1]); inMemory(mem, offset, n) {
				cost += uint64(n) * PathByteFuel
			}
		}
		return cost
	}
}

// chargeHost takes cost from the calling module's fuel global, or, when less fuel
// is left, sets the global to exhausted and ends the run (a panic that wazero
// returns from the call as an error), exactly as a charge in the module does. The
// module keeps a copy of the fuel left in a local and loads it again after every
// call (appendLoadFuel), so the charge is not lost.
func chargeHost(mod api.Module, cost uint64) {
	fuel, ok := mod.ExportedGlobal(FuelExport).(api.MutableGlobal)
	if !ok { // every module the Runtime runs is instrumented
		panic(errors.New("host call from a module without its fuel global"))
	}
	left := fuel.Get()
	if left == exhausted || cost > left {
		fuel.Set(exhausted)
		panic(errHostOutOfFuel)
	}
	fuel.Set(left - cost)
}

// instantiateMeteredWASI instantiates wazero's WASI preview 1 host functions under
// wasiModule, each wrapped so that it charges the caller's fuel before it runs.
// The wrappers have the functions' own names, signatures and parameter names.
func instantiateMeteredWASI(ctx context.Context, rt wazero.Runtime) error {
	inner := rt.NewHostModuleBuilder(wasiModule)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(inner)
	compiled, err := inner.Compile(ctx) // for the definitions only, never instantiated
	if err != nil {
		return err
	}
	defs := compiled.ExportedFunctions()
	names := make([]string, 0, len(wasiFunctions))
	for name := range wasiFunctions {
		names = append(names, name)
	}
	sort.Strings(names) // the host module is the same in every process
	outer := rt.NewHostModuleBuilder(wasiModule)
	for _, name := range names {
		def, ok := defs[name]
		if !ok {
			return fmt.Errorf("wazero does not define %s", name)
		}
		fn, ok := def.GoFunction().(api.GoModuleFunction)
		if !ok {
			return fmt.Errorf("%s is a %T, not a GoModuleFunction", name, def.GoFunction())
		}
		extra := hostCosts[name]
		wrapped := api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
			cost := uint64(HostCallFuel)
			if extra != nil {
				cost += extra(mod.Memory(), stack)
			}
			chargeHost(mod, cost)
			fn.Call(ctx, mod, stack)
		})
		outer.NewFunctionBuilder().
			WithGoModuleFunction(wrapped, def.ParamTypes(), def.ResultTypes()).
			WithParameterNames(def.ParamNames()...).
			WithResultNames(def.ResultNames()...).
			Export(name)
	}
	if err := compiled.Close(ctx); err != nil {
		return err
	}
	_, err = outer.Instantiate(ctx)
	return err
}
