package credential

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
	"github.com/ipfs/go-cid"
	"github.com/mr-tron/base58"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/did"
)

// Document is a parsed signed credential: the fields verification needs
// and the canonical bytes its proof and CID are computed over.
type Document struct {
	// CID is the CIDv1 (raw, sha2-256) of Canonical.
	CID cid.Cid
	// Canonical is the JCS encoding of the whole signed credential.
	Canonical []byte

	Issuer string
	// Subject is credentialSubject.id.
	Subject string
	// Types is the credential's type list; Type is its first entry other
	// than VerifiableCredential.
	Types []string
	Type  string
	// IssuedAtHeight is icnIssuedAtHeight.
	IssuedAtHeight int64
	ValidFrom      string
	// Claims are credentialSubject without "id", as JSON values.
	Claims map[string]any

	// VerificationMethod is the proof's verification method; VMDID and
	// KeyID are its two halves.
	VerificationMethod string
	VMDID, KeyID       string

	secured *securedDocument
}

// Parse reads a signed ICN credential: valid UTF-8 JSON of at most
// MaxDocumentBytes without duplicate names, a VC 2.0 credential with a
// string issuer, a credentialSubject with an id, a positive
// icnIssuedAtHeight and one eddsa-jcs-2022 proof whose verification method
// is a did:icn key. It checks form only; Verify checks the proof and the
// chain.
func Parse(raw []byte) (*Document, error) {
	s, err := splitSecured(raw)
	if err != nil {
		return nil, err
	}
	var view struct {
		Context           []string                   `json:"@context"`
		Type              []string                   `json:"type"`
		Issuer            json.RawMessage            `json:"issuer"`
		ValidFrom         string                     `json:"validFrom"`
		IssuedAtHeight    int64                      `json:"icnIssuedAtHeight"`
		CredentialSubject map[string]json.RawMessage `json:"credentialSubject"`
	}
	if err := json.Unmarshal(s.canonical, &view); err != nil {
		return nil, fmt.Errorf("not an ICN credential: %w", err)
	}
	d := &Document{
		CID:            client.RawCID(s.canonical),
		Canonical:      s.canonical,
		Types:          view.Type,
		IssuedAtHeight: view.IssuedAtHeight,
		ValidFrom:      view.ValidFrom,
		Claims:         map[string]any{},
		secured:        s,
	}
	if len(view.Context) == 0 || view.Context[0] != ContextV2 {
		return nil, fmt.Errorf("@context must start with %q", ContextV2)
	}
	if !slices.Contains(view.Type, credential.VerifiableCredentialType) {
		return nil, fmt.Errorf("type must include %q", credential.VerifiableCredentialType)
	}
	for _, t := range view.Type {
		if t != credential.VerifiableCredentialType {
			d.Type = t
			break
		}
	}
	if err := json.Unmarshal(view.Issuer, &d.Issuer); err != nil {
		return nil, errors.New("issuer must be a DID string")
	}
	if err := did.ParseDID(d.Issuer); err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	if d.IssuedAtHeight < 1 {
		return nil, errors.New("icnIssuedAtHeight is missing or not a positive height")
	}
	if _, err := time.Parse(time.RFC3339, d.ValidFrom); err != nil {
		return nil, fmt.Errorf("validFrom %q is not an RFC 3339 date-time", d.ValidFrom)
	}
	for name, value := range view.CredentialSubject {
		if name == "id" {
			if err := json.Unmarshal(value, &d.Subject); err != nil {
				return nil, errors.New("credentialSubject.id must be a DID string")
			}
			continue
		}
		var v any
		if err := json.Unmarshal(value, &v); err != nil {
			return nil, fmt.Errorf("claim %q: %w", name, err)
		}
		d.Claims[name] = v
	}
	if err := did.ParseDID(d.Subject); err != nil {
		return nil, fmt.Errorf("credentialSubject.id: %w", err)
	}
	d.VerificationMethod = s.proof.VerificationMethod
	if d.VMDID, d.KeyID, err = SplitVerificationMethod(d.VerificationMethod); err != nil {
		return nil, err
	}
	return d, nil
}

// VerifyProof checks the proof's signature under pub.
func (d *Document) VerifyProof(pub ed25519.PublicKey) error {
	return d.secured.verify(pub)
}

// proofOptions are the proof properties the cryptosuite checks.
type proofOptions struct {
	Type               string   `json:"type"`
	Cryptosuite        string   `json:"cryptosuite"`
	Created            string   `json:"created"`
	VerificationMethod string   `json:"verificationMethod"`
	ProofPurpose       string   `json:"proofPurpose"`
	Context            []string `json:"@context"`
	ProofValue         string   `json:"proofValue"`
}

