package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/node/testnet"
)

type config struct {
	icnd, cometbft string
	sdkpeer        string
	ip             string
	validators     int
	accounts       int
	conns          int
	txSize         int
	duration       time.Duration
	warmup         time.Duration
	workDir        string
	profile        string
	// mempool is the icnd network's mempool.type: "flood" or "app"
	// (icnd testnet --mempool); the other apps always run CometBFT's flood
	// mempool.
	mempool string
}

// network is a running set of node processes.
type network struct {
	app      string
	dir      string
	manifest *testnet.Manifest
	procs    []*exec.Cmd
}

// startNetwork generates a fresh testnet with icnd and starts it with app.
func startNetwork(cfg config, app string) (*network, error) {
	base := cfg.workDir
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(base, "icnd-load-"+app+"-")
	if err != nil {
		return nil, err
	}
	gen := exec.Command(cfg.icnd, "testnet", "--validators", strconv.Itoa(cfg.validators), "--output", dir,
		"--chain-id", "icn-load", "--starting-ip-address", cfg.ip, "--keyring-backend", "test",
		"--bench-accounts", strconv.Itoa(cfg.accounts))
	if app == "icnd" && cfg.mempool == "app" {
		gen.Args = append(gen.Args, "--mempool", cfg.mempool)
	}
	if out, err := gen.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("icnd testnet: %v\n%s", err, out)
	}
	m, err := testnet.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	n := &network{app: app, dir: dir, manifest: m}
	for i, node := range m.Nodes {
		var cmd *exec.Cmd
		switch app {
		case "icnd":
			if i == 0 && cfg.profile != "" {
				if err := setCPUProfile(node.Home, cfg.profile); err != nil {
					return nil, err
				}
			}
			cmd = exec.Command(cfg.icnd, "start", "--home", node.Home)
		case "kvstore":
			cmd = exec.Command(cfg.cometbft, "start", "--home", node.Home, "--proxy_app=kvstore")
		case "cosmos-sdk":
			// The same homes and CometBFT settings; only the genesis
			// app_state is the SDK chain's.
			gen := exec.Command(cfg.sdkpeer, "genesis", "--home", node.Home, "--accounts", strconv.Itoa(cfg.accounts))
			if out, err := gen.CombinedOutput(); err != nil {
				n.stop()
				return nil, fmt.Errorf("sdkpeerd genesis: %v\n%s", err, out)
			}
			cmd = exec.Command(cfg.sdkpeer, "start", "--home", node.Home)
		default:
			return nil, fmt.Errorf("unknown app %q: want icnd, kvstore or cosmos-sdk", app)
		}
		log, err := os.Create(filepath.Join(node.Home, "node.log"))
		if err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			n.stop()
			return nil, fmt.Errorf("start %s: %w", node.Name, err)
		}
		n.procs = append(n.procs, cmd)
	}
	if err := n.waitHeight(2, 60*time.Second); err != nil {
		n.stop()
		return nil, err
	}
	return n, nil
}

// setCPUProfile turns on app.toml's debug.cpu-profile for one node.
func setCPUProfile(home, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	f := filepath.Join(home, "config", "app.toml")
	bz, err := os.ReadFile(f)
	if err != nil {
		return err
	}
	s := strings.Replace(string(bz), "cpu-profile = ''", fmt.Sprintf("cpu-profile = '%s'", abs), 1)
	return os.WriteFile(f, []byte(s), 0o600)
}

func (n *network) client(i int) *client.Client {
	c, err := client.Dial(n.manifest.Nodes[i%len(n.manifest.Nodes)].RPC)
	if err != nil {
		panic(err)
	}
	return c
}

func (n *network) waitHeight(h int64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ok := true
		for i := range n.manifest.Nodes {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			st, err := n.client(i).RPC.Status(ctx)
			cancel()
			if err != nil || st.SyncInfo.LatestBlockHeight < h {
				ok = false
			}
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s network did not reach height %d within %s (logs in %s)", n.app, h, timeout, n.dir)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// cpuSeconds returns the CPU time (user + system) each node has used.
func (n *network) cpuSeconds() []float64 {
	out := make([]float64, len(n.procs))
	for i, p := range n.procs {
		bz, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Process.Pid))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses.
		s := string(bz)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if len(f) > 12 {
			utime, _ := strconv.ParseFloat(f[11], 64)
			stime, _ := strconv.ParseFloat(f[12], 64)
			out[i] = (utime + stime) / clockTicks
		}
	}
	return out
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times (100 on Linux).
const clockTicks = 100

// peakRSS returns each node's peak resident set size in bytes (VmHWM).
func (n *network) peakRSS() []int64 {
	out := make([]int64, len(n.procs))
	for i, p := range n.procs {
		bz, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Process.Pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(bz), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				out[i] = kb * 1024
			}
		}
	}
	return out
}

func (n *network) stop() {
	for _, p := range n.procs {
		_ = p.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range n.procs {
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
	}
}

func (n *network) remove() { os.RemoveAll(n.dir) }

// icndMempool is the mempool type of app's network as the reports name it:
// icnd's (flood unless -mempool says app), and "" for the other apps.
func icndMempool(cfg config, app string) string {
	if app != "icnd" {
		return ""
	}
	if cfg.mempool == "" {
		return "flood"
	}
	return cfg.mempool
}
