package e2e

import (
	"strings"
	"testing"

	"github.com/intercooperative/icnd/client"
)

// testSponsor: alice, registered by node0 but a member of nothing, has no
// mana and cannot send a transaction; with node0 as sponsor she can, node0
// pays, and her own account stays empty.
func testSponsor(t *testing.T, n *network) {
	node0 := n.manifest.Nodes[0]
	asAlice := []string{"--from", "alice", "--keyring-backend", "test", "--yes", "--output", "json"}
	var alice struct {
		DID string `json:"did"`
	}
	decodeJSON(t, runCLI(t, "keys", "show", "alice", "--keyring-backend", "test", "--output", "json", "--home", node0.Home), &alice)

	cid := client.RawCID([]byte("sponsored by node0")).String()
	_, stderr, err := runCLIResult(append([]string{"tx", "dag", "anchor", cid, "--kind", "document", "--home", node0.Home, "--node", node0.RPC}, asAlice...)...)
	if err == nil || !strings.Contains(stderr, "insufficient mana") {
		t.Fatalf("unsponsored anchor by a DID without mana: err %v, stderr %q", err, stderr)
	}
	res := n.txJSON(t, 0, append([]string{"tx", "dag", "anchor", cid, "--kind", "document", "--sponsor", node0.KeyName}, asAlice...)...)
	if res.Code != 0 {
		t.Fatalf("sponsored anchor: %+v", res)
	}

	var balance struct {
		Result client.ManaBalance `json:"result"`
	}
	decodeJSON(t, n.cli(t, 1, "query", "mana", "balance", alice.DID, "--output", "json"), &balance)
	if b := balance.Result; b.Balance != 0 || b.Capacity != 0 || b.StoredBalance != 0 {
		t.Fatalf("the sponsored signer's account changed: %+v", b)
	}
	out := n.cli(t, 1, "query", "dag", "entry", cid, "--output", "json")
	if !strings.Contains(out, alice.DID) {
		t.Fatalf("the sponsored entry is not anchored by its signer: %s", out)
	}
}
