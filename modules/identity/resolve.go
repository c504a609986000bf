package identity

import (
	"fmt"

	"github.com/mr-tron/base58"

	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// W3CDocument is a DID document in the W3C DID Core JSON representation.
type W3CDocument struct {
	Context            []string             `json:"@context"`
	ID                 string               `json:"id"`
	Controller         string               `json:"controller,omitempty"`
	VerificationMethod []VerificationMethod `json:"verificationMethod"`
	Authentication     []string             `json:"authentication"`
	AssertionMethod    []string             `json:"assertionMethod"`
}

// VerificationMethod is one key of a W3CDocument, in the Ed25519
// Verification Key 2020 form (a multibase base58btc multicodec key).
type VerificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// Resolve renders a stored document as W3C DID Core JSON-LD.
func Resolve(doc *identityv1.DIDDocument) W3CDocument {
	out := W3CDocument{
		Context: []string{
			"https://www.w3.org/ns/did/v1",
			"https://w3id.org/security/suites/ed25519-2020/v1",
		},
		ID:                 doc.Did,
		VerificationMethod: []VerificationMethod{},
		Authentication:     []string{},
		AssertionMethod:    []string{},
	}
	for _, vk := range doc.Keys {
		id := fmt.Sprintf("%s#%s", doc.Did, vk.Id)
		out.VerificationMethod = append(out.VerificationMethod, VerificationMethod{
			ID:                 id,
			Type:               "Ed25519VerificationKey2020",
			Controller:         doc.Did,
			PublicKeyMultibase: MultibaseKey(vk.PublicKey),
		})
		out.Authentication = append(out.Authentication, id)
		out.AssertionMethod = append(out.AssertionMethod, id)
	}
	return out
}

// MultibaseKey encodes an Ed25519 public key as multibase base58btc ('z')
// of the multicodec-prefixed key, the form did:key also uses.
func MultibaseKey(pub []byte) string {
	return "z" + base58.Encode(append(append([]byte(nil), ed25519Multicodec...), pub...))
}
