package mana

import (
	"github.com/intercooperative/icnd/modules"
)

// Codes of the treasury and params messages. They start at 50 so that
// they never meet the escrow codes that other modules' work adds below.
var (
	// ErrInvalidSpend: a treasury spend of 0, to the organization itself,
	// or with a malformed DID.
	ErrInvalidSpend = modules.Register(Codespace, 50, "invalid treasury spend")
	// ErrNotRoot: a message only the root federation's governance may send.
	ErrNotRoot = modules.Register(Codespace, 51, "only the root federation may send this message")
)

// Event types of the treasury and params messages.
const (
	EventTypeTreasurySpent = "icn.mana.treasury_spent"
	EventTypeParamsSet     = "icn.mana.params_set"
)

func init() {
	modules.RegisterEvent(EventTreasurySpent{})
	modules.RegisterEvent(EventParamsSet{})
}

// EventTreasurySpent is emitted when an organization's treasury pays a DID.
// Credited is what the recipient's ceiling let in; Burned is the rest.
type EventTreasurySpent struct {
	Org      string `event:"org,index"`
	To       string `event:"to,index"`
	Amount   uint64 `event:"amount"`
	Credited uint64 `event:"credited"`
	Burned   uint64 `event:"burned"`
	By       string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventTreasurySpent) EventType() string { return EventTypeTreasurySpent }

// EventParamsSet is emitted when the root federation replaces the params.
type EventParamsSet struct {
	By string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventParamsSet) EventType() string { return EventTypeParamsSet }

// BurnAll destroys the whole escrow id (a governance deposit forfeited):
// Burn of its entire amount, which closes it and frees its owner's capacity
// from ctx.Height on. Errors, on which nothing is written:
// ErrInvalidEscrowID, ErrEscrowNotFound.
func (k *Keeper) BurnAll(ctx modules.Context, id []byte) error {
	e, err := k.Escrow(ctx, id)
	if err != nil {
		return err
	}
	return k.Burn(ctx, id, e.Amount)
}

// SpendTreasury moves amount from org's account, regenerated to
// ctx.Height, to the account of to. The credit is capped at to's ceiling
// (capacity less escrow), as for a released escrow: mana is capacity, not
// a currency, so a spend never lifts anyone above the capacity their
// membership gives them. The part that does not fit is destroyed, not
// returned to the treasury (the organization decided to spend it; a
// refund would let a treasury "park" mana above its own regeneration), and
// the event reports it as burned. The caller has authorized the spend.
// Errors, on which nothing is written: ErrNoAccount, ErrInsufficientMana.
func (k *Keeper) SpendTreasury(ctx modules.Context, org, to string, amount uint64) (credited uint64, err error) {
	from, err := k.Account(ctx, org)
	if err != nil {
		return 0, err
	}
	recipient, err := k.Account(ctx, to)
	if err != nil {
		return 0, err
	}
	settle(from, ctx.Height)
	settle(recipient, ctx.Height)
	if from.Balance < amount {
		return 0, ErrInsufficientMana.Wrapf("treasury %s has %d, spend needs %d", org, from.Balance, amount)
	}
	from.Balance -= amount
	ceiling := Ceiling(recipient)
	if recipient.Balance < ceiling {
		credited = min(amount, ceiling-recipient.Balance)
	}
	recipient.Balance += credited
	if err := k.setAccount(ctx, org, from); err != nil {
		return 0, err
	}
	if err := k.setAccount(ctx, to, recipient); err != nil {
		return 0, err
	}
	return credited, nil
}

// OrgAuthority is what the mana messages need from the org module.
type OrgAuthority interface {
	// AuthorizeControl checks that ctx.Authority may send org's privileged
	// messages and is not frozen within its scope; errors carry the org
	// and did modules' codes.
	AuthorizeControl(ctx modules.Context, org string) error
	// IsRoot reports whether did is the root federation.
	IsRoot(ctx modules.Context, did string) (bool, error)
}

// MsgServer runs the mana module's messages.
type MsgServer struct {
	k     *Keeper
	orgs  OrgAuthority
	specs func() []modules.MsgSpec
}

// NewMsgServer returns the handlers of the mana messages over k. specs
// returns the app's message table (for validating new params); the app
// sets it once the table exists.
func NewMsgServer(k *Keeper, orgs OrgAuthority) *MsgServer {
	return &MsgServer{k: k, orgs: orgs}
}

// SetSpecs gives the server the app's message table.
func (s *MsgServer) SetSpecs(specs func() []modules.MsgSpec) { s.specs = specs }
