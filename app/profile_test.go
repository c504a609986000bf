package app_test

import (
	"bytes"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client/profile"
	"github.com/intercooperative/icnd/modules"
	profilemod "github.com/intercooperative/icnd/modules/profile"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

func setProfileMsg(t *testing.T, did, password string, fields []profile.Field, emailHash []byte) *txv1.Msg {
	t.Helper()
	m, err := profile.Seal(did, password, fields, emailHash)
	if err != nil {
		t.Fatal(err)
	}
	return profile.SetProfileMsg(m)
}

// sealedShapeProfileMsg is a set_profile message of the right shape whose
// bytes are zeros: what the chain sees is the same, without the cost of
// Argon2id (for fuzz seeds).
func sealedShapeProfileMsg() *txv1.Msg {
	return profile.SetProfileMsg(&identityv1.MsgSetProfile{
		Salt:      make([]byte, profilemod.ProfileSaltLength),
		EmailHash: make([]byte, profilemod.EmailHashLength),
		Fields: []*identityv1.ProfileField{
			{Name: "name", Nonce: make([]byte, profilemod.ProfileNonceLength), Ciphertext: make([]byte, 40)},
		},
	})
}

// emailClaimants lists the DIDs whose profiles claim the email hash h in
// the committed state of a, in DID order.
func emailClaimants(t *testing.T, a *app.App, h []byte) []string {
	t.Helper()
	dids, more, err := a.Profile().DIDsByEmail(ctxAt(a), h, 100)
	if err != nil || more {
		t.Fatalf("DIDsByEmail: %v (more %v)", err, more)
	}
	return dids
}

func emailHash(t *testing.T, email string) []byte {
	t.Helper()
	h, err := profile.EmailHash(testChainID, email)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestProfileHoldsNoPlaintext sets a profile with distinctive values
// through the whole pipeline and then looks for every plaintext (and the
// email, as typed and normalized) in the transaction bytes, every event
// attribute, and every key and value of the committed tree. It also checks
// that the profile does hold the values, for the right password.
func TestProfileHoldsNoPlaintext(t *testing.T) {
	alice := newAccount(1)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	const email = "Zyxwv.Quokka@Plaintext-Probe.example"
	fields := []profile.Field{
		{Name: "name", Value: "Qwertina Plaintextova"},
		{Name: "city", Value: "Xylophonopolis"},
		{Name: "phone", Value: "+1-555-0199-7733"},
		{Name: profile.EmailField, Value: email},
	}
	normalized, err := profile.NormalizeEmail(email)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{normalized, email}
	for _, f := range fields {
		secrets = append(secrets, f.Value)
	}
	// Sealing shorter runs of a value could still leak it; look for the
	// distinctive words on their own too.
	secrets = append(secrets, "Qwertina", "Plaintextova", "Xylophonopolis", "555-0199", "Quokka")

	tx := alice.signTx(t, txOpts{}, setProfileMsg(t, alice.did, "pa55word", fields, emailHash(t, email)))
	res, _ := block(t, a, tx)
	wantCode(t, res[0], nil)

	leaks := func(where string, b []byte) {
		t.Helper()
		lower := bytes.ToLower(b)
		for _, s := range secrets {
			if bytes.Contains(lower, bytes.ToLower([]byte(s))) {
				t.Errorf("%s holds %q", where, s)
			}
		}
	}
	leaks("the transaction", tx)
	if len(res[0].Events) == 0 {
		t.Fatal("no events to inspect")
	}
	for _, e := range res[0].Events {
		leaks("event type "+e.Type, []byte(e.Type))
		for _, attr := range e.Attributes {
			leaks("event "+e.Type+" attribute "+attr.Key, []byte(attr.Key+"="+attr.Value))
		}
	}
	state, err := a.CommittedState(a.LastCommit().Version)
	if err != nil {
		t.Fatal(err)
	}
	it := state.Iterator(nil, nil)
	defer it.Close()
	entries, profiles := 0, 0
	for ; it.Valid(); it.Next() {
		entries++
		if bytes.HasPrefix(it.Key(), profilemod.ProfileKey(alice.did)) {
			profiles++
		}
		leaks("state key "+string(it.Key()), it.Key())
		leaks("the state value under "+string(it.Key()), it.Value())
	}
	if profiles != 1 || entries < 5 {
		t.Fatalf("scanned %d entries, %d profiles: the scan missed the state", entries, profiles)
	}

	stored, err := a.Profile().Profile(ctxAt(a), alice.did)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := profile.Open(stored, "pa55word")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range fields {
		found := false
		for _, got := range opened {
			found = found || got == want
		}
		if !found {
			t.Errorf("decrypted profile %v lacks %v", opened, want)
		}
	}
	if _, err := profile.Open(stored, "pa55w0rd"); !errors.Is(err, profile.ErrWrongPassword) {
		t.Fatalf("wrong password: got %v", err)
	}
	if dids := emailClaimants(t, a, emailHash(t, " zyxwv.quokka@plaintext-probe.EXAMPLE")); len(dids) != 1 || dids[0] != alice.did {
		t.Fatalf("email lookup = %q", dids)
	}
}

// TestProfileCodes checks the exact code of every bad profile input, those
// refused before execution and those refused by state.
func TestProfileCodes(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	salt := make([]byte, profilemod.ProfileSaltLength)
	field := func(name string, nonce, ciphertext int) *identityv1.ProfileField {
		return &identityv1.ProfileField{Name: name, Nonce: make([]byte, nonce), Ciphertext: make([]byte, ciphertext)}
	}
	raw := func(email []byte, fields ...*identityv1.ProfileField) *txv1.Msg {
		return profile.SetProfileMsg(&identityv1.MsgSetProfile{Salt: salt, EmailHash: email, Fields: fields})
	}
	tooMany := make([]*identityv1.ProfileField, profilemod.MaxProfileFields+1)
	for i := range tooMany {
		tooMany[i] = field("f"+strings.Repeat("x", i), profilemod.ProfileNonceLength, 20)
	}
	decode := []struct {
		name string
		msg  *txv1.Msg
		want *modules.Error
	}{
		{"too many profile fields", raw(nil, tooMany...), profilemod.ErrTooManyProfileFields},
		{"oversized ciphertext", raw(nil, field("bio", profilemod.ProfileNonceLength, profilemod.MaxProfileCiphertextLength+1)), profilemod.ErrInvalidCiphertext},
		{"bad nonce length", raw(nil, field("bio", 16, 20)), profilemod.ErrInvalidNonce},
		{"over-long field name", raw(nil, field(strings.Repeat("n", profilemod.MaxProfileFieldNameLength+1), profilemod.ProfileNonceLength, 20)), profilemod.ErrInvalidProfileField},
		{"duplicate field", raw(nil, field("bio", profilemod.ProfileNonceLength, 20), field("bio", profilemod.ProfileNonceLength, 20)), profilemod.ErrInvalidProfileField},
		{"short email hash", raw(make([]byte, 20), field("bio", profilemod.ProfileNonceLength, 20)), profilemod.ErrInvalidEmailHash},
		{"bad salt", profile.SetProfileMsg(&identityv1.MsgSetProfile{Salt: salt[:4], Fields: []*identityv1.ProfileField{field("bio", 12, 20)}}), profilemod.ErrInvalidProfileSalt},
		{"empty profile", raw(nil), profilemod.ErrEmptyProfile},
	}
	for _, tc := range decode {
		t.Run(tc.name, func(t *testing.T) {
			wantDecodeCode(t, alice.signTx(t, txOpts{seq: u64(0)}, tc.msg), tc.want)
		})
	}

	// Execution refuses only erasing what is not there: an email hash
	// another DID claims is no reason to refuse (profile/56, ErrEmailTaken,
	// is no longer returned; TestEmailClaimCannotLockOutOwner).
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice, bob))
	claimed := make([]byte, profilemod.EmailHashLength)
	claimed[0] = 1
	res, _ := block(t, a,
		bob.signTx(t, txOpts{}, profile.EraseProfileMsg()),
		alice.signTx(t, txOpts{}, raw(claimed, field("bio", profilemod.ProfileNonceLength, 20))),
		bob.signTx(t, txOpts{}, raw(claimed)),
	)
	wantCode(t, res[0], profilemod.ErrNoProfile)
	wantCode(t, res[1], nil)
	wantCode(t, res[2], nil)
}

