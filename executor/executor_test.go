package executor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// Hand-assembled WASI command modules. Every module has the types
// 0: () -> (), 1: (i32) -> (), 2: (i32 i32 i32 i32) -> i32, imports the WASI
// functions named in imports (proc_exit with type 1, fd_write with type 2), one
// page of memory exported as "memory", and _start (type 0) with the given body.

func uleb(v int) []byte { return appendULEB(nil, uint32(v)) }

func sect(id byte, content []byte) []byte {
	return append(append([]byte{id}, uleb(len(content))...), content...)
}

func name(s string) []byte { return append(uleb(len(s)), s...) }

func buildModule(imports []string, locals []byte, body []byte) []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, sect(1, []byte{3,
		0x60, 0, 0,
		0x60, 1, 0x7f, 0,
		0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f})...)
	if len(imports) > 0 {
		imp := uleb(len(imports))
		for _, n := range imports {
			typ := byte(1)
			if n == "fd_write" {
				typ = 2
			}
			imp = append(imp, name("wasi_snapshot_preview1")...)
			imp = append(imp, name(n)...)
			imp = append(imp, 0, typ)
		}
		m = append(m, sect(2, imp)...)
	}
	m = append(m, sect(3, []byte{1, 0})...)
	m = append(m, sect(5, []byte{1, 0, 1})...)
	exp := []byte{2}
	exp = append(exp, name("_start")...)
	exp = append(exp, 0, byte(len(imports)))
	exp = append(exp, name("memory")...)
	exp = append(exp, 2, 0)
	m = append(m, sect(7, exp)...)
	code := append(append([]byte{}, locals...), body...)
	m = append(m, sect(10, append([]byte{1}, append(uleb(len(code)), code...)...))...)
	return m
}

var noLocals = []byte{0}

// The sample programs and their fuel, counted by hand. Basic blocks end after
// block, loop, if, else, end and br_if (docs/executor.md, "Fuel").
var (
	// loop: count local 0 from 0 to 10.
	//   [loop]=1; 10 x [local.get i32.const i32.add local.tee i32.const i32.lt_u br_if]=7;
	//   [end]=1; [end]=1. Fuel 1+70+1+1 = 73.
	progLoop = buildModule(nil, []byte{1, 1, 0x7f}, []byte{
		0x03, 0x40,
		0x20, 0x00, 0x41, 0x01, 0x6a, 0x22, 0x00, 0x41, 0x0a, 0x49, 0x0d, 0x00,
		0x0b, 0x0b})
	fuelLoop uint64 = 73

	// grow: i32.const 3; memory.grow; drop; end.
	//   One block of 4, plus 3 pages x 1024. Fuel 4+3072 = 3076.
	progGrow        = buildModule(nil, noLocals, []byte{0x41, 0x03, 0x40, 0x00, 0x1a, 0x0b})
	fuelGrow uint64 = 3076

	// bomb: i32.const 100; memory.grow; i32.const -1; i32.eq; if; unreachable; end; end.
	//   The grow over the 16-page limit fails, is charged anyway, and the module traps.
	//   [i32.const memory.grow i32.const i32.eq if]=5 + 100x1024; [unreachable end]=2.
	//   Fuel 5+102400+2 = 102407.
	progBomb = buildModule(nil, noLocals, []byte{
		0x41, 0xe4, 0x00, 0x40, 0x00, 0x41, 0x7f, 0x46, 0x04, 0x40, 0x00, 0x0b, 0x0b})
	fuelBomb uint64 = 102407

	// spin: loop; br 0; end; end. [loop]=1, then [br end]=2 per turn, forever.
	progSpin = buildModule(nil, noLocals, []byte{0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b})

	// trap: i32.const 1; i32.const 0; i32.div_u; drop; end. One block: fuel 5.
	progTrap        = buildModule(nil, noLocals, []byte{0x41, 0x01, 0x41, 0x00, 0x6e, 0x1a, 0x0b})
	fuelTrap uint64 = 5

	// exit7: i32.const 7; call proc_exit; end. One block of 3, charged on entry,
	//   and the host call: 3 + HostCallFuel = 203.
	progExit        = buildModule([]string{"proc_exit"}, noLocals, []byte{0x41, 0x07, 0x10, 0x00, 0x0b})
	fuelExit uint64 = 203

	// fill: i32.const 0; i32.const 0; i32.const 640; memory.fill; end.
	//   One block of 5, plus 640 bytes >> 6 = 10. Fuel 15.
	progFill        = buildModule(nil, noLocals, []byte{0x41, 0x00, 0x41, 0x00, 0x41, 0x80, 0x05, 0xfc, 0x0b, 0x00, 0x0b})
	fuelFill uint64 = 15

	// recurse: _start calls itself. Each entry charges [call end]=2; the 1001st
	//   nested entry finds the depth at MaxCallDepth and traps before charging.
	//   Fuel 1000 x 2 = 2000.
	progRecurse        = buildModule(nil, noLocals, []byte{0x10, 0x00, 0x0b})
	fuelRecurse uint64 = 2000

	// ret: block; return; end; end. [block]=1, [return end]=2: fuel 3.
	progReturn        = buildModule(nil, noLocals, []byte{0x02, 0x40, 0x0f, 0x0b, 0x0b})
	fuelReturn uint64 = 3

	// nan: writes the bits of 0.0/0.0 as 8 little-endian bytes to stdout.
	//   i32.const 16; f64.const 0; f64.const 0; f64.div; i64.reinterpret_f64; i64.store
	//   i32.const 0; i32.const 16; i32.store; i32.const 4; i32.const 8; i32.store
	//   i32.const 1; i32.const 0; i32.const 1; i32.const 24; call fd_write; drop; end
	//   One block of 19 instructions, and the fd_write of one iovec of 8 bytes:
	//   HostCallFuel + IovecFuel + 1 = 217. Fuel 19 + 217 = 236.
	progNaN = buildModule([]string{"fd_write"}, noLocals, []byte{
		0x41, 0x10,
		0x44, 0, 0, 0, 0, 0, 0, 0, 0,
		0x44, 0, 0, 0, 0, 0, 0, 0, 0,
		0xa3, 0xbd, 0x37, 0x03, 0x00,
		0x41, 0x00, 0x41, 0x10, 0x36, 0x02, 0x00,
		0x41, 0x04, 0x41, 0x08, 0x36, 0x02, 0x00,
		0x41, 0x01, 0x41, 0x00, 0x41, 0x01, 0x41, 0x18, 0x10, 0x00, 0x1a, 0x0b})
	fuelNaN uint64 = 236
)

