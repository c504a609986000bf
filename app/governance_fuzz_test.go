package app_test

import (
	"testing"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/org"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// FuzzDecodeProposal feeds arbitrary bytes as an encoded proposal to the
// decoder of proposals' messages: it must never panic, every error must
// carry a registered code, and what it accepts must carry only messages a
// proposal may carry, each re-encoding to its input.
// Seed corpus: testdata/fuzz/FuzzDecodeProposal.
func FuzzDecodeProposal(f *testing.F) {
	root := org.DeriveOrgDID("", "root")
	alice := newAccount(1)
	seed := func(msgs ...[]byte) {
		bz, err := (&governancev1.MsgSubmitProposal{Org: root, Title: "t", Messages: msgs}).Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bz)
	}
	seed(encodeMsg(f, transferMsg(root)), encodeMsg(f, inviteMsg(root, alice.did)))
	seed(encodeMsg(f, spendMsg(root, alice.did, 5)), encodeMsg(f, setValidatorMsg(alice.pub(), 3)))
	seed(encodeMsg(f, upgradeMsg("v2", 9)), encodeMsg(f, setPolicyMsg(root, governance.DefaultPolicy())))
	seed(encodeMsg(f, proposeMsg(f, root, "nested")))
	seed([]byte{0xff})
	router := app.MessageRouter()
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := new(governancev1.MsgSubmitProposal)
		if err := p.Unmarshal(raw); err != nil {
			return
		}
		msgs, specs, err := governance.DecodeMessages(router, p.Messages)
		if err != nil {
			if space, _ := modules.ResultCode(err); space == modules.CodespaceInternal {
				t.Fatalf("decode error without a registered code: %v", err)
			}
			return
		}
		for i, m := range msgs {
			if specs[i].Governance == modules.GovernanceNever {
				t.Fatalf("message %d (%s) may not be proposed but was accepted", i, specs[i].Name)
			}
			again, err := m.Marshal()
			if err != nil || string(again) != string(p.Messages[i]) {
				t.Fatalf("message %d does not re-encode to its input", i)
			}
		}
	})
}
