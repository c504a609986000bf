package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/node/home"
	"github.com/intercooperative/icnd/node/testnet"
)

// TestStateSync joins a fresh, non-validator node to a running 4-validator
// network by state sync: the validators take a snapshot every 10 heights;
// the new node trusts a header from a validator, restores the latest
// snapshot from its peers, block-syncs to the tip and follows consensus. It
// must report the validators' app hash at the same height, and hold no
// block below the snapshot (it did not replay from genesis). Three of the
// four validators serve a corrupted chunk. The state-synced node then
// restarts from its own stores; and a sixth node starts from a snapshot
// file restored with `icnd snapshots restore`.
func TestStateSync(t *testing.T) {
	n := startNetworkWith(t, 4, "--snapshot-interval", "10")
	n.waitHeight(2, 60*time.Second, all(4)...)

	node0 := n.manifest.Nodes[0]
	txFlags := []string{"--from", node0.KeyName, "--keyring-backend", "test", "--yes", "--output", "json"}
	for i := range 3 {
		cid := client.RawCID([]byte(fmt.Sprintf("state sync %d", i))).String()
		if res := n.txJSON(t, 0, append([]string{"tx", "dag", "anchor", cid, "--kind", "document"}, txFlags...)...); res.Code != 0 {
			t.Fatalf("anchor: %+v", res)
		}
	}
	// A snapshot at 10 or later, and the two headers above it that the
	// light client needs.
	n.waitHeight(13, 60*time.Second, all(4)...)

	ctx := context.Background()
	trustHeight := int64(3)
	trusted, err := n.client(0).RPC.Block(ctx, &trustHeight)
	if err != nil {
		t.Fatal(err)
	}

	// Three validators serve a corrupted chunk (their snapshot file has a
	// byte flipped, their metadata is intact): the new node must refuse it,
	// reject the sender and refetch the chunk from another peer.
	for i := range 3 {
		corruptSnapshots(t, n.manifest.Nodes[i].Home)
	}

	fresh := n.newNodeHome(t, "fresh", 1, trustHeight, trusted.BlockID.Hash.String(), true)
	stop := n.startNode(t, fresh)
	n.checkJoined(t, fresh)

	logs, _ := os.ReadFile(filepath.Join(fresh.home, "icnd.log"))
	restored := lineWith(string(logs), "snapshot restored")
	if restored == "" {
		t.Fatal("the new node's log shows no restored snapshot")
	}
	t.Logf("new node: %s", restored)
	// Which peer serves the chunk first is CometBFT's random choice, so a
	// refusal is likely (3 in 4) but not certain; the unit tests pin it.
	if refused := lineWith(string(logs), "refused a snapshot chunk"); refused != "" {
		t.Logf("new node: %s", refused)
	}
	validatorLog, _ := os.ReadFile(filepath.Join(node0.Home, "icnd.log"))
	t.Logf("node0: %s", lineWith(string(validatorLog), "snapshot taken"))

	t.Run("the state-synced node restarts", func(t *testing.T) {
		if err := stop(); err != nil {
			t.Fatalf("stop: %v", err)
		}
		n.startNode(t, fresh)
		n.checkJoined(t, fresh)
	})

	t.Run("restore a snapshot file into an empty home", func(t *testing.T) {
		node3 := n.manifest.Nodes[3]
		var list []abci.SnapshotInfo
		decodeJSON(t, runCLI(t, "snapshots", "list", "--output", "json", "--home", node3.Home), &list)
		if len(list) == 0 || list[0].Height%10 != 0 || len(list[0].ChunkHashes) == 0 {
			t.Fatalf("node3's snapshots: %+v", list)
		}
		height := list[0].Height
		// Restoring bootstraps CometBFT's state from light blocks up to
		// height+2; a snapshot just taken is ahead of them.
		n.waitHeight(height+2, 30*time.Second, 0, 1)
		file := filepath.Join(n.dir, "state.snap")
		runCLI(t, "snapshots", "export", file, "--height", fmt.Sprint(height), "--home", node3.Home)
		restoredHome := n.newNodeHome(t, "restored", 2, trustHeight, trusted.BlockID.Hash.String(), false)
		var res struct {
			Height int64 `json:"height"`
		}
		decodeJSON(t, (runCLI(t, "snapshots", "restore", file, "--output", "json", "--home", restoredHome.home)), &res)
		if res.Height != height {
			t.Fatalf("restored height %d, want %d", res.Height, height)
		}
		n.startNode(t, restoredHome)
		n.checkJoined(t, restoredHome)
	})
}

