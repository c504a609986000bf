package governance

import (
	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Orgs is what governance needs from the org module.
type Orgs interface {
	// Organization loads org's record; org.ErrUnknownOrg when there is none.
	Organization(ctx modules.Context, org string) (*identityv1.Organization, error)
	// IsMember reports whether member belongs to org.
	IsMember(ctx modules.Context, org, member string) bool
	// HasRole reports whether member of org holds role.
	HasRole(ctx modules.Context, org, member, role string) (bool, error)
	// IsRoot reports whether did is the root federation.
	IsRoot(ctx modules.Context, did string) (bool, error)
	// MembersUpTo returns at most limit memberships of org, by member DID,
	// and whether there are more.
	MembersUpTo(ctx modules.Context, org string, limit int) ([]*identityv1.Membership, bool, error)
	// RefuseFrozen returns org.ErrFrozenInScope when account may not act
	// within target because an organization whose scope holds target froze
	// it.
	RefuseFrozen(ctx modules.Context, account, target string) error
	// RootFrozen reports whether the root federation froze account.
	RootFrozen(ctx modules.Context, account string) bool
}

// Mana is what governance needs from the mana module: the proposal deposit
// is a mana escrow.
type Mana interface {
	Charge(ctx modules.Context, did string, amount uint64) error
	Lock(ctx modules.Context, did string, id []byte, amount uint64) error
	Refund(ctx modules.Context, id []byte) error
	BurnAll(ctx modules.Context, id []byte) error
}