// TestEmailClaimCannotLockOutOwner replays the attack the unique index
// allowed: mallory, who can compute the hash of alice's address as anyone
// can, claims it in a profile before alice sets hers. Alice still sets her
// profile with that hash; the lookup lists both claimants, in DID order,
// for the reader to judge; when alice erases her profile only mallory's
// claim remains.
func TestEmailClaimCannotLockOutOwner(t *testing.T) {
	alice, mallory := newAccount(1), newAccount(66)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice, mallory))
	h := emailHash(t, "alice@example.org")

	res, _ := block(t, a, mallory.signTx(t, txOpts{}, setProfileMsg(t, mallory.did, "mallory", []profile.Field{{Name: "name", Value: "Alice"}}, h)))
	wantCode(t, res[0], nil)
	if got := emailClaimants(t, a, h); len(got) != 1 || got[0] != mallory.did {
		t.Fatalf("after mallory's claim: %q", got)
	}
	res, _ = block(t, a, alice.signTx(t, txOpts{}, setProfileMsg(t, alice.did, "alice", []profile.Field{{Name: "name", Value: "Alice"}}, h)))
	wantCode(t, res[0], nil)

	want := []string{alice.did, mallory.did}
	sort.Strings(want)
	if got := emailClaimants(t, a, h); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("both claims: got %q, want %q", got, want)
	}

	res, _ = block(t, a, alice.signTx(t, txOpts{}, profile.EraseProfileMsg()))
	wantCode(t, res[0], nil)
	if got := emailClaimants(t, a, h); len(got) != 1 || got[0] != mallory.did {
		t.Fatalf("after alice erased: %q, want only %s", got, mallory.did)
	}
}

