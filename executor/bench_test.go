package executor

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/executor/internal/benchjob"
)

// BenchmarkInstrumentGoProgram instruments the ~2.8 MB Go program of
// TestGoProgramFuelIdenticalAcrossEngines. Target (issue 10): at most 50 ms per
// MiB. It reports ms/MiB, by the wall clock, and, on Linux, cpu-ms/MiB, the CPU
// time of the instrumenting thread, which a loaded machine disturbs less.
//
//	go test ./executor/ -run XXX -bench BenchmarkInstrumentGoProgram -benchtime 20x
func BenchmarkInstrumentGoProgram(b *testing.B) {
	mod := buildGoProgram(b)
	mib := float64(len(mod)) / (1 << 20)
	b.SetBytes(int64(len(mod)))
	b.ReportAllocs()
	b.ResetTimer()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		stop := threadCPU()
		_, err := Instrument(mod)
		cpu += stop()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6/mib, "ms/MiB")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/1e6/mib, "cpu-ms/MiB")
	}
}

// buildBenchJob builds ./internal/benchjob/cmd/benchjob for wasip1.
func buildBenchJob(b *testing.B) []byte {
	b.Helper()
	out := filepath.Join(b.TempDir(), "benchjob.wasm")
	cmd := exec.Command("go", "build", "-o", out, "./internal/benchjob/cmd/benchjob")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=")
	if bz, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, bz)
	}
	mod, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	return mod
}

// BenchmarkComputeJob runs one compute-heavy job (benchjob.Work: SHA-256, a sieve,
// a sort, a map) three ways: as native Go, as the WASM module not instrumented on
// a wazero runtime of the Runtime's configuration, and metered by a Runtime. Both
// WASM runs use wazero's compiler and a module compiled beforehand, so one
// operation is one instantiation and run. Each reports ns/op and, on Linux, the
// CPU time of the running thread per op (cpu-ns/op), which a loaded machine
// disturbs less. "metered" also runs the unmetered module before each metered run,
// off the clock, and reports the ratios metered / unmetered of the two
// interleaved series, x-unmetered (wall clock) and cpu-x-unmetered (target, issue
// 10: at most 1.3), and the fuel of one run.
//
//	go test ./executor/ -run XXX -bench BenchmarkComputeJob -benchtime 10x
func BenchmarkComputeJob(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a Go program")
	}
	mod := buildBenchJob(b)
	input := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog\n", 2000))
	want := benchjob.Work(input)
	ctx := context.Background()
	cfg := Config{Engine: EngineCompiler, MemoryPages: 1024, MaxOutput: 1 << 20}
	reportCPU := func(b *testing.B, cpu time.Duration) {
		if cpu > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}

	b.Run("native", func(b *testing.B) {
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			stop := threadCPU()
			out := benchjob.Work(input)
			cpu += stop()
			if !bytes.Equal(out, want) {
				b.Fatalf("output %q, want %q", out, want)
			}
		}
		reportCPU(b, cpu)
	})

	rt, err := newWazero(ctx, cfg, false)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = rt.Close(ctx) }()
	plain, err := rt.CompileModule(ctx, mod)
	if err != nil {
		b.Fatal(err)
	}
	unmetered := func(b *testing.B) time.Duration {
		var out bytes.Buffer
		stop := threadCPU()
		m, err := rt.InstantiateModule(ctx, plain, jobConfig(input, &out))
		cpu := stop()
		if err != nil {
			b.Fatal(err)
		}
		_ = m.Close(ctx)
		if !bytes.Equal(out.Bytes(), want) {
			b.Fatalf("output %q, want %q", out.Bytes(), want)
		}
		return cpu
	}
	b.Run("unmetered", func(b *testing.B) {
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			cpu += unmetered(b)
		}
		reportCPU(b, cpu)
	})

	b.Run("metered", func(b *testing.B) {
		r, err := New(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = r.Close(ctx) }()
		if _, err := r.Compile(ctx, mod); err != nil {
			b.Fatal(err)
		}
		var fuel uint64
		var plainWall, plainCPU, cpu time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			start := time.Now()
			plainCPU += unmetered(b)
			plainWall += time.Since(start)
			b.StartTimer()
			stop := threadCPU()
			res, err := r.Run(ctx, mod, input, MaxFuel)
			cpu += stop()
			if err != nil {
				b.Fatal(err)
			}
			if res.Status != StatusOK || !bytes.Equal(res.Output, want) {
				b.Fatalf("%v %q (%s), want %q", res.Status, res.Output, res.Detail, want)
			}
			fuel = res.Fuel
		}
		b.StopTimer()
		reportCPU(b, cpu)
		b.ReportMetric(float64(b.Elapsed())/float64(plainWall), "x-unmetered")
		if plainCPU > 0 {
			b.ReportMetric(float64(cpu)/float64(plainCPU), "cpu-x-unmetered")
		}
		b.ReportMetric(float64(fuel), "fuel")
	})
}
