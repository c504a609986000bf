package credential

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
	"github.com/ipfs/go-cid"
	"github.com/mr-tron/base58"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/credential"
	didmod "github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Constants of the credential format (docs/credentials.md).
const (
	// ContextV2 is the VC Data Model 2.0 context, the only one icnd puts in
	// a credential.
	ContextV2 = "https://www.w3.org/ns/credentials/v2"
	// ProofType and Cryptosuite name the Data Integrity proof.
	ProofType   = "DataIntegrityProof"
	Cryptosuite = "eddsa-jcs-2022"
	// ProofPurpose is the verification relationship a credential proof
	// uses: the issuer asserts the claims.
	ProofPurpose = "assertionMethod"
	// MembershipType is the type of the credential an organization issues
	// on admission; its claims are ClaimOrganization and ClaimRole.
	MembershipType    = "MembershipCredential"
	ClaimOrganization = "organization"
	ClaimRole         = "role"
)

// Bounds on what New accepts and Parse reads.
const (
	// MaxDocumentBytes bounds a credential file.
	MaxDocumentBytes = 64 << 10
	// MaxClaims bounds the claims of one credential.
	MaxClaims = 32
	// MaxClaimNameLength and MaxClaimValueLength bound one claim.
	MaxClaimNameLength  = 64
	MaxClaimValueLength = 1024
)

// Credential is a credential as icnd issues it, in the property order of
// its JSON file.
type Credential struct {
	Context []string `json:"@context"`
	Type    []string `json:"type"`
	Issuer  string   `json:"issuer"`
	// ValidFrom is the issuer's clock at signing, RFC 3339 in UTC.
	ValidFrom string `json:"validFrom"`
	// IssuedAtHeight is the last committed chain height when the
	// credential was signed: the height at which the verification
	// method's key must have belonged to the issuer.
	IssuedAtHeight int64 `json:"icnIssuedAtHeight"`
	// CredentialSubject holds "id" (the subject's DID) and the claims.
	CredentialSubject map[string]string `json:"credentialSubject"`
	Proof             *Proof            `json:"proof,omitempty"`
}

// Proof is a Data Integrity proof of the eddsa-jcs-2022 cryptosuite.
type Proof struct {
	Type               string   `json:"type"`
	Cryptosuite        string   `json:"cryptosuite"`
	Created            string   `json:"created"`
	VerificationMethod string   `json:"verificationMethod"`
	ProofPurpose       string   `json:"proofPurpose"`
	Context            []string `json:"@context,omitempty"`
	ProofValue         string   `json:"proofValue,omitempty"`
}

// New returns an unsigned credential of type credType issued by issuer
// about subject with claims, at chain height issuedAt and issuer time
// validFrom. Claim names are 1 to MaxClaimNameLength bytes and not "id";
// values are at most MaxClaimValueLength bytes of UTF-8.
func New(issuer, subject, credType string, claims map[string]string, issuedAt int64, validFrom time.Time) (*Credential, error) {
	if err := didmod.ParseDID(issuer); err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	if err := didmod.ParseDID(subject); err != nil {
		return nil, fmt.Errorf("subject: %w", err)
	}
	if err := credential.ValidateCredentialType(credType); err != nil {
		return nil, err
	}
	if issuedAt < 1 {
		return nil, fmt.Errorf("issuance height %d: want a committed height, at least 1", issuedAt)
	}
	if len(claims) > MaxClaims {
		return nil, fmt.Errorf("%d claims, max %d", len(claims), MaxClaims)
	}
	subj := map[string]string{"id": subject}
	for name, value := range claims {
		switch {
		case name == "" || len(name) > MaxClaimNameLength:
			return nil, fmt.Errorf("claim name %q: want 1 to %d bytes", name, MaxClaimNameLength)
		case name == "id":
			return nil, errors.New(`claim name "id" is the subject's DID; give it as the subject`)
		case !utf8.ValidString(name) || !utf8.ValidString(value):
			return nil, fmt.Errorf("claim %q is not UTF-8", name)
		case len(value) > MaxClaimValueLength:
			return nil, fmt.Errorf("claim %q: value has %d bytes, max %d", name, len(value), MaxClaimValueLength)
		}
		subj[name] = value
	}
	return &Credential{
		Context:           []string{ContextV2},
		Type:              []string{credential.VerifiableCredentialType, credType},
		Issuer:            issuer,
		ValidFrom:         validFrom.UTC().Format(time.RFC3339),
		IssuedAtHeight:    issuedAt,
		CredentialSubject: subj,
	}, nil
}

