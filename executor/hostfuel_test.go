package executor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// hostLoop is a WASI command module that calls one WASI function in a loop:
//
//	_start: loop; <args>; call 0; drop; local.get 0; i32.const 1; i32.add;
//	        local.tee 0; i32.const n; i32.lt_u; br_if 0; end; end
//
// params are the function's parameter types (its result is one i32), args the
// code that pushes its arguments, data an active data segment at offset 0 (the
// iovecs, paths and subscriptions the calls read), pages the memory's minimum.
// A turn costs its 9 instructions, the arguments' and the call (see turn).
type hostLoop struct {
	fn     string
	params []byte
	args   []byte
	data   []byte
	pages  int
	n      int
}

func (h hostLoop) module() []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	ft := append([]byte{0x60}, uleb(len(h.params))...)
	ft = append(append(ft, h.params...), 1, 0x7f)
	m = append(m, sect(1, append([]byte{2, 0x60, 0, 0}, ft...))...)
	imp := append([]byte{1}, name("wasi_snapshot_preview1")...)
	m = append(m, sect(2, append(append(imp, name(h.fn)...), 0, 1))...)
	m = append(m, sect(3, []byte{1, 0})...)
	m = append(m, sect(5, append([]byte{1, 0}, uleb(h.pages)...))...)
	exp := append([]byte{2}, name("_start")...)
	exp = append(append(exp, 0, 1), name("memory")...)
	m = append(m, sect(7, append(exp, 2, 0))...)
	body := []byte{1, 1, 0x7f, 0x03, 0x40}
	body = append(append(body, h.args...), 0x10, 0, 0x1a)
	body = append(body, 0x20, 0, 0x41, 1, 0x6a, 0x22, 0, 0x41)
	body = append(appendSLEB(body, int64(h.n)), 0x49, 0x0d, 0, 0x0b, 0x0b)
	m = append(m, sect(10, append([]byte{1}, append(uleb(len(body)), body...)...))...)
	if len(h.data) > 0 {
		d := append([]byte{1, 0, 0x41, 0, 0x0b}, uleb(len(h.data))...)
		m = append(m, sect(11, append(d, h.data...))...)
	}
	return m
}

func i32s(vs ...int64) []byte {
	var b []byte
	for _, v := range vs {
		b = appendSLEB(append(b, 0x41), v)
	}
	return b
}

// iovecs encodes count iovecs, each of size bytes at offset at.
func iovecs(count int, at, size uint32) []byte {
	b := make([]byte, 0, 8*count)
	for i := 0; i < count; i++ {
		b = binary.LittleEndian.AppendUint32(b, at)
		b = binary.LittleEndian.AppendUint32(b, size)
	}
	return b
}

// clockSubs encodes n poll_oneoff subscriptions to a relative clock of 0 ns.
func clockSubs(n int) []byte {
	return make([]byte, 48*n) // userdata 0, type 0 (clock), id 0, timeout 0, flags 0
}

var (
	i4 = []byte{0x7f, 0x7f, 0x7f, 0x7f}
	// random_get(1024, 65536), 64 KiB a call, in 2 pages.
	loopRandom = hostLoop{fn: "random_get", params: []byte{0x7f, 0x7f}, args: i32s(1024, 65536), pages: 2}
	// fd_write(2, 0, 1, 16): one iovec of 64 KiB at 1024 to stderr (discarded).
	loopStderr = hostLoop{fn: "fd_write", params: i4, args: i32s(2, 0, 1, 16), data: iovecs(1, 1024, 65536), pages: 2}
)

// turn is the fuel of one turn of the loop: its block of 9 instructions and the
// arguments, and the call's price, HostCallFuel + call.
func (h hostLoop) turn(call uint64) uint64 {
	ins, err := decodeBody(append(append([]byte{}, h.args...), 0x0b), nil, &indexLimits{1, 1, 1, 1})
	if err != nil {
		panic(err)
	}
	return uint64(len(ins)-1+9) + HostCallFuel + call
}

