package profile

import "github.com/intercooperative/icnd/modules"

// StorePrefix is the profile module's key prefix.
const StorePrefix = modules.PrefixProfile

// Sub-prefixes of profile state (documented in doc.go and docs/state.md).
// They keep the values they had under the identity prefix.
const (
	subProfile    byte = 0x50 // did              -> Profile
	subEmailIndex byte = 0x51 // email hash | did -> emailClaimMarker
)

// emailClaimMarker is the value of an email index entry. The store refuses
// empty values; the entry carries nothing beyond its key.
var emailClaimMarker = []byte{0x01}

// ProfileKey is the key of did's encrypted profile.
func ProfileKey(did string) []byte {
	return modules.Key(StorePrefix, subProfile, []byte(did))
}

// EmailIndexKey is the key of the email index entry saying that did's
// profile carries the 32-byte email hash h. The index is not unique: every
// DID that claims h has an entry, so nobody can lock the owner of an email
// out by claiming its hash first.
func EmailIndexKey(h []byte, did string) []byte {
	return modules.Key(StorePrefix, subEmailIndex, h, []byte(did))
}

// EmailIndexPrefix prefixes the email index entries of every DID whose
// profile carries the email hash h, in DID order.
func EmailIndexPrefix(h []byte) []byte {
	return modules.Key(StorePrefix, subEmailIndex, h)
}
