package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/node/testnet"
)

// TestDockerLocalnet runs what `make localnet-docker` runs, on addresses of
// its own: the FROM scratch image of the binary under test, then
// localnet/docker.sh with 4 validators in docker compose. A transaction
// sent through a published RPC port commits and is read back from another
// node; docker stop (SIGTERM to each node, PID 1 in its container) ends
// every container with exit code 0. It skips where docker or compose is
// missing.
func TestDockerLocalnet(t *testing.T) {
	if err := exec.Command("docker", "info").Run(); err != nil {
		t.Skipf("docker is not available (docker info: %v); the containers are not tested", err)
	}
	if exec.Command("docker", "compose", "version").Run() != nil && exec.Command("docker-compose", "version").Run() != nil {
		t.Skip("neither 'docker compose' nor 'docker-compose' is installed; the containers are not tested")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// Addresses and names of our own, apart from `make localnet-docker`
	// (10.213.0, 127.0.0) and from startNetwork's 127.0.100-249.
	pid := os.Getpid()
	image := fmt.Sprintf("icnd:e2e-%d", pid)
	project := fmt.Sprintf("icnd-e2e-%d", pid)
	hostNet := fmt.Sprintf("127.0.%d", 10+pid%80)
	data := filepath.Join(t.TempDir(), "net")
	env := append(os.Environ(),
		"ICND="+icndBin, "ICND_IMAGE="+image, "ICND_PROJECT="+project, "ICND_DATA="+data,
		fmt.Sprintf("ICND_SUBNET=10.214.%d", pid%250), "ICND_HOST_NET="+hostNet)
	script := filepath.Join(root, "localnet", "docker.sh")

	// The binary TestMain built is static (CGO_ENABLED=0) and alone in its
	// directory: the same context as `make docker`'s build/.
	build := exec.Command("docker", "build", "-q", "-t", image, "-f", filepath.Join(root, "Dockerfile"), filepath.Dir(icndBin))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", image).Run() })

	t.Cleanup(func() {
		stop := exec.Command(script, "stop")
		stop.Env = env
		if out, err := stop.CombinedOutput(); err != nil {
			t.Errorf("docker.sh stop: %v\n%s", err, out)
		}
	})
	start := exec.Command(script, "start")
	start.Env = env
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("docker.sh start: %v\n%s", err, out)
	}

	m, err := testnet.ReadManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	// The manifest has the container addresses; the host reaches each RPC
	// through its published port.
	for i := range m.Nodes {
		m.Nodes[i].RPC = fmt.Sprintf("tcp://%s.%d:26657", hostNet, 2+i)
	}
	n := &network{t: t, dir: data, manifest: m}

	file := filepath.Join(t.TempDir(), "doc.txt")
	if err := os.WriteFile(file, []byte("anchored from the host into a container "+project), 0o644); err != nil {
		t.Fatal(err)
	}
	var res struct {
		txOut
		CID string `json:"cid"`
	}
	decodeJSON(t, n.cli(t, 0, "tx", "dag", "anchor", "--file", file, "--kind", "document",
		"--from", m.Nodes[0].KeyName, "--keyring-backend", "test", "--yes", "--output", "json"), &res)
	if res.Code != 0 || res.Height == 0 || res.CID == "" {
		t.Fatalf("anchor: %+v", res)
	}
	n.waitHeight(res.Height+1, 60*time.Second, all(4)...)
	out := n.cli(t, 3, "query", "dag", "entry", res.CID, "--output", "json")
	if !strings.Contains(out, m.Nodes[0].DID) {
		t.Fatalf("node3's entry does not name node0's DID %s:\n%s", m.Nodes[0].DID, out)
	}

	ids := strings.Fields(dockerOut(t, "ps", "-q", "--filter", "label=com.docker.compose.project="+project))
	if len(ids) != 4 {
		t.Fatalf("%d running containers in project %s, want 4", len(ids), project)
	}
	began := time.Now()
	dockerOut(t, append([]string{"stop", "-t", "20"}, ids...)...)
	took := time.Since(began)
	codes := strings.Fields(dockerOut(t, append([]string{"inspect", "-f", "{{.State.ExitCode}}"}, ids...)...))
	if strings.Join(codes, " ") != "0 0 0 0" {
		t.Errorf("exit codes after SIGTERM: %v, want four 0s", codes)
	}
	if took > 15*time.Second {
		t.Errorf("docker stop took %v", took)
	}
}

// dockerOut runs docker with args and returns its stdout.
func dockerOut(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).Output()
	if err != nil {
		t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}
