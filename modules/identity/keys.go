package identity

import "github.com/intercooperative/icnd/modules"

// StorePrefix is the identity module's key prefix.
const StorePrefix = modules.PrefixIdentity

const (
	subDocument byte = 0x01
	subSequence byte = 0x02
)

// DocumentKey is the key of did's DID document.
func DocumentKey(did string) []byte {
	return modules.Key(StorePrefix, subDocument, []byte(did))
}

// SequenceKey is the key of did's next transaction sequence.
func SequenceKey(did string) []byte {
	return modules.Key(StorePrefix, subSequence, []byte(did))
}
