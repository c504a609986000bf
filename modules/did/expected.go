package did

import "github.com/intercooperative/icnd/modules"

// ManaAccounts is what the did module needs from the mana module: every
// newly registered DID gets a mana account.
type ManaAccounts interface {
	// CreateAccount opens the mana account of a newly registered DID with
	// the capacity and rate that params give new accounts.
	CreateAccount(ctx modules.Context, did string) error
}

// Organizations is what the did module needs from the org module: a DID
// that controls an organization may not be deactivated, since the
// organization could never act again (its document is keyless; only its
// controller, or its assembly once control has passed, acts for it).
type Organizations interface {
	// ControlledOrganizations returns the organizations did founded and
	// still controls, sorted; none is an empty result. A DID belongs to at
	// most org.MaxMembershipsPerDID organizations, which bounds the work.
	// The error is reserved for a broken store.
	ControlledOrganizations(ctx modules.Context, did string) ([]string, error)
}
