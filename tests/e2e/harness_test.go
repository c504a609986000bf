package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/node/testnet"
)

// icndBin is the binary under test, built once by TestMain.
var icndBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped in -short mode")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "icnd-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	icndBin = filepath.Join(dir, "icnd")
	build := exec.Command("go", "build", "-o", icndBin, "github.com/intercooperative/icnd/cmd/icnd")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build icnd: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// network is a running testnet of icnd processes.
type network struct {
	t        *testing.T
	dir      string
	manifest *testnet.Manifest
	procs    []*exec.Cmd
	logs     []*os.File
}

func startNetwork(t *testing.T, validators int) *network {
	t.Helper()
	return startNetworkWith(t, validators)
}

// startNetworkWith is startNetwork with extra flags for `icnd testnet`.
func startNetworkWith(t *testing.T, validators int, testnetFlags ...string) *network {
	t.Helper()
	return startNetworkPrepared(t, validators, nil, testnetFlags...)
}

// startNetworkPrepared is startNetworkWith that calls prepare with the
// testnet's manifest after `icnd testnet` and before any node starts (to
// edit every node's genesis.json alike, for example).
func startNetworkPrepared(t *testing.T, validators int, prepare func(m *testnet.Manifest), testnetFlags ...string) *network {
	t.Helper()
	ip := os.Getenv("ICND_E2E_IP")
	if ip == "" {
		// A third octet of our own, so that concurrent runs (and a
		// localnet on 127.0.0.2-5) never share an address.
		ip = fmt.Sprintf("127.0.%d.2", 100+os.Getpid()%150)
	}
	dir := t.TempDir()
	if os.Getenv("ICND_E2E_KEEP") != "" {
		var err error
		if dir, err = os.MkdirTemp("", "icnd-e2e-net"); err != nil {
			t.Fatal(err)
		}
		t.Logf("keeping the network in %s", dir)
	}
	out := runCLI(t, append([]string{"testnet", "--validators", fmt.Sprint(validators), "--output", dir,
		"--chain-id", "icn-e2e", "--starting-ip-address", ip, "--keyring-backend", "test"}, testnetFlags...)...)
	t.Logf("testnet: %s", firstLine(out))
	m, err := testnet.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(m)
	}
	n := &network{t: t, dir: dir, manifest: m, procs: make([]*exec.Cmd, validators), logs: make([]*os.File, validators)}
	for i := range m.Nodes {
		n.start(i)
	}
	t.Cleanup(n.stopAll)
	return n
}

// start launches node i, appending to its log.
func (n *network) start(i int) {
	n.t.Helper()
	node := n.manifest.Nodes[i]
	log, err := os.OpenFile(filepath.Join(node.Home, "icnd.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		n.t.Fatal(err)
	}
	cmd := exec.Command(icndBin, "start", "--home", node.Home)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		n.t.Fatalf("start %s: %v", node.Name, err)
	}
	n.procs[i], n.logs[i] = cmd, log
}

// kill sends sig to node i, waits for it to exit and returns how long that
// took.
func (n *network) kill(i int, sig syscall.Signal) time.Duration {
	n.t.Helper()
	cmd := n.procs[i]
	if cmd == nil {
		return 0
	}
	sent := time.Now()
	_ = cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if sig == syscall.SIGTERM && err != nil {
			n.t.Errorf("%s did not stop cleanly on SIGTERM: %v", n.manifest.Nodes[i].Name, err)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		n.t.Errorf("%s did not exit within 30s of %v", n.manifest.Nodes[i].Name, sig)
	}
	took := time.Since(sent)
	n.logs[i].Close()
	n.procs[i] = nil
	return took
}

func (n *network) stopAll() {
	for i := range n.procs {
		if n.procs[i] != nil {
			n.kill(i, syscall.SIGTERM)
		}
	}
	if n.t.Failed() {
		for _, node := range n.manifest.Nodes {
			n.t.Logf("---- last lines of %s ----\n%s", node.Name, tail(filepath.Join(node.Home, "icnd.log"), 25))
		}
	}
}

func (n *network) client(i int) *client.Client {
	n.t.Helper()
	c, err := client.Dial(n.manifest.Nodes[i].RPC)
	if err != nil {
		n.t.Fatal(err)
	}
	return c
}

// height returns node i's latest height, or -1 when it does not answer.
func (n *network) height(i int) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := n.client(i).RPC.Status(ctx)
	if err != nil {
		return -1
	}
	return st.SyncInfo.LatestBlockHeight
}

// appHeight returns the last height node i's app committed (abci_info), or
// -1 when it does not answer.
func (n *network) appHeight(i int) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	info, err := n.client(i).RPC.ABCIInfo(ctx)
	if err != nil {
		return -1
	}
	return info.Response.LastBlockHeight
}

