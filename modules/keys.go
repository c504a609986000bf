package modules

import "fmt"

// Module key prefixes. Every key in the tree starts with exactly one of
// these bytes; the owning module documents what follows in its keys.go.
// A prefix is never reused, even after a module is removed.
const (
	PrefixApp        byte = 0x01 // app: chain id (0x01 0x01); later upgrade bookkeeping
	PrefixDID        byte = 0x10 // did: DID documents, sequences
	PrefixOrg        byte = 0x11 // org: organizations, memberships, invitations, freezes
	PrefixCredential byte = 0x12 // credential: credential status records
	PrefixProfile    byte = 0x13 // profile: encrypted profiles, email index
	PrefixGovernance byte = 0x20 // governance: reserved
	PrefixMana       byte = 0x30 // mana: accounts, params
	PrefixMesh       byte = 0x40 // mesh: reserved
	PrefixDAG        byte = 0x50 // dag: anchored entries
)

// MaxKeyPart is the longest variable key component; components are
// length-prefixed with one byte.
const MaxKeyPart = 255

// Key builds a store key from a module prefix, a sub-prefix and
// length-prefixed variable parts, so that no two distinct part lists ever
// produce the same key. It panics on a part longer than MaxKeyPart: callers
// bound their inputs before building keys, so that is a programming error.
func Key(prefix, sub byte, parts ...[]byte) []byte {
	n := 2
	for _, p := range parts {
		n += 1 + len(p)
	}
	k := make([]byte, 0, n)
	k = append(k, prefix, sub)
	for _, p := range parts {
		if len(p) > MaxKeyPart {
			panic(fmt.Sprintf("modules: key part of %d bytes exceeds %d", len(p), MaxKeyPart))
		}
		k = append(k, byte(len(p)))
		k = append(k, p...)
	}
	return k
}
