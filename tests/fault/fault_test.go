package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/tests/fault/runner"
)

// TestShortManifest runs manifests/short.toml against the icnd of this
// tree, built here and put in a FROM scratch image: every perturbation
// once (SIGKILL, pause, network disconnect, clean stop, wipe and rejoin by
// state sync, two of four validators down) under a load of signed
// transactions from 12 accounts, then every check of the runner. The
// containers, their network and the image are removed however the test
// ends. It skips in -short mode and where docker is not available.
func TestShortManifest(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault-injection run takes minutes")
	}
	if err := runner.DockerAvailable(); err != nil {
		t.Skipf("docker is not available (%v); the fault-injection run is not tested", err)
	}
	m, err := runner.ReadManifest(filepath.Join("manifests", "short.toml"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// The same static build as the e2e tests', so the build cache serves
	// both.
	bin := filepath.Join(t.TempDir(), "icnd")
	build := exec.Command("go", "build", "-o", bin, "github.com/intercooperative/icnd/cmd/icnd")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build icnd: %v\n%s", err, out)
	}

	// End the run well before go test's own timeout, which would stop the
	// process without running the cleanups that remove the containers.
	deadline := time.Now().Add(12 * time.Minute)
	if d, ok := t.Deadline(); ok && d.Add(-2*time.Minute).Before(deadline) {
		deadline = d.Add(-2 * time.Minute)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var log strings.Builder
	// The run's directory (homes, node logs) is kept when the test fails.
	r := runner.New(runner.Config{ICND: bin, Dockerfile: filepath.Join(root, "Dockerfile"), Log: &testLog{t}}, m)
	t.Cleanup(func() {
		if err := r.Close(t.Failed()); err != nil {
			t.Error(err)
		}
		if t.Failed() && r.Dir() != "" {
			t.Logf("the run's homes and node logs are kept in %s", r.Dir())
		}
	})
	rep, err := r.Run(ctx)
	rep.Print(&log)
	t.Log(log.String())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		for _, name := range []string{"node0", "node1", "node2", "node3"} {
			t.Logf("---- last lines of %s ----\n%s", name, tail(filepath.Join(r.Dir(), "logs", name+".log"), 30))
		}
		t.Fatalf("%d checks failed (the summary above lists them)", len(rep.Failures))
	}
	// What the run must have done, from the report rather than the
	// manifest: every perturbation applied and restored, load committed.
	applied := map[string]int{}
	for _, a := range rep.Applied {
		if a.Restored > 0 {
			applied[a.Op]++
		}
	}
	for _, op := range runner.Ops {
		if applied[op] == 0 {
			t.Errorf("no %s was applied and restored", op)
		}
	}
	if rep.Stats.Committed < 200 || rep.Stats.Lost != 0 {
		t.Errorf("load: %+v", rep.Stats)
	}
	if n := rep.Stats.Lookups + rep.Stats.Unindexed; n != 4*rep.Stats.Committed {
		t.Errorf("%d lookups, want one per committed tx per node (%d)", n, 4*rep.Stats.Committed)
	}
}

type testLog struct{ t *testing.T }

func (l *testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func tail(path string, lines int) string {
	bz, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(bz), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