// waitHeight waits until every listed node has reached h: it holds block h
// and its app has committed it. A node reports a height as its latest
// (status) once the block is stored, a moment before its app has executed
// and committed it; a query of the state at that height is refused in
// between, so a test that reads state at h after waiting for h would race
// with the node.
func (n *network) waitHeight(h int64, timeout time.Duration, nodes ...int) {
	n.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done := true
		for _, i := range nodes {
			if n.height(i) < h || n.appHeight(i) < h {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			var hs []string
			for _, i := range nodes {
				hs = append(hs, fmt.Sprintf("%s=%d (app %d)", n.manifest.Nodes[i].Name, n.height(i), n.appHeight(i)))
			}
			n.t.Fatalf("height %d not reached within %s: %s", h, timeout, strings.Join(hs, " "))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// running returns the nodes whose process the test has started and not
// stopped.
func (n *network) running() []int {
	var out []int
	for i, p := range n.procs {
		if p != nil {
			out = append(out, i)
		}
	}
	return out
}

func all(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// appHashSampler records what each node's app reports through abci_info
// (its own last committed height and app hash), sampled while the test runs.
type appHashSampler struct {
	mu   sync.Mutex
	seen []map[int64]string // per node: height -> app hash
	stop chan struct{}
	done chan struct{}
}

func (n *network) sampleAppHashes() *appHashSampler {
	s := &appHashSampler{stop: make(chan struct{}), done: make(chan struct{})}
	for range n.manifest.Nodes {
		s.seen = append(s.seen, map[int64]string{})
	}
	clients := make([]*client.Client, len(n.manifest.Nodes))
	for i := range clients {
		clients[i] = n.client(i)
	}
	go func() {
		defer close(s.done)
		for {
			for i, c := range clients {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				info, err := c.RPC.ABCIInfo(ctx)
				cancel()
				if err == nil {
					s.mu.Lock()
					s.seen[i][info.Response.LastBlockHeight] = fmt.Sprintf("%X", info.Response.LastBlockAppHash)
					s.mu.Unlock()
				}
			}
			select {
			case <-s.stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return s
}

// check stops sampling and requires every two nodes that reported the same
// height to have reported the same app hash; it returns how many heights
// were seen by at least two nodes.
func (s *appHashSampler) check(t *testing.T, names func(int) string) int {
	t.Helper()
	close(s.stop)
	<-s.done
	shared := 0
	heights := map[int64]bool{}
	for _, m := range s.seen {
		for h := range m {
			heights[h] = true
		}
	}
	for h := range heights {
		ref, refNode, count := "", -1, 0
		for i, m := range s.seen {
			hash, ok := m[h]
			if !ok {
				continue
			}
			count++
			if refNode < 0 {
				ref, refNode = hash, i
				continue
			}
			if hash != ref {
				t.Fatalf("height %d: the app of %s reports app hash %s, the app of %s reports %s", h, names(i), hash, names(refNode), ref)
			}
		}
		if count >= 2 {
			shared++
		}
	}
	return shared
}

// checkAppHashes requires every node to report the same block hash and app
// hash for every height from 1 to h.
func (n *network) checkAppHashes(h int64) {
	n.t.Helper()
	ctx := context.Background()
	for height := int64(1); height <= h; height++ {
		var ref, refApp string
		for i := range n.manifest.Nodes {
			b, err := n.client(i).RPC.Block(ctx, &height)
			if err != nil {
				n.t.Fatalf("%s: block %d: %v", n.manifest.Nodes[i].Name, height, err)
			}
			hash, app := b.BlockID.Hash.String(), b.Block.AppHash.String()
			if i == 0 {
				ref, refApp = hash, app
				continue
			}
			if hash != ref || app != refApp {
				n.t.Fatalf("height %d: %s has block %s app hash %s, node0 has %s / %s", height, n.manifest.Nodes[i].Name, hash, app, ref, refApp)
			}
		}
	}
}

// cli runs icnd with args against node i's home and RPC and returns stdout.
func (n *network) cli(t *testing.T, i int, args ...string) string {
	t.Helper()
	node := n.manifest.Nodes[i]
	return runCLI(t, append(args, "--home", node.Home, "--node", node.RPC)...)
}

// cliBoth is cli that also returns stderr, where commands report what they
// verified.
func (n *network) cliBoth(t *testing.T, i int, args ...string) (string, string) {
	t.Helper()
	node := n.manifest.Nodes[i]
	args = append(args, "--home", node.Home, "--node", node.RPC)
	out, errOut, err := runCLIResult(args...)
	if err != nil {
		t.Fatalf("icnd %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, errOut)
	}
	return out, errOut
}

func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := runCLIResult(args...)
	if err != nil {
		t.Fatalf("icnd %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func runCLIResult(args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, icndBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = strings.NewReader("")
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
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
