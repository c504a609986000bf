package identity

import "github.com/intercooperative/icnd/modules"

// Sub-prefixes of profile state, 0x50 to 0x5F of the identity prefix
// (documented in doc.go and docs/state.md).
const (
	subProfile    byte = 0x50 // did        -> Profile
	subEmailIndex byte = 0x51 // email hash -> did
)

// ProfileKey is the key of did's encrypted profile.
func ProfileKey(did string) []byte {
	return modules.Key(StorePrefix, subProfile, []byte(did))
}

// EmailIndexKey is the key of the email index entry for the 32-byte email
// hash h; its value is the DID whose profile carries h.
func EmailIndexKey(h []byte) []byte {
	return modules.Key(StorePrefix, subEmailIndex, h)
}
