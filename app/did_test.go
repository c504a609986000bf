package app_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	didmod "github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

func addKeyMsg(did, keyID string, newKey ed25519.PrivateKey) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_AddKey{AddKey: &identityv1.MsgAddKey{
		Did: did, KeyId: keyID, PublicKey: newKey.Public().(ed25519.PublicKey),
		ProofOfPossession: ed25519.Sign(newKey, didmod.KeyPossessionBytes(testChainID, did, keyID)),
	}}}
}

func rotateKeyMsg(did, keyID, newKeyID string, newKey ed25519.PrivateKey) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_RotateKey{RotateKey: &identityv1.MsgRotateKey{
		Did: did, KeyId: keyID, NewKeyId: newKeyID, NewPublicKey: newKey.Public().(ed25519.PublicKey),
		ProofOfPossession: ed25519.Sign(newKey, didmod.KeyPossessionBytes(testChainID, did, newKeyID)),
	}}}
}

func revokeKeyMsg(did, keyID string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_RevokeKey{RevokeKey: &identityv1.MsgRevokeKey{Did: did, KeyId: keyID}}}
}

func deactivateMsg(did string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_DeactivateDid{DeactivateDid: &identityv1.MsgDeactivateDID{Did: did}}}
}

// TestDIDLifecycleCodes checks the exact result code of every bad input to
// the key lifecycle messages. Each case runs on a fresh chain where alice
// and bob are registered with key-1; setup commits blocks before the
// transaction under test, which goes into a block of its own.
func TestDIDLifecycleCodes(t *testing.T) {
	key2, key3 := newAccount(102).priv, newAccount(103).priv
	stranger := newAccount(99)
	upper := func(did string) string {
		return didmod.MethodPrefix + strings.ToUpper(did[len(didmod.MethodPrefix):])
	}
	// badPoP sets the proof of possession of an add_key message.
	badPoP := func(m *txv1.Msg, pop []byte) *txv1.Msg {
		m.GetAddKey().ProofOfPossession = pop
		return m
	}

	type env struct {
		a          *app.App
		alice, bob *account
	}
	commit := func(t *testing.T, e env, txs ...[]byte) {
		t.Helper()
		res, _ := block(t, e.a, txs...)
		for _, r := range res {
			wantCode(t, r, nil)
		}
	}
	cases := []struct {
		name  string
		setup func(t *testing.T, e env)
		tx    func(t *testing.T, e env) []byte
		want  *modules.Error
	}{
		{
			name: "unknown DID",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, addKeyMsg(stranger.did, "key-2", key2))
			},
			want: didmod.ErrUnknownDID,
		},
		{
			name: "upper-case DID",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, revokeKeyMsg(upper(e.alice.did), "key-1"))
			},
			want: didmod.ErrInvalidDID,
		},
		{
			name: "padded DID",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, deactivateMsg(e.alice.did+"="))
			},
			want: didmod.ErrInvalidDID,
		},
		{
			name: "non-canonical DID in a rotation",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, rotateKeyMsg(upper(e.alice.did), "key-1", "key-3", key3))
			},
			want: didmod.ErrInvalidDID,
		},
		{
			name: "wrong controller adds a key",
			tx: func(t *testing.T, e env) []byte {
				return e.bob.signTx(t, txOpts{}, addKeyMsg(e.alice.did, "key-2", key2))
			},
			want: didmod.ErrNotController,
		},
		{
			name: "wrong controller rotates",
			tx: func(t *testing.T, e env) []byte {
				return e.bob.signTx(t, txOpts{}, rotateKeyMsg(e.alice.did, "key-1", "key-3", key3))
			},
			want: didmod.ErrNotController,
		},
		{
			name: "wrong controller revokes",
			setup: func(t *testing.T, e env) {
				commit(t, e, e.alice.signTx(t, txOpts{}, addKeyMsg(e.alice.did, "key-2", key2)))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.bob.signTx(t, txOpts{}, revokeKeyMsg(e.alice.did, "key-2"))
			},
			want: didmod.ErrNotController,
		},
		{
			name: "wrong controller deactivates",
			tx: func(t *testing.T, e env) []byte {
				return e.bob.signTx(t, txOpts{}, deactivateMsg(e.alice.did))
			},
			want: didmod.ErrNotController,
		},
		{
			name: "second rotation of a revoked key",
			setup: func(t *testing.T, e env) {
				commit(t, e, e.alice.signTx(t, txOpts{}, rotateKeyMsg(e.alice.did, "key-1", "key-2", key2)))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{keyID: "key-2", signWith: key2}, rotateKeyMsg(e.alice.did, "key-1", "key-3", key3))
			},
			want: didmod.ErrKeyRevoked,
		},
		{
			name: "revoking a revoked key",
			setup: func(t *testing.T, e env) {
				commit(t, e, e.alice.signTx(t, txOpts{}, addKeyMsg(e.alice.did, "key-2", key2), addKeyMsg(e.alice.did, "key-3", key3)))
				commit(t, e, e.alice.signTx(t, txOpts{}, revokeKeyMsg(e.alice.did, "key-2")))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, revokeKeyMsg(e.alice.did, "key-2"))
			},
			want: didmod.ErrKeyRevoked,
		},
		{
			name: "signing with a rotated-out key",
			setup: func(t *testing.T, e env) {
				commit(t, e, e.alice.signTx(t, txOpts{}, rotateKeyMsg(e.alice.did, "key-1", "key-2", key2)))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "x"), "doc"))
			},
			want: app.ErrKeyRevoked,
		},
		{
			name: "signing with a revoked key",
			setup: func(t *testing.T, e env) {
				commit(t, e, e.alice.signTx(t, txOpts{}, addKeyMsg(e.alice.did, "key-2", key2)))
				commit(t, e, e.alice.signTx(t, txOpts{}, revokeKeyMsg(e.alice.did, "key-2")))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{keyID: "key-2", signWith: key2}, anchorMsg(testCID(t, "x"), "doc"))
			},
			want: app.ErrKeyRevoked,
		},
		{
			name: "signing as a deactivated DID",
			setup: func(t *testing.T, e env) {
				commit(t, e, e.alice.signTx(t, txOpts{}, deactivateMsg(e.alice.did)))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, anchorMsg(testCID(t, "x"), "doc"))
			},
			want: app.ErrSignerDeactivated,
		},
		{
			name: "changing a DID deactivated earlier in the transaction",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, deactivateMsg(e.alice.did), addKeyMsg(e.alice.did, "key-2", key2))
			},
			want: app.ErrSignerDeactivated, // every message after the first re-checks the signer
		},
		{
			name: "proof of possession by another key",
			tx: func(t *testing.T, e env) []byte {
				m := addKeyMsg(e.alice.did, "key-2", key2)
				return e.alice.signTx(t, txOpts{}, badPoP(m, ed25519.Sign(key3, didmod.KeyPossessionBytes(testChainID, e.alice.did, "key-2"))))
			},
			want: didmod.ErrBadProofOfPossession,
		},
		{
			name: "proof of possession for another key id",
			tx: func(t *testing.T, e env) []byte {
				m := addKeyMsg(e.alice.did, "key-2", key2)
				return e.alice.signTx(t, txOpts{}, badPoP(m, ed25519.Sign(key2, didmod.KeyPossessionBytes(testChainID, e.alice.did, "key-9"))))
			},
			want: didmod.ErrBadProofOfPossession,
		},
		{
			name: "proof of possession for another chain",
			tx: func(t *testing.T, e env) []byte {
				m := addKeyMsg(e.alice.did, "key-2", key2)
				return e.alice.signTx(t, txOpts{}, badPoP(m, ed25519.Sign(key2, didmod.KeyPossessionBytes("other-chain", e.alice.did, "key-2"))))
			},
			want: didmod.ErrBadProofOfPossession,
		},
		{
			name: "proof of possession of the wrong length",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, badPoP(addKeyMsg(e.alice.did, "key-2", key2), make([]byte, 63)))
			},
			want: didmod.ErrBadProofOfPossession,
		},
		{
			name: "proof of possession in a rotation by another key",
			tx: func(t *testing.T, e env) []byte {
				m := rotateKeyMsg(e.alice.did, "key-1", "key-2", key2)
				m.GetRotateKey().ProofOfPossession = ed25519.Sign(key3, didmod.KeyPossessionBytes(testChainID, e.alice.did, "key-2"))
				return e.alice.signTx(t, txOpts{}, m)
			},
			want: didmod.ErrBadProofOfPossession,
		},
		{
			name: "duplicate key id",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, addKeyMsg(e.alice.did, "key-1", key2))
			},
			want: didmod.ErrKeyIDTaken,
		},
		{
			name: "revoked key id reused",
			setup: func(t *testing.T, e env) {
				commit(t, e, e.alice.signTx(t, txOpts{}, rotateKeyMsg(e.alice.did, "key-1", "key-2", key2)))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{keyID: "key-2", signWith: key2}, addKeyMsg(e.alice.did, "key-1", key3))
			},
			want: didmod.ErrKeyIDTaken,
		},
		{
			name: "rotation to the same key id",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, rotateKeyMsg(e.alice.did, "key-1", "key-1", key2))
			},
			want: didmod.ErrKeyIDTaken,
		},
		{
			name: "rotated-out public key added back",
			setup: func(t *testing.T, e env) {
				commit(t, e, e.alice.signTx(t, txOpts{}, rotateKeyMsg(e.alice.did, "key-1", "key-2", key2)))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{keyID: "key-2", signWith: key2}, addKeyMsg(e.alice.did, "key-3", e.alice.priv))
			},
			want: didmod.ErrKeyReused,
		},
		{
			name: "revoking the last active key",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, revokeKeyMsg(e.alice.did, "key-1"))
			},
			want: didmod.ErrLastActiveKey,
		},
		{
			name: "revoking an unknown key",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, revokeKeyMsg(e.alice.did, "key-7"))
			},
			want: didmod.ErrUnknownKey,
		},
		{
			name: "rotating an unknown key",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, rotateKeyMsg(e.alice.did, "key-7", "key-2", key2))
			},
			want: didmod.ErrUnknownKey,
		},
		{
			name: "over-long key id",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, addKeyMsg(e.alice.did, strings.Repeat("k", didmod.MaxKeyIDLength+1), key2))
			},
			want: didmod.ErrInvalidKeyID,
		},
		{
			name: "over-long new key id in a rotation",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, rotateKeyMsg(e.alice.did, "key-1", strings.Repeat("k", didmod.MaxKeyIDLength+1), key2))
			},
			want: didmod.ErrInvalidKeyID,
		},
		{
			name: "malformed public key",
			tx: func(t *testing.T, e env) []byte {
				m := addKeyMsg(e.alice.did, "key-2", key2)
				m.GetAddKey().PublicKey = m.GetAddKey().PublicKey[:31]
				return e.alice.signTx(t, txOpts{}, m)
			},
			want: didmod.ErrInvalidPublicKey,
		},
		{
			name: "too many keys",
			setup: func(t *testing.T, e env) {
				var msgs []*txv1.Msg
				for i := 2; i <= didmod.MaxActiveKeysPerDocument; i++ {
					msgs = append(msgs, addKeyMsg(e.alice.did, fmt.Sprintf("key-%d", i), newAccount(byte(110+i)).priv))
				}
				commit(t, e, e.alice.signTx(t, txOpts{}, msgs...))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, addKeyMsg(e.alice.did, "key-x", key2))
			},
			want: didmod.ErrTooManyKeys,
		},
		{
			name: "a revoked key frees an active slot",
			setup: func(t *testing.T, e env) {
				var msgs []*txv1.Msg
				for i := 2; i <= didmod.MaxActiveKeysPerDocument; i++ {
					msgs = append(msgs, addKeyMsg(e.alice.did, fmt.Sprintf("key-%d", i), newAccount(byte(110+i)).priv))
				}
				commit(t, e, e.alice.signTx(t, txOpts{}, msgs...))
				commit(t, e, e.alice.signTx(t, txOpts{}, revokeKeyMsg(e.alice.did, "key-2")))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, addKeyMsg(e.alice.did, "key-x", key2))
			},
			want: nil,
		},
		{
			name: "the key history is bounded",
			setup: func(t *testing.T, e env) {
				// Rotate key-1 -> r2 -> r3 ... until the document has held
				// MaxKeysPerDocument keys, each rotation signed by the key
				// the previous one added.
				var txs [][]byte
				signWith, keyID := e.alice.priv, "key-1"
				for i := 2; i <= didmod.MaxKeysPerDocument; i++ {
					next := newAccount(byte(140 + i)).priv
					nextID := fmt.Sprintf("r%d", i)
					txs = append(txs, e.alice.signTx(t, txOpts{keyID: keyID, signWith: signWith}, rotateKeyMsg(e.alice.did, keyID, nextID, next)))
					signWith, keyID = next, nextID
				}
				commit(t, e, txs...)
				e.alice.priv = signWith
				e.alice.keyID = keyID
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{keyID: e.alice.keyID}, rotateKeyMsg(e.alice.did, e.alice.keyID, "last", key2))
			},
			want: didmod.ErrTooManyKeys,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			alice, bob := newAccount(1), newAccount(2)
			a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice, bob))
			e := env{a: a, alice: alice, bob: bob}
			if tc.setup != nil {
				tc.setup(t, e)
			}
			res, _ := block(t, a, tc.tx(t, e))
			wantCode(t, res[0], tc.want)
		})
	}
}