// TestHostCallsChargeFuel: a loop of 64 KiB random_get calls, or of 64 KiB
// fd_write calls to stderr, runs out of fuel at a modest limit on both engines,
// with the fuel of the model: 1 + turns x (10 + the call's price) + 2 when it
// ends, the limit when it runs out. Without host prices both loops would use a
// few thousand units.
func TestHostCallsChargeFuel(t *testing.T) {
	cases := []struct {
		name string
		loop hostLoop
		call uint64 // the price of one call beyond HostCallFuel
	}{
		{"random_get", loopRandom, 65536 * RandomByteFuel},
		{"fd_write stderr", loopStderr, IovecFuel + 65536>>HostByteShift},
	}
	for _, c := range cases {
		c.loop.n = 1000
		mod := c.loop.module()
		turn := c.loop.turn(c.call)
		want := 1 + 1000*turn + 2
		for _, eng := range engines {
			r := newRuntime(t, eng.e, 64)
			res := run(t, r, mod, nil, want)
			if res.Status != StatusOK || res.Fuel != want {
				t.Errorf("%s/%s limit %d: %v fuel %d (%s), want ok %d", eng.name, c.name, want, res.Status, res.Fuel, res.Detail, want)
			}
			// A modest limit: 10 turns and part of the 11th call.
			limit := 1 + 10*turn + (turn - HostCallFuel - c.call) + HostCallFuel
			res = run(t, r, mod, nil, limit)
			if res.Status != StatusOutOfFuel || res.Fuel != limit {
				t.Errorf("%s/%s limit %d: %v fuel %d (%s), want out of fuel", eng.name, c.name, limit, res.Status, res.Fuel, res.Detail)
			}
			res = run(t, r, mod, nil, want-1)
			if res.Status != StatusOutOfFuel || res.Fuel != want-1 {
				t.Errorf("%s/%s limit %d: %v fuel %d, want out of fuel", eng.name, c.name, want-1, res.Status, res.Fuel)
			}
		}
	}
}

// TestHostChargeNotOverwritten: the module keeps a copy of the fuel left in a
// local and must load it again after a host call, or its next charge would
// store a value that undoes the host's. With 1000 turns the loop's blocks charge
// the local 1000 times after host calls: the fuel is exactly the model's only if
// every host charge stayed. The exact boundary (limit = used - 1) is checked in
// TestHostCallsChargeFuel.
func TestHostChargeNotOverwritten(t *testing.T) {
	l := hostLoop{fn: "sched_yield", n: 1000, pages: 1}
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 64)
		want := 1 + 1000*l.turn(0) + 2
		if res := run(t, r, l.module(), nil, 1_000_000_000); res.Status != StatusOK || res.Fuel != want {
			t.Errorf("%s: %v fuel %d, want %d", eng.name, res.Status, res.Fuel, want)
		}
	}
}