func newRuntime(t testing.TB, e Engine, maxOutput int) *Runtime {
	return newRuntimePages(t, e, maxOutput, 16)
}

func newRuntimePages(t testing.TB, e Engine, maxOutput int, pages uint32) *Runtime {
	t.Helper()
	r, err := New(context.Background(), Config{Engine: e, MemoryPages: pages, MaxOutput: maxOutput})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	return r
}

var engines = []struct {
	name string
	e    Engine
}{{"compiler", EngineCompiler}, {"interpreter", EngineInterpreter}}

func run(t *testing.T, r *Runtime, mod, in []byte, limit uint64) Result {
	t.Helper()
	res, err := r.Run(context.Background(), mod, in, limit)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestHandProgramsGoldenFuel(t *testing.T) {
	cases := []struct {
		name   string
		mod    []byte
		status Status
		fuel   uint64
		out    []byte
	}{
		{"loop", progLoop, StatusOK, fuelLoop, nil},
		{"grow", progGrow, StatusOK, fuelGrow, nil},
		{"fill", progFill, StatusOK, fuelFill, nil},
		{"recurse", progRecurse, StatusCallDepth, fuelRecurse, nil},
		{"return", progReturn, StatusOK, fuelReturn, nil},
		{"bomb", progBomb, StatusTrap, fuelBomb, nil},
		{"trap", progTrap, StatusTrap, fuelTrap, nil},
		{"exit7", progExit, StatusExitBase + 7, fuelExit, nil},
		{"nan", progNaN, StatusOK, fuelNaN, []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}},
	}
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 1024)
		for _, c := range cases {
			for i := 0; i < 2; i++ { // the second run comes from the cache
				res := run(t, r, c.mod, nil, 1_000_000)
				if res.Status != c.status || res.Fuel != c.fuel || !bytes.Equal(res.Output, c.out) {
					t.Errorf("%s/%s run %d: status %v fuel %d output %x; want %v %d %x (%s)",
						eng.name, c.name, i, res.Status, res.Fuel, res.Output, c.status, c.fuel, c.out, res.Detail)
				}
			}
		}
	}
}