// Sign adds an eddsa-jcs-2022 proof to c, made through sign with the key
// named by verificationMethod ("did:icn:...#key-id") at time created, and
// returns the signed credential as indented JSON and its CID. c must not
// carry a proof yet; on success it carries the new one.
func Sign(c *Credential, verificationMethod string, created time.Time, sign client.Signer) ([]byte, cid.Cid, error) {
	if c.Proof != nil {
		return nil, cid.Undef, errors.New("the credential is signed already")
	}
	if _, _, err := SplitVerificationMethod(verificationMethod); err != nil {
		return nil, cid.Undef, err
	}
	unsecured, err := canonicalJSON(c)
	if err != nil {
		return nil, cid.Undef, err
	}
	p := &Proof{
		Type:               ProofType,
		Cryptosuite:        Cryptosuite,
		Created:            created.UTC().Format(time.RFC3339),
		VerificationMethod: verificationMethod,
		ProofPurpose:       ProofPurpose,
		Context:            c.Context,
	}
	config, err := canonicalJSON(p)
	if err != nil {
		return nil, cid.Undef, err
	}
	sig, err := sign(hashData(config, unsecured))
	if err != nil {
		return nil, cid.Undef, fmt.Errorf("sign the credential: %w", err)
	}
	p.ProofValue = "z" + base58.Encode(sig)
	c.Proof = p
	out, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		c.Proof = nil
		return nil, cid.Undef, err
	}
	whole, err := jcs.Transform(out)
	if err != nil {
		c.Proof = nil
		return nil, cid.Undef, fmt.Errorf("canonicalize the signed credential: %w", err)
	}
	return append(out, '\n'), client.RawCID(whole), nil
}

// SplitVerificationMethod splits "did:icn:...#key-id" into the DID and the
// key id, both checked.
func SplitVerificationMethod(vm string) (did, keyID string, err error) {
	did, keyID, ok := strings.Cut(vm, "#")
	if !ok {
		return "", "", fmt.Errorf("verification method %q: want DID#key-id", vm)
	}
	if err := didmod.ParseDID(did); err != nil {
		return "", "", fmt.Errorf("verification method: %w", err)
	}
	if err := didmod.ValidateKeyID(keyID); err != nil {
		return "", "", fmt.Errorf("verification method: %w", err)
	}
	return did, keyID, nil
}

// IssueMsg returns the MsgIssueCredential that anchors the credential c
// (its CID) for issuer, checked as the chain will check it.
func IssueMsg(c cid.Cid, issuer, subject, credType string) (*txv1.Msg, error) {
	m := &identityv1.MsgIssueCredential{Cid: c.Bytes(), Issuer: issuer, Subject: subject, CredentialType: credType}
	if err := credential.ValidateIssueCredential(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_IssueCredential{IssueCredential: m}}, nil
}

// RevokeMsg returns the MsgRevokeCredential that revokes the credential c
// anchored for issuer, checked as the chain will check it.
func RevokeMsg(c cid.Cid, issuer, reason string) (*txv1.Msg, error) {
	m := &identityv1.MsgRevokeCredential{Cid: c.Bytes(), Issuer: issuer, Reason: reason}
	if err := credential.ValidateRevokeCredential(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_RevokeCredential{RevokeCredential: m}}, nil
}

// ParseClaims turns "name=value" strings into claims; a name given twice
// is refused.
func ParseClaims(pairs []string) (map[string]string, error) {
	claims := make(map[string]string, len(pairs))
	for _, kv := range pairs {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("claim %q: want name=value", kv)
		}
		if _, dup := claims[name]; dup {
			return nil, fmt.Errorf("claim %q is given twice", name)
		}
		claims[name] = value
	}
	return claims, nil
}

// ClaimNames returns the names of claims, sorted.
func ClaimNames(claims map[string]string) []string {
	names := make([]string, 0, len(claims))
	for n := range claims {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// canonicalJSON is JCS(json.Marshal(v)).
func canonicalJSON(v any) ([]byte, error) {
	bz, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out, err := jcs.Transform(bz)
	if err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	return out, nil
}

// hashData is the eddsa-jcs-2022 signing input: the hash of the canonical
// proof configuration, then the hash of the canonical document.
func hashData(proofConfig, document []byte) []byte {
	p := sha256.Sum256(proofConfig)
	d := sha256.Sum256(document)
	return append(p[:], d[:]...)
}

// verifySignature checks an Ed25519 signature over hashData.
func verifySignature(pub ed25519.PublicKey, proofConfig, document, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, hashData(proofConfig, document), sig)
}