// TestHostCallPrices checks the price of each kind of argument, and that a call
// whose buffers lie outside the memory pays only HostCallFuel (TestHostErrorsKept
// checks that it still fails with the host function's own error).
func TestHostCallPrices(t *testing.T) {
	cases := []struct {
		name string
		loop hostLoop
		call uint64
	}{
		{"sched_yield", hostLoop{fn: "sched_yield"}, 0},
		{"random_get 0", hostLoop{fn: "random_get", params: []byte{0x7f, 0x7f}, args: i32s(0, 0)}, 0},
		{"random_get 100", hostLoop{fn: "random_get", params: []byte{0x7f, 0x7f}, args: i32s(0, 100)}, 100 * RandomByteFuel},
		{"random_get out of memory", hostLoop{fn: "random_get", params: []byte{0x7f, 0x7f}, args: i32s(65000, 1000)}, 0},
		// Three iovecs of 64, 65 and 0 bytes: 3 x IovecFuel + 1 + 2 + 0.
		{"fd_write 3 iovecs", hostLoop{fn: "fd_write", params: i4, args: i32s(2, 0, 3, 100),
			data: append(append(iovecs(1, 200, 64), iovecs(1, 300, 65)...), iovecs(1, 0, 0)...)}, 3*IovecFuel + 3},
		// The second iovec is outside the memory: wazero stops there.
		{"fd_write bad iovec", hostLoop{fn: "fd_write", params: i4, args: i32s(2, 0, 3, 100),
			data: append(append(iovecs(1, 200, 64), iovecs(1, 65500, 100)...), iovecs(1, 0, 64)...)}, 2*IovecFuel + 1},
		{"fd_write iovecs out of memory", hostLoop{fn: "fd_write", params: i4, args: i32s(2, 65530, 1, 100)}, 0},
		// 2^29 + 1 iovecs: wazero's 32-bit count << 3 makes it one.
		{"fd_write count wraps", hostLoop{fn: "fd_write", params: i4, args: i32s(2, 0, 1<<29+1, 100), data: iovecs(1, 200, 640)}, IovecFuel + 10},
		{"fd_read", hostLoop{fn: "fd_read", params: i4, args: i32s(0, 0, 1, 100), data: iovecs(1, 200, 128)}, IovecFuel + 2},
		{"poll_oneoff 3", hostLoop{fn: "poll_oneoff", params: i4, args: i32s(0, 1000, 3, 100), data: clockSubs(3)}, 3 * PollSubscriptionFuel},
		{"poll_oneoff out of memory", hostLoop{fn: "poll_oneoff", params: i4, args: i32s(0, 65530, 3, 100), data: clockSubs(3)}, 0},
		{"path_open", hostLoop{fn: "path_open", params: []byte{0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7e, 0x7e, 0x7f, 0x7f},
			args: append(append(i32s(3, 0, 0, 4096, 0), 0x42, 0, 0x42, 0), i32s(0, 8192)...)}, 4096 * PathByteFuel},
		{"path_rename", hostLoop{fn: "path_rename", params: []byte{0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f},
			args: i32s(3, 0, 65, 3, 100, 1)}, (65 + 1) * PathByteFuel},
		{"path_rename new path out of memory", hostLoop{fn: "path_rename", params: []byte{0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f},
			args: i32s(3, 0, 65, 3, 65500, 100)}, 65 * PathByteFuel},
		{"args_get", hostLoop{fn: "args_get", params: []byte{0x7f, 0x7f}, args: i32s(0, 100)}, 0},
	}
	for _, c := range cases {
		c.loop.n, c.loop.pages = 10, 1
		want := 1 + 10*c.loop.turn(c.call) + 2
		for _, eng := range engines {
			r := newRuntime(t, eng.e, 1<<20)
			res := run(t, r, c.loop.module(), nil, 1_000_000)
			if res.Status != StatusOK || res.Fuel != want {
				t.Errorf("%s/%s: %v fuel %d (%s), want ok %d", eng.name, c.name, res.Status, res.Fuel, res.Detail, want)
			}
		}
	}
}

// TestHostErrorsKept: a call whose buffers lie outside the memory still returns
// the host function's own error, after paying HostCallFuel. The module stores
// the errno of random_get(65000, 1000) to memory and writes it to stdout:
//
//	i32.const 0; i32.const 65000; i32.const 1000; call random_get; i32.store8
//	(iovec at 8: {0, 1}) i32.const 8; i32.const 0; i32.store; i32.const 12;
//	i32.const 1; i32.store; i32.const 1; i32.const 8; i32.const 1; i32.const 16;
//	call fd_write; drop; end
func TestHostErrorsKept(t *testing.T) {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, sect(1, []byte{3, 0x60, 0, 0, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f})...)
	imp := append([]byte{2}, name("wasi_snapshot_preview1")...)
	imp = append(append(imp, name("random_get")...), 0, 1)
	imp = append(append(imp, name("wasi_snapshot_preview1")...), name("fd_write")...)
	m = append(m, sect(2, append(imp, 0, 2))...)
	m = append(m, sect(3, []byte{1, 0})...)
	m = append(m, sect(5, []byte{1, 0, 1})...)
	exp := append([]byte{2}, name("_start")...)
	exp = append(append(exp, 0, 2), name("memory")...)
	m = append(m, sect(7, append(exp, 2, 0))...)
	body := append([]byte{0}, i32s(0, 65000, 1000)...)
	body = append(body, 0x10, 0, 0x3a, 0, 0)
	body = append(append(body, i32s(8, 0)...), 0x36, 2, 0)
	body = append(append(body, i32s(12, 1)...), 0x36, 2, 0)
	body = append(append(body, i32s(1, 8, 1, 16)...), 0x10, 1, 0x1a, 0x0b)
	m = append(m, sect(10, append([]byte{1}, append(uleb(len(body)), body...)...))...)
	// 18 instructions in one block, two calls at HostCallFuel, one iovec of 1 byte.
	want := uint64(18 + 2*HostCallFuel + IovecFuel + 1)
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 64)
		res := run(t, r, m, nil, 10_000)
		if res.Status != StatusOK || res.Fuel != want || !bytes.Equal(res.Output, []byte{21}) {
			t.Errorf("%s: %v fuel %d output %x (%s), want ok %d 15", eng.name, res.Status, res.Fuel, res.Output, res.Detail, want)
		}
	}
}

