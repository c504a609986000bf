package app_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/proto"
	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/credential"
	"github.com/intercooperative/icnd/modules"
	credmod "github.com/intercooperative/icnd/modules/credential"
	didmod "github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol"
)

func issueMsg(c []byte, issuer, subject, credType string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_IssueCredential{IssueCredential: &identityv1.MsgIssueCredential{
		Cid: c, Issuer: issuer, Subject: subject, CredentialType: credType,
	}}}
}

func revokeCredentialMsg(c []byte, issuer, reason string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_RevokeCredential{RevokeCredential: &identityv1.MsgRevokeCredential{Cid: c, Issuer: issuer, Reason: reason}}}
}

// wantDecodeCode checks that raw is refused before execution with want.
func wantDecodeCode(t *testing.T, raw []byte, want *modules.Error) {
	t.Helper()
	_, err := newDecoder(t).DecodeTx(raw)
	space, code := modules.ResultCode(err)
	if space != want.Codespace() || code != want.Code() {
		t.Fatalf("want %s/%d (%s), got %s/%d: %v", want.Codespace(), want.Code(), want, space, code, err)
	}
}

// rootFederationGenesis is genesisFor with a root federation founded (and
// so controlled) by founder; it returns the federation's DID too.
func rootFederationGenesis(t *testing.T, founder *account, accts ...*account) ([]byte, string) {
	t.Helper()
	g, err := app.ParseGenesis(genesisFor(t, 1_000_000, accts...))
	if err != nil {
		t.Fatal(err)
	}
	fed, err := g.Org.AddRootFederation("root", founder.did, testRootSeats)
	if err != nil {
		t.Fatal(err)
	}
	bz, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return bz, fed
}

// TestCredentialCodes checks the exact result code of every bad input to
// the credential messages. Each case runs on a fresh chain where alice,
// bob and carol are registered and alice founded the root federation;
// setup commits blocks before the transaction under test.
func TestCredentialCodes(t *testing.T) {
	c := testCID(t, "a credential")
	other := testCID(t, "another credential")
	stranger := newAccount(99)
	type env struct {
		a                 *app.App
		alice, bob, carol *account
		fed               string
	}
	commit := func(t *testing.T, e env, txs ...[]byte) {
		t.Helper()
		res, _ := block(t, e.a, txs...)
		for _, r := range res {
			wantCode(t, r, nil)
		}
	}
	issued := func(t *testing.T, e env) {
		commit(t, e, e.alice.signTx(t, txOpts{}, issueMsg(c, e.alice.did, e.bob.did, "MembershipCredential")))
	}
	cases := []struct {
		name  string
		setup func(t *testing.T, e env)
		tx    func(t *testing.T, e env) []byte
		want  *modules.Error
	}{
		{
			name: "credential anchored twice",
			setup: func(t *testing.T, e env) {
				issued(t, e)
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, issueMsg(c, e.alice.did, e.carol.did, "OtherCredential"))
			},
			want: credmod.ErrCredentialExists,
		},
		{
			name: "anchored again after revocation",
			setup: func(t *testing.T, e env) {
				issued(t, e)
				commit(t, e, e.alice.signTx(t, txOpts{}, revokeCredentialMsg(c, e.alice.did, "")))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, issueMsg(c, e.alice.did, e.bob.did, "MembershipCredential"))
			},
			want: credmod.ErrCredentialExists,
		},
		{
			name: "unknown subject",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, issueMsg(c, e.alice.did, stranger.did, "MembershipCredential"))
			},
			want: credmod.ErrUnknownSubject,
		},
		{
			name: "issued in another DID's name",
			tx: func(t *testing.T, e env) []byte {
				return e.bob.signTx(t, txOpts{}, issueMsg(c, e.alice.did, e.carol.did, "MembershipCredential"))
			},
			want: credmod.ErrNotIssuer,
		},
		{
			name: "issued for an organization by a non-controller",
			tx: func(t *testing.T, e env) []byte {
				return e.bob.signTx(t, txOpts{}, issueMsg(c, e.fed, e.carol.did, "MembershipCredential"))
			},
			want: credmod.ErrNotIssuer,
		},
		{
			name: "unknown issuer",
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, issueMsg(c, stranger.did, e.bob.did, "MembershipCredential"))
			},
			want: didmod.ErrUnknownDID,
		},
		{
			name: "revoke by non-issuer",
			setup: func(t *testing.T, e env) {
				issued(t, e)
			},
			tx: func(t *testing.T, e env) []byte {
				return e.carol.signTx(t, txOpts{}, revokeCredentialMsg(c, e.alice.did, "not mine to revoke"))
			},
			want: credmod.ErrNotIssuer,
		},
		{
			name: "revoke by the subject",
			setup: func(t *testing.T, e env) {
				issued(t, e)
			},
			tx: func(t *testing.T, e env) []byte {
				return e.bob.signTx(t, txOpts{}, revokeCredentialMsg(c, e.alice.did, ""))
			},
			want: credmod.ErrNotIssuer,
		},
		{
			name: "revoke twice",
			setup: func(t *testing.T, e env) {
				issued(t, e)
				commit(t, e, e.alice.signTx(t, txOpts{}, revokeCredentialMsg(c, e.alice.did, "first")))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, revokeCredentialMsg(c, e.alice.did, "second"))
			},
			want: credmod.ErrCredentialRevoked,
		},
		{
			name: "revoke an unknown credential",
			setup: func(t *testing.T, e env) {
				issued(t, e)
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, revokeCredentialMsg(other, e.alice.did, ""))
			},
			want: credmod.ErrUnknownCredential,
		},
		{
			name: "revoke under an issuer that did not anchor the credential",
			setup: func(t *testing.T, e env) {
				issued(t, e)
			},
			tx: func(t *testing.T, e env) []byte {
				return e.carol.signTx(t, txOpts{}, revokeCredentialMsg(c, e.carol.did, ""))
			},
			want: credmod.ErrUnknownCredential,
		},
		{
			name: "deactivated subject",
			setup: func(t *testing.T, e env) {
				commit(t, e, e.carol.signTx(t, txOpts{}, deactivateMsg(e.carol.did)))
			},
			tx: func(t *testing.T, e env) []byte {
				return e.alice.signTx(t, txOpts{}, issueMsg(c, e.alice.did, e.carol.did, "MembershipCredential"))
			},
			want: didmod.ErrDIDDeactivated,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			alice, bob, carol := newAccount(1), newAccount(2), newAccount(3)
			genesis, fed := rootFederationGenesis(t, alice, alice, bob, carol)
			a, _ := newTestApp(t, genesis)
			e := env{a: a, alice: alice, bob: bob, carol: carol, fed: fed}
			if tc.setup != nil {
				tc.setup(t, e)
			}
			res, _ := block(t, a, tc.tx(t, e))
			wantCode(t, res[0], tc.want)
		})
	}
}

