package client

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/intercooperative/icnd"

// nodeSide are the packages a client must not depend on: it talks to a node
// over RPC only, and shares with it only the protocol package, the modules'
// types and key builders, and the generated proto types (DESIGN.md, Layout).
var nodeSide = []string{module + "/app", module + "/abci", module + "/node", module + "/cmd"}

// TestNoNodeImports fails when any package under client/, or any of its
// tests, imports the node's side, directly or through another package.
func TestNoNodeImports(t *testing.T) {
	// go test runs the test in the package directory, so ./... is client/...
	out, err := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}}", "./...").Output()
	if err != nil {
		var stderr string
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	deps := strings.Split(strings.TrimSpace(string(out)), "\n")
	// The listing must be the real one: client depends on the protocol
	// package, so a listing without it checked nothing.
	if !slices.Contains(deps, module+"/protocol") {
		t.Fatalf("go list -deps ./... does not list %s/protocol; got %d packages", module, len(deps))
	}
	for _, dep := range deps {
		// A test variant is listed as "path [client.test]".
		path, _, _ := strings.Cut(dep, " ")
		for _, banned := range nodeSide {
			if path == banned || strings.HasPrefix(path, banned+"/") {
				t.Errorf("client depends on %s: run `go list -deps -test ./client/...` and `go mod why` to find the import", path)
			}
		}
	}
}
