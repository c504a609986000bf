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
// four validators serve a corrupted chunk.
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

	fresh := n.addStateSyncNode(t, trustHeight, trusted.BlockID.Hash.String())
	c, err := client.Dial(fresh.rpc)
	if err != nil {
		t.Fatal(err)
	}
	// Caught up: the new node is past the validators' height when it
	// started, and no longer catching up.
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

// addStateSyncNode creates and starts a non-validator node on the address
// after the last validator's, with state sync from node0 and node1 trusting
// the header of trustHeight, and stops it when the test ends.
func (n *network) addStateSyncNode(t *testing.T, trustHeight int64, trustHash string) freshNode {
	t.Helper()
	last := n.manifest.Nodes[len(n.manifest.Nodes)-1]
	ip := netip.MustParseAddr(last.IP).Next().String()
	dir := filepath.Join(n.dir, "fresh")
	runCLI(t, "init", "fresh", "--chain-id", n.manifest.ChainID, "--home", dir)
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
	cfg.Moniker = "fresh"
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://%s:%d", ip, testnet.DefaultP2PPort)
	cfg.P2P.PersistentPeers = strings.Join(peers, ",")
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	rpc := fmt.Sprintf("tcp://%s:%d", ip, testnet.DefaultRPCPort)
	cfg.RPC.ListenAddress = rpc
	cfg.RPC.PprofListenAddress = ""
	cfg.Instrumentation.Prometheus = false
	cfg.Consensus.TimeoutCommit = testnet.TimeoutCommit
	cfg.StateSync.Enable = true
	cfg.StateSync.RPCServers = []string{n.manifest.Nodes[0].RPC, n.manifest.Nodes[1].RPC}
	cfg.StateSync.TrustHeight = trustHeight
	cfg.StateSync.TrustHash = trustHash
	cfg.StateSync.TrustPeriod = 24 * time.Hour
	cfg.StateSync.DiscoveryTime = 5 * time.Second
	if err := home.WriteConfig(cfg); err != nil {
		t.Fatal(err)
	}

	log, err := os.OpenFile(filepath.Join(dir, "icnd.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(icndBin, "start", "--home", dir)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		log.Close()
		if t.Failed() {
			t.Logf("---- last lines of the state-synced node ----\n%s", tail(filepath.Join(dir, "icnd.log"), 40))
		}
	})
	return freshNode{home: dir, rpc: rpc}
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