// TestMultiValueReturn: a function of two results that leaves by return runs
// inside a wrapping block of a new type (no parameters, two results).
//
//	_start: call 1; i32.add; drop; end          [4 instructions]
//	f1 () -> (i32 i32): i32.const 2; i32.const 3; return; end   [4 instructions]
//
// Fuel 4 + 4 = 8.
func TestMultiValueReturn(t *testing.T) {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, sect(1, []byte{2, 0x60, 0, 0, 0x60, 0, 2, 0x7f, 0x7f})...)
	m = append(m, sect(3, []byte{2, 0, 1})...)
	m = append(m, sect(5, []byte{1, 0, 1})...)
	exp := []byte{2}
	exp = append(append(exp, name("_start")...), 0, 0)
	exp = append(append(exp, name("memory")...), 2, 0)
	m = append(m, sect(7, exp)...)
	b1 := []byte{0, 0x10, 0x01, 0x6a, 0x1a, 0x0b}
	b2 := []byte{0, 0x41, 0x02, 0x41, 0x03, 0x0f, 0x0b}
	code := append(append([]byte{2, byte(len(b1))}, b1...), append([]byte{byte(len(b2))}, b2...)...)
	m = append(m, sect(10, code)...)
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 64)
		if res := run(t, r, m, nil, 100); res.Status != StatusOK || res.Fuel != 8 {
			t.Errorf("%s: %v fuel %d (%s)", eng.name, res.Status, res.Fuel, res.Detail)
		}
	}
}

func TestFuelLimitBoundary(t *testing.T) {
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 1024)
		for _, c := range []struct {
			name string
			mod  []byte
			used uint64
		}{{"loop", progLoop, fuelLoop}, {"grow", progGrow, fuelGrow}, {"nan", progNaN, fuelNaN}} {
			if res := run(t, r, c.mod, nil, c.used); res.Status != StatusOK || res.Fuel != c.used {
				t.Errorf("%s/%s limit=used: %v fuel %d", eng.name, c.name, res.Status, res.Fuel)
			}
			res := run(t, r, c.mod, nil, c.used-1)
			if res.Status != StatusOutOfFuel || res.Fuel != c.used-1 || res.Output != nil {
				t.Errorf("%s/%s limit=used-1: %v fuel %d output %x", eng.name, c.name, res.Status, res.Fuel, res.Output)
			}
		}
	}
}

func TestInfiniteLoopRunsOutOfFuel(t *testing.T) {
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 1024)
		// 1 + 500 turns x 2 = 1001: the 501st turn finds 0 left.
		for _, limit := range []uint64{1001, 1002, 5_000_000} {
			res := run(t, r, progSpin, nil, limit)
			if res.Status != StatusOutOfFuel || res.Fuel != limit {
				t.Errorf("%s limit %d: %v fuel %d", eng.name, limit, res.Status, res.Fuel)
			}
		}
		if res := run(t, r, progSpin, nil, 0); res.Status != StatusOutOfFuel || res.Fuel != 0 {
			t.Errorf("%s limit 0: %v fuel %d", eng.name, res.Status, res.Fuel)
		}
	}
}

func TestOutputCap(t *testing.T) {
	r := newRuntime(t, EngineCompiler, 7) // progNaN writes 8 bytes
	res := run(t, r, progNaN, nil, 1000)
	if res.Status != StatusOutputTooLarge || res.Output != nil || res.Fuel != fuelNaN {
		t.Fatalf("got %v output %x fuel %d", res.Status, res.Output, res.Fuel)
	}
	r = newRuntime(t, EngineCompiler, 8)
	if res := run(t, r, progNaN, nil, 1000); res.Status != StatusOK {
		t.Fatalf("cap 8: %v", res.Status)
	}
}

func TestWallClockSafetyNetGivesNoReceipt(t *testing.T) {
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 1024)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		res, err := r.Run(ctx, progSpin, nil, MaxFuel)
		cancel()
		if !errors.Is(err, ErrNoReceipt) || res.Status != 0 || res.Fuel != 0 {
			t.Errorf("%s: err %v result %+v", eng.name, err, res)
		}
	}
}