// TestHostFuelIdenticalAcrossRunsAndEngines: a program mixing host calls, run
// twice on each engine, uses the same fuel each time, and it runs out at the same
// point for every limit.
func TestHostFuelIdenticalAcrossRunsAndEngines(t *testing.T) {
	mods := [][]byte{progNaN, loopRandom.withN(7).module(), loopStderr.withN(7).module()}
	for i, mod := range mods {
		var fuel []uint64
		for _, eng := range engines {
			r := newRuntime(t, eng.e, 64)
			for j := 0; j < 2; j++ {
				res := run(t, r, mod, nil, 100_000_000)
				if res.Status != StatusOK {
					t.Fatalf("module %d %s: %v (%s)", i, eng.name, res.Status, res.Detail)
				}
				fuel = append(fuel, res.Fuel)
			}
		}
		for _, f := range fuel {
			if f != fuel[0] {
				t.Fatalf("module %d: fuel differs across runs or engines: %v", i, fuel)
			}
		}
		for _, limit := range []uint64{0, 1, 50, fuel[0] / 3, fuel[0] / 2, fuel[0] - 1} {
			var got []string
			for _, eng := range engines {
				r := newRuntime(t, eng.e, 64)
				res := run(t, r, mod, nil, limit)
				got = append(got, fmt.Sprintf("%v %d", res.Status, res.Fuel))
			}
			if got[0] != got[1] || got[0] != fmt.Sprintf("%v %d", StatusOutOfFuel, limit) {
				t.Errorf("module %d limit %d: %v", i, limit, got)
			}
		}
	}
}

func (h hostLoop) withN(n int) hostLoop { h.n = n; return h }

// TestHostLoopNotTimedOut: without host prices, a loop of 64 KiB random_get
// calls at a fuel limit of 10^7 would run for minutes (about 150 000 calls);
// with them it runs out of fuel in milliseconds, well inside a 20 s safety net.
func TestHostLoopNotTimedOut(t *testing.T) {
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 64)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		res, err := r.Run(ctx, loopRandom.withN(1<<30).module(), nil, 10_000_000)
		cancel()
		if errors.Is(err, ErrNoReceipt) || err != nil || res.Status != StatusOutOfFuel || res.Fuel != 10_000_000 {
			t.Errorf("%s: %+v, %v", eng.name, res, err)
		}
	}
}

// BenchmarkHostCalls measures what a host call costs in CPU time against the
// fuel it is charged, to set the prices of hostfuel.go (docs/executor.md,
// "Fuel"): each sub-benchmark runs a hostLoop of 1000 calls, metered, and
// reports the thread CPU time per call (cpu-ns/call), the fuel per call and
// cpu-ns/fuel. "instructions" is a loop of ordinary instructions for comparison.
//
//	go test ./executor/ -run XXX -bench BenchmarkHostCalls -benchtime 20x
func BenchmarkHostCalls(b *testing.B) {
	longPath := strings.Repeat("a/", 1<<15) // 64 KiB
	cases := []struct {
		name string
		loop hostLoop
	}{
		{"instructions", hostLoop{fn: "sched_yield"}}, // replaced below
		{"sched_yield", hostLoop{fn: "sched_yield"}},
		{"clock_time_get", hostLoop{fn: "clock_time_get", params: []byte{0x7f, 0x7e, 0x7f}, args: append(append(i32s(1), 0x42, 0), i32s(0)...)}},
		{"random_get 64KiB", loopRandom},
		{"fd_write stderr 64KiB", loopStderr},
		{"fd_write stdout 4KiB", hostLoop{fn: "fd_write", params: i4, args: i32s(1, 0, 1, 16), data: iovecs(1, 1024, 4096), pages: 2}},
		{"fd_write stderr 4096 iovecs of 0", hostLoop{fn: "fd_write", params: i4, args: i32s(2, 0, 4096, 65530), data: iovecs(4096, 0, 0), pages: 1}},
		{"fd_read stdin 4096 iovecs of 0", hostLoop{fn: "fd_read", params: i4, args: i32s(0, 0, 4096, 65530), data: iovecs(4096, 0, 0), pages: 1}},
		{"poll_oneoff 1000", hostLoop{fn: "poll_oneoff", params: i4, args: i32s(0, 48000, 1000, 100000), data: clockSubs(1000), pages: 2}},
		{"path_open 64KiB", hostLoop{fn: "path_open", params: []byte{0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7e, 0x7e, 0x7f, 0x7f},
			args: append(append(i32s(3, 0, 0, int64(len(longPath)), 0), 0x42, 0, 0x42, 0), i32s(0, 100000)...), data: []byte(longPath), pages: 2}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			const calls = 1000
			c.loop.n = calls
			if c.loop.pages == 0 {
				c.loop.pages = 1
			}
			mod := c.loop.module()
			if c.name == "instructions" { // the loop alone, 10^6 turns, no call
				body := appendSLEB([]byte{0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x22, 0x00, 0x41}, 1e6)
				mod = buildModule(nil, []byte{1, 1, 0x7f}, append(body, 0x49, 0x0d, 0x00, 0x0b, 0x0b))
			}
			r := newRuntimePages(b, EngineCompiler, 1<<30, 16)
			ctx := context.Background()
			input := make([]byte, 1<<20)
			var cpu time.Duration
			var fuel uint64
			for i := 0; i < b.N; i++ {
				stop := threadCPU()
				res, err := r.Run(ctx, mod, input, MaxFuel)
				cpu += stop()
				if err != nil || res.Status != StatusOK {
					b.Fatalf("%+v %v", res, err)
				}
				fuel = res.Fuel
			}
			per := float64(calls)
			if c.name == "instructions" {
				per = 1e6
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/per, "cpu-ns/call")
			b.ReportMetric(float64(fuel)/per, "fuel/call")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(fuel), "cpu-ns/fuel")
		})
	}
}

