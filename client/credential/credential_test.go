package credential

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gowebpki/jcs"
	"github.com/mr-tron/base58"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/org"
)

// The key pair of the W3C vc-di-eddsa test vectors (TestVectors/keyPair.json):
// multicodec Ed25519 public key (0xed 0x01) and private seed (0x80 0x26).
const (
	w3cPublicKeyMultibase  = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	w3cPrivateKeyMultibase = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
	// w3cSignatureHex is TestVectors/eddsa-jcs-2022/sigHexJCS.txt.
	w3cSignatureHex = "fc91dec6565f35fbe185a77352e7fc512f95d1904da305cfef32ab8135469301f5a72d4e7a58368fc6ffc497b44633993bac054e3bc1436e3c846db8f1544503"
)

func multicodecKey(t *testing.T, mb string, prefix []byte) []byte {
	t.Helper()
	raw, err := base58.Decode(strings.TrimPrefix(mb, "z"))
	if err != nil || len(raw) != 2+32 || raw[0] != prefix[0] || raw[1] != prefix[1] {
		t.Fatalf("multicodec key %s: %x %v", mb, raw, err)
	}
	return raw[2:]
}

// TestW3CVector checks the cryptosuite against the W3C's own test vector:
// the signed credential verifies, and signing its proof configuration and
// document with the vector's key reproduces the vector's signature.
func TestW3CVector(t *testing.T) {
	raw, err := os.ReadFile("testdata/w3c-eddsa-jcs-2022-signed.json")
	if err != nil {
		t.Fatal(err)
	}
	pub := ed25519.PublicKey(multicodecKey(t, w3cPublicKeyMultibase, []byte{0xed, 0x01}))
	priv := ed25519.NewKeyFromSeed(multicodecKey(t, w3cPrivateKeyMultibase, []byte{0x80, 0x26}))
	s, err := splitSecured(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.verify(pub); err != nil {
		t.Fatalf("W3C vector does not verify: %v", err)
	}
	sig := ed25519.Sign(priv, hashData(s.proofConfig, s.unsecured))
	if got := hex.EncodeToString(sig); got != w3cSignatureHex {
		t.Fatalf("signature = %s, want %s", got, w3cSignatureHex)
	}
	// One changed byte of the document breaks it.
	altered := []byte(strings.Replace(string(raw), "The School of Examples", "The School of Exampler", 1))
	s, err = splitSecured(altered)
	if err != nil {
		t.Fatal(err)
	}
	if s.verify(pub) == nil {
		t.Fatal("altered W3C vector verifies")
	}
}

func testKey(seed byte) (ed25519.PrivateKey, string) {
	priv := ed25519.NewKeyFromSeed(append(make([]byte, 31), seed))
	return priv, did.DeriveDID(priv.Public().(ed25519.PublicKey))
}

func signed(t *testing.T) ([]byte, ed25519.PrivateKey, string, string) {
	t.Helper()
	priv, issuer := testKey(1)
	_, subject := testKey(2)
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	c, err := New(issuer, subject, MembershipType, map[string]string{ClaimOrganization: issuer, ClaimRole: "member"}, 41, at)
	if err != nil {
		t.Fatal(err)
	}
	raw, id, err := Sign(c, issuer+"#key-1", at, func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil })
	if err != nil {
		t.Fatal(err)
	}
	whole, err := jcs.Transform(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !id.Equals(client.RawCID(whole)) {
		t.Fatalf("Sign returned CID %s, want the raw CID of the JCS bytes", id)
	}
	return raw, priv, issuer, subject
}

func TestSignParseVerify(t *testing.T) {
	raw, priv, issuer, subject := signed(t)
	d, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if d.Issuer != issuer || d.Subject != subject || d.Type != MembershipType || d.IssuedAtHeight != 41 ||
		d.VMDID != issuer || d.KeyID != "key-1" || d.Claims[ClaimRole] != "member" {
		t.Fatalf("parsed %+v", d)
	}
	if err := d.VerifyProof(priv.Public().(ed25519.PublicKey)); err != nil {
		t.Fatalf("own signature: %v", err)
	}
	other, _ := testKey(3)
	if d.VerifyProof(other.Public().(ed25519.PublicKey)) == nil {
		t.Fatal("verifies under another key")
	}
	// Indentation does not change the CID: it is computed over JCS bytes.
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	compact, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := Parse(compact)
	if err != nil {
		t.Fatal(err)
	}
	if !d2.CID.Equals(d.CID) || d2.VerifyProof(priv.Public().(ed25519.PublicKey)) != nil {
		t.Fatal("re-encoded credential has another CID or no longer verifies")
	}
}

func TestParseRefuses(t *testing.T) {
	raw, _, _, _ := signed(t)
	s := string(raw)
	cases := map[string]string{
		"not JSON":           "{",
		"duplicate name":     strings.Replace(s, `"issuer":`, `"issuer": "x", "issuer":`, 1),
		"no proof":           `{"@context":["https://www.w3.org/ns/credentials/v2"]}`,
		"other cryptosuite":  strings.Replace(s, Cryptosuite, "eddsa-rdfc-2022", 1),
		"other purpose":      strings.Replace(s, `"assertionMethod"`, `"authentication"`, 1),
		"proof value base64": strings.Replace(s, `"proofValue": "z`, `"proofValue": "u`, 1),
		"no height":          strings.Replace(s, `"icnIssuedAtHeight": 41`, `"icnIssuedAtHeight": 0`, 1),
		"issuer object":      strings.Replace(s, `"issuer": "`, `"issuer": {"id": "`, 1),
		"context mismatch":   strings.Replace(s, `"@context": [`+"\n"+`    "https://www.w3.org/ns/credentials/v2"`, `"@context": ["https://www.w3.org/ns/credentials/v1"`, 1),
		"not UTF-8":          strings.Replace(s, "member", "memb\xffr", 1),
		"too large":          s + strings.Repeat(" ", MaxDocumentBytes),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			if doc == s {
				t.Fatal("the test case did not change the credential")
			}
			if _, err := Parse([]byte(doc)); err == nil {
				t.Fatal("Parse accepted it")
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	_, issuer := testKey(1)
	_, subject := testKey(2)
	at := time.Unix(0, 0)
	cases := map[string]func() error{
		"bad issuer":  func() error { _, err := New("did:icn:x", subject, "T", nil, 1, at); return err },
		"bad subject": func() error { _, err := New(issuer, strings.ToUpper(subject), "T", nil, 1, at); return err },
		"bad type":    func() error { _, err := New(issuer, subject, "a b", nil, 1, at); return err },
		"height 0":    func() error { _, err := New(issuer, subject, "T", nil, 0, at); return err },
		"id claim":    func() error { _, err := New(issuer, subject, "T", map[string]string{"id": "x"}, 1, at); return err },
		"long claim": func() error {
			_, err := New(issuer, subject, "T", map[string]string{"bio": strings.Repeat("x", MaxClaimValueLength+1)}, 1, at)
			return err
		},
	}
	for name, f := range cases {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseClaims([]string{"a=1", "a=2"}); err == nil {
		t.Error("ParseClaims accepted a name given twice")
	}
	if _, err := ParseClaims([]string{"novalue"}); err == nil {
		t.Error("ParseClaims accepted a claim without '='")
	}
}

// TestRevokeMsg checks that a revocation names the issuer the chain keys
// the record under, and that a bad issuer is refused before broadcast.
func TestRevokeMsg(t *testing.T) {
	_, issuer := testKey(1)
	id, err := client.ParseCID("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := RevokeMsg(id, issuer, "left")
	if err != nil {
		t.Fatal(err)
	}
	if m := msg.GetRevokeCredential(); m == nil || m.Issuer != issuer || string(m.Cid) != string(id.Bytes()) || m.Reason != "left" {
		t.Fatalf("RevokeMsg = %v", msg)
	}
	for _, bad := range []string{"", strings.ToUpper(issuer)} {
		if _, err := RevokeMsg(id, bad, ""); !errors.Is(err, did.ErrInvalidDID) {
			t.Errorf("issuer %q: got %v, want ErrInvalidDID", bad, err)
		}
	}
}

// TestIssuedVector pins a credential as icnd issues it (docs/credentials.md,
// section 2): any change to the format, the proof or the CID shows here.
func TestIssuedVector(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	signer := did.DeriveDID(priv.Public().(ed25519.PublicKey))
	_, subject := testKey(1)
	org := org.DeriveOrgDID("", "root")
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(org, subject, MembershipType, map[string]string{ClaimOrganization: org, ClaimRole: "member"}, 41, at)
	if err != nil {
		t.Fatal(err)
	}
	_, id, err := Sign(c, signer+"#key-1", at, func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil })
	if err != nil {
		t.Fatal(err)
	}
	const wantProof = "z2UwTevnbWR9Mt7GjpCdx1ChTjNQpNgBYTnSRDJSKHAw5aUBoFaVdmRDZcNMeXhC9ghqREd7sjcT9V5fcR1sGasCc"
	if c.Proof.ProofValue != wantProof {
		t.Errorf("proofValue = %s, want %s", c.Proof.ProofValue, wantProof)
	}
	if want := "bafkreidqthixtkdgkagyn2zedjqomf3duwl6umy4yosuqnualnokrd3yoe"; id.String() != want {
		t.Errorf("CID = %s, want %s", id, want)
	}
}