// TestReplayedRotation sends the exact bytes of a committed rotation again.
// Signed by a key that stays, the replay meets the sequence check (tx/24);
// signed by the key it rotated out, it meets that key's revocation first
// (tx/26). Either way it never runs twice.
func TestReplayedRotation(t *testing.T) {
	alice := newAccount(1)
	key2, key3, key4 := newAccount(102).priv, newAccount(103).priv, newAccount(104).priv
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	res, _ := block(t, a, alice.signTx(t, txOpts{}, addKeyMsg(alice.did, "key-2", key2)))
	wantCode(t, res[0], nil)

	byKey2 := alice.signTx(t, txOpts{keyID: "key-2", signWith: key2}, rotateKeyMsg(alice.did, "key-1", "key-3", key3))
	res, _ = block(t, a, byKey2)
	wantCode(t, res[0], nil)
	res, _ = block(t, a, byKey2)
	wantCode(t, res[0], app.ErrBadSequence)

	selfRotation := alice.signTx(t, txOpts{keyID: "key-3", signWith: key3}, rotateKeyMsg(alice.did, "key-3", "key-4", key4))
	res, _ = block(t, a, selfRotation)
	wantCode(t, res[0], nil)
	res, _ = block(t, a, selfRotation)
	wantCode(t, res[0], app.ErrKeyRevoked)
}

