package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/cosmos/gogoproto/jsonpb"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/governance"
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
