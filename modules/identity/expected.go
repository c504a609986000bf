package identity

import "github.com/intercooperative/icnd/modules"

// ManaAccounts is what identity needs from the mana module: every new DID
// gets a mana account.
type ManaAccounts interface {
	// CreateAccount opens the mana account of a newly registered DID with
	// the capacity and rate that params give new accounts.
	CreateAccount(ctx modules.Context, did string) error
	// MembershipChanged recomputes did's capacity and rate after did joined
	// or left an organization. Identity calls it after the membership
	// records are written, so the mana module reads the new memberships
	// (through its own expected interface). did has a mana account.
	MembershipChanged(ctx modules.Context, did string) error
}
