package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cosmos/gogoproto/jsonpb"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mana"
	orgmod "github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/node/home"
	"github.com/intercooperative/icnd/node/testnet"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// The e2e network's governance: short periods so that a proposal runs its
// course in seconds.
const (
	e2eVotingPeriod = 10
	e2eTimelock     = 4
	e2eDeposit      = 10
	e2eTreasury     = 1_000_000
	e2eUpgrade      = "e2e-upgrade"
)

// govGenesis edits every node's genesis alike: a short default policy, a
// funded root federation treasury (no regeneration, so its balance moves
// only by spends) and node1's balance emptied, so that a spend to node1
// has room to land under its ceiling.
func govGenesis(t *testing.T) func(m *testnet.Manifest) {
	return func(m *testnet.Manifest) {
		t.Helper()
		path := func(i int) string { return filepath.Join(m.Nodes[i].Home, "config", "genesis.json") }
		doc, state, err := home.ReadGenesis(path(0))
		if err != nil {
			t.Fatal(err)
		}
		p := state.Governance.Params.DefaultPolicy
		p.VotingPeriod, p.Timelock, p.Deposit = e2eVotingPeriod, e2eTimelock, e2eDeposit
		root := orgmod.DeriveOrgDID("", testnet.RootFederation)
		for i := range state.Mana.Accounts {
			if state.Mana.Accounts[i].DID == m.Nodes[1].DID {
				state.Mana.Accounts[i].Balance = 0
			}
		}
		state.Mana.Accounts = append(state.Mana.Accounts, mana.GenesisAccount{DID: root, Balance: e2eTreasury, Capacity: e2eTreasury})
		sort.Slice(state.Mana.Accounts, func(i, j int) bool { return state.Mana.Accounts[i].DID < state.Mana.Accounts[j].DID })
		for i := range m.Nodes {
			if err := home.WriteGenesis(path(i), doc, state); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// govOps are the governance commands of the story, run through the CLI.
type govOps struct {
	t *testing.T
	n *network
}

type proposeOut struct {
	txOut
	ProposalID uint64 `json:"proposal_id"`
}

// propose submits the proposal file body for org, signed by key (sponsored
// by node0 unless key is node0's), and returns its id.
func (g govOps) propose(key, org, title string, msgs ...string) uint64 {
	g.t.Helper()
	file := filepath.Join(g.t.TempDir(), "proposal.json")
	body := fmt.Sprintf(`{"org": %q, "title": %q, "messages": [%s]}`, org, title, strings.Join(msgs, ","))
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		g.t.Fatal(err)
	}
	var out proposeOut
	decodeJSON(g.t, g.n.cli(g.t, 0, append([]string{"tx", "governance", "propose", file}, g.flags(key)...)...), &out)
	if out.Code != 0 || out.ProposalID == 0 {
		g.t.Fatalf("propose %s: %+v", body, out)
	}
	return out.ProposalID
}

func (g govOps) flags(key string) []string {
	node0 := g.n.manifest.Nodes[0]
	f := []string{"--from", key, "--keyring-backend", "test", "--yes", "--output", "json"}
	if key != node0.KeyName {
		f = append(f, "--sponsor", node0.KeyName)
	}
	return f
}

func (g govOps) tx(key string, args ...string) txOut {
	g.t.Helper()
	res := g.n.txJSON(g.t, 0, append(args, g.flags(key)...)...)
	if res.Code != 0 {
		g.t.Fatalf("icnd %s: %+v", strings.Join(args, " "), res)
	}
	return res
}

func (g govOps) vote(id uint64, keys ...string) {
	g.t.Helper()
	for _, k := range keys {
		g.tx(k, "tx", "governance", "vote", fmt.Sprint(id), "yes")
	}
}

func (g govOps) proposal(id uint64) client.ProposalView {
	g.t.Helper()
	var out struct {
		Result client.ProposalView `json:"result"`
	}
	decodeJSON(g.t, g.n.cli(g.t, 1, "query", "governance", "proposal", fmt.Sprint(id), "--output", "json"), &out)
	return out.Result
}

// wait polls proposal id until its status is final, and requires want. An
// executed or failed proposal is returned once every node has committed its
// execution height.
func (g govOps) wait(id uint64, want string) client.ProposalView {
	g.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		p := g.proposal(id)
		switch p.Status {
		case "executed", "failed", "vetoed", "rejected", "expired", "withdrawn":
			if p.Status != want {
				g.t.Fatalf("proposal %d is %s, want %s (failure %q)", id, p.Status, want, p.Failure)
			}
			if p.Status == "executed" || p.Status == "failed" {
				// Callers read state at the execution height from any node;
				// node1 may have committed it before the others.
				g.n.waitHeight(p.ExecuteHeight, 30*time.Second, all(4)...)
			}
			return p
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("proposal %d still %s", id, p.Status)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestGovernance is governance on a real 4-validator network over RPC,
// driven by the CLI: a cooperative hands control to its assembly and then
// changes its own policy; a treasury spend passes and executes exactly
// once; a vetoed proposal does not execute; a chain parameter change takes
// effect at its execution height; a fifth validator joins by proposal and
// signs blocks; an upgrade plan halts every node at its height and a
// binary with the upgrade's handler carries on from the same data, with
// every node's app hash equal.
func TestGovernance(t *testing.T) {
	n := startNetworkPrepared(t, 4, govGenesis(t))
	n.waitHeight(2, 60*time.Second, all(4)...)
	g := govOps{t: t, n: n}
	node0 := n.manifest.Nodes[0]
	root := orgmod.DeriveOrgDID("", testnet.RootFederation)
	ctx := context.Background()

	// A fifth node starts now, to be synced when its validator key is
	// proposed.
	fifth := startFifthNode(t, n)

	// The cooperative: node0 founds it and admits baker.
	var key struct {
		DID string `json:"did"`
	}
	decodeJSON(t, runCLI(t, "keys", "add", "baker", "--keyring-backend", "test", "--output", "json", "--home", node0.Home), &key)
	baker := key.DID
	g.tx(node0.KeyName, "tx", "identity", "register", "--key", "baker")
	g.tx(node0.KeyName, "tx", "identity", "create-org", "bakery", "--kind", "cooperative", "--parent", root)
	coop := orgmod.DeriveOrgDID(root, "bakery")
	g.tx(node0.KeyName, "tx", "identity", "invite", coop, baker)
	g.tx("baker", "tx", "identity", "accept", coop)

	t.Run("a cooperative hands control to its assembly, then changes its policy", func(t *testing.T) {
		id := g.propose(node0.KeyName, coop, "assembly control", fmt.Sprintf(`{"transfer_control": {"org": %q}}`, coop))
		g.vote(id, node0.KeyName, "baker")
		g.wait(id, "executed")
		var org struct {
			Result client.OrganizationView `json:"result"`
		}
		decodeJSON(t, n.cli(t, 2, "query", "identity", "org", coop, "--output", "json"), &org)
		if org.Result.Control != orgmod.ControlAssembly {
			t.Fatalf("control after the proposal: %+v", org.Result)
		}
		policy := fmt.Sprintf(`{"set_policy": {"org": %q, "policy": {"electorate": "ELECTORATE_ONE_MEMBER_ONE_VOTE",
			"quorum": {"num": "1", "den": "2"}, "threshold": {"num": "2", "den": "3"},
			"voting_period": "%d", "timelock": "12", "veto_dids": [%q], "deposit": "5"}}}`, coop, e2eVotingPeriod, node0.DID)
		id = g.propose(node0.KeyName, coop, "two thirds, a veto", policy)
		g.vote(id, node0.KeyName, "baker")
		g.wait(id, "executed")
		witnesses := n.manifest.Nodes[2].RPC + "," + n.manifest.Nodes[3].RPC
		var pv struct {
			Result client.PolicyView      `json:"result"`
			Proof  *client.VerifiedHeader `json:"proof"`
		}
		decodeJSON(t, n.cli(t, 1, "query", "governance", "policy", coop, "--prove", "--witnesses", witnesses, "--output", "json"), &pv)
		var got struct {
			Threshold struct {
				Den string `json:"den"`
			} `json:"threshold"`
			VetoDIDs []string `json:"veto_dids"`
		}
		decodeJSON(t, string(pv.Result.Policy), &got)
		if pv.Result.Default || got.Threshold.Den != "3" || len(got.VetoDIDs) != 1 || pv.Proof == nil {
			t.Fatalf("proven policy: %s (default %v, proof %v)", pv.Result.Policy, pv.Result.Default, pv.Proof)
		}
		// The other queries, proven: proposals by status, votes, delegations.
		var ps struct {
			Result []client.ProposalView `json:"result"`
		}
		decodeJSON(t, n.cli(t, 1, "query", "governance", "proposals", coop, "--status", "executed", "--prove", "--witnesses", witnesses, "--output", "json"), &ps)
		if len(ps.Result) != 2 || ps.Result[0].Title != "assembly control" || ps.Result[1].ID != id {
			t.Fatalf("executed proposals of the cooperative: %+v", ps.Result)
		}
		var votes struct {
			Result []client.VoteView `json:"result"`
		}
		decodeJSON(t, n.cli(t, 2, "query", "governance", "votes", fmt.Sprint(id), "--prove", "--witnesses", witnesses, "--output", "json"), &votes)
		if len(votes.Result) != 2 || votes.Result[0].Option != "yes" || votes.Result[1].Option != "yes" {
			t.Fatalf("votes on %d: %+v", id, votes.Result)
		}
		g.tx("baker", "tx", "governance", "delegate", coop, node0.DID)
		var ds struct {
			Result []struct {
				Org      string `json:"org"`
				Delegate string `json:"delegate"`
			} `json:"result"`
		}
		decodeJSON(t, n.cli(t, 3, "query", "governance", "delegations", baker, "--prove", "--witnesses", witnesses, "--output", "json"), &ds)
		if len(ds.Result) != 1 || ds.Result[0].Org != coop || ds.Result[0].Delegate != node0.DID {
			t.Fatalf("baker's delegations: %+v", ds.Result)
		}
		g.tx("baker", "tx", "governance", "undelegate", coop)
	})

	t.Run("a vetoed proposal does not execute", func(t *testing.T) {
		id := g.propose(node0.KeyName, coop, "remove the founder", fmt.Sprintf(`{"remove_member": {"org": %q, "member": %q}}`, coop, node0.DID))
		g.vote(id, node0.KeyName, "baker")
		deadline := time.Now().Add(60 * time.Second)
		for g.proposal(id).Status != "timelocked" {
			if time.Now().After(deadline) {
				t.Fatalf("proposal %d: %+v", id, g.proposal(id))
			}
			time.Sleep(300 * time.Millisecond)
		}
		g.tx(node0.KeyName, "tx", "governance", "veto", fmt.Sprint(id))
		g.wait(id, "vetoed")
		n.waitHeight(g.proposal(id).ExecuteHeight+2, 60*time.Second, 0)
		if p := g.proposal(id); p.Status != "vetoed" {
			t.Fatalf("after its execution height: %+v", p)
		}
		c := client.NewQuerier(n.client(1), nil)
		if _, _, err := c.Membership(ctx, coop, node0.DID, 0); err != nil {
			t.Fatalf("the vetoed removal ran: %v", err)
		}
	})

	t.Run("a treasury spend passes and executes exactly once", func(t *testing.T) {
		node1 := n.manifest.Nodes[1]
		id := g.propose(node0.KeyName, root, "pay node1", fmt.Sprintf(`{"spend_treasury": {"org": %q, "to": %q, "amount": "1234"}}`, root, node1.DID))
		g.vote(id, node0.KeyName)
		p := g.wait(id, "executed")
		q := client.NewQuerier(n.client(2), nil)
		treasury := func(h int64) uint64 {
			res, err := q.Get(ctx, mana.AccountKey(root), h)
			if err != nil || res.Value == nil {
				t.Fatalf("treasury at %d: %v", h, err)
			}
			var acc manav1.Account
			if err := acc.Unmarshal(res.Value); err != nil {
				t.Fatal(err)
			}
			return acc.Balance
		}
		if before, after := treasury(p.ExecuteHeight-1), treasury(p.ExecuteHeight); before-after != 1234 {
			t.Fatalf("treasury %d before the execution height, %d at it", before, after)
		}
		n.waitHeight(p.ExecuteHeight+3, 30*time.Second, 2)
		if got := treasury(0); got != treasury(p.ExecuteHeight) {
			t.Fatalf("treasury moved again: %d", got)
		}
	})

	t.Run("a chain parameter change takes effect at its execution height", func(t *testing.T) {
		q := client.NewQuerier(n.client(3), nil)
		params := func(h int64) *manav1.Params {
			res, err := q.Get(ctx, mana.ParamsKey(), h)
			if err != nil || res.Value == nil {
				t.Fatalf("mana params at %d: %v", h, err)
			}
			p := new(manav1.Params)
			if err := p.Unmarshal(res.Value); err != nil {
				t.Fatal(err)
			}
			return p
		}
		p := params(0)
		p.BaseTxCost++
		js, err := (&jsonpb.Marshaler{OrigName: true}).MarshalToString(p)
		if err != nil {
			t.Fatal(err)
		}
		// The same proposal raises the mesh's min_bond, from the params
		// "icnd query mesh params" prints.
		meshParams := func(h int64) *meshv1.Params {
			var out struct {
				Height int64           `json:"height"`
				Result json.RawMessage `json:"result"`
			}
			decodeJSON(t, n.cli(t, 3, "query", "mesh", "params", "--height", strconv.FormatInt(h, 10), "--output", "json"), &out)
			p := new(meshv1.Params)
			if err := jsonpb.UnmarshalString(string(out.Result), p); err != nil {
				t.Fatalf("mesh params at %d: %v", h, err)
			}
			return p
		}
		mp := meshParams(0)
		mp.MinBond += 400
		mjs, err := (&jsonpb.Marshaler{OrigName: true}).MarshalToString(mp)
		if err != nil {
			t.Fatal(err)
		}
		id := g.propose(node0.KeyName, root, "base cost +1, larger bonds", `{"set_mana_params": {"params": `+js+`}}`, `{"set_mesh_params": {"params": `+mjs+`}}`)
		g.vote(id, node0.KeyName)
		v := g.wait(id, "executed")
		if got := params(v.ExecuteHeight).BaseTxCost; got != p.BaseTxCost {
			t.Fatalf("base_tx_cost at the execution height %d: %d, want %d", v.ExecuteHeight, got, p.BaseTxCost)
		}
		if got := params(v.ExecuteHeight - 1).BaseTxCost; got != p.BaseTxCost-1 {
			t.Fatalf("base_tx_cost the height before: %d", got)
		}
		if got := meshParams(v.ExecuteHeight).MinBond; got != mp.MinBond {
			t.Fatalf("min_bond at the execution height %d: %d, want %d", v.ExecuteHeight, got, mp.MinBond)
		}
		if got := meshParams(v.ExecuteHeight - 1).MinBond; got != mp.MinBond-400 {
			t.Fatalf("min_bond the height before: %d", got)
		}
	})

	t.Run("a fifth validator joins by proposal and signs blocks", func(t *testing.T) {
		id := g.propose(node0.KeyName, root, "fifth validator",
			fmt.Sprintf(`{"set_validator": {"pub_key": %q, "power": "10"}}`, base64.StdEncoding.EncodeToString(fifth.pubKey)))
		g.vote(id, node0.KeyName)
		p := g.wait(id, "executed")
		// CometBFT applies the update two heights after the block that
		// returned it.
		from := p.ExecuteHeight + 2
		n.waitHeight(from+3, 60*time.Second, 0)
		c := n.client(0)
		vals, err := c.RPC.Validators(ctx, &from, nil, nil)
		if err != nil || vals.Total != 5 {
			t.Fatalf("validators at %d: %v %+v", from, err, vals)
		}
		before := p.ExecuteHeight + 1
		if vals, err := c.RPC.Validators(ctx, &before, nil, nil); err != nil || vals.Total != 4 {
			t.Fatalf("validators at %d: %v %+v", before, err, vals)
		}
		signed := false
		for h := from + 1; h <= from+3 && !signed; h++ {
			cm, err := c.RPC.Commit(ctx, &h)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range cm.Commit.Signatures {
				if bytes.Equal(s.ValidatorAddress, fifth.address) && s.Signature != nil {
					signed = true
				}
			}
		}
		if !signed {
			t.Fatalf("the fifth validator signed none of the commits after height %d", from)
		}
	})

	t.Run("an upgrade halts the old binary and the new one carries on", func(t *testing.T) {
		upgradeBin := filepath.Join(t.TempDir(), "icnd-upgrade")
		build := exec.Command("go", "build", "-tags", "icnd_e2e_upgrade", "-o", upgradeBin, "github.com/intercooperative/icnd/cmd/icnd")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build the upgrade binary: %v\n%s", err, out)
		}
		at := n.height(0) + e2eVotingPeriod + e2eTimelock + 12
		id := g.propose(node0.KeyName, root, "upgrade", fmt.Sprintf(`{"schedule_upgrade": {"plan": {"name": %q, "height": "%d", "info": "e2e"}}}`, e2eUpgrade, at))
		g.vote(id, node0.KeyName)
		g.wait(id, "executed")
		// Every node that commits the height before the plan's stops by
		// itself there, with a non-zero exit and one line naming the
		// upgrade. A node still one block behind when its peers halt
		// cannot get that block from them any more: it is stopped by the
		// test, must not have gone past the halt height, and catches up
		// under the new binary like the rest. The halt comes right after
		// the commit of h-1, so on a loaded machine more than one node can
		// be caught behind (docs/operators.md, "Upgrades"); at least one
		// must halt by itself, and none may pass h-1.
		want := fmt.Sprintf("UPGRADE %q NEEDED at height %d", e2eUpgrade, at)
		deadline := time.Now().Add(90 * time.Second)
		halted := 0
		for i, node := range n.manifest.Nodes {
			// A node that lagged used up the shared deadline: the next ones,
			// which may have halted meanwhile, still get a few seconds.
			if !n.waitExitOrStop(t, i, max(time.Until(deadline), 10*time.Second)) {
				if h := lastHeightOf(t, node.Home, upgradeBin); h >= at-1 {
					t.Fatalf("%s committed height %d and did not stop by itself at the upgrade height:\n%s", node.Name, h, tail(filepath.Join(node.Home, "icnd.log"), 20))
				}
				t.Logf("%s lagged behind the halt and was stopped by the test", node.Name)
				continue
			}
			halted++
			log, _ := os.ReadFile(filepath.Join(node.Home, "icnd.log"))
			if !strings.Contains(string(log), want) {
				t.Fatalf("%s's log does not say %q:\n%s", node.Name, want, tail(filepath.Join(node.Home, "icnd.log"), 20))
			}
			if h := lastHeightOf(t, node.Home, upgradeBin); h != at-1 {
				t.Fatalf("%s's last committed height is %d, want %d", node.Name, h, at-1)
			}
		}
		if halted < 1 {
			t.Fatalf("no node halted by itself at the upgrade height")
		}
		fifth.stop()
		// The new binary carries on from the same homes.
		for i := range n.manifest.Nodes {
			n.startBinary(i, upgradeBin)
		}
		fifth.start(t, upgradeBin)
		n.waitHeight(at+3, 90*time.Second, all(4)...)
		n.checkAppHashes(at + 2)
		// The fifth validator, restarted with the new binary too, agrees.
		fc, err := client.Dial(fifth.rpc)
		if err != nil {
			t.Fatal(err)
		}
		check := at + 2
		deadline = time.Now().Add(60 * time.Second)
		for {
			b, err := fc.RPC.Block(ctx, &check)
			if err == nil {
				ref, err := n.client(0).RPC.Block(ctx, &check)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(b.Block.AppHash, ref.Block.AppHash) {
					t.Fatalf("height %d: the fifth node's app hash %s, node0's %s", check, b.Block.AppHash, ref.Block.AppHash)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the fifth node did not reach height %d: %v", check, err)
			}
			time.Sleep(500 * time.Millisecond)
		}
		migrated := []byte{modules.PrefixApp, 0x02, 'e', '2', 'e'}
		q := client.NewQuerier(n.client(1), nil)
		if res, err := q.Get(ctx, migrated, at); err != nil || !bytes.Equal(res.Value, []byte{1}) {
			t.Fatalf("the migration's key at height %d: %v %+v", at, err, res)
		}
		if res, err := q.Get(ctx, migrated, at-1); err != nil || res.Value != nil {
			t.Fatalf("the migration's key before height %d: %v %+v", at, err, res)
		}
	})
}

// lastHeightOf is the last committed height in home, read offline with
// bin ("icnd status --home" of a stopped node would need RPC; the
// export's height serves).
func lastHeightOf(t *testing.T, homeDir, bin string) int64 {
	t.Helper()
	out, err := exec.Command(bin, "export", "--home", homeDir).Output()
	if err != nil {
		t.Fatalf("export %s: %v", homeDir, err)
	}
	var doc struct {
		InitialHeight json.Number `json:"initial_height"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("export %s: %v", homeDir, err)
	}
	h, err := doc.InitialHeight.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return h - 1
}

// waitExitOrStop waits up to timeout for node i to stop by itself, which
// must be with a non-zero exit, and reports whether it did; otherwise it
// stops the node. Either way it forgets the process.
func (n *network) waitExitOrStop(t *testing.T, i int, timeout time.Duration) bool {
	t.Helper()
	cmd := n.procs[i]
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("%s exited with status 0; want non-zero", n.manifest.Nodes[i].Name)
		}
		n.logs[i].Close()
		n.procs[i] = nil
		return true
	case <-time.After(timeout):
	}
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
	n.logs[i].Close()
	n.procs[i] = nil
	return false
}

// startBinary starts node i with bin instead of the binary under test.
func (n *network) startBinary(i int, bin string) {
	n.t.Helper()
	node := n.manifest.Nodes[i]
	log, err := os.OpenFile(filepath.Join(node.Home, "icnd.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		n.t.Fatal(err)
	}
	cmd := exec.Command(bin, "start", "--home", node.Home)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		n.t.Fatalf("start %s: %v", node.Name, err)
	}
	n.procs[i], n.logs[i] = cmd, log
}

// fifthNode is a node outside the testnet's manifest, synced from its
// peers, whose validator key a proposal adds.
type fifthNode struct {
	home    string
	rpc     string
	pubKey  []byte
	address []byte
	proc    *exec.Cmd
	log     *os.File
}

// startFifthNode initialises a home next to the testnet's nodes (same
// genesis, the testnet's nodes as persistent peers, its own address) and
// starts it.
func startFifthNode(t *testing.T, n *network) *fifthNode {
	t.Helper()
	f := &fifthNode{home: filepath.Join(n.dir, "node4")}
	runCLI(t, "init", "node4", "--chain-id", n.manifest.ChainID, "--home", f.home)
	gen, err := os.ReadFile(filepath.Join(n.manifest.Nodes[0].Home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.home, "config", "genesis.json"), gen, 0o600); err != nil {
		t.Fatal(err)
	}
	var key struct {
		Address string `json:"address"`
		PubKey  struct {
			Value []byte `json:"value"`
		} `json:"pub_key"`
	}
	bz, err := os.ReadFile(filepath.Join(f.home, "config", "priv_validator_key.json"))
	if err != nil {
		t.Fatal(err)
	}
	decodeJSON(t, string(bz), &key)
	f.pubKey = key.PubKey.Value
	if _, err := fmt.Sscanf(key.Address, "%X", &f.address); err != nil {
		t.Fatal(err)
	}
	// The testnet's nodes use consecutive addresses; the fifth takes the
	// next one, with the same ports.
	last := n.manifest.Nodes[len(n.manifest.Nodes)-1]
	ip := nextIP(t, last.IP)
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(f.home)
	cfg.Moniker = "node4"
	cfg.P2P.ListenAddress = strings.Replace(last.P2P, last.IP, ip, 1)
	var peers []string
	for _, node := range n.manifest.Nodes {
		peers = append(peers, node.Peer)
	}
	cfg.P2P.PersistentPeers = strings.Join(peers, ",")
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	cfg.RPC.ListenAddress = strings.Replace(last.RPC, last.IP, ip, 1)
	f.rpc = cfg.RPC.ListenAddress
	cfg.RPC.PprofListenAddress = ""
	cfg.Consensus.TimeoutCommit = testnet.TimeoutCommit
	if err := home.WriteConfig(cfg); err != nil {
		t.Fatal(err)
	}
	f.start(t, icndBin)
	t.Cleanup(func() { f.stop() })
	return f
}

func nextIP(t *testing.T, ip string) string {
	t.Helper()
	var a, b, c, d int
	if _, err := fmt.Sscanf(ip, "%d.%d.%d.%d", &a, &b, &c, &d); err != nil || d >= 254 {
		t.Fatalf("ip %q", ip)
	}
	return fmt.Sprintf("%d.%d.%d.%d", a, b, c, d+1)
}

func (f *fifthNode) start(t *testing.T, bin string) {
	t.Helper()
	log, err := os.OpenFile(filepath.Join(f.home, "icnd.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "start", "--home", f.home)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.proc, f.log = cmd, log
}

func (f *fifthNode) stop() {
	if f.proc == nil {
		return
	}
	_ = f.proc.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- f.proc.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = f.proc.Process.Kill()
		<-done
	}
	f.log.Close()
	f.proc = nil
}