// securedDocument is a document secured with one eddsa-jcs-2022 proof,
// split as the cryptosuite's verification algorithm splits it.
type securedDocument struct {
	// canonical is JCS of the whole document.
	canonical []byte
	// unsecured is JCS of the document without its proof, its @context
	// replaced by the proof's when the proof has one.
	unsecured []byte
	// proofConfig is JCS of the proof without proofValue.
	proofConfig []byte
	proofValue  []byte
	proof       proofOptions
}

// splitSecured applies the eddsa-jcs-2022 "verify proof" steps up to the
// signature check: it canonicalizes the document (refusing invalid JSON,
// duplicate names and invalid UTF-8), separates the proof, checks its
// type, cryptosuite, purpose, creation time and @context, and decodes the
// proof value.
func splitSecured(raw []byte) (*securedDocument, error) {
	if len(raw) > MaxDocumentBytes {
		return nil, fmt.Errorf("credential has %d bytes, max %d", len(raw), MaxDocumentBytes)
	}
	if !utf8.Valid(raw) {
		return nil, errors.New("credential is not valid UTF-8")
	}
	canonical, err := jcs.Transform(raw)
	if err != nil {
		return nil, fmt.Errorf("credential is not canonicalizable JSON (RFC 8785): %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(canonical, &top); err != nil {
		return nil, fmt.Errorf("credential is not a JSON object: %w", err)
	}
	rawProof, ok := top["proof"]
	if !ok {
		return nil, errors.New("credential has no proof")
	}
	if bytes.HasPrefix(rawProof, []byte("[")) {
		return nil, errors.New("proof sets are not supported: want exactly one proof object")
	}
	var proof map[string]json.RawMessage
	if err := json.Unmarshal(rawProof, &proof); err != nil {
		return nil, fmt.Errorf("proof is not a JSON object: %w", err)
	}
	s := &securedDocument{canonical: canonical}
	if err := json.Unmarshal(rawProof, &s.proof); err != nil {
		return nil, fmt.Errorf("proof: %w", err)
	}
	p := &s.proof
	switch {
	case p.Type != ProofType:
		return nil, fmt.Errorf("proof type %q, want %q", p.Type, ProofType)
	case p.Cryptosuite != Cryptosuite:
		return nil, fmt.Errorf("proof cryptosuite %q, want %q", p.Cryptosuite, Cryptosuite)
	case p.ProofPurpose != ProofPurpose:
		return nil, fmt.Errorf("proof purpose %q, want %q", p.ProofPurpose, ProofPurpose)
	case p.VerificationMethod == "":
		return nil, errors.New("proof has no verificationMethod")
	}
	if _, ok := proof["created"]; ok {
		if _, err := time.Parse(time.RFC3339, p.Created); err != nil {
			return nil, fmt.Errorf("proof created %q is not an RFC 3339 date-time", p.Created)
		}
	}
	if !strings.HasPrefix(p.ProofValue, "z") {
		return nil, errors.New("proofValue must be multibase base58btc (starting with 'z')")
	}
	if s.proofValue, err = base58.Decode(p.ProofValue[1:]); err != nil || len(s.proofValue) != ed25519.SignatureSize {
		return nil, fmt.Errorf("proofValue is not a base58btc %d-byte Ed25519 signature", ed25519.SignatureSize)
	}
	delete(proof, "proofValue")
	if s.proofConfig, err = canonicalJSON(proof); err != nil {
		return nil, err
	}
	delete(top, "proof")
	if ctx, ok := proof["@context"]; ok {
		// The document's @context must begin with the proof's, which then
		// stands for it in the signed bytes.
		var docContext []json.RawMessage
		var proofContext []json.RawMessage
		if err := json.Unmarshal(top["@context"], &docContext); err != nil {
			return nil, errors.New("@context must be an array when the proof has one")
		}
		if err := json.Unmarshal(ctx, &proofContext); err != nil {
			return nil, errors.New("proof @context must be an array")
		}
		if len(proofContext) > len(docContext) {
			return nil, errors.New("the document's @context does not start with the proof's")
		}
		for i := range proofContext {
			if !bytes.Equal(proofContext[i], docContext[i]) {
				return nil, errors.New("the document's @context does not start with the proof's")
			}
		}
		top["@context"] = ctx
	}
	if s.unsecured, err = canonicalJSON(top); err != nil {
		return nil, err
	}
	return s, nil
}

// verify checks the proof's Ed25519 signature under pub.
func (s *securedDocument) verify(pub ed25519.PublicKey) error {
	if !verifySignature(pub, s.proofConfig, s.unsecured, s.proofValue) {
		return errors.New("the Ed25519 signature does not verify")
	}
	return nil
}