// TestCredentialDecodeCodes checks the exact code of every credential
// message refused before execution: bad CIDs, non-canonical or over-long
// DIDs, bad types, over-long reasons.
func TestCredentialDecodeCodes(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	c := testCID(t, "a credential")
	dagCBOR, err := cid.V1Builder{Codec: cid.DagCBOR, MhType: 0x12}.Sum([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	upper := didmod.MethodPrefix + strings.ToUpper(bob.did[len(didmod.MethodPrefix):])
	cases := []struct {
		name string
		msg  *txv1.Msg
		want *modules.Error
	}{
		{"empty cid", issueMsg(nil, alice.did, bob.did, "T"), credmod.ErrInvalidCredentialCID},
		{"dag-cbor cid", issueMsg(dagCBOR.Bytes(), alice.did, bob.did, "T"), credmod.ErrInvalidCredentialCID},
		{"cid as a string", issueMsg([]byte(cid.MustParse(c).String()), alice.did, bob.did, "T"), credmod.ErrInvalidCredentialCID},
		{"non-canonical subject", issueMsg(c, alice.did, upper, "T"), didmod.ErrInvalidDID},
		{"over-long subject", issueMsg(c, alice.did, bob.did+strings.Repeat("x", 1000), "T"), didmod.ErrInvalidDID},
		{"over-long issuer", issueMsg(c, alice.did+strings.Repeat("x", 1000), bob.did, "T"), didmod.ErrInvalidDID},
		{"empty type", issueMsg(c, alice.did, bob.did, ""), credmod.ErrInvalidCredentialType},
		{"over-long type", issueMsg(c, alice.did, bob.did, strings.Repeat("T", credmod.MaxCredentialTypeLength+1)), credmod.ErrInvalidCredentialType},
		{"base type", issueMsg(c, alice.did, bob.did, "VerifiableCredential"), credmod.ErrInvalidCredentialType},
		{"revoke with a bad cid", revokeCredentialMsg(c[:5], alice.did, ""), credmod.ErrInvalidCredentialCID},
		{"revoke without an issuer", revokeCredentialMsg(c, "", ""), didmod.ErrInvalidDID},
		{"revoke with a non-canonical issuer", revokeCredentialMsg(c, upper, ""), didmod.ErrInvalidDID},
		{"over-long reason", revokeCredentialMsg(c, alice.did, strings.Repeat("r", credmod.MaxRevocationReasonLength+1)), credmod.ErrInvalidRevocationReason},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantDecodeCode(t, alice.signTx(t, txOpts{seq: u64(0)}, tc.msg), tc.want)
		})
	}
}

