package did

import (
	"crypto/ed25519"
	"slices"
	"testing"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

func registerMsg(chainID string, key ed25519.PrivateKey) *identityv1.MsgRegisterDID {
	pub := key.Public().(ed25519.PublicKey)
	return &identityv1.MsgRegisterDID{PublicKey: pub, ProofOfPossession: ed25519.Sign(key, RegistrationBytes(chainID, DeriveDID(pub)))}
}

// TestRegisterDID registers a DID for the message's authority: the
// document, the mana account and the event name the authority, and a
// second registration or a proof for another chain is refused.
func TestRegisterDID(t *testing.T) {
	e := newTestEnv(t)
	payer := e.register(1)
	org := e.keyless(50, payer)
	// A governance outcome registers for the organization: no signer.
	ctx := e.ctx(2, "").WithAuthority(org)
	did, err := e.k.RegisterDID(ctx, registerMsg("icn-test", seedKey(2)))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := e.k.Document(ctx, did)
	if err != nil || doc.RegisteredBy != org || doc.CreatedHeight != 2 || len(doc.Keys) != 1 || doc.Keys[0].Id != FirstKeyID {
		t.Fatalf("document %v, %v", doc, err)
	}
	if !slices.Equal(e.mana.created, []string{did}) {
		t.Fatalf("mana accounts opened: %v", e.mana.created)
	}
	ev := ctx.Events()
	if len(ev) != 1 || ev[0].Type != "icn.did.did_registered" || ev[0].Attributes[1].Value != org {
		t.Fatalf("events %+v", ev)
	}
	_, err = e.k.RegisterDID(e.ctx(3, payer), registerMsg("icn-test", seedKey(2)))
	wantErr(t, err, ErrDIDExists)
	_, err = e.k.RegisterDID(e.ctx(3, payer), registerMsg("other-chain", seedKey(3)))
	wantErr(t, err, ErrBadProofOfPossession)
}

// TestLifecycleActsForAuthority checks that the key lifecycle handlers
// authorize against the message's authority, which need not have signed:
// a governance outcome runs with the authority of a DID and no signer.
func TestLifecycleActsForAuthority(t *testing.T) {
	e := newTestEnv(t)
	alice, bob := e.register(1), e.register(2)
	if err := e.k.SetControllers(e.ctx(2, ""), alice, []string{bob}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.k.AddKey(e.ctx(3, "").WithAuthority(alice), addKeyAt(alice, "key-2", seedKey(3))), ErrNotController)
	ctx := e.ctx(3, "").WithAuthority(bob)
	if err := e.k.AddKey(ctx, addKeyAt(alice, "key-2", seedKey(3))); err != nil {
		t.Fatal(err)
	}
	ev := ctx.Events()
	if len(ev) != 1 || ev[0].Type != "icn.did.key_added" || ev[0].Attributes[2].Value != bob {
		t.Fatalf("events %+v", ev)
	}
	if err := e.k.RevokeKey(e.ctx(4, "").WithAuthority(bob), &identityv1.MsgRevokeKey{Did: alice, KeyId: FirstKeyID}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.k.DeactivateDID(e.ctx(5, "").WithAuthority(alice), &identityv1.MsgDeactivateDID{Did: alice}), ErrNotController)
}

// TestDeactivateController: a DID that controls an organization is not
// deactivated, and nothing changes, until it controls none.
func TestDeactivateController(t *testing.T) {
	e := newTestEnv(t)
	founder := e.register(1)
	org := e.keyless(50, founder)
	e.orgs[founder] = []string{org}
	deactivate := &identityv1.MsgDeactivateDID{Did: founder}
	wantErr(t, e.k.DeactivateDID(e.ctx(2, founder), deactivate), ErrControlsOrganization)
	if doc, err := e.k.Document(e.ctx(2, ""), founder); err != nil || doc.DeactivatedHeight != 0 {
		t.Fatalf("after the refusal: %v, %v", doc, err)
	}
	delete(e.orgs, founder)
	wantErr(t, e.k.DeactivateDID(e.ctx(3, founder), deactivate), nil)
}
