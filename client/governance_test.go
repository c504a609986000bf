package client

import (
	"testing"

	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

func TestParseProposalFile(t *testing.T) {
	const org = "did:icn:abcdefghijklmnopqrstuvwxyz234567"
	file := `{"org": "` + org + `", "title": "t", "messages": [
	  {"transfer_control": {"org": "` + org + `"}},
	  {"spend_treasury": {"org": "` + org + `", "to": "` + org + `", "amount": "5000"}},
	  {"set_policy": {"org": "` + org + `", "policy": {"electorate": "ELECTORATE_ONE_MEMBER_ONE_VOTE",
	     "quorum": {"num": "1", "den": "2"}, "threshold": {"num": "2", "den": "3"}, "voting_period": "600"}}}]}`
	msg, err := ParseProposalFile([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	sp := msg.GetSubmitProposal()
	if sp.Org != org || sp.Title != "t" || len(sp.Messages) != 3 {
		t.Fatalf("%+v", sp)
	}
	var m txv1.Msg
	if err := m.Unmarshal(sp.Messages[1]); err != nil || m.GetSpendTreasury().GetAmount() != 5000 {
		t.Fatalf("spend: %v %v", m.String(), err)
	}
	if err := m.Unmarshal(sp.Messages[2]); err != nil || m.GetSetPolicy().Policy.Threshold.Den != 3 || m.GetSetPolicy().Policy.Electorate != governancev1.Electorate_ELECTORATE_ONE_MEMBER_ONE_VOTE {
		t.Fatalf("policy: %v %v", m.String(), err)
	}
	for _, bad := range []string{
		`{"org": "` + org + `", "title": "t", "extra": 1}`,
		`{"org": "` + org + `", "title": "t", "messages": [{"no_such_message": {}}]}`,
		`{"org": "` + org + `", "title": "t", "messages": [{}]}`,
		`{"org": "` + org + `"}`,
	} {
		if _, err := ParseProposalFile([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