// TestCredentialRecords follows a credential's record through issuance
// and revocation, by the founder of an organization acting for it, and
// checks the events.
func TestCredentialRecords(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	genesis, fed := rootFederationGenesis(t, alice, alice, bob)
	a, _ := newTestApp(t, genesis)
	c := testCID(t, "membership of bob")

	res, _ := block(t, a, alice.signTx(t, txOpts{}, issueMsg(c, fed, bob.did, "MembershipCredential")))
	wantCode(t, res[0], nil)
	issuedAt := a.LastCommit().Version
	if got := eventTypes(res[0].Events); !strings.Contains(got, "icn.credential.credential_issued") {
		t.Fatalf("events: %s", got)
	}
	rec, err := a.Credential().Credential(ctxAt(a), fed, c)
	if err != nil {
		t.Fatal(err)
	}
	want := &identityv1.CredentialStatus{Cid: c, Issuer: fed, Subject: bob.did, CredentialType: "MembershipCredential", IssuedHeight: issuedAt, IssuedBy: alice.did}
	if !proto.Equal(rec, want) {
		t.Fatalf("record = %v, want %v", rec, want)
	}

	res, _ = block(t, a, alice.signTx(t, txOpts{}, revokeCredentialMsg(c, fed, "left the federation")))
	wantCode(t, res[0], nil)
	rec, err = a.Credential().Credential(ctxAt(a), fed, c)
	if err != nil {
		t.Fatal(err)
	}
	if rec.RevokedHeight != a.LastCommit().Version || rec.RevokedBy != alice.did || rec.Reason != "left the federation" {
		t.Fatalf("revoked record = %v", rec)
	}
	var revoked *modules.Event
	for i := range res[0].Events {
		if res[0].Events[i].Type == "icn.credential.credential_revoked" {
			revoked = &res[0].Events[i]
		}
	}
	if revoked == nil || revoked.Attributes[0].Value != cid.MustParse(c).String() || !revoked.Attributes[0].Index {
		t.Fatalf("credential_revoked event: %+v", revoked)
	}
}

// appChain gives credential.Verify the app's committed state, read as the
// RPC query path reads it.
type appChain struct{ a *app.App }

func (c appChain) get(key []byte, height int64) (*client.QueryResult, error) {
	r := c.a.Query(protocol.QueryPathStore, key, height, false)
	if r.Code != 0 {
		return nil, fmt.Errorf("query %s/%d: %s", r.Codespace, r.Code, r.Log)
	}
	return &client.QueryResult{Key: key, Value: r.Value, Height: r.Height}, nil
}

func (c appChain) DIDDocument(_ context.Context, did string, height int64) (*identityv1.DIDDocument, *client.QueryResult, error) {
	res, err := c.get(didmod.DocumentKey(did), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: %s", client.ErrNotFound, did)
	}
	doc := new(identityv1.DIDDocument)
	return doc, res, doc.Unmarshal(res.Value)
}

func (c appChain) CredentialStatus(_ context.Context, issuer string, id cid.Cid, height int64) (*identityv1.CredentialStatus, *client.QueryResult, error) {
	res, err := c.get(credmod.CredentialKey(issuer, id.Bytes()), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: %s", client.ErrNotFound, id)
	}
	rec := new(identityv1.CredentialStatus)
	return rec, res, rec.Unmarshal(res.Value)
}

