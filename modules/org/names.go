package org

import (
	"crypto/sha256"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// orgDomain separates organization DIDs from key DIDs: a key DID hashes
// the multicodec prefix 0xed 0x01 and a key, an organization DID this tag,
// so no input of one derivation is an input of the other.
const orgDomain = "icn/identity/org\x00"

// MaxOrgNameLength bounds an organization name.
const MaxOrgNameLength = 64

// DeriveOrgDID returns the DID of the organization called name under
// parent ("" for the root federation):
// "did:icn:" + base32lower(sha256("icn/identity/org" 0x00 parent 0x00 name)[:20]).
// parent is empty or a 40-byte DID and neither part contains 0x00, so the
// hashed bytes determine (parent, name) and a name is unique under its
// parent by construction.
func DeriveOrgDID(parent, name string) string {
	h := sha256.New()
	h.Write([]byte(orgDomain))
	h.Write([]byte(parent))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return did.FromDigest(h.Sum(nil))
}

// ValidateOrgName checks an organization name: 1 to MaxOrgNameLength
// characters of [a-z0-9-], neither starting nor ending with '-'. Names are
// identifiers (they determine the DID), so they have exactly one spelling.
func ValidateOrgName(name string) error {
	if !isSlug(name, MaxOrgNameLength) {
		return ErrInvalidOrgName.Wrapf("%q: want 1 to %d characters of a-z, 0-9 and '-', not starting or ending with '-'", modules.Truncate(name), MaxOrgNameLength)
	}
	return nil
}

// isSlug reports whether s has 1 to max characters of [a-z0-9-] and neither
// starts nor ends with '-'.
func isSlug(s string, max int) bool {
	if s == "" || len(s) > max || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Organization kind names, as the CLI, genesis and events spell them.
const (
	KindCommunity   = "community"
	KindCooperative = "cooperative"
	KindFederation  = "federation"
)

// KindName returns the name of kind, or "" for a value that is not a kind.
func KindName(kind identityv1.OrgKind) string {
	switch kind {
	case identityv1.OrgKind_ORG_KIND_COMMUNITY:
		return KindCommunity
	case identityv1.OrgKind_ORG_KIND_COOPERATIVE:
		return KindCooperative
	case identityv1.OrgKind_ORG_KIND_FEDERATION:
		return KindFederation
	default:
		return ""
	}
}

// ParseOrgKind returns the kind called name. Errors: ErrInvalidOrgKind.
func ParseOrgKind(name string) (identityv1.OrgKind, error) {
	switch name {
	case KindCommunity:
		return identityv1.OrgKind_ORG_KIND_COMMUNITY, nil
	case KindCooperative:
		return identityv1.OrgKind_ORG_KIND_COOPERATIVE, nil
	case KindFederation:
		return identityv1.OrgKind_ORG_KIND_FEDERATION, nil
	default:
		return 0, ErrInvalidOrgKind.Wrapf("%q: want %s, %s or %s", modules.Truncate(name), KindCommunity, KindCooperative, KindFederation)
	}
}

// Control names, as the CLI, genesis and events spell them.
const (
	ControlFounder  = "founder"
	ControlAssembly = "assembly"
)

// ControlName returns the name of c, or "" for a value that is not a
// control mode.
func ControlName(c identityv1.Control) string {
	switch c {
	case identityv1.Control_CONTROL_FOUNDER:
		return ControlFounder
	case identityv1.Control_CONTROL_ASSEMBLY:
		return ControlAssembly
	default:
		return ""
	}
}

// parseControl returns the control mode called name, ok false for any other
// name.
func parseControl(name string) (identityv1.Control, bool) {
	switch name {
	case ControlFounder:
		return identityv1.Control_CONTROL_FOUNDER, true
	case ControlAssembly:
		return identityv1.Control_CONTROL_ASSEMBLY, true
	default:
		return 0, false
	}
}