// TestProfileReplaceAndErase replaces a profile (its email index entry
// moves with it), erases it (profile and index entry leave the current
// state) and shows what erasure does not do: the state of earlier heights
// still holds the profile.
func TestProfileReplaceAndErase(t *testing.T) {
	alice := newAccount(1)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice))
	first, second := emailHash(t, "first@example.org"), emailHash(t, "second@example.org")
	res, _ := block(t, a, alice.signTx(t, txOpts{}, setProfileMsg(t, alice.did, "pw", []profile.Field{{Name: "city", Value: "A"}}, first)))
	wantCode(t, res[0], nil)
	res, _ = block(t, a, alice.signTx(t, txOpts{}, setProfileMsg(t, alice.did, "pw", []profile.Field{{Name: "city", Value: "B"}}, second)))
	wantCode(t, res[0], nil)
	setAt := a.LastCommit().Version
	ctx := ctxAt(a)
	if dids := emailClaimants(t, a, first); len(dids) != 0 {
		t.Fatalf("the old email hash is still indexed: %q", dids)
	}
	if dids := emailClaimants(t, a, second); len(dids) != 1 || dids[0] != alice.did {
		t.Fatalf("new email hash: %q", dids)
	}
	p, err := a.Profile().Profile(ctx, alice.did)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := profile.Open(p, "pw"); err != nil || len(got) != 1 || got[0].Value != "B" {
		t.Fatalf("replaced profile opens to %v, %v", got, err)
	}

	res, _ = block(t, a, alice.signTx(t, txOpts{}, profile.EraseProfileMsg()))
	wantCode(t, res[0], nil)
	if got := eventTypes(res[0].Events); !strings.Contains(got, "icn.profile.profile_erased") {
		t.Fatalf("events: %s", got)
	}
	ctx = ctxAt(a)
	if _, err := a.Profile().Profile(ctx, alice.did); !errors.Is(err, profilemod.ErrNoProfile) {
		t.Fatalf("erased profile: %v", err)
	}
	if dids := emailClaimants(t, a, second); len(dids) != 0 {
		t.Fatalf("the erased profile's email hash is still indexed: %q", dids)
	}
	old, err := a.CommittedState(setAt)
	if err != nil {
		t.Fatal(err)
	}
	if old.Get(profilemod.ProfileKey(alice.did)) == nil {
		t.Fatal("the state at an earlier height lost the profile; docs/profiles.md says history keeps it")
	}
}

