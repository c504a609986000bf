package profile

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

func testDID(seed byte) string {
	return did.DeriveDID(ed25519.NewKeyFromSeed(append(make([]byte, 31), seed)).Public().(ed25519.PublicKey))
}

// newTestKeeper returns a keeper over a fresh store and contexts on it at a
// height for a transaction signed by a DID.
func newTestKeeper(t *testing.T) (*Keeper, func(h int64, signer string) modules.Context) {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	kv := cms.Working()
	return NewKeeper(), func(h int64, signer string) modules.Context {
		return modules.NewContext("icn-test", h, time.Unix(0, 0), kv).WithSigner(signer)
	}
}

// TestEmailIndexIsNotUnique checks that genesis accepts profiles sharing an
// email hash and rebuilds one index entry per claimant, that DIDsByEmail
// lists the claimants in DID order within its limit, and that replacing or
// erasing a profile moves or deletes the signer's entry only.
func TestEmailIndexIsNotUnique(t *testing.T) {
	alice, bob, carol := testDID(1), testDID(2), testDID(3)
	salt := make([]byte, ProfileSaltLength)
	shared, other := make([]byte, EmailHashLength), make([]byte, EmailHashLength)
	shared[0], other[0] = 1, 2
	g := Genesis{Profiles: []*identityv1.Profile{
		{Did: carol, Salt: salt, EmailHash: shared},
		{Did: alice, Salt: salt, EmailHash: shared},
		{Did: bob, Salt: salt, Fields: []*identityv1.ProfileField{sealedField("city", 20)}},
	}}
	if err := g.Validate(map[string]bool{alice: true, bob: true, carol: true}); err != nil {
		t.Fatal(err)
	}
	k, ctx := newTestKeeper(t)
	if err := k.InitGenesis(ctx(1, ""), g); err != nil {
		t.Fatal(err)
	}
	sorted := []string{alice, carol}
	if alice > carol {
		sorted = []string{carol, alice}
	}
	lookup := func(h []byte, limit int) ([]string, bool) {
		t.Helper()
		dids, more, err := k.DIDsByEmail(ctx(2, ""), h, limit)
		if err != nil {
			t.Fatal(err)
		}
		return dids, more
	}
	if got, more := lookup(shared, 10); strings.Join(got, ",") != strings.Join(sorted, ",") || more {
		t.Fatalf("after genesis: %v (more %v), want %v", got, more, sorted)
	}
	if got, more := lookup(shared, 1); len(got) != 1 || got[0] != sorted[0] || !more {
		t.Fatalf("limit 1: %v (more %v), want %s and more", got, more, sorted[0])
	}

	set := &identityv1.MsgSetProfile{Salt: salt, EmailHash: shared}
	if err := k.SetProfile(ctx(3, bob), set); err != nil {
		t.Fatalf("bob claims a hash two DIDs claim: %v", err)
	}
	if got, _ := lookup(shared, 10); len(got) != 3 {
		t.Fatalf("after bob's claim: %v", got)
	}
	set.EmailHash = other
	if err := k.SetProfile(ctx(4, alice), set); err != nil {
		t.Fatal(err)
	}
	if err := k.EraseProfile(ctx(5, carol)); err != nil {
		t.Fatal(err)
	}
	if got, _ := lookup(shared, 10); len(got) != 1 || got[0] != bob {
		t.Fatalf("after alice moved and carol erased: %v, want [%s]", got, bob)
	}
	if got, _ := lookup(other, 10); len(got) != 1 || got[0] != alice {
		t.Fatalf("alice's new hash: %v", got)
	}
}

// TestProfileOfAuthority checks that a profile belongs to the message's
// authority, which need not have signed (an organization acting through
// governance), and that erasing a profile that does not exist fails.
func TestProfileOfAuthority(t *testing.T) {
	k, ctx := newTestKeeper(t)
	org := testDID(50)
	set := &identityv1.MsgSetProfile{Salt: make([]byte, ProfileSaltLength), EmailHash: make([]byte, EmailHashLength)}
	c := ctx(2, "").WithAuthority(org)
	if err := k.SetProfile(c, set); err != nil {
		t.Fatal(err)
	}
	if p, err := k.Profile(ctx(2, ""), org); err != nil || p.Did != org || p.UpdatedHeight != 2 {
		t.Fatalf("profile of %s: %v, %v", org, p, err)
	}
	if ev := c.Events(); len(ev) != 1 || ev[0].Type != "icn.profile.profile_set" || ev[0].Attributes[0].Value != org {
		t.Fatalf("events %+v", ev)
	}
	if err := k.EraseProfile(ctx(3, testDID(1))); !errors.Is(err, ErrNoProfile) {
		t.Fatalf("erase without a profile: %v", err)
	}
	if err := k.EraseProfile(ctx(3, "").WithAuthority(org)); err != nil {
		t.Fatal(err)
	}
	if got, _, err := k.DIDsByEmail(ctx(3, ""), set.EmailHash, 10); err != nil || len(got) != 0 {
		t.Fatalf("email index after erasure: %v, %v", got, err)
	}
}