// checkJoined waits until node, which joined from a snapshot, has caught
// up past the validators' current height, and checks that it holds no
// block below the snapshot and that its app hash is the one the
// validators' header commits to.
func (n *network) checkJoined(t *testing.T, node freshNode) {
	t.Helper()
	ctx := context.Background()
	c, err := client.Dial(node.rpc)
	if err != nil {
		t.Fatal(err)
	}
	target := n.height(0) + 2
	deadline := time.Now().Add(60 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := c.RPC.Status(cctx)
		cancel()
		if err == nil && !st.SyncInfo.CatchingUp && st.SyncInfo.LatestBlockHeight >= target {
			if st.SyncInfo.EarliestBlockHeight <= 1 {
				t.Fatalf("the new node holds blocks from %d: it replayed from genesis instead of state syncing", st.SyncInfo.EarliestBlockHeight)
			}
			t.Logf("new node at height %d, earliest block %d", st.SyncInfo.LatestBlockHeight, st.SyncInfo.EarliestBlockHeight)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new node did not catch up to height %d within 60s (status: %+v, err %v)", target, st, err)
		}
		time.Sleep(500 * time.Millisecond)
	}

	// Its app's last committed state hashes to the app hash the
	// validators' next header carries.
	info, err := c.RPC.ABCIInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := info.Response.LastBlockHeight
	n.waitHeight(h+1, 30*time.Second, 0)
	next := h + 1
	b, err := n.client(1).RPC.Block(ctx, &next)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(info.Response.LastBlockAppHash, b.Block.AppHash) {
		t.Fatalf("new node's app at height %d: app hash %X, the validators' header %d says %X", h, info.Response.LastBlockAppHash, next, b.Block.AppHash)
	}
}

// corruptSnapshots flips a byte in the middle of every snapshot file in the
// node's home.
func corruptSnapshots(t *testing.T, nodeHome string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(nodeHome, "data", abci.SnapshotsDir, "[0-9]*", "snapshot.bin"))
	if len(files) == 0 {
		t.Fatalf("no snapshot in %s", nodeHome)
	}
	for _, f := range files {
		bz, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bz[len(bz)/2] ^= 0xff
		if err := os.WriteFile(f, bz, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// freshNode is a node added to the network outside the manifest.
type freshNode struct {
	home string
	rpc  string
}

// newNodeHome creates the home of a non-validator node called name, on
// the address offset after the last validator's, with a light client
// ([statesync]) over node0 and node1 trusting the header of trustHeight;
// with stateSync set, it joins by state sync.
func (n *network) newNodeHome(t *testing.T, name string, offset int, trustHeight int64, trustHash string, stateSync bool) freshNode {
	t.Helper()
	last := n.manifest.Nodes[len(n.manifest.Nodes)-1]
	addr := netip.MustParseAddr(last.IP)
	for range offset {
		addr = addr.Next()
	}
	ip := addr.String()
	dir := filepath.Join(n.dir, name)
	runCLI(t, "init", name, "--chain-id", n.manifest.ChainID, "--home", dir)
	genesis, err := os.ReadFile(filepath.Join(n.manifest.Nodes[0].Home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "genesis.json"), genesis, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := abci.LoadCometConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	var peers []string
	for _, v := range n.manifest.Nodes {
		peers = append(peers, v.Peer)
	}
	cfg.Moniker = name
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://%s:%d", ip, testnet.DefaultP2PPort)
	cfg.P2P.PersistentPeers = strings.Join(peers, ",")
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	rpc := fmt.Sprintf("tcp://%s:%d", ip, testnet.DefaultRPCPort)
	cfg.RPC.ListenAddress = rpc
	cfg.RPC.PprofListenAddress = ""
	cfg.Instrumentation.Prometheus = false
	cfg.Consensus.TimeoutCommit = testnet.TimeoutCommit
	cfg.StateSync.Enable = stateSync
	cfg.StateSync.RPCServers = []string{n.manifest.Nodes[0].RPC, n.manifest.Nodes[1].RPC}
	cfg.StateSync.TrustHeight = trustHeight
	cfg.StateSync.TrustHash = trustHash
	cfg.StateSync.TrustPeriod = 24 * time.Hour
	cfg.StateSync.DiscoveryTime = 5 * time.Second
	if err := home.WriteConfig(cfg); err != nil {
		t.Fatal(err)
	}
	return freshNode{home: dir, rpc: rpc}
}

// startNode starts node and returns a function that stops it with SIGTERM
// and reports whether it exited cleanly; the test's end stops it too.
func (n *network) startNode(t *testing.T, node freshNode) (stop func() error) {
	t.Helper()
	dir := node.home
	log, err := os.OpenFile(filepath.Join(dir, "icnd.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(icndBin, "start", "--home", dir)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var exit error
	stop = func() error {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case exit = <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				exit = fmt.Errorf("%s did not exit within 30s of SIGTERM", dir)
			}
			log.Close()
		})
		return exit
	}
	t.Cleanup(func() {
		_ = stop()
		if t.Failed() {
			t.Logf("---- last lines of %s ----\n%s", dir, tail(filepath.Join(dir, "icnd.log"), 40))
		}
	})
	return stop
}

// lineWith returns the first line of s that contains sub, or "".
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