// TestDetRandStream: the random stream read in pieces of any size is SHA-256 in
// counter mode over the documented seed (docs/executor.md, "What a job is").
func TestDetRandStream(t *testing.T) {
	var want []byte
	for i := uint64(0); i < 10; i++ {
		msg := binary.BigEndian.AppendUint64([]byte("icn executor random v1"), i)
		sum := sha256.Sum256(msg)
		want = append(want, sum[:]...)
	}
	for _, pieces := range [][]int{{320}, {1, 31, 32, 33, 100, 123}, {0, 64, 0, 256}} {
		d := newDetRand()
		var got []byte
		for _, n := range pieces {
			b := make([]byte, n)
			if k, err := d.Read(b); k != n || err != nil {
				t.Fatalf("Read(%d) = %d, %v", n, k, err)
			}
			got = append(got, b...)
		}
		if !bytes.Equal(got, want[:len(got)]) {
			t.Fatalf("pieces %v: stream %x, want %x", pieces, got, want[:len(got)])
		}
	}
}

// TestFuelStateNotWritable: a job cannot reach the fuel left through the indices
// the instrumentation adds. Before bodies were checked, this loop, which sets
// local 0 (in a function of no locals, the instrumenter's copy of the fuel left)
// to 2^34 - 1 on every turn, ran until the wall clock stopped it, and so did one
// setting global 0 (the fuel global) before a call, after which the function
// loads its copy from the global:
//
//	loop; i64.const 2^34-1; local.set 0; br 0; end; end
//	loop; i64.const 2^34-1; global.set 0; (i32.const 0) x 4; call fd_write; drop; br 0; end; end
func TestFuelStateNotWritable(t *testing.T) {
	big := []byte{0x42, 0xff, 0xff, 0xff, 0xff, 0x3f}
	bodies := map[string][]byte{
		"local":  append(append([]byte{0x03, 0x40}, big...), 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b),
		"global": append(append(append([]byte{0x03, 0x40}, big...), 0x24, 0x00), append(i32s(0, 0, 0, 0), 0x10, 0x00, 0x1a, 0x0c, 0x00, 0x0b, 0x0b)...),
	}
	for name, body := range bodies {
		mod := buildModule([]string{"fd_write"}, noLocals, body)
		for _, eng := range engines {
			r := newRuntime(t, eng.e, 64)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			res, err := r.Run(ctx, mod, nil, 1000)
			cancel()
			if err != nil || res.Status != StatusRefused || res.Fuel != 0 || !strings.Contains(res.Detail, "index 0 out of range") {
				t.Errorf("%s/%s: %+v, %v", name, eng.name, res, err)
			}
		}
	}
}
