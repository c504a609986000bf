package dag

import "github.com/intercooperative/icnd/modules"

// StorePrefix is the dag module's key prefix.
const StorePrefix = modules.PrefixDAG

const subEntry byte = 0x01 // cid | anchorer -> Entry

// EntryKey is the key of the entry that anchorer anchored for the binary
// CID c. The anchorer is part of the key so that whoever copies a pending
// anchor from the mempool and gets it in first writes an entry of its own:
// it neither blocks the real anchor nor gives the real anchorer's entry its
// kind and links. The CID comes first so that EntriesPrefix lists every
// anchorer of a CID.
func EntryKey(c []byte, anchorer string) []byte {
	return modules.Key(StorePrefix, subEntry, c, []byte(anchorer))
}

// EntriesPrefix is the prefix of the keys of every entry anchored for the
// binary CID c, in anchorer order. Parts are length-prefixed, so it never
// covers the entries of another CID.
func EntriesPrefix(c []byte) []byte {
	return modules.Key(StorePrefix, subEntry, c)
}
