package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/cosmos/gogoproto/jsonpb"
	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/mesh"
)

// TestProposalExamples fills in the placeholders of every example file of
// "propose --help" and checks that it decodes and that its messages pass
// the chain's stateless checks, as submission will.
func TestProposalExamples(t *testing.T) {
	key := func(s string) ed25519.PublicKey {
		seed := sha256.Sum256([]byte(s))
		return ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	}
	repl := strings.NewReplacer(
		"did:icn:<coop>", did.DeriveDID(key("coop")),
		"did:icn:<root>", did.DeriveDID(key("root")),
		"did:icn:<dave>", did.DeriveDID(key("dave")),
		"did:icn:<erin>", did.DeriveDID(key("erin")),
		"did:icn:<carol>", did.DeriveDID(key("carol")),
		"did:icn:<bakery>", did.DeriveDID(key("bakery")),
		"<base64 binary CID>", base64.StdEncoding.EncodeToString(client.RawCID([]byte("credential")).Bytes()),
		"<base64 Ed25519 key>", base64.StdEncoding.EncodeToString(key("validator")),
		"<mana params>", manaParamsJSON(t),
	)
	router := app.MessageRouter()
	for _, e := range proposalExamples {
		msg, err := client.ParseProposalFile([]byte(repl.Replace(e.file)))
		if err != nil {
			t.Fatalf("%s: %v", e.what, err)
		}
		if _, _, err := governance.DecodeMessages(router, msg.GetSubmitProposal().Messages); err != nil {
			t.Fatalf("%s: %v", e.what, err)
		}
	}
	if help := proposalExamplesText(); strings.Count(help, `"org":`) < len(proposalExamples) {
		t.Fatalf("help text lists fewer files than the examples:\n%s", help)
	}
}

// manaParamsJSON is a new chain's mana params as "icnd query mana params"
// prints them.
func manaParamsJSON(t *testing.T) string {
	t.Helper()
	js, err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true}).MarshalToString(app.DefaultGenesis().Mana.Params)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// TestGovernanceParamsExampleIsComplete: a params change carries the whole
// params, so the example's must differ from a new chain's only in what it
// says it changes (the default voting period): a field left out would be
// zeroed, e.g. a snapshot_cost_per_voter of 0 makes every snapshot free.
func TestGovernanceParamsExampleIsComplete(t *testing.T) {
	root := did.DeriveDID(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	for _, e := range proposalExamples {
		if !strings.Contains(e.file, "set_governance_params") {
			continue
		}
		msg, err := client.ParseProposalFile([]byte(strings.ReplaceAll(e.file, "did:icn:<root>", root)))
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := app.MessageRouter().Decode(msg.GetSubmitProposal().Messages[0])
		if err != nil {
			t.Fatal(err)
		}
		got := m.GetSetGovernanceParams().Params
		want := governance.DefaultParams()
		want.DefaultPolicy.VotingPeriod = got.DefaultPolicy.VotingPeriod
		if !proto.Equal(got, want) {
			t.Fatalf("the example's params\n%v\ndiffer from the defaults beyond the voting period\n%v", got, want)
		}
		return
	}
	t.Fatal("no set_governance_params example")
}

// TestMeshParamsExampleIsComplete: the mesh params example carries the
// whole params and differs from a new chain's only in what it says it
// changes (min_bond): a field left out would be zeroed, e.g. a slash_bps
// of 0 would let disagreeing executors off.
func TestMeshParamsExampleIsComplete(t *testing.T) {
	root := did.DeriveDID(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	for _, e := range proposalExamples {
		if !strings.Contains(e.file, "set_mesh_params") {
			continue
		}
		msg, err := client.ParseProposalFile([]byte(strings.ReplaceAll(e.file, "did:icn:<root>", root)))
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := app.MessageRouter().Decode(msg.GetSubmitProposal().Messages[0])
		if err != nil {
			t.Fatal(err)
		}
		got := m.GetSetMeshParams().Params
		want := mesh.DefaultParams()
		want.MinBond = 500
		if !proto.Equal(got, want) {
			t.Fatalf("the example's params\n%v\ndiffer from the defaults beyond min_bond\n%v", got, want)
		}
		return
	}
	t.Fatal("no set_mesh_params example")
}
