package e2e

import (
	"strings"
	"testing"

	"github.com/intercooperative/icnd/client"
)

// testKeyLifecycle runs the DID key lifecycle through the CLI on node0's
// DID: add a second key from the keyring, sign with it, revoke it, and see
// the revoked key refused and gone from the resolved document. node0's
// key-1 stays active for the rest of the story.
func testKeyLifecycle(t *testing.T, n *network, txFlags []string) {
	node0 := n.manifest.Nodes[0]
	runCLI(t, "keys", "add", "node0-laptop", "--keyring-backend", "test", "--home", node0.Home)

	res := n.txJSON(t, 0, append([]string{"tx", "identity", "add-key", "key-2", "--key", "node0-laptop"}, txFlags...)...)
	if res.Code != 0 {
		t.Fatalf("add-key: %+v", res)
	}
	asKey2 := []string{"--from", "node0-laptop", "--signer", node0.DID, "--key-id", "key-2", "--keyring-backend", "test", "--yes", "--output", "json"}
	cid := client.RawCID([]byte("signed by key-2")).String()
	if res := n.txJSON(t, 0, append([]string{"tx", "dag", "anchor", cid, "--kind", "document"}, asKey2...)...); res.Code != 0 {
		t.Fatalf("anchor signed with key-2: %+v", res)
	}
	if res := n.txJSON(t, 0, append([]string{"tx", "identity", "revoke-key", "key-2"}, txFlags...)...); res.Code != 0 {
		t.Fatalf("revoke-key: %+v", res)
	}
	late := client.RawCID([]byte("too late for key-2")).String()
	_, stderr, err := runCLIResult(append([]string{"tx", "dag", "anchor", late, "--kind", "document", "--home", node0.Home, "--node", node0.RPC}, asKey2...)...)
	if err == nil || !strings.Contains(stderr, "signing key revoked") {
		t.Fatalf("anchor with a revoked key: err %v, stderr %q", err, stderr)
	}

	out := n.cli(t, 1, "query", "identity", "did", node0.DID, "--output", "json")
	var q struct {
		Result struct {
			DIDDocument struct {
				Authentication []string `json:"authentication"`
			} `json:"didDocument"`
			Metadata struct {
				Deactivated   bool   `json:"deactivated"`
				UpdatedHeight int64  `json:"updatedHeight"`
				Updated       string `json:"updated"`
			} `json:"didDocumentMetadata"`
		} `json:"result"`
	}
	decodeJSON(t, out, &q)
	if got := strings.Join(q.Result.DIDDocument.Authentication, ","); got != node0.DID+"#key-1" {
		t.Fatalf("authentication after revoking key-2 = %s\n%s", got, out)
	}
	if m := q.Result.Metadata; m.Deactivated || m.UpdatedHeight == 0 || m.Updated == "" {
		t.Fatalf("document metadata: %+v\n%s", m, out)
	}
}
