package did

import (
	"crypto/ed25519"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// TestVerificationKeyFollowsStoredBytes: the memory of decoded documents
// never answers for bytes other than the ones it decoded. A key revoked,
// rotated or added, a DID deactivated, and a document rewritten in a cache
// layer and then dropped, each give the answer the state they are read in
// gives, in whatever order the states are read.
func TestVerificationKeyFollowsStoredBytes(t *testing.T) {
	e := newTestEnv(t)
	did := DeriveDID(seedKey(1).Public().(ed25519.PublicKey))
	doc := &identityv1.DIDDocument{Did: did, Keys: []*identityv1.VerificationKey{
		{Id: "key-1", PublicKey: seedKey(1).Public().(ed25519.PublicKey), AddedHeight: 1},
		{Id: "key-2", PublicKey: seedKey(2).Public().(ed25519.PublicKey), AddedHeight: 1},
	}}
	if err := e.k.setDocument(e.ctx(1, ""), doc); err != nil {
		t.Fatal(err)
	}
	base := e.ctx(2, did)
	mustKey := func(ctx modules.Context, keyID string, seed byte) {
		t.Helper()
		pub, err := e.k.VerificationKey(ctx, did, keyID)
		if err != nil || string(pub) != string(seedKey(seed).Public().(ed25519.PublicKey)) {
			t.Fatalf("VerificationKey(%s) = %x, %v; want key of seed %d", keyID, pub, err, seed)
		}
	}
	mustErr := func(ctx modules.Context, keyID string, want error) {
		t.Helper()
		if _, err := e.k.VerificationKey(ctx, did, keyID); !errors.Is(err, want) {
			t.Fatalf("VerificationKey(%s) = %v, want %v", keyID, err, want)
		}
	}
	mustKey(base, "key-2", 2) // remembered now

	// A layer in which key-2 is revoked and key-3 added.
	layer := base.WithStore(store.NewCache(base.Store))
	changed := cloneDoc(doc)
	changed.Keys[1].RevokedHeight = 2
	changed.Keys = append(changed.Keys, &identityv1.VerificationKey{Id: "key-3", PublicKey: seedKey(3).Public().(ed25519.PublicKey), AddedHeight: 2})
	if err := e.k.setDocument(layer, changed); err != nil {
		t.Fatal(err)
	}
	mustErr(layer, "key-2", ErrKeyRevoked)
	mustKey(layer, "key-3", 3)
	// The state below the layer has not changed, in either order.
	mustKey(base, "key-2", 2)
	mustErr(base, "key-3", ErrUnknownKey)
	mustErr(layer, "key-2", ErrKeyRevoked)

	// Deactivated in a second layer, which is then dropped.
	deact := layer.WithStore(store.NewCache(layer.Store))
	gone := cloneDoc(changed)
	gone.DeactivatedHeight = 2
	if err := e.k.setDocument(deact, gone); err != nil {
		t.Fatal(err)
	}
	mustErr(deact, "key-1", ErrDIDDeactivated)
	mustKey(layer, "key-1", 1)
	mustKey(base, "key-1", 1)

	// An unknown DID and a document that does not decode are not
	// remembered as anything.
	other := DeriveDID(seedKey(7).Public().(ed25519.PublicKey))
	mustUnknown := func() {
		t.Helper()
		if _, err := e.k.VerificationKey(base, other, "key-1"); !errors.Is(err, ErrUnknownDID) {
			t.Fatalf("unknown DID: %v", err)
		}
	}
	mustUnknown()
	base.Store.Set(DocumentKey(other), []byte{0xff, 0xff})
	if _, err := e.k.VerificationKey(base, other, "key-1"); err == nil || errors.Is(err, ErrUnknownDID) {
		t.Fatalf("undecodable document: %v", err)
	}
	base.Store.Delete(DocumentKey(other))
	mustUnknown()
}

func cloneDoc(d *identityv1.DIDDocument) *identityv1.DIDDocument {
	bz, err := d.Marshal()
	if err != nil {
		panic(err)
	}
	out := new(identityv1.DIDDocument)
	if err := out.Unmarshal(bz); err != nil {
		panic(err)
	}
	return out
}

// TestVerificationKeyConcurrent: readers of different states share the
// memory (CheckTx beside FinalizeBlock); run with -race. Each goroutine
// reads its own layer, in which the signer has its own key-1, and must
// always get that key.
func TestVerificationKeyConcurrent(t *testing.T) {
	e := newTestEnv(t)
	did := DeriveDID(seedKey(1).Public().(ed25519.PublicKey))
	if err := e.k.setDocument(e.ctx(1, ""), &identityv1.DIDDocument{Did: did, Keys: []*identityv1.VerificationKey{
		{Id: "key-1", PublicKey: seedKey(1).Public().(ed25519.PublicKey), AddedHeight: 1},
	}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := byte(0); g < 4; g++ {
		layer := modules.NewContext("icn-test", 2, time.Unix(0, 0), store.NewCache(e.kv))
		want := seedKey(10 + g).Public().(ed25519.PublicKey)
		if err := e.k.setDocument(layer, &identityv1.DIDDocument{Did: did, Keys: []*identityv1.VerificationKey{
			{Id: "key-1", PublicKey: want, AddedHeight: 1},
		}}); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				pub, err := e.k.VerificationKey(layer, did, "key-1")
				if err != nil || string(pub) != string(want) {
					errs <- errors.New("a reader got another state's key")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestDocMemoKeepsOnlySmallDocuments: a document above DocMemoMaxBytes is
// answered from its stored bytes every time and never takes memo memory,
// so transactions that cost nothing (refused or dry-run ones fill the memo
// before their signature is checked) cannot pin large documents.
func TestDocMemoKeepsOnlySmallDocuments(t *testing.T) {
	e := newTestEnv(t)
	small := DeriveDID(seedKey(1).Public().(ed25519.PublicKey))
	large := DeriveDID(seedKey(2).Public().(ed25519.PublicKey))
	if err := e.k.setDocument(e.ctx(1, ""), &identityv1.DIDDocument{Did: small, Keys: []*identityv1.VerificationKey{
		{Id: "key-1", PublicKey: seedKey(1).Public().(ed25519.PublicKey), AddedHeight: 1},
	}}); err != nil {
		t.Fatal(err)
	}
	doc := &identityv1.DIDDocument{Did: large}
	for i := 0; i < 40; i++ {
		seed := byte(10 + i)
		doc.Keys = append(doc.Keys, &identityv1.VerificationKey{Id: "key-" + string(rune('a'+i%26)) + string(rune('a'+i/26)), PublicKey: seedKey(seed).Public().(ed25519.PublicKey), AddedHeight: 1})
	}
	if err := e.k.setDocument(e.ctx(1, ""), doc); err != nil {
		t.Fatal(err)
	}
	ctx := e.ctx(2, "")
	if n := len(ctx.Store.Get(DocumentKey(large))); n <= DocMemoMaxBytes {
		t.Fatalf("the large document is %d bytes, not above %d", n, DocMemoMaxBytes)
	}
	for _, did := range []string{small, large} {
		if _, err := e.k.VerificationKey(ctx, did, map[string]string{small: "key-1", large: "key-ab"}[did]); err != nil {
			t.Fatalf("%s: %v", did, err)
		}
	}
	if !e.k.docs.entries.Contains(small) {
		t.Error("the small document is not remembered")
	}
	if e.k.docs.entries.Contains(large) {
		t.Errorf("a document above %d bytes is remembered", DocMemoMaxBytes)
	}
	// And it is still answered, key by key.
	if pub, err := e.k.VerificationKey(ctx, large, "key-ab"); err != nil || string(pub) != string(seedKey(36).Public().(ed25519.PublicKey)) {
		t.Fatalf("key-ab of the large document: %x, %v", pub, err)
	}
}