func TestRefusedModules(t *testing.T) {
	cases := []struct {
		name string
		mod  []byte
		want string
	}{
		// v128.const 0 ; drop ; end
		{"simd", buildModule(nil, noLocals, append(append([]byte{0xfd, 0x0c}, make([]byte, 16)...), 0x1a, 0x0b)), "SIMD"},
		// atomic.fence ; end
		{"threads", buildModule(nil, noLocals, []byte{0xfe, 0x03, 0x00, 0x0b}), "threads"},
		{"v128 local", buildModule(nil, []byte{1, 1, 0x7b}, []byte{0x0b}), "SIMD"},
		{"not wasm", []byte("hello"), "not a WebAssembly"},
		{"env import", bytes.Replace(progExit, []byte("wasi_snapshot_preview1"), []byte("env_snapshot_preview1x"), 1), "only functions of"},
		{"huge locals", buildModule(nil, []byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f}, []byte{0x0b}), "locals"},
		{"bad opcode", buildModule(nil, noLocals, []byte{0x06, 0x0b}), "opcode"},
		{"no final end", buildModule(nil, noLocals, []byte{0x01}), "End"},
		// Indices past the module's own, which the instrumentation would make valid.
		{"fuel local", buildModule(nil, noLocals, []byte{0x20, 0x00, 0x1a, 0x0b}), "local index 0 out of range (0)"},
		{"local past declared", buildModule(nil, []byte{1, 2, 0x7f}, []byte{0x20, 0x02, 0x1a, 0x0b}), "local index 2 out of range (2)"},
		{"fuel global", buildModule(nil, noLocals, []byte{0x23, 0x00, 0x1a, 0x0b}), "global index 0 out of range (0)"},
		{"depth global", buildModule(nil, noLocals, []byte{0x41, 0x00, 0x24, 0x01, 0x0b}), "global index 1 out of range (0)"},
		{"helper call", buildModule(nil, noLocals, []byte{0x41, 0x01, 0x10, 0x01, 0x1a, 0x0b}), "function index 1 out of range (1)"},
		{"helper ref.func", buildModule(nil, noLocals, []byte{0xd2, 0x01, 0x1a, 0x0b}), "function index 1 out of range (1)"},
		{"added block type", buildModule(nil, noLocals, []byte{0x02, 0x03, 0x0b, 0x0b}), "block type index 3 out of range (3)"},
		{"added call type", buildModule(nil, noLocals, []byte{0x41, 0x00, 0x11, 0x03, 0x00, 0x0b}), "type index 3 out of range (3)"},
	}
	r := newRuntime(t, EngineInterpreter, 1024)
	for _, c := range cases {
		_, err := Instrument(c.mod)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Instrument error %v, want %q", c.name, err, c.want)
		}
		res := run(t, r, c.mod, nil, 1000)
		if res.Status != StatusRefused || res.Fuel != 0 || res.Output != nil {
			t.Errorf("%s: Run %+v", c.name, res)
		}
	}
}

