package abci

import (
	"math"
	"runtime/debug"
	"strings"
	"testing"

	cmtlog "github.com/cometbft/cometbft/libs/log"
)

// TestApplyMemoryLimit: app.toml's runtime.memory-limit-mib sets the
// runtime's soft memory limit, 0 leaves it alone, and GOMEMLIMIT in the
// environment wins over the file.
func TestApplyMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	t.Setenv("GOMEMLIMIT", "")
	debug.SetMemoryLimit(math.MaxInt64)

	if got := applyMemoryLimit(RuntimeConfig{MemoryLimitMiB: 0}, cmtlog.NewNopLogger()); got != math.MaxInt64 {
		t.Fatalf("0 set a limit: %d", got)
	}
	want := int64(DefaultMemoryLimitMiB) << 20
	if got := applyMemoryLimit(DefaultAppConfig().Runtime, cmtlog.NewNopLogger()); got != want || debug.SetMemoryLimit(-1) != want {
		t.Fatalf("default: limit %d (runtime %d), want %d", got, debug.SetMemoryLimit(-1), want)
	}

	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "2GiB")
	if applyMemoryLimit(RuntimeConfig{MemoryLimitMiB: 512}, cmtlog.NewNopLogger()); debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Fatal("app.toml overrode GOMEMLIMIT")
	}
}

func TestMemoryLimitValidate(t *testing.T) {
	for _, bad := range []int64{-1, 1<<30 + 1} {
		cfg := DefaultAppConfig()
		cfg.Runtime.MemoryLimitMiB = bad
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "runtime.memory-limit-mib") {
			t.Errorf("%d: %v", bad, err)
		}
	}
	if DefaultAppConfig().Runtime.MemoryLimitMiB != DefaultMemoryLimitMiB {
		t.Fatal("the default config has no memory limit")
	}
}
