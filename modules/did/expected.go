package did

import "github.com/intercooperative/icnd/modules"

// ManaAccounts is what the did module needs from the mana module: every
// newly registered DID gets a mana account.
type ManaAccounts interface {
	// CreateAccount opens the mana account of a newly registered DID with
	// the capacity and rate that params give new accounts.
	CreateAccount(ctx modules.Context, did string) error
}
