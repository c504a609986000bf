package app

import (
	"errors"
	"fmt"

	"github.com/intercooperative/icnd/app/upgrades"
	"github.com/intercooperative/icnd/modules"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
)

// ValidatorUpdate is one change of the validator set for CometBFT: an
// Ed25519 public key and its new power (0 removes it).
type ValidatorUpdate struct {
	PubKey []byte
	Power  int64
}

// ErrUpgradeNeeded is wrapped by the error FinalizeBlock (and
// ProcessProposal) returns at the height of a scheduled upgrade that this
// binary has no handler for: the node must stop and be replaced by a
// binary that has one.
var ErrUpgradeNeeded = errors.New("upgrade needed")

// UpgradeNeededError names the upgrade a node stopped for.
type UpgradeNeededError struct {
	Name   string
	Height int64
	Info   string
}

func (e *UpgradeNeededError) Error() string {
	return fmt.Sprintf("UPGRADE %q NEEDED at height %d: this binary has no handler for it; stop and start a binary that registers it (info: %s)", e.Name, e.Height, e.Info)
}

// Unwrap makes the error match ErrUpgradeNeeded.
func (e *UpgradeNeededError) Unwrap() error { return ErrUpgradeNeeded }

// applyUpgrade runs, at the start of a block, the upgrade scheduled for its
// height: its registered handler, in the block's state, or, without one,
// an UpgradeNeededError that stops the node. It returns the upgrade's
// event.
func (a *App) applyUpgrade(ctx modules.Context) ([]modules.Event, error) {
	plan, err := a.governance.UpgradePlan(ctx)
	if err != nil {
		return nil, err
	}
	if plan == nil || plan.Height != ctx.Height {
		return nil, nil
	}
	h, ok := upgrades.Get(plan.Name)
	if !ok {
		return nil, &UpgradeNeededError{Name: plan.Name, Height: plan.Height, Info: plan.Info}
	}
	if err := h(ctx); err != nil {
		return nil, fmt.Errorf("app: upgrade %q at height %d: %w", plan.Name, plan.Height, err)
	}
	a.governance.UpgradeApplied(ctx, plan.Name)
	return []modules.Event{modules.Flatten(EventUpgradeApplied{Name: plan.Name, Height: plan.Height})}, nil
}

// EventUpgradeApplied is emitted at the height of an upgrade whose handler
// ran.
type EventUpgradeApplied struct {
	Name   string `event:"name,index"`
	Height int64  `event:"height"`
}

// EventTypeUpgradeApplied is EventUpgradeApplied's type.
const EventTypeUpgradeApplied = "icn.upgrade.applied"

// EventType implements modules.TypedEvent.
func (EventUpgradeApplied) EventType() string { return EventTypeUpgradeApplied }

func init() { modules.RegisterEvent(EventUpgradeApplied{}) }

// takeValidatorUpdates collects the block's validator changes.
func (a *App) takeValidatorUpdates(ctx modules.Context) ([]ValidatorUpdate, error) {
	vals, err := a.governance.TakeValidatorUpdates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ValidatorUpdate, len(vals))
	for i, v := range vals {
		out[i] = ValidatorUpdate{PubKey: v.PubKey, Power: v.Power}
	}
	return out, nil
}

// InitValidators records the genesis validators, which CometBFT hands to
// InitChain, so that governance can check changes against the whole set.
// Call it just before InitChain, which then includes them in the genesis
// app hash.
func (a *App) InitValidators(vals []ValidatorUpdate) error {
	ctx := modules.NewContext(a.chainID, a.nextHeight(), a.lastBlockTime, a.cms.Working())
	in := make([]*governancev1.Validator, len(vals))
	for i, v := range vals {
		in[i] = &governancev1.Validator{PubKey: v.PubKey, Power: v.Power}
	}
	return a.governance.InitValidators(ctx, in)
}

// MessageRouter returns the message table as governance sees it
// (modules.Router), without a store: for tools and tests that decode and
// check proposals' messages as the chain does.
func MessageRouter() modules.Router { return newModuleSet().msgs }

// UpgradeNeeded returns an UpgradeNeededError when the committed state
// schedules an upgrade at the next height that this binary has no handler
// for, and nil otherwise. The node calls it after each Commit and stops on
// an error: every node stops right after committing the height before the
// upgrade, each on its own, whether or not the next block is decided
// before its peers stop. A returned plain error is a broken store.
func (a *App) UpgradeNeeded() error {
	last := a.cms.LastCommitID().Version
	if last == 0 {
		return nil
	}
	ro, err := a.cms.ReadOnlyAt(last)
	if err != nil {
		return fmt.Errorf("app: read committed state %d: %w", last, err)
	}
	plan, err := a.governance.UpgradePlan(modules.NewContext(a.chainID, last, a.lastBlockTime, ro))
	if err != nil || plan == nil || plan.Height != last+1 {
		return err
	}
	if _, ok := upgrades.Get(plan.Name); ok {
		return nil
	}
	return &UpgradeNeededError{Name: plan.Name, Height: plan.Height, Info: plan.Info}
}

// ErrUnknownUpgrade is wrapped by the error CheckUpgrades returns.
var ErrUnknownUpgrade = errors.New("state migrated by an upgrade this binary does not know")

// CheckUpgrades refuses committed state that the last applied upgrade
// migrated when this binary registers no handler of that name: an older
// binary restarted on an upgraded node's home, or given a snapshot of
// upgraded nodes by state sync, would compute other app hashes than its
// peers. A binary keeps the handler of the last upgrade it follows. The
// node calls it from Info, at the handshake and after a state sync, and
// does not start on an error.
func (a *App) CheckUpgrades() error {
	last := a.cms.LastCommitID().Version
	if last == 0 {
		return nil
	}
	ro, err := a.cms.ReadOnlyAt(last)
	if err != nil {
		return fmt.Errorf("app: read committed state %d: %w", last, err)
	}
	name, height, found, err := a.governance.LastUpgrade(modules.NewContext(a.chainID, last, a.lastBlockTime, ro))
	if err != nil || !found {
		return err
	}
	if _, ok := upgrades.Get(name); ok {
		return nil
	}
	return fmt.Errorf("%w: upgrade %q was applied at height %d; start a binary that registers it", ErrUnknownUpgrade, name, height)
}
