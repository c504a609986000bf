package credential

import "github.com/intercooperative/icnd/modules"

// StorePrefix is the credential module's key prefix.
const StorePrefix = modules.PrefixCredential

// Sub-prefix of credential state (documented in doc.go and docs/state.md).
// It keeps the value it had under the identity prefix.
const (
	subCredential byte = 0x40 // issuer | cid -> CredentialStatus
)

// CredentialKey is the key of the status record of the credential whose
// binary CID is c, anchored for issuer. The issuer is part of the key so
// that a record anchored under someone else's name is a different record:
// whoever copies a pending issuance from the mempool can anchor the CID
// only for an issuer the copier controls, which never blocks the real
// issuance nor answers a lookup under the real issuer.
func CredentialKey(issuer string, c []byte) []byte {
	return modules.Key(StorePrefix, subCredential, []byte(issuer), c)
}
