package e2e

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/node/testnet"
)

// testCredentials issues credentials through the CLI and verifies them
// with proofs cross-checked by witnesses: one node0 issues to alice in its
// own name, and a membership credential node0 issues for the root
// federation it founded. Revoking the first, or tampering with the second,
// makes verification fail and name the check.
func testCredentials(t *testing.T, n *network, txFlags []string) {
	node0 := n.manifest.Nodes[0]
	dir := t.TempDir()
	var alice struct {
		DID string `json:"did"`
	}
	decodeJSON(t, runCLI(t, "keys", "show", "alice", "--keyring-backend", "test", "--output", "json", "--home", node0.Home), &alice)
	witnesses := n.manifest.Nodes[2].RPC + "," + n.manifest.Nodes[3].RPC

	course := filepath.Join(dir, "course.json")
	var issued struct {
		txOut
		CID string `json:"cid"`
	}
	decodeJSON(t, n.cli(t, 0, append([]string{"credential", "issue", "--subject", alice.DID, "--type", "CourseCredential",
		"--claim", "course=bookkeeping", "--output-document", course}, txFlags...)...), &issued)
	if issued.Code != 0 || issued.CID == "" || issued.Height == 0 {
		t.Fatalf("issue: %+v", issued)
	}
	// Node0 printed it once committed; node1 verifies it next.
	n.waitHeight(issued.Height, 60*time.Second, n.running()...)
	out, verdict := n.cliBoth(t, 1, "credential", "verify", course, "--witnesses", witnesses)
	if strings.Count(out, "✓") != 3 || strings.Contains(out, "✗") || !strings.Contains(out, "proven against header") {
		t.Fatalf("verify a good credential:\nstdout:\n%s\nstderr:\n%s", out, verdict)
	}

	fed := org.DeriveOrgDID("", testnet.RootFederation)
	member := filepath.Join(dir, "member.json")
	n.cli(t, 0, append([]string{"credential", "issue", "--type", "MembershipCredential", "--subject", node0.DID,
		"--issuer", fed, "--claim", "role=founder", "--output-document", member}, txFlags...)...)
	out, _ = n.cliBoth(t, 2, "credential", "verify", member, "--witnesses", n.manifest.Nodes[3].RPC)
	if strings.Count(out, "✓") != 3 || !strings.Contains(out, "anchored the credential for issuer "+fed) {
		t.Fatalf("verify a membership credential:\n%s", out)
	}

	if res := n.txJSON(t, 0, append([]string{"tx", "identity", "revoke-credential", issued.CID, "--reason", "course withdrawn"}, txFlags...)...); res.Code != 0 {
		t.Fatalf("revoke-credential: %+v", res)
	}
	stdout, stderr, err := runCLIResult("credential", "verify", course, "--witnesses", witnesses,
		"--home", n.manifest.Nodes[1].Home, "--node", n.manifest.Nodes[1].RPC)
	if err == nil || !strings.Contains(stderr, "credential verification failed: status") || !strings.Contains(stdout, "✗ status") {
		t.Fatalf("verify a revoked credential: err %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	out = n.cli(t, 3, "query", "identity", "credential", issued.CID, "--issuer", node0.DID)
	if !strings.Contains(out, "course withdrawn") {
		t.Fatalf("query a revoked credential:\n%s", out)
	}
	// Records are keyed by issuer and CID: none is found under another issuer.
	_, stderr, err = runCLIResult("query", "identity", "credential", issued.CID, "--issuer", alice.DID,
		"--home", n.manifest.Nodes[3].Home, "--node", n.manifest.Nodes[3].RPC)
	if err == nil || !strings.Contains(stderr, "not found") {
		t.Fatalf("query the credential under another issuer: err %v, stderr %q", err, stderr)
	}

	raw, err := os.ReadFile(member)
	if err != nil {
		t.Fatal(err)
	}
	forged := filepath.Join(dir, "forged.json")
	if err := os.WriteFile(forged, []byte(strings.Replace(string(raw), `"role": "founder"`, `"role": "treasurer"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err = runCLIResult("credential", "verify", forged, "--home", n.manifest.Nodes[1].Home, "--node", n.manifest.Nodes[1].RPC)
	if err == nil || !strings.Contains(stderr, "credential verification failed: signature") {
		t.Fatalf("verify a tampered credential: err %v, stderr %q", err, stderr)
	}
}

// testProfile has a new DID, mallory, claim node0's email first; sets
// node0's encrypted profile with that email through the CLI (mallory's
// claim does not stop it), reads it back decrypted on another node, lists
// both claimants of the email with --prove, refuses a wrong password, and
// erases node0's profile, after which only mallory's claim is listed.
func testProfile(t *testing.T, n *network, txFlags []string) {
	node0 := n.manifest.Nodes[0]
	var mallory struct {
		DID string `json:"did"`
	}
	decodeJSON(t, runCLI(t, "keys", "add", "mallory", "--keyring-backend", "test", "--output", "json", "--home", node0.Home), &mallory)
	if res := n.txJSON(t, 0, append([]string{"tx", "identity", "register", "--key", "mallory"}, txFlags...)...); res.Code != 0 {
		t.Fatalf("register mallory: %+v", res)
	}
	dir := t.TempDir()
	password, wrong := filepath.Join(dir, "pw"), filepath.Join(dir, "wrong")
	if err := os.WriteFile(password, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wrong, []byte("incorrect horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	asMallory := []string{"--from", "mallory", "--sponsor", node0.KeyName, "--keyring-backend", "test", "--yes", "--output", "json"}
	res := n.txJSON(t, 0, append([]string{"tx", "identity", "set-profile", "--field", "name=Node Zero",
		"--email", "node0@example.org", "--password-file", wrong}, asMallory...)...)
	if res.Code != 0 {
		t.Fatalf("mallory's set-profile: %+v", res)
	}
	res = n.txJSON(t, 0, append([]string{"tx", "identity", "set-profile", "--field", "name=Node Zero", "--field", "city=Montréal",
		"--email", "Node0@Example.org", "--password-file", password}, txFlags...)...)
	if res.Code != 0 {
		t.Fatalf("set-profile: %+v", res)
	}
	out := n.cli(t, 1, "query", "identity", "profile", node0.DID)
	if strings.Contains(out, "Node Zero") || !strings.Contains(out, "bytes encrypted") {
		t.Fatalf("profile without --decrypt:\n%s", out)
	}
	out, _ = n.cliBoth(t, 2, "query", "identity", "profile", node0.DID, "--decrypt", "--password-file", password, "--prove")
	for _, want := range []string{"Node Zero", "Montréal", "node0@example.org"} {
		if !strings.Contains(out, want) {
			t.Fatalf("decrypted profile lacks %q:\n%s", want, out)
		}
	}
	_, stderr, err := runCLIResult("query", "identity", "profile", node0.DID, "--decrypt", "--password-file", wrong,
		"--home", n.manifest.Nodes[1].Home, "--node", n.manifest.Nodes[1].RPC)
	if err == nil || !strings.Contains(stderr, "wrong password") {
		t.Fatalf("decrypt with a wrong password: err %v, stderr %q", err, stderr)
	}
	claimants := []string{node0.DID, mallory.DID}
	sort.Strings(claimants)
	out, verdict := n.cliBoth(t, 3, "query", "identity", "did-by-email", " node0@EXAMPLE.org", "--prove")
	if strings.Join(strings.Fields(out), " ") != strings.Join(claimants, " ") ||
		!strings.Contains(verdict, "proof verified") || !strings.Contains(verdict, "proves nothing about ownership") {
		t.Fatalf("did-by-email:\nstdout:\n%s\nstderr:\n%s\nwant %q", out, verdict, claimants)
	}
	if res := n.txJSON(t, 0, append([]string{"tx", "identity", "erase-profile"}, txFlags...)...); res.Code != 0 {
		t.Fatalf("erase-profile: %+v", res)
	}
	var lookup struct {
		Result struct {
			DIDs []string `json:"dids"`
		} `json:"result"`
	}
	decodeJSON(t, n.cli(t, 1, "query", "identity", "did-by-email", "node0@example.org", "--prove", "--output", "json"), &lookup)
	if len(lookup.Result.DIDs) != 1 || lookup.Result.DIDs[0] != mallory.DID {
		t.Fatalf("did-by-email after node0 erased: %q, want only %s", lookup.Result.DIDs, mallory.DID)
	}
	_, _, err = runCLIResult("query", "identity", "profile", node0.DID, "--home", node0.Home, "--node", node0.RPC)
	if err == nil {
		t.Fatal("the erased profile is still found")
	}
}
