package app_test

import (
	"testing"

	"github.com/intercooperative/icnd/modules"
	credmod "github.com/intercooperative/icnd/modules/credential"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// TestCredentialByProposalUnderFounder: an organization's own authority
// acts for it whoever controls it (org's authorizeControl), so its
// governance issues and revokes credentials as the organization while its
// founder still holds control too, as it spends its treasury then.
func TestCredentialByProposalUnderFounder(t *testing.T) {
	w := newGovWorld(t, nil)
	all := []*account{w.alice, w.bob, w.carol}
	if o, err := orgRecord(w); err != nil || o.Control != identityv1.Control_CONTROL_FOUNDER {
		t.Fatalf("want a founder-controlled coop: %+v %v", o, err)
	}
	c := testCID(t, "issued under founder control")
	id := w.pass(t, w.coop, w.bob, all, issueMsg(c, w.coop, w.bob.did, "MembershipCredential"))
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	rec, found, err := modules.Load[identityv1.CredentialStatus](w.ctx().Store, credmod.CredentialKey(w.coop, c))
	if err != nil || !found || rec.IssuedBy != w.coop {
		t.Fatalf("credential: %+v %v %v", rec, found, err)
	}
	id = w.pass(t, w.coop, w.bob, all, revokeCredentialMsg(c, w.coop, "superseded"))
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	// A member alone still cannot act for the coop.
	wantCode(t, w.do(t, w.bob, issueMsg(testCID(t, "forged"), w.coop, w.bob.did, "MembershipCredential")), credmod.ErrNotIssuer)
}
