package dag

import "github.com/intercooperative/icnd/modules"

// StorePrefix is the dag module's key prefix.
const StorePrefix = modules.PrefixDAG

const (
	subEntry    byte = 0x01 // cid | anchorer -> Entry
	subBacklink byte = 0x02 // target | source | anchorer -> 0x01 (reverse-link index)
)

// backlinkPresent is the value of a reverse-link index key (the store
// holds no empty values).
const backlinkPresent byte = 0x01

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

// BacklinkKey is the reverse-link index entry saying that the entry
// anchorer anchored for the binary CID source links to the binary CID
// target. The target comes first so that BacklinksPrefix lists every entry
// linking to it.
func BacklinkKey(target, source []byte, anchorer string) []byte {
	return modules.Key(StorePrefix, subBacklink, target, source, []byte(anchorer))
}

// BacklinksPrefix is the prefix of the index entries of the entries that
// link to the binary CID target, by source CID then anchorer.
func BacklinksPrefix(target []byte) []byte {
	return modules.Key(StorePrefix, subBacklink, target)
}

// ParseBacklinkKey splits a BacklinkKey into its source CID and anchorer.
func ParseBacklinkKey(key []byte) (target, source []byte, anchorer string, ok bool) {
	if len(key) < 2 || key[0] != StorePrefix || key[1] != subBacklink {
		return nil, nil, "", false
	}
	parts := make([][]byte, 0, 3)
	rest := key[2:]
	for len(rest) > 0 {
		n := int(rest[0])
		if len(rest) < 1+n {
			return nil, nil, "", false
		}
		parts = append(parts, rest[1:1+n])
		rest = rest[1+n:]
	}
	if len(parts) != 3 {
		return nil, nil, "", false
	}
	return parts[0], parts[1], string(parts[2]), true
}
