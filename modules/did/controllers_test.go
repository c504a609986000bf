package did

import (
	"errors"
	"strings"
	"testing"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

func TestControls(t *testing.T) {
	e := newTestEnv(t)
	alice, bob, carol := e.register(1), e.register(2), e.register(3)

	if !e.controls(alice, alice) || e.controls(bob, alice) {
		t.Fatal("a DID with no controllers must control itself and nothing else controls it")
	}
	if err := e.k.SetControllers(e.ctx(2, ""), alice, []string{carol, bob}); err != nil {
		t.Fatal(err)
	}
	doc, _ := e.k.Document(e.ctx(2, ""), alice)
	if strings.Join(doc.Controllers, ",") != strings.Join(sortedPair(bob, carol), ",") || doc.UpdatedHeight != 2 {
		t.Fatalf("controllers stored as %v (updated %d), want sorted", doc.Controllers, doc.UpdatedHeight)
	}
	if !e.controls(bob, alice) || !e.controls(carol, alice) {
		t.Fatal("a listed controller does not control")
	}
	if e.controls(alice, alice) {
		t.Fatal("a DID with controllers that do not list it still controls itself")
	}
	if e.controls(testDID(9), alice) {
		t.Fatal("an unregistered DID controls")
	}
	if _, err := e.k.Controls(e.ctx(2, ""), alice, testDID(9)); !errors.Is(err, ErrUnknownDID) {
		t.Fatalf("Controls over an unknown DID: %v", err)
	}

	// A deactivated controller controls nothing; a deactivated DID is
	// controlled by nobody.
	if err := e.k.DeactivateDID(e.ctx(3, carol), &identityv1.MsgDeactivateDID{Did: carol}); err != nil {
		t.Fatal(err)
	}
	if e.controls(carol, alice) || !e.controls(bob, alice) {
		t.Fatal("deactivating carol changed the wrong controller")
	}
	if e.controls(carol, carol) {
		t.Fatal("a deactivated DID controls itself")
	}

	// Back to self-control.
	if err := e.k.SetControllers(e.ctx(4, ""), alice, nil); err != nil {
		t.Fatal(err)
	}
	if !e.controls(alice, alice) || e.controls(bob, alice) {
		t.Fatal("an emptied controller list does not return control to the DID")
	}
}

func TestSetControllersRefuses(t *testing.T) {
	e := newTestEnv(t)
	alice, bob, gone := e.register(1), e.register(2), e.register(3)
	if err := e.k.DeactivateDID(e.ctx(2, gone), &identityv1.MsgDeactivateDID{Did: gone}); err != nil {
		t.Fatal(err)
	}
	many := make([]string, MaxControllers+1)
	for i := range many {
		many[i] = testDID(byte(100 + i))
	}
	cases := []struct {
		name        string
		did         string
		controllers []string
		want        error
	}{
		{"too many", alice, many, ErrInvalidControllers},
		{"duplicate", alice, []string{bob, bob}, ErrInvalidControllers},
		{"upper case", alice, []string{strings.ToUpper(bob)}, ErrInvalidDID},
		{"padded", alice, []string{bob + "="}, ErrInvalidDID},
		{"unregistered controller", alice, []string{testDID(9)}, ErrUnknownDID},
		{"deactivated controller", alice, []string{gone}, ErrDIDDeactivated},
		{"unknown did", testDID(9), []string{bob}, ErrUnknownDID},
		{"deactivated did", gone, []string{bob}, ErrDIDDeactivated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, e.k.SetControllers(e.ctx(3, ""), tc.did, tc.controllers), tc.want)
		})
	}
}

// TestKeylessDocument checks a keyless document, as an organization has:
// its controller manages nothing key-related through the lifecycle
// messages, and an emptied controller list leaves only the DID's own
// authority, which no key holds.
func TestKeylessDocument(t *testing.T) {
	e := newTestEnv(t)
	founder := e.register(1)
	org := e.keyless(50, founder)
	if !e.controls(founder, org) || e.controls(org, org) {
		t.Fatal("the founder must control the organization, and only the founder")
	}
	wantErr(t, e.k.AddKey(e.ctx(2, founder), addKeyAt(org, "key-1", seedKey(7))), ErrKeylessDocument)
	wantErr(t, e.k.DeactivateDID(e.ctx(2, founder), &identityv1.MsgDeactivateDID{Did: org}), ErrKeylessDocument)
	wantErr(t, e.k.AddKey(e.ctx(2, e.register(2)), addKeyAt(org, "key-1", seedKey(7))), ErrNotController)

	if err := e.k.SetControllers(e.ctx(3, ""), org, nil); err != nil {
		t.Fatal(err)
	}
	if e.controls(founder, org) {
		t.Fatal("the founder still controls the organization after handing control to the assembly")
	}
	if !e.controls(org, org) {
		t.Fatal("the organization's own authority (a governance outcome) must control it")
	}
}

// TestRegisterKeylessRefuses checks what RegisterKeyless refuses: a DID
// that is taken or not canonical, bad controllers, and a document with keys.
func TestRegisterKeylessRefuses(t *testing.T) {
	e := newTestEnv(t)
	alice := e.register(1)
	org := e.keyless(50, alice)
	ctx := e.ctx(2, "")
	wantErr(t, e.k.RegisterKeyless(ctx, &identityv1.DIDDocument{Did: org}), ErrDIDExists)
	wantErr(t, e.k.RegisterKeyless(ctx, &identityv1.DIDDocument{Did: alice}), ErrDIDExists)
	wantErr(t, e.k.RegisterKeyless(ctx, &identityv1.DIDDocument{Did: strings.ToUpper(testDID(51))}), ErrInvalidDID)
	wantErr(t, e.k.RegisterKeyless(ctx, &identityv1.DIDDocument{Did: testDID(51), Controllers: []string{alice, alice}}), ErrInvalidControllers)
	withKey := &identityv1.DIDDocument{Did: testDID(51), Keys: []*identityv1.VerificationKey{{Id: FirstKeyID}}}
	if err := e.k.RegisterKeyless(ctx, withKey); err == nil || errors.Is(err, ErrInvalidGenesis) {
		t.Fatalf("a document with keys: %v, want a plain error", err)
	}
	if e.k.Exists(ctx, testDID(51)) {
		t.Fatal("a refused document was stored")
	}
}
