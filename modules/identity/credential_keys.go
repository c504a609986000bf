package identity

import "github.com/intercooperative/icnd/modules"

// Sub-prefix of credential state, 0x40 to 0x4F of the identity prefix
// (documented in doc.go and docs/state.md).
const (
	subCredential byte = 0x40 // cid -> CredentialStatus
)

// CredentialKey is the key of the status record of the credential whose
// binary CID is c.
func CredentialKey(c []byte) []byte {
	return modules.Key(StorePrefix, subCredential, c)
}