// TestCredentialsAndProfilesSurviveExport restarts a chain from its
// exported genesis: credential records, profiles and the rebuilt email
// index, with both DIDs that claim one email hash, are all there.
func TestCredentialsAndProfilesSurviveExport(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	genesis, fed := rootFederationGenesis(t, alice, alice, bob)
	a, _ := newTestApp(t, genesis)
	c := testCID(t, "exported credential")
	email := emailHash(t, "bob@example.org")
	res, _ := block(t, a,
		alice.signTx(t, txOpts{}, issueMsg(c, fed, bob.did, "MembershipCredential")),
		bob.signTx(t, txOpts{}, setProfileMsg(t, bob.did, "pw", []profile.Field{{Name: "name", Value: "Bob"}}, email)),
		alice.signTx(t, txOpts{}, setProfileMsg(t, alice.did, "pw", []profile.Field{{Name: "name", Value: "Alice"}}, email)),
	)
	wantCode(t, res[0], nil)
	wantCode(t, res[1], nil)
	wantCode(t, res[2], nil)
	res, _ = block(t, a, alice.signTx(t, txOpts{}, revokeCredentialMsg(c, fed, "exported while revoked")))
	wantCode(t, res[0], nil)
	g, h, err := a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Credential.Credentials) != 1 || len(g.Profile.Profiles) != 2 {
		t.Fatalf("exported %d credentials, %d profiles", len(g.Credential.Credentials), len(g.Profile.Profiles))
	}
	b := restartFromExport(t, g, h)
	ctx := ctxAt(b)
	claimants := []string{alice.did, bob.did}
	sort.Strings(claimants)
	if got := emailClaimants(t, b, email); strings.Join(got, " ") != strings.Join(claimants, " ") {
		t.Fatalf("email index after restart: %q, want %q", got, claimants)
	}
	rec, err := b.Credential().Credential(ctx, fed, c)
	if err != nil || rec.RevokedBy != alice.did || rec.IssuedBy != alice.did || rec.Issuer != fed {
		t.Fatalf("credential after restart: %v, %v", rec, err)
	}
	p, err := b.Profile().Profile(ctx, bob.did)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := profile.Open(p, "pw"); err != nil || got[0].Value != "Bob" {
		t.Fatalf("profile after restart opens to %v, %v", got, err)
	}

	// A genesis whose credential names an unknown DID, or that lists a DID's
	// profile twice, is refused.
	stranger := newAccount(99)
	bad := g
	bad.Credential.Credentials = append([]*identityv1.CredentialStatus(nil), g.Credential.Credentials...)
	bad.Credential.Credentials[0] = &identityv1.CredentialStatus{Cid: c, Issuer: stranger.did, Subject: bob.did, CredentialType: "T", IssuedBy: alice.did}
	if err := bad.Validate(); err == nil {
		t.Fatal("genesis with a credential of an unknown issuer accepted")
	}
	bad = g
	twin := *g.Profile.Profiles[0]
	bad.Profile.Profiles = append([]*identityv1.Profile{&twin}, g.Profile.Profiles...)
	if err := bad.Validate(); err == nil {
		t.Fatal("genesis with a DID's profile listed twice accepted")
	}
}
