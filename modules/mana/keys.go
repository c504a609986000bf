package mana

import "github.com/intercooperative/icnd/modules"

// StorePrefix is the mana module's key prefix.
const StorePrefix = modules.PrefixMana

const (
	subAccount byte = 0x01
	subParams  byte = 0x02
	subEscrow  byte = 0x03
)

// AccountKey is the key of did's mana account.
func AccountKey(did string) []byte {
	return modules.Key(StorePrefix, subAccount, []byte(did))
}

// ParamsKey is the key of the module's params.
func ParamsKey() []byte {
	return []byte{StorePrefix, subParams}
}

// EscrowKey is the key of the escrow with id. The caller has checked id
// with ValidateEscrowID.
func EscrowKey(id []byte) []byte {
	return modules.Key(StorePrefix, subEscrow, id)
}
