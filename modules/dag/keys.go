package dag

import "github.com/intercooperative/icnd/modules"

// StorePrefix is the dag module's key prefix.
const StorePrefix = modules.PrefixDAG

const subEntry byte = 0x01

// EntryKey is the key of the entry anchored for the binary CID c.
func EntryKey(c []byte) []byte {
	return modules.Key(StorePrefix, subEntry, c)
}