// signedCredential builds a credential about subject issued by issuer at
// the app's last committed height and signs it with priv as
// vmDID#keyID. It returns the file bytes.
func signedCredential(t *testing.T, a *app.App, issuer, subject string, claims map[string]string, vm string, priv ed25519.PrivateKey) []byte {
	t.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c, err := credential.New(issuer, subject, credential.MembershipType, claims, a.LastCommit().Version, now)
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := credential.Sign(c, vm, now, func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil })
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// anchor issues the credential raw on chain, signed by signer for issuer.
func anchor(t *testing.T, a *app.App, signer *account, o txOpts, raw []byte) *credential.Document {
	t.Helper()
	d, err := credential.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := block(t, a, signer.signTx(t, o, issueMsg(d.CID.Bytes(), d.Issuer, d.Subject, d.Type)))
	wantCode(t, res[0], nil)
	return d
}

// verdict runs Verify and renders which checks passed: "signature=ok
// issuer key=FAIL status=ok".
func verdict(t *testing.T, a *app.App, raw []byte) string {
	t.Helper()
	d, err := credential.Parse(raw)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	r, err := credential.Verify(context.Background(), d, appChain{a}, 0)
	if err != nil {
		t.Fatal(err)
	}
	parts := make([]string, len(r.Checks))
	for i, c := range r.Checks {
		state := "ok"
		if !c.OK {
			state = "FAIL"
		}
		parts[i] = c.Name + "=" + state
	}
	return strings.Join(parts, " ")
}