// TestDIDLifecycleScenario walks a DID through its life: register, add
// key-2, sign with key-2, rotate key-1 to key-3, see key-1 refused and still
// found by KeyAt before the rotation, deactivate, and see every key refused.
func TestDIDLifecycleScenario(t *testing.T) {
	// New accounts get capacity here, so that the DID registered below can
	// pay for its own changes.
	payer := newAccount(1)
	var g app.GenesisState
	if err := json.Unmarshal(genesisFor(t, 1_000_000, payer), &g); err != nil {
		t.Fatal(err)
	}
	g.Mana.Params.NewAccountCapacity, g.Mana.Params.NewAccountRate = 1_000_000, 1_000_000
	gen, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := newTestApp(t, gen)
	key1, key2, key3 := newAccount(21), newAccount(22).priv, newAccount(23).priv
	did := key1.did

	res, _ := block(t, a, payer.signTx(t, txOpts{}, registerMsg(testChainID, key1.priv)))
	wantCode(t, res[0], nil)
	// One block regenerates the new account to its capacity.
	block(t, a)

	res, _ = block(t, a, key1.signTx(t, txOpts{}, addKeyMsg(did, "key-2", key2)))
	wantCode(t, res[0], nil)

	// key-2 signs for the DID.
	res, _ = block(t, a, key1.signTx(t, txOpts{keyID: "key-2", signWith: key2}, anchorMsg(testCID(t, "by key-2"), "doc")))
	wantCode(t, res[0], nil)

	beforeRotation := a.LastCommit().Version
	res, _ = block(t, a, key1.signTx(t, txOpts{keyID: "key-2", signWith: key2}, rotateKeyMsg(did, "key-1", "key-3", key3)))
	wantCode(t, res[0], nil)
	rotatedAt := a.LastCommit().Version

	// key-1 is refused; key-3 signs.
	wantCode(t, a.CheckTx(key1.signTx(t, txOpts{seq: u64(key1.seq)}, anchorMsg(testCID(t, "by key-1"), "doc"))), app.ErrKeyRevoked)
	res, _ = block(t, a, key1.signTx(t, txOpts{keyID: "key-3", signWith: key3}, anchorMsg(testCID(t, "by key-3"), "doc")))
	wantCode(t, res[0], nil)

	// History: key-1 as of before the rotation, not at or after it.
	ctx := ctxAt(a)
	k := a.DID()
	doc, err := k.Document(ctx, did)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := didmod.KeyAt(doc, "key-1", beforeRotation)
	if err != nil || !bytes.Equal(pub, key1.pub()) {
		t.Fatalf("KeyAt(key-1, %d) = %x, %v; want key-1", beforeRotation, pub, err)
	}
	if _, err := didmod.KeyAt(doc, "key-1", rotatedAt); !errors.Is(err, didmod.ErrKeyRevoked) {
		t.Fatalf("KeyAt(key-1, %d) = %v, want ErrKeyRevoked", rotatedAt, err)
	}
	if _, err := didmod.KeyAt(doc, "key-3", beforeRotation); !errors.Is(err, didmod.ErrUnknownKey) {
		t.Fatalf("KeyAt(key-3, %d) = %v, want ErrUnknownKey", beforeRotation, err)
	}

	// The resolved document lists the active keys only.
	w3c := didmod.Resolve(doc)
	if got := strings.Join(w3c.Authentication, ","); got != did+"#key-2,"+did+"#key-3" {
		t.Fatalf("authentication = %s", got)
	}

	// Deactivate, signed with key-3; then every key is refused.
	res, _ = block(t, a, key1.signTx(t, txOpts{keyID: "key-3", signWith: key3}, deactivateMsg(did)))
	wantCode(t, res[0], nil)
	for _, kk := range []struct {
		id   string
		priv ed25519.PrivateKey
	}{{"key-1", key1.priv}, {"key-2", key2}, {"key-3", key3}} {
		tx := key1.signTx(t, txOpts{keyID: kk.id, signWith: kk.priv, seq: u64(key1.seq)}, anchorMsg(testCID(t, "after"), "doc"))
		wantCode(t, a.CheckTx(tx), app.ErrSignerDeactivated)
	}
	ctx = ctxAt(a)
	if ok, err := k.Controls(ctx, did, did); ok || err != nil {
		t.Fatalf("a deactivated DID controls itself: %v, %v", ok, err)
	}
	doc, _ = k.Document(ctx, did)
	rr := didmod.ResolveWithMetadata(doc, func(int64) (t time.Time, ok bool) { return })
	if len(rr.DIDDocument.VerificationMethod) != 0 || !rr.DIDDocumentMetadata.Deactivated ||
		rr.DIDDocumentMetadata.DeactivatedHeight != a.LastCommit().Version {
		t.Fatalf("resolution after deactivation: %+v", rr)
	}
}

