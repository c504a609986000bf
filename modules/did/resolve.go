package did

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strconv"
	"time"

	"github.com/mr-tron/base58"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// W3CDocument is a DID document in the W3C DID Core JSON representation.
type W3CDocument struct {
	Context []string `json:"@context"`
	ID      string   `json:"id"`
	// Controller lists the DIDs that control the document; absent when the
	// DID controls itself.
	Controller         []string             `json:"controller,omitempty"`
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

// Resolve renders a stored document as W3C DID Core JSON-LD. Only keys that
// may sign now appear: revoked keys, and every key of a deactivated DID,
// are history, kept on chain for KeyAt but not part of the current
// document. Keys keep their document order. The result shares nothing with
// doc.
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
	if len(doc.Controllers) > 0 {
		out.Controller = append([]string(nil), doc.Controllers...)
	}
	if doc.DeactivatedHeight != 0 {
		return out
	}
	for _, vk := range doc.Keys {
		if vk.RevokedHeight != 0 {
			continue
		}
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

// ResolutionResult is the DID resolution result of W3C DID Core §7.1 in
// the JSON form of the DID Resolution specification: the document and the
// two metadata structures.
type ResolutionResult struct {
	Context               string             `json:"@context"`
	DIDDocument           W3CDocument        `json:"didDocument"`
	DIDResolutionMetadata ResolutionMetadata `json:"didResolutionMetadata"`
	DIDDocumentMetadata   DocumentMetadata   `json:"didDocumentMetadata"`
}

// ResolutionMetadata describes the resolution itself (DID Core §7.1.2).
type ResolutionMetadata struct {
	ContentType string `json:"contentType"`
}

// DocumentMetadata describes the document (DID Core §7.1.3). Created and
// Updated are the times of the blocks at CreatedHeight and UpdatedHeight,
// in UTC without sub-second precision as DID Core recommends; they are
// absent when the block time is not known. VersionID is the height of the
// last change, in decimal. The *Height fields are this method's extension:
// the chain orders changes by height, and a height is what KeyAt takes.
type DocumentMetadata struct {
	Created           string `json:"created,omitempty"`
	Updated           string `json:"updated,omitempty"`
	Deactivated       bool   `json:"deactivated"`
	VersionID         string `json:"versionId"`
	CreatedHeight     int64  `json:"createdHeight"`
	UpdatedHeight     int64  `json:"updatedHeight,omitempty"`
	DeactivatedHeight int64  `json:"deactivatedHeight,omitempty"`
}

// ResolutionContext is the JSON-LD context of a DID resolution result.
const ResolutionContext = "https://w3id.org/did-resolution/v1"

// ResolveWithMetadata resolves doc into a full resolution result.
// blockTime gives the time of the block at a height, and false when it is
// not known (a pruned or unreachable header); the metadata then carries the
// height alone.
func ResolveWithMetadata(doc *identityv1.DIDDocument, blockTime func(height int64) (time.Time, bool)) ResolutionResult {
	meta := DocumentMetadata{
		Deactivated:       doc.DeactivatedHeight != 0,
		CreatedHeight:     doc.CreatedHeight,
		UpdatedHeight:     doc.UpdatedHeight,
		DeactivatedHeight: doc.DeactivatedHeight,
	}
	version := doc.CreatedHeight
	if t, ok := blockTime(doc.CreatedHeight); ok {
		meta.Created = formatDateTime(t)
	}
	if doc.UpdatedHeight != 0 {
		version = doc.UpdatedHeight
		if t, ok := blockTime(doc.UpdatedHeight); ok {
			meta.Updated = formatDateTime(t)
		}
	}
	meta.VersionID = strconv.FormatInt(version, 10)
	return ResolutionResult{
		Context:               ResolutionContext,
		DIDDocument:           Resolve(doc),
		DIDResolutionMetadata: ResolutionMetadata{ContentType: "application/did+ld+json"},
		DIDDocumentMetadata:   meta,
	}
}

// formatDateTime is the XML Schema dateTime form DID Core asks for, in UTC
// without sub-second precision.
func formatDateTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

// MultibaseKey encodes an Ed25519 public key as multibase base58btc ('z')
// of the multicodec-prefixed key, the form did:key also uses.
func MultibaseKey(pub []byte) string {
	return "z" + base58.Encode(append(append([]byte(nil), ed25519Multicodec...), pub...))
}

// ParseMultibaseKey is the inverse of MultibaseKey: it decodes a multibase
// base58btc string, checks the Ed25519 multicodec prefix and returns the
// 32-byte key. Errors wrap ErrInvalidPublicKey.
func ParseMultibaseKey(s string) (ed25519.PublicKey, error) {
	if len(s) < 2 || s[0] != 'z' {
		return nil, ErrInvalidPublicKey.Wrapf("%q: want multibase base58btc, starting with 'z'", modules.Truncate(s))
	}
	raw, err := base58.Decode(s[1:])
	if err != nil {
		return nil, ErrInvalidPublicKey.Wrapf("%q: %v", modules.Truncate(s), err)
	}
	if !bytes.HasPrefix(raw, ed25519Multicodec) {
		return nil, ErrInvalidPublicKey.Wrapf("%q is not an Ed25519 key (multicodec 0xed)", modules.Truncate(s))
	}
	pub := raw[len(ed25519Multicodec):]
	if len(pub) != ed25519.PublicKeySize {
		return nil, ErrInvalidPublicKey.Wrapf("%q holds %d key bytes, want %d", modules.Truncate(s), len(pub), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(pub), nil
}
