package e2e

import (
	"strings"
	"testing"

	"github.com/intercooperative/icnd/client"
	orgmod "github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/node/testnet"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// testOrganizations: node0, founder of the localnet's root federation,
// founds a cooperative under it and admits two new DIDs, one as compliance
// officer (they have no mana of their own: node0 sponsors them); the
// officer freezes the other member, who still acts outside the cooperative
// but cannot rejoin it, appeals, and rejoins once unfrozen; node0 hands the
// cooperative to its
// assembly, after which its privileged messages are refused. Listings are
// read with --prove from another node.
func testOrganizations(t *testing.T, n *network, txFlags []string) {
	node0 := n.manifest.Nodes[0]
	root := orgmod.DeriveOrgDID("", testnet.RootFederation)
	sponsored := func(key string) []string {
		return []string{"--from", key, "--sponsor", node0.KeyName, "--keyring-backend", "test", "--yes", "--output", "json"}
	}
	tx := func(flags []string, args ...string) txOut {
		t.Helper()
		res := n.txJSON(t, 0, append(args, flags...)...)
		if res.Code != 0 {
			t.Fatalf("icnd %s: %+v", strings.Join(args, " "), res)
		}
		return res
	}
	// refused runs a transaction that must fail, and returns its output.
	refused := func(flags []string, args ...string) string {
		t.Helper()
		stdout, stderr, err := runCLIResult(append(append(args, "--home", node0.Home, "--node", node0.RPC), flags...)...)
		if err == nil {
			t.Fatalf("icnd %s succeeded: %s", strings.Join(args, " "), stdout)
		}
		return stdout + stderr
	}
	newMember := func(name string) string {
		t.Helper()
		var key struct {
			DID string `json:"did"`
		}
		decodeJSON(t, runCLI(t, "keys", "add", name, "--keyring-backend", "test", "--output", "json", "--home", node0.Home), &key)
		tx(txFlags, "tx", "identity", "register", "--key", name)
		return key.DID
	}
	baker, auditor := newMember("baker"), newMember("auditor")

	var created struct {
		DID string `json:"did"`
	}
	decodeJSON(t, n.cli(t, 0, append([]string{"tx", "identity", "create-org", "bakery", "--kind", "cooperative", "--parent", root}, txFlags...)...), &created)
	coop := orgmod.DeriveOrgDID(root, "bakery")
	if created.DID != coop {
		t.Fatalf("create-org printed DID %q, want %s", created.DID, coop)
	}
	tx(txFlags, "tx", "identity", "invite", coop, baker)
	tx(txFlags, "tx", "identity", "invite", coop, auditor, "--role", orgmod.RoleComplianceOfficer)
	tx(sponsored("baker"), "tx", "identity", "accept", coop)
	tx(sponsored("auditor"), "tx", "identity", "accept", coop)

	witnesses := n.manifest.Nodes[2].RPC + "," + n.manifest.Nodes[3].RPC
	var members struct {
		Result []*identityv1.Membership `json:"result"`
		Proof  *client.VerifiedHeader   `json:"proof"`
	}
	decodeJSON(t, n.cli(t, 1, "query", "identity", "members", coop, "--prove", "--witnesses", witnesses, "--output", "json"), &members)
	if len(members.Result) != 3 || members.Proof == nil || members.Proof.Witnesses != 2 {
		t.Fatalf("proven members of %s: %+v (proof %+v)", coop, members.Result, members.Proof)
	}
	for _, m := range members.Result {
		if m.Member == auditor && strings.Join(m.Roles, ",") != "compliance-officer,member" {
			t.Fatalf("auditor's roles: %v", m.Roles)
		}
	}
	var orgs struct {
		Result []client.OrganizationView `json:"result"`
	}
	decodeJSON(t, n.cli(t, 1, "query", "identity", "orgs-of", baker, "--prove", "--witnesses", witnesses, "--output", "json"), &orgs)
	if len(orgs.Result) != 1 || orgs.Result[0].DID != coop || orgs.Result[0].Kind != orgmod.KindCooperative || orgs.Result[0].Parent != root {
		t.Fatalf("orgs-of baker: %+v", orgs.Result)
	}

	// The officer freezes the baker, which holds within the cooperative
	// only: the baker still anchors, but once removed cannot rejoin.
	tx(sponsored("auditor"), "tx", "identity", "freeze", coop, baker, "--reason", "stock audit")
	tx(sponsored("baker"), "tx", "dag", "anchor", client.RawCID([]byte("baker's bread")).String(), "--kind", "document")
	tx(txFlags, "tx", "identity", "remove-member", coop, baker)
	tx(txFlags, "tx", "identity", "invite", coop, baker)
	if out := refused(sponsored("baker"), "tx", "identity", "accept", coop); !strings.Contains(out, "frozen within") {
		t.Fatalf("frozen baker rejoining: %s", out)
	}
	tx(sponsored("baker"), "tx", "identity", "appeal", coop, "--statement", "the audit found nothing")
	var freezes struct {
		Result []*identityv1.Freeze `json:"result"`
	}
	decodeJSON(t, n.cli(t, 1, "query", "identity", "freezes", baker, "--prove", "--witnesses", witnesses, "--output", "json"), &freezes)
	if len(freezes.Result) != 1 || freezes.Result[0].Org != coop || freezes.Result[0].Appeal != "the audit found nothing" {
		t.Fatalf("freezes of baker: %+v", freezes.Result)
	}
	tx(sponsored("auditor"), "tx", "identity", "unfreeze", coop, baker, "--reason", "audit closed")
	tx(sponsored("baker"), "tx", "identity", "accept", coop)

	// Control passes to the assembly, for good.
	tx(txFlags, "tx", "identity", "transfer-control", coop)
	if out := refused(txFlags, "tx", "identity", "remove-member", coop, baker); !strings.Contains(out, "controlled by its assembly") {
		t.Fatalf("remove-member under assembly control: %s", out)
	}
	var org struct {
		Result client.OrganizationView `json:"result"`
	}
	decodeJSON(t, n.cli(t, 2, "query", "identity", "org", coop, "--output", "json"), &org)
	if org.Result.Control != orgmod.ControlAssembly || org.Result.Founder != node0.DID {
		t.Fatalf("organization after the transfer: %+v", org.Result)
	}
}