// TestDIDLifecycleSurvivesExport restarts a chain from an export taken after
// key changes and a deactivation: the documents come back byte for byte,
// with their history, and the refusals hold on the new chain.
func TestDIDLifecycleSurvivesExport(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	key2, key3 := newAccount(102).priv, newAccount(103).priv
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice, bob))
	res, _ := block(t, a,
		alice.signTx(t, txOpts{}, addKeyMsg(alice.did, "key-2", key2)),
		bob.signTx(t, txOpts{}, deactivateMsg(bob.did)))
	wantCode(t, res[0], nil)
	wantCode(t, res[1], nil)
	res, _ = block(t, a, alice.signTx(t, txOpts{keyID: "key-2", signWith: key2}, rotateKeyMsg(alice.did, "key-1", "key-3", key3)))
	wantCode(t, res[0], nil)

	g, h, err := a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("exported genesis does not validate: %v", err)
	}
	b := restartFromExport(t, g, h)
	for _, did := range []string{alice.did, bob.did} {
		before, err1 := a.DID().Document(ctxAt(a), did)
		after, err2 := b.DID().Document(ctxAt(b), did)
		if err1 != nil || err2 != nil || !bytes.Equal(marshal(t, before), marshal(t, after)) {
			t.Fatalf("document of %s: before %+v (%v), after %+v (%v)", did, before, err1, after, err2)
		}
	}
	wantCode(t, b.CheckTx(alice.signTx(t, txOpts{seq: u64(alice.seq)}, anchorMsg(testCID(t, "k1"), "doc"))), app.ErrKeyRevoked)
	wantCode(t, b.CheckTx(bob.signTx(t, txOpts{seq: u64(bob.seq)}, anchorMsg(testCID(t, "b"), "doc"))), app.ErrSignerDeactivated)
	wantCode(t, b.CheckTx(alice.signTx(t, txOpts{keyID: "key-3", signWith: key3}, anchorMsg(testCID(t, "k3"), "doc"))), nil)
}
