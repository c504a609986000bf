package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
)

// TestNetwork is the operator's and the client's story on a real 4-validator
// network: blocks commit; transactions of every kind commit through the CLI;
// proven queries verify against light-client headers; a validator killed
// with SIGKILL under load and restarted catches up; a cleanly stopped node
// restarts; and every node reports the same app hash at every height.
func TestNetwork(t *testing.T) {
	n := startNetwork(t, 4)
	n.waitHeight(2, 60*time.Second, all(4)...)
	sampler := n.sampleAppHashes()

	node0 := n.manifest.Nodes[0]
	txFlags := []string{"--from", node0.KeyName, "--keyring-backend", "test", "--yes", "--output", "json"}

	t.Run("register a DID", func(t *testing.T) {
		out := runCLI(t, "keys", "add", "alice", "--keyring-backend", "test", "--output", "json", "--home", node0.Home)
		var key struct {
			DID string `json:"did"`
		}
		decodeJSON(t, out, &key)
		if did.ParseDID(key.DID) != nil {
			t.Fatalf("keys add printed DID %q", key.DID)
		}
		res := n.txJSON(t, 0, append([]string{"tx", "identity", "register", "--key", "alice"}, txFlags...)...)
		if res.Code != 0 || res.Height == 0 {
			t.Fatalf("register: %+v", res)
		}
		out = n.cli(t, 1, "query", "identity", "did", key.DID, "--output", "json")
		if !strings.Contains(out, `"id": "`+key.DID+`"`) && !strings.Contains(out, `"id":"`+key.DID+`"`) {
			t.Fatalf("resolved document: %s", out)
		}
		// The same registration again fails at execution with a stable code.
		_, stderr, err := runCLIResult(append([]string{"tx", "identity", "register", "--key", "alice", "--home", node0.Home, "--node", node0.RPC}, txFlags...)...)
		if err == nil || !strings.Contains(stderr, "already registered") {
			t.Fatalf("second registration: err %v, stderr %q", err, stderr)
		}
	})

	t.Run("icnd status: height, app hash, catching up, peers, voting power", func(t *testing.T) {
		testStatus(t, n)
	})

	t.Run("a sponsor pays for a DID without mana", func(t *testing.T) {
		testSponsor(t, n)
	})

	t.Run("add a key, sign with it, revoke it", func(t *testing.T) {
		testKeyLifecycle(t, n, txFlags)
	})

	t.Run("issue, verify and revoke credentials", func(t *testing.T) {
		testCredentials(t, n, txFlags)
	})

	t.Run("set, read back and erase an encrypted profile", func(t *testing.T) {
		testProfile(t, n, txFlags)
	})

	t.Run("found a cooperative, admit members, freeze, hand it to the assembly", func(t *testing.T) {
		testOrganizations(t, n, txFlags)
	})

	cid := client.RawCID([]byte("hello world")).String()
	t.Run("anchor a CID and query it with --prove", func(t *testing.T) {
		res := n.txJSON(t, 0, append([]string{"tx", "dag", "anchor", cid, "--kind", "document"}, txFlags...)...)
		if res.Code != 0 {
			t.Fatalf("anchor: %+v", res)
		}
		witnesses := n.manifest.Nodes[2].RPC + "," + n.manifest.Nodes[3].RPC
		out, verdict := n.cliBoth(t, 1, "query", "dag", "entry", cid, "--prove", "--witnesses", witnesses)
		if !strings.Contains(out, node0.DID) || !strings.Contains(verdict, "proof verified") || !strings.Contains(verdict, "witnesses: 2") {
			t.Fatalf("proven query:\nstdout:\n%s\nstderr:\n%s", out, verdict)
		}
		// The one entry of an anchorer, proven; another DID anchored nothing.
		out, verdict = n.cliBoth(t, 1, "query", "dag", "entry", cid, "--anchorer", node0.DID, "--prove", "--witnesses", witnesses)
		if !strings.Contains(out, node0.DID) || !strings.Contains(verdict, "proof verified") {
			t.Fatalf("proven query with --anchorer:\nstdout:\n%s\nstderr:\n%s", out, verdict)
		}
		stdout, stderr, err := runCLIResult("query", "dag", "entry", cid, "--anchorer", n.manifest.Nodes[1].DID, "--prove", "--witnesses", witnesses,
			"--home", n.manifest.Nodes[1].Home, "--node", n.manifest.Nodes[1].RPC)
		if err == nil || !strings.Contains(stdout+stderr, "does not exist") {
			t.Fatalf("entry of a DID that did not anchor the CID: err %v\n%s\n%s", err, stdout, stderr)
		}
		// A proven absence: a CID nobody anchored.
		absent := client.RawCID([]byte("nobody anchored this")).String()
		stdout, stderr, err = runCLIResult("query", "dag", "entry", absent, "--prove", "--witnesses", witnesses,
			"--home", n.manifest.Nodes[1].Home, "--node", n.manifest.Nodes[1].RPC)
		if err == nil || !strings.Contains(stdout+stderr, "does not exist") {
			t.Fatalf("absent entry: err %v\n%s\n%s", err, stdout, stderr)
		}
		out, verdict = n.cliBoth(t, 2, "query", "mana", "balance", node0.DID, "--prove", "--witnesses", n.manifest.Nodes[3].RPC)
		if !strings.Contains(out, "capacity") || !strings.Contains(verdict, "proof verified") {
			t.Fatalf("proven mana balance:\nstdout:\n%s\nstderr:\n%s", out, verdict)
		}
	})

	t.Run("metrics: icnd counts transactions and refusals; the dashboard's metrics exist", func(t *testing.T) {
		testMetrics(t, n)
	})

	t.Run("SIGKILL a validator under load, restart, catch up", func(t *testing.T) {
		load := n.startLoad(10, []int{0, 1, 2, 3})
		time.Sleep(4 * time.Second)
		load.retarget([]int{0, 1, 2})
		n.kill(3, syscall.SIGKILL)
		before := n.height(0)
		n.waitHeight(before+5, 60*time.Second, 0, 1, 2)
		n.start(3)
		target := n.height(0) + 2
		n.waitHeight(target, 90*time.Second, all(4)...)
		load.retarget([]int{0, 1, 2, 3})
		time.Sleep(3 * time.Second)
		load.halt()
		load.checkCommitted(t, 3)
	})

	t.Run("SIGTERM stops a node cleanly within seconds, export its state, restart it", func(t *testing.T) {
		took := n.kill(2, syscall.SIGTERM) // fails the test unless the exit status is 0
		node := n.manifest.Nodes[2]
		// CometBFT and the app stop in about a second; the bound leaves
		// room for a loaded machine.
		if took > 10*time.Second {
			t.Errorf("%s took %v to stop on SIGTERM", node.Name, took)
		}
		logPath := filepath.Join(node.Home, "icnd.log")
		log, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`stopping icnd`, `cause="terminated signal received"`, `icnd stopped, stores closed`} {
			if !strings.Contains(string(log), want) {
				t.Errorf("%s lacks %q; its last lines:\n%s", logPath, want, tail(logPath, 30))
			}
		}
		// export opens the stores again, as the restart below does.
		exported := filepath.Join(t.TempDir(), "export.json")
		runCLI(t, "export", "--home", node.Home, "--output-document", exported)
		out := runCLI(t, "genesis", "validate", exported, "--home", node.Home)
		if !strings.Contains(strings.ToLower(out), "valid") {
			t.Fatalf("exported genesis: %s", out)
		}
		n.waitHeight(n.height(0)+3, 60*time.Second, 0, 1, 3)
		n.start(2)
		n.waitHeight(n.height(0)+2, 60*time.Second, all(4)...)
	})

	t.Run("roll back a node's last block and restart it", func(t *testing.T) {
		n.kill(1, syscall.SIGTERM)
		node := n.manifest.Nodes[1]
		out := runCLI(t, "rollback", "--home", node.Home)
		if !strings.Contains(out, "height") {
			t.Fatalf("rollback output: %s", out)
		}
		n.start(1)
		n.waitHeight(n.height(0)+2, 60*time.Second, all(4)...)
	})

	t.Run("every node has the same app hash at every height", func(t *testing.T) {
		h := n.height(0)
		for i := 1; i < 4; i++ {
			h = min(h, n.height(i))
		}
		n.checkAppHashes(h)
		shared := sampler.check(t, func(i int) string { return n.manifest.Nodes[i].Name })
		if shared < 10 {
			t.Fatalf("only %d heights were sampled on two or more nodes' apps", shared)
		}
		t.Logf("the apps themselves agree on %d sampled heights", shared)
		// And each node's app reports what its last block committed.
		for i := range n.manifest.Nodes {
			info, err := n.client(i).RPC.ABCIInfo(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if info.Response.LastBlockHeight < h {
				t.Fatalf("%s: app at height %d, below %d", n.manifest.Nodes[i].Name, info.Response.LastBlockHeight, h)
			}
		}
		t.Logf("%d heights agree on all 4 nodes", h)
	})
}

type txOut struct {
	Hash   string `json:"txhash"`
	Height int64  `json:"height"`
	Code   uint32 `json:"code"`
	Log    string `json:"log"`
}

// txJSON runs an `icnd tx` command (args, with --output json) through node
// i, which prints the transaction once node i has committed it, and returns
// once every running node has committed that height: the callers read the
// transaction's effects from any node, and another node may commit the
// block a moment after node i (or, loaded or catching up, blocks later).
func (n *network) txJSON(t *testing.T, i int, args ...string) txOut {
	t.Helper()
	var res txOut
	decodeJSON(t, n.cli(t, i, args...), &res)
	if res.Height > 0 {
		n.waitHeight(res.Height, 60*time.Second, n.running()...)
	}
	return res
}
