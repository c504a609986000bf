package credential

import (
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/org"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// noMana opens no mana accounts: the tests register DIDs through the did
// keeper only.
type noMana struct{}

func (noMana) CreateAccount(modules.Context, string) error { return nil }

// noOrgs is a did.Organizations in which nobody controls an organization.
type noOrgs struct{}

func (noOrgs) ControlledOrganizations(modules.Context, string) ([]string, error) { return nil, nil }

// frozenSet is a Freezes under which the DIDs it holds are frozen within
// every scope.
type frozenSet map[string]bool

func (f frozenSet) RefuseFrozen(_ modules.Context, account, target string) error {
	if f[account] {
		return org.ErrFrozenInScope.Wrapf("%s within %s", account, target)
	}
	return nil
}

// testEnv is a credential keeper, over the did keeper, on a fresh store.
type testEnv struct {
	t      *testing.T
	k      *Keeper
	dids   *did.Keeper
	frozen frozenSet
	kv     store.KVStore
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	dids := did.NewKeeper(noMana{}, noOrgs{})
	frozen := frozenSet{}
	return &testEnv{t: t, k: NewKeeper(dids, frozen), dids: dids, frozen: frozen, kv: cms.Working()}
}

// ctx is a context at height h for a transaction signed by signer.
func (e *testEnv) ctx(h int64, signer string) modules.Context {
	return modules.NewContext("icn-test", h, time.Unix(0, 0), e.kv).WithSigner(signer)
}

// register registers the DID of seed's key at height 1 and returns it.
func (e *testEnv) register(seed byte) string {
	e.t.Helper()
	key := ed25519.NewKeyFromSeed(append(make([]byte, 31), seed))
	pub := key.Public().(ed25519.PublicKey)
	m := &identityv1.MsgRegisterDID{PublicKey: pub, ProofOfPossession: ed25519.Sign(key, did.RegistrationBytes("icn-test", did.DeriveDID(pub)))}
	d, err := e.dids.RegisterDID(e.ctx(1, ""), m)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
}

// TestCredentialsKeyedByIssuer anchors one CID for two issuers: each is its
// own record, found, refused a second time and revoked under its issuer
// only, and a signer cannot revoke the record of an issuer it does not
// control.
func TestCredentialsKeyedByIssuer(t *testing.T) {
	e := newTestEnv(t)
	alice, mallory, bob := e.register(1), e.register(2), e.register(3)
	c := credentialCID(t, "vc", cid.Raw, multihash.SHA2_256)
	issue := func(signer string) *identityv1.MsgIssueCredential {
		return &identityv1.MsgIssueCredential{Cid: c, Issuer: signer, Subject: bob, CredentialType: "MembershipCredential"}
	}
	revoke := func(issuer string) *identityv1.MsgRevokeCredential {
		return &identityv1.MsgRevokeCredential{Cid: c, Issuer: issuer, Reason: "r"}
	}

	wantErr(t, e.k.IssueCredential(e.ctx(2, mallory), issue(mallory)), nil)
	wantErr(t, e.k.IssueCredential(e.ctx(3, alice), issue(alice)), nil)
	wantErr(t, e.k.IssueCredential(e.ctx(4, alice), issue(alice)), ErrCredentialExists)
	for _, issuer := range []string{alice, mallory} {
		rec, err := e.k.Credential(e.ctx(4, ""), issuer, c)
		if err != nil || rec.Issuer != issuer || rec.IssuedBy != issuer {
			t.Fatalf("record of %s: %v, %v", issuer, rec, err)
		}
	}
	_, err := e.k.Credential(e.ctx(4, ""), bob, c)
	wantErr(t, err, ErrUnknownCredential)

	wantErr(t, e.k.RevokeCredential(e.ctx(5, mallory), revoke(alice)), ErrNotIssuer)
	wantErr(t, e.k.RevokeCredential(e.ctx(5, bob), revoke(bob)), ErrUnknownCredential)
	wantErr(t, e.k.RevokeCredential(e.ctx(5, mallory), revoke(mallory)), nil)
	rec, err := e.k.Credential(e.ctx(5, ""), alice, c)
	if err != nil || rec.RevokedHeight != 0 {
		t.Fatalf("alice's record after mallory revoked hers: %v, %v", rec, err)
	}
	wantErr(t, e.k.RevokeCredential(e.ctx(6, alice), revoke(alice)), nil)
	wantErr(t, e.k.RevokeCredential(e.ctx(7, alice), revoke(alice)), ErrCredentialRevoked)
}

// TestIssuerAuthority checks who may act for an issuer, an organization:
// its controller, which the record then names as the issuing authority,
// and its own authority; after control passes to its assembly, only its
// own authority (a
// governance outcome, which carries no signer); nobody while it is frozen
// within its scope;
// and only about a registered, active subject.
func TestIssuerAuthority(t *testing.T) {
	e := newTestEnv(t)
	founder, subject, gone := e.register(1), e.register(2), e.register(3)
	coop := testDID(50)
	if err := e.dids.RegisterKeyless(e.ctx(1, ""), &identityv1.DIDDocument{Did: coop, Controllers: []string{founder}}); err != nil {
		t.Fatal(err)
	}
	if err := e.dids.DeactivateDID(e.ctx(1, gone), &identityv1.MsgDeactivateDID{Did: gone}); err != nil {
		t.Fatal(err)
	}
	issue := func(n string, subj string) *identityv1.MsgIssueCredential {
		return &identityv1.MsgIssueCredential{Cid: credentialCID(t, n, cid.Raw, multihash.SHA2_256), Issuer: coop, Subject: subj, CredentialType: "MembershipCredential"}
	}
	wantErr(t, e.k.IssueCredential(e.ctx(2, subject), issue("a", subject)), ErrNotIssuer)
	wantErr(t, e.k.IssueCredential(e.ctx(2, founder), issue("a", testDID(9))), ErrUnknownSubject)
	wantErr(t, e.k.IssueCredential(e.ctx(2, founder), issue("a", gone)), did.ErrDIDDeactivated)
	wantErr(t, e.k.IssueCredential(e.ctx(2, founder), &identityv1.MsgIssueCredential{Cid: issue("a", subject).Cid, Issuer: testDID(9), Subject: subject, CredentialType: "T"}), did.ErrUnknownDID)

	wantErr(t, e.k.IssueCredential(e.ctx(2, founder), issue("a", subject)), nil)
	// The organization's own authority (its governance) acts for it
	// while its founder controls it too, as in org's authorizeControl.
	wantErr(t, e.k.IssueCredential(e.ctx(2, "").WithAuthority(coop), issue("c", subject)), nil)
	// Control passes to the organization's assembly: its own authority
	// still acts for it, its founder no more.
	if err := e.dids.SetControllers(e.ctx(3, ""), coop, nil); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.k.IssueCredential(e.ctx(3, founder), issue("b", subject)), ErrNotIssuer)
	wantErr(t, e.k.IssueCredential(e.ctx(3, "").WithAuthority(coop), issue("b", subject)), nil)
	type issued struct {
		by     string
		height int64
	}
	for n, want := range map[string]issued{"a": {founder, 2}, "b": {coop, 3}} {
		rec, err := e.k.Credential(e.ctx(3, ""), coop, issue(n, subject).Cid)
		if err != nil || rec.IssuedBy != want.by || rec.IssuedHeight != want.height {
			t.Fatalf("credential %s: %v, %v; want issued by %s at %d", n, rec, err, want.by, want.height)
		}
	}

	// Frozen within its own scope (by a federation above it), it may not
	// act as an issuer; the freezes module's code comes through.
	e.frozen[coop] = true
	wantErr(t, e.k.IssueCredential(e.ctx(4, "").WithAuthority(coop), issue("c", subject)), org.ErrFrozenInScope)
	wantErr(t, e.k.RevokeCredential(e.ctx(4, "").WithAuthority(coop), &identityv1.MsgRevokeCredential{Cid: issue("a", subject).Cid, Issuer: coop}), org.ErrFrozenInScope)
}
