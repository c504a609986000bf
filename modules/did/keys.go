package did

import "github.com/intercooperative/icnd/modules"

// StorePrefix is the did module's key prefix.
const StorePrefix = modules.PrefixDID

// Sub-prefixes of DID state (documented in doc.go and docs/state.md).
const (
	subDocument byte = 0x01 // did -> DIDDocument
	subSequence byte = 0x02 // did -> next sequence, 8 bytes big-endian
)

// DocumentKey is the key of did's DID document.
func DocumentKey(did string) []byte {
	return modules.Key(StorePrefix, subDocument, []byte(did))
}

// SequenceKey is the key of did's next transaction sequence.
func SequenceKey(did string) []byte {
	return modules.Key(StorePrefix, subSequence, []byte(did))
}
