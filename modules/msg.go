package modules

import (
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Governance says whether an organization may send a message through a
// passed governance proposal, where it runs with the organization's
// authority and no signer (Context.WithAuthority).
type Governance uint8

const (
	// GovernanceNever: the message is only ever sent by a signer for
	// itself (keys, profiles: things no assembly may do for a person).
	GovernanceNever Governance = iota
	// GovernanceAny: any organization may propose it.
	GovernanceAny
	// GovernanceRoot: only the root federation may propose it (chain-wide
	// parameters, validators, upgrades).
	GovernanceRoot
)

// String names the value as docs/tx-format.md does.
func (g Governance) String() string {
	switch g {
	case GovernanceNever:
		return "never"
	case GovernanceAny:
		return "any organization"
	case GovernanceRoot:
		return "root federation"
	default:
		return "unknown"
	}
}

// MsgSpec is what a module says about one of its messages besides how to
// check and run it.
type MsgSpec struct {
	// Name is the message's stable name: the name of its field in the Msg
	// oneof of proto/icn/tx/v1/tx.proto ("register_did"). The mana cost
	// table, events and docs use it; it never changes.
	Name string
	// Cost is the message's default mana cost, on top of the base and
	// per-byte cost (mana params' msg_costs start from it). Every message
	// costs something: 0 is refused when the app builds its table.
	Cost uint64
	// FrozenMaySend lets an account that the root federation has frozen
	// send the message (the appeal against its freeze, leaving an
	// organization). Default: refused in ante. A freeze by any other
	// organization is not checked in ante but by the handlers of messages
	// that act within its scope (org.Keeper.RefuseFrozen).
	FrozenMaySend bool
	// Governance says whether, and which, organizations may send the
	// message through a passed proposal.
	Governance Governance
}

// Msg is one row of the message table: everything the app needs to decode,
// dispatch, charge and authorize one case of the Msg oneof. A module lists
// its rows once (Module.Messages); the app builds decoding, dispatch, the
// default cost table and the frozen exemptions from them, and a test ties
// every oneof case to exactly one row.
type Msg struct {
	MsgSpec
	// validate and handle receive the envelope; the row's getter picks the
	// case out of it.
	validate func(*txv1.Msg) error
	handle   func(Context, *txv1.Msg) error
	present  func(*txv1.Msg) bool
}

// NewMsg builds a row. get is the oneof getter of the case on Msg (for
// example (*txv1.Msg).GetAnchor); validate is the stateless check, run at
// decode time and never given state; handle runs the message in a
// transaction (or for governance) after ante, and may assume validate
// passed. Neither may modify the message: a decoded transaction is shared
// by CheckTx, rechecks, proposals and the block (copy a list before
// sorting it).
func NewMsg[M comparable](spec MsgSpec, get func(*txv1.Msg) M, validate func(M) error, handle func(Context, M) error) Msg {
	var zero M
	return Msg{
		MsgSpec:  spec,
		validate: func(m *txv1.Msg) error { return validate(get(m)) },
		handle:   func(ctx Context, m *txv1.Msg) error { return handle(ctx, get(m)) },
		present:  func(m *txv1.Msg) bool { return get(m) != zero },
	}
}

// Present reports whether m carries this row's case with a value.
func (r *Msg) Present(m *txv1.Msg) bool { return r.present(m) }

// Validate runs the row's stateless check on m, which must carry the row's
// case (Present).
func (r *Msg) Validate(m *txv1.Msg) error { return r.validate(m) }

// Handle runs m, which carries the row's case and passed Validate, in ctx.
func (r *Msg) Handle(ctx Context, m *txv1.Msg) error { return r.handle(ctx, m) }