// TestVerifyCredential issues credentials through the app and verifies
// them as `icnd credential verify` does: a good one passes all three
// checks; a revoked, tampered, forged or wrongly attributed one fails the
// check that names the fault.
func TestVerifyCredential(t *testing.T) {
	alice, bob, carol := newAccount(1), newAccount(2), newAccount(3)
	genesis, fed := rootFederationGenesis(t, alice, alice, bob, carol)
	a, _ := newTestApp(t, genesis)
	block(t, a)
	aliceVM := alice.did + "#key-1"
	claims := map[string]string{credential.ClaimOrganization: fed, credential.ClaimRole: "member"}

	good := signedCredential(t, a, fed, bob.did, claims, aliceVM, alice.priv)
	anchor(t, a, alice, txOpts{}, good)
	const allOK = "signature=ok issuer key=ok status=ok"
	if got := verdict(t, a, good); got != allOK {
		t.Fatalf("good credential: %s", got)
	}

	t.Run("tampered claim", func(t *testing.T) {
		tampered := []byte(strings.Replace(string(good), `"role": "member"`, `"role": "founder"`, 1))
		if string(tampered) == string(good) {
			t.Fatal("the claim was not found to tamper with")
		}
		// The CID changes with the content, so the tampered credential is
		// not the anchored one, and nothing shows that alice acted for the
		// federation when it was signed.
		if got := verdict(t, a, tampered); got != "signature=FAIL issuer key=FAIL status=FAIL" {
			t.Fatalf("tampered credential: %s", got)
		}
	})
	t.Run("signature by another key", func(t *testing.T) {
		forged := signedCredential(t, a, fed, bob.did, claims, aliceVM, carol.priv)
		anchor(t, a, alice, txOpts{}, forged)
		if got := verdict(t, a, forged); got != "signature=FAIL issuer key=ok status=ok" {
			t.Fatalf("credential signed by another key: %s", got)
		}
	})
	t.Run("wrong issuer", func(t *testing.T) {
		// Carol signs with her own key a credential that names alice as
		// its issuer; alice anchors it, but carol's key is not alice's.
		forged := signedCredential(t, a, alice.did, bob.did, nil, carol.did+"#key-1", carol.priv)
		anchor(t, a, alice, txOpts{}, forged)
		if got := verdict(t, a, forged); got != "signature=ok issuer key=FAIL status=ok" {
			t.Fatalf("credential with a wrong issuer: %s", got)
		}
	})
	t.Run("not anchored", func(t *testing.T) {
		unanchored := signedCredential(t, a, alice.did, bob.did, nil, aliceVM, alice.priv)
		if got := verdict(t, a, unanchored); got != "signature=ok issuer key=ok status=FAIL" {
			t.Fatalf("unanchored credential: %s", got)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		d, err := credential.Parse(good)
		if err != nil {
			t.Fatal(err)
		}
		res, _ := block(t, a, alice.signTx(t, txOpts{}, revokeCredentialMsg(d.CID.Bytes(), d.Issuer, "left")))
		wantCode(t, res[0], nil)
		if got := verdict(t, a, good); got != "signature=ok issuer key=ok status=FAIL" {
			t.Fatalf("revoked credential: %s", got)
		}
	})
	t.Run("issuer key rotated after issuance", func(t *testing.T) {
		// Bob issues with key-1 and then rotates it out: the credential
		// stays valid, because key-1 was bob's at the issuance height, and
		// so does one signed before the rotation and anchored after it
		// with key-2. One signed with key-1 after the rotation fails. (A
		// thief of key-1 could sign claiming an earlier height, but could
		// not anchor: that takes a current key of bob's.)
		early := signedCredential(t, a, bob.did, carol.did, nil, bob.did+"#key-1", bob.priv)
		anchor(t, a, bob, txOpts{}, early)
		backdated := signedCredential(t, a, bob.did, carol.did, map[string]string{"n": "2"}, bob.did+"#key-1", bob.priv)
		key2 := newAccount(202).priv
		res, _ := block(t, a, bob.signTx(t, txOpts{}, rotateKeyMsg(bob.did, "key-1", "key-2", key2)))
		wantCode(t, res[0], nil)
		if got := verdict(t, a, early); got != allOK {
			t.Fatalf("credential issued before the rotation: %s", got)
		}
		late := signedCredential(t, a, bob.did, carol.did, map[string]string{"n": "3"}, bob.did+"#key-1", bob.priv)
		anchor(t, a, bob, txOpts{keyID: "key-2", signWith: key2}, late)
		if got := verdict(t, a, late); got != "signature=ok issuer key=FAIL status=ok" {
			t.Fatalf("credential signed with a rotated-out key: %s", got)
		}
		anchor(t, a, bob, txOpts{keyID: "key-2", signWith: key2}, backdated)
		if got := verdict(t, a, backdated); got != allOK {
			t.Fatalf("credential signed before the rotation, anchored after it: %s", got)
		}
	})
}

// TestCredentialFrontRunning plays a squatter who copies alice's pending
// issuance from the mempool and gets the same CID anchored first, in the
// same block, with herself as issuer. Records are keyed by issuer and CID,
// so alice's issuance still succeeds, verification reads alice's record
// and passes, and the squatter can neither revoke alice's record nor, by
// revoking her own, touch it.
func TestCredentialFrontRunning(t *testing.T) {
	alice, bob, mallory := newAccount(1), newAccount(2), newAccount(3)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice, bob, mallory))
	block(t, a)
	good := signedCredential(t, a, alice.did, bob.did, nil, alice.did+"#key-1", alice.priv)
	d, err := credential.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	c := d.CID.Bytes()

	res, _ := block(t, a,
		mallory.signTx(t, txOpts{}, issueMsg(c, mallory.did, d.Subject, d.Type)),
		alice.signTx(t, txOpts{}, issueMsg(c, alice.did, d.Subject, d.Type)),
	)
	wantCode(t, res[0], nil)
	wantCode(t, res[1], nil)
	for _, issuer := range []string{alice.did, mallory.did} {
		rec, err := a.Credential().Credential(ctxAt(a), issuer, c)
		if err != nil || rec.Issuer != issuer || rec.IssuedBy != issuer {
			t.Fatalf("record under issuer %s: %v, %v", issuer, rec, err)
		}
	}
	const allOK = "signature=ok issuer key=ok status=ok"
	if got := verdict(t, a, good); got != allOK {
		t.Fatalf("alice's credential after the squatter anchored its CID: %s", got)
	}
	r, err := credential.Verify(context.Background(), d, appChain{a}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status == nil || r.Status.Issuer != alice.did || r.Status.IssuedBy != alice.did {
		t.Fatalf("Verify read the status record %+v, want alice's", r.Status)
	}

	res, _ = block(t, a, mallory.signTx(t, txOpts{}, revokeCredentialMsg(c, alice.did, "squatted")))
	wantCode(t, res[0], credmod.ErrNotIssuer)
	res, _ = block(t, a, mallory.signTx(t, txOpts{}, revokeCredentialMsg(c, mallory.did, "squatted")))
	wantCode(t, res[0], nil)
	if got := verdict(t, a, good); got != allOK {
		t.Fatalf("alice's credential after the squatter revoked her own record: %s", got)
	}
}