func TestCompiledModulesCachedByCID(t *testing.T) {
	r, err := New(context.Background(), Config{MemoryPages: 16, MaxOutput: 64, CacheSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close(context.Background()) }()
	ctx := context.Background()
	a, err := r.Compile(ctx, progLoop)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := r.Compile(ctx, progLoop); b != a {
		t.Fatal("second Compile of the same module did not come from the cache")
	}
	if _, ok := r.cache[ModuleID(progLoop)]; !ok {
		t.Fatal("not cached under its CID")
	}
	for _, m := range [][]byte{progGrow, progTrap} { // evicts progLoop
		if _, err := r.Compile(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := r.cache[ModuleID(progLoop)]; ok || len(r.cache) != 2 {
		t.Fatalf("cache holds %d modules, progLoop present %v", len(r.cache), ok)
	}
	if n := r.Compiles(); n != 3 {
		t.Fatalf("%d compilations of 3 modules", n)
	}
	if res := run(t, r, progLoop, nil, 100); res.Status != StatusOK || res.Fuel != fuelLoop {
		t.Fatalf("after eviction: %v %d", res.Status, res.Fuel)
	}
	if n := r.Compiles(); n != 4 {
		t.Fatalf("an evicted module was not compiled again: %d compilations", n)
	}
}

// TestRunUsesCache: the second Run of a module, and of a refused one, neither
// instruments nor compiles it again, and gives the same result.
func TestRunUsesCache(t *testing.T) {
	r := newRuntime(t, EngineCompiler, 64)
	refused := buildModule(nil, noLocals, []byte{0x06, 0x0b})
	for i, mod := range [][]byte{progLoop, refused} {
		first := run(t, r, mod, nil, 1000)
		if n := r.Compiles(); n != uint64(i+1) {
			t.Fatalf("module %d, first run: %d compilations, want %d", i, n, i+1)
		}
		for j := 0; j < 3; j++ {
			if res := run(t, r, mod, nil, 1000); res.Status != first.Status || res.Fuel != first.Fuel || !res.OutputID.Equals(first.OutputID) {
				t.Fatalf("module %d, run %d: %+v, first %+v", i, j+2, res, first)
			}
		}
		if n := r.Compiles(); n != uint64(i+1) {
			t.Fatalf("module %d was compiled again: %d compilations, want %d", i, n, i+1)
		}
	}
}

func TestOutputCID(t *testing.T) {
	r := newRuntime(t, EngineInterpreter, 1024)
	res := run(t, r, progNaN, nil, 1000)
	sum := sha256.Sum256([]byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f})
	h, _ := mh.Encode(sum[:], mh.SHA2_256)
	if want := cid.NewCidV1(cid.Raw, h); !res.OutputID.Equals(want) {
		t.Fatalf("output CID %s, want %s", res.OutputID, want)
	}
	if res.OutputID.Prefix().Codec != 0x55 || res.OutputID.Version() != 1 {
		t.Fatalf("prefix %+v", res.OutputID.Prefix())
	}
}

// A Go program built for wasip1: prints the hex SHA-256 of stdin, after some work
// that exercises maps, floats, the allocator and the garbage collector.
const goProgram = `package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		os.Exit(3)
	}
	counts := map[byte]int{}
	for _, b := range in {
		counts[b]++
	}
	keys := make([]int, 0, len(counts))
	for k := range counts {
		keys = append(keys, int(k))
	}
	sort.Ints(keys)
	x := 0.0
	for i := 0; i < 1000; i++ {
		x += math.Sqrt(float64(i)) / 3
	}
	var junk [][]byte
	for i := 0; i < 200; i++ {
		junk = append(junk, make([]byte, 4096))
	}
	_ = junk
	sum := sha256.Sum256(in)
	fmt.Printf("%s %d %.3f\n", hex.EncodeToString(sum[:]), len(keys), x)
}
`

func buildGoProgram(t testing.TB) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goProgram), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module job\n\ngo 1.21\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "job.wasm")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	mod, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

func TestGoProgramFuelIdenticalAcrossEngines(t *testing.T) {
	mod := buildGoProgram(t)
	input := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog\n", 500))
	sum := sha256.Sum256(input)
	// The same computation, native: 28 distinct bytes, the sum of sqrt(i)/3.
	x := 0.0
	for i := 0; i < 1000; i++ {
		x += math.Sqrt(float64(i)) / 3
	}
	want := fmt.Sprintf("%s 28 %.3f\n", hex.EncodeToString(sum[:]), x)

	var fuel []uint64
	for _, eng := range engines {
		r := newRuntimePages(t, eng.e, 1<<20, 512)
		for i := 0; i < 2; i++ {
			res := run(t, r, mod, input, 10_000_000_000)
			if res.Status != StatusOK || string(res.Output) != want {
				t.Fatalf("%s: %v %q (%s), want %q", eng.name, res.Status, res.Output, res.Detail, want)
			}
			fuel = append(fuel, res.Fuel)
		}
	}
	for _, f := range fuel {
		if f != fuel[0] || f == 0 {
			t.Fatalf("fuel differs across runs or engines: %v", fuel)
		}
	}
	// The figure of docs/executor.md, for the toolchain it was measured with: a
	// change of the instrumenter must not change it.
	if runtime.Version() == "go1.26.8" && fuel[0] != 52_383_836 {
		t.Fatalf("fuel %d, want 52383836 (docs/executor.md, Go 1.26.8)", fuel[0])
	}
	start := time.Now()
	if _, err := Instrument(mod); err != nil {
		t.Fatal(err)
	}
	t.Logf("Go program: fuel %d, module %d bytes, instrumented in %v", fuel[0], len(mod), time.Since(start))

	r := newRuntimePages(t, EngineCompiler, 1<<20, 512)
	if res := run(t, r, mod, input, fuel[0]); res.Status != StatusOK || res.Fuel != fuel[0] {
		t.Errorf("limit = used: %v %d", res.Status, res.Fuel)
	}
	if res := run(t, r, mod, input, fuel[0]-1); res.Status != StatusOutOfFuel || res.Fuel != fuel[0]-1 {
		t.Errorf("limit = used-1: %v %d", res.Status, res.Fuel)
	}
}

