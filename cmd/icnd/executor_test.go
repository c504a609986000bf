package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intercooperative/icnd/client/keyring"
	"github.com/intercooperative/icnd/executor/daemon"
)

func runRoot(args ...string) error {
	root := newRootCmd()
	root.SetArgs(args)
	return root.ExecuteContext(context.Background())
}

// TestExecutorCommandErrors checks the errors a user meets before the
// daemon runs: no configuration, a second init, a missing key, a node that
// does not answer, a bad value.
func TestExecutorCommandErrors(t *testing.T) {
	home := t.TempDir()
	if err := runRoot("executor", "start", "--home", home); err == nil || !strings.Contains(err.Error(), "create it with `icnd executor init --home "+home+"`") {
		t.Fatalf("start without executor.toml: %v", err)
	}
	args := []string{"executor", "init", "--home", home, "--node", "tcp://127.0.0.1:1", "--key", "exec",
		"--keyring-backend", "test", "--price", "3", "--bootstrap", "/ip4/127.0.0.1/tcp/4010/p2p/12D3KooWabc,/ip4/127.0.0.1/tcp/4011/p2p/12D3KooWdef"}
	if err := runRoot(args...); err != nil {
		t.Fatal(err)
	}
	fc, err := daemon.LoadFileConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Chain.Node != "tcp://127.0.0.1:1" || fc.Key.Name != "exec" || fc.Key.KeyringBackend != "test" || fc.Bid.Price != 3 ||
		len(fc.P2P.Bootstrap) != 2 || fc.Metrics.Listen != daemon.DefaultFileConfig().Metrics.Listen {
		t.Fatalf("init wrote %+v", fc)
	}
	// A relative --keyring-dir is the shell's: init stores it absolute.
	wd, _ := os.Getwd()
	other := t.TempDir()
	if err := runRoot("executor", "init", "--home", other, "--key", "k", "--keyring-dir", "keys"); err != nil {
		t.Fatal(err)
	}
	if fc, err := daemon.LoadFileConfig(other); err != nil || fc.Key.KeyringDir != filepath.Join(wd, "keys") {
		t.Fatalf("keyring-dir %q, %v", fc.Key.KeyringDir, err)
	}
	if err := runRoot(args...); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second init: %v", err)
	}
	err = runRoot("executor", "start", "--home", home, "--no-p2p")
	if err == nil || !strings.Contains(err.Error(), `key "exec" is not in the test keyring of `+home) ||
		!strings.Contains(err.Error(), "icnd keys add exec --home "+home+" --keyring-backend test") {
		t.Fatalf("missing key: %v", err)
	}
	kr, err := keyring.New(home, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Add("exec"); err != nil {
		t.Fatal(err)
	}
	err = runRoot("executor", "start", "--home", home, "--no-p2p")
	if err == nil || !strings.Contains(err.Error(), "cannot reach node tcp://127.0.0.1:1") {
		t.Fatalf("unreachable node: %v", err)
	}
	if err := runRoot("executor", "start", "--home", home, "--run-timeout", "forever"); err == nil || !strings.Contains(err.Error(), `run.timeout = "forever"`) {
		t.Fatalf("bad flag value: %v", err)
	}
	// A typo in the file is named, not ignored.
	path := filepath.Join(home, daemon.ConfigFile)
	raw, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(raw, []byte("\n[bidding]\nprice = 2\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := runRoot("executor", "start", "--home", home); err == nil || !strings.Contains(err.Error(), "unknown keys") ||
		!strings.Contains(err.Error(), "bidding") {
		t.Fatalf("a typo: %v", err)
	}
}
