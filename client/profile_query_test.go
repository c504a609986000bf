package client

import (
	"context"
	"crypto/ed25519"
	"errors"
	"sort"
	"strings"
	"testing"

	idb "github.com/cosmos/iavl/db"

	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/profile"
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
		h := make([]byte, profile.EmailHashLength)
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
			kv.Set(profile.EmailIndexKey(before, did), []byte{1})
		case 4:
			kv.Set(profile.EmailIndexKey(after, did), []byte{1})
			kv.Set(profile.EmailIndexKey(claimed, did), []byte{1})
			want = append(want, did)
		default:
			kv.Set(profile.EmailIndexKey(claimed, did), []byte{1})
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
		prefix := profile.EmailIndexPrefix(h)
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

	prefix := profile.EmailIndexPrefix(claimed)
	bad := []Entry{{Key: append(append([]byte(nil), prefix...), 3, 'a', 'b', 'c'), Value: []byte{1}}}
	if _, err := emailClaimants(prefix, bad); err == nil {
		t.Fatal("a key that does not end in a DID was accepted")
	}
}
