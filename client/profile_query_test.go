package client

import (
	"context"
	"crypto/ed25519"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/client/profile"
	didmod "github.com/intercooperative/icnd/modules/did"
	profilemod "github.com/intercooperative/icnd/modules/profile"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// TestEmailClaimantsScan lists the claimants of an email hash the way
// DIDsByEmailHash does, with every proof verified: all the DIDs that claim
// the hash, in DID order, none of a neighbouring hash's; an unclaimed hash
// lists nobody; a limit below the claimants is an error; and a key under
// the prefix that does not end in a DID is refused.
func TestEmailClaimantsScan(t *testing.T) {
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	hash := func(b byte) []byte {
		h := make([]byte, profilemod.EmailHashLength)
		h[0] = b
		return h
	}
	claimed, before, after, unclaimed := hash(2), hash(1), hash(3), hash(9)
	var want []string
	kv := cms.Working()
	for seed := byte(1); seed <= 4; seed++ {
		did := didmod.DeriveDID(ed25519.NewKeyFromSeed(append(make([]byte, 31), seed)).Public().(ed25519.PublicKey))
		switch seed {
		case 1:
			kv.Set(profilemod.EmailIndexKey(before, did), []byte{1})
		case 4:
			kv.Set(profilemod.EmailIndexKey(after, did), []byte{1})
			kv.Set(profilemod.EmailIndexKey(claimed, did), []byte{1})
			want = append(want, did)
		default:
			kv.Set(profilemod.EmailIndexKey(claimed, did), []byte{1})
			want = append(want, did)
		}
	}
	sort.Strings(want)
	if _, err := cms.Commit(); err != nil {
		t.Fatal(err)
	}
	root := cms.LastCommitID().Hash
	verify := func(int64) ([]byte, error) { return root, nil }
	list := func(h []byte, limit int) ([]string, error) {
		prefix := profilemod.EmailIndexPrefix(h)
		entries, _, err := scanPrefix(context.Background(), storeReader(cms), prefix, 0, limit, verify)
		if err != nil {
			return nil, err
		}
		return emailClaimants(prefix, entries)
	}

	got, err := list(claimed, 100)
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("claimants = %q, %v; want %q", got, err, want)
	}
	if got, err := list(unclaimed, 100); err != nil || len(got) != 0 {
		t.Fatalf("unclaimed hash: %q, %v", got, err)
	}
	if _, err := list(claimed, len(want)-1); !errors.Is(err, ErrScanLimit) {
		t.Fatalf("limit below the claimants: %v", err)
	}

	prefix := profilemod.EmailIndexPrefix(claimed)
	bad := []Entry{{Key: append(append([]byte(nil), prefix...), 3, 'a', 'b', 'c'), Value: []byte{1}}}
	if _, err := emailClaimants(prefix, bad); err == nil {
		t.Fatal("a key that does not end in a DID was accepted")
	}
}

// TestNewProfileView shows ciphertext sizes only, and the values only when
// the profile was opened.
func TestNewProfileView(t *testing.T) {
	p := &identityv1.Profile{Did: "did:icn:ada", UpdatedHeight: 7, EmailHash: []byte{1}, Fields: []*identityv1.ProfileField{
		{Name: "city", Ciphertext: make([]byte, 21)},
		{Name: "name", Ciphertext: make([]byte, 30)},
	}}
	sealed := NewProfileView(p, nil)
	want := &ProfileView{DID: "did:icn:ada", UpdatedHeight: 7, EmailIndexed: true, Fields: []ProfileFieldView{
		{Name: "city", CiphertextBytes: 21}, {Name: "name", CiphertextBytes: 30},
	}}
	if !reflect.DeepEqual(sealed, want) {
		t.Errorf("sealed view = %+v, want %+v", sealed, want)
	}
	opened := NewProfileView(p, []profile.Field{{Name: "city", Value: "London"}, {Name: "name", Value: "Ada"}})
	want.Decrypted = true
	want.Fields[0].Value, want.Fields[1].Value = "London", "Ada"
	if !reflect.DeepEqual(opened, want) {
		t.Errorf("opened view = %+v, want %+v", opened, want)
	}
	p.EmailHash, p.Fields = nil, nil
	if v := NewProfileView(p, nil); v.EmailIndexed || v.Fields == nil || len(v.Fields) != 0 {
		t.Errorf("empty profile view = %+v: want no email and an empty (not nil) field list", v)
	}
}