func TestConcurrentRuns(t *testing.T) {
	r := newRuntime(t, EngineCompiler, 1024)
	mods := [][]byte{progLoop, progGrow, progTrap, progNaN}
	want := []uint64{fuelLoop, fuelGrow, fuelTrap, fuelNaN}
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		go func(g int) {
			res, err := r.Run(context.Background(), mods[g%4], nil, 1_000_000)
			if err == nil && res.Fuel != want[g%4] {
				err = fmt.Errorf("module %d: fuel %d, want %d", g%4, res.Fuel, want[g%4])
			}
			errs <- err
		}(g)
	}
	for g := 0; g < 16; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, eng := range engines {
		r, err := New(context.Background(), Config{Engine: eng.e, MemoryPages: 16, MaxOutput: 64})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range [][]byte{progLoop, progTrap, progExit, progSpin} {
			if _, err := r.Run(context.Background(), m, nil, 10_000); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, _ = r.Run(ctx, progSpin, nil, MaxFuel)
		cancel()
		if err := r.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// The runs' goroutines end a little after Run and Close return; on a
	// loaded machine that may take seconds. A leaked one never ends.
	deadline := time.Now().Add(60 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines before, %d after", before, n)
	}
}

// TestMergedCharges: a basic block entered only by falling through from a block
// instruction is paid for with its predecessor when nothing in that predecessor
// can trap, branch or call; the fuel and the status of every run are those of
// the fuel model, which charges each block as it is entered.
func TestMergedCharges(t *testing.T) {
	cases := []struct {
		name   string
		body   []byte
		fuel   uint64
		status Status
	}{
		// [block]=1 [block]=1 [i32.const drop end]=3 [end]=1 [end]=1: 7, the first
		// three blocks paid for at once.
		{"chain", []byte{0x02, 0x40, 0x02, 0x40, 0x41, 0x01, 0x1a, 0x0b, 0x0b, 0x0b}, 7, StatusOK},
		// [i32.const i32.const i32.div_u drop block]=5 traps: the block after it must
		// not be paid for first, or a limit of 5 would run out of fuel instead.
		{"trap first", []byte{0x41, 0x01, 0x41, 0x00, 0x6e, 0x1a, 0x02, 0x40, 0x01, 0x0b, 0x0b}, 5, StatusTrap},
		// [block]=1 [br 0, block]=2 [end]=1 (never entered) [end]=1 (after the outer
		// block, where br 0 goes): 4, not 5.
		{"branch first", []byte{0x02, 0x40, 0x0c, 0x00, 0x02, 0x40, 0x0b, 0x0b, 0x0b}, 4, StatusOK},
		// [i32.const 7, call proc_exit, block]=3 and the host call's 200 exits: 203,
		// and exit 7 with a limit of 203.
		{"call first", []byte{0x41, 0x07, 0x10, 0x00, 0x02, 0x40, 0x01, 0x0b, 0x0b}, 3 + HostCallFuel, StatusExitBase + 7},
	}
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 64)
		for _, c := range cases {
			mod := buildModule([]string{"proc_exit"}, noLocals, c.body)
			if res := run(t, r, mod, nil, 1000); res.Status != c.status || res.Fuel != c.fuel {
				t.Errorf("%s/%s: %v fuel %d (%s), want %v %d", eng.name, c.name, res.Status, res.Fuel, res.Detail, c.status, c.fuel)
			}
			if res := run(t, r, mod, nil, c.fuel); res.Status != c.status || res.Fuel != c.fuel {
				t.Errorf("%s/%s limit %d: %v fuel %d, want %v", eng.name, c.name, c.fuel, res.Status, res.Fuel, c.status)
			}
			if res := run(t, r, mod, nil, c.fuel-1); res.Status != StatusOutOfFuel || res.Fuel != c.fuel-1 {
				t.Errorf("%s/%s limit %d: %v fuel %d, want out of fuel", eng.name, c.name, c.fuel-1, res.Status, res.Fuel)
			}
		}
	}
}
