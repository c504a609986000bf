package mana

import (
	"fmt"
	"math/bits"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// MaxEscrowIDLength bounds an escrow id. A job id or a hash fits.
const MaxEscrowIDLength = 64

// ValidateEscrowID checks that id has 1 to MaxEscrowIDLength bytes.
func ValidateEscrowID(id []byte) error {
	if len(id) == 0 || len(id) > MaxEscrowIDLength {
		return ErrInvalidEscrowID.Wrapf("want 1 to %d bytes, have %d", MaxEscrowIDLength, len(id))
	}
	return nil
}

// Escrow loads the open escrow with id. Errors: ErrInvalidEscrowID,
// ErrEscrowNotFound, and a plain error when the stored bytes do not decode.
// The caller owns the returned value.
func (k *Keeper) Escrow(ctx modules.Context, id []byte) (*manav1.Escrow, error) {
	if err := ValidateEscrowID(id); err != nil {
		return nil, err
	}
	e, found, err := modules.Load[manav1.Escrow](ctx.Store, EscrowKey(id))
	if err != nil {
		return nil, fmt.Errorf("mana: escrow %x: %w", id, err)
	}
	if !found {
		return nil, ErrEscrowNotFound.Wrapf("%x", id)
	}
	return e, nil
}

func (k *Keeper) setEscrow(ctx modules.Context, id []byte, e *manav1.Escrow) error {
	if err := modules.Save(ctx.Store, EscrowKey(id), e); err != nil {
		return fmt.Errorf("mana: escrow %x: %w", id, err)
	}
	return nil
}

// Lock moves amount from did's balance, regenerated to ctx.Height, into a
// new escrow under id. The mana stays counted against did's capacity while
// it is locked (Ceiling), so did does not regenerate it; Release or Refund
// closes the escrow. Errors, on which nothing is written:
// ErrInvalidEscrowID, ErrInvalidAmount (amount 0), ErrEscrowExists (id is
// open), ErrNoAccount, ErrInsufficientMana.
func (k *Keeper) Lock(ctx modules.Context, did string, id []byte, amount uint64) error {
	if err := ValidateEscrowID(id); err != nil {
		return err
	}
	if amount == 0 {
		return ErrInvalidAmount.Wrapf("cannot lock 0 mana")
	}
	if ctx.Store.Has(EscrowKey(id)) {
		return ErrEscrowExists.Wrapf("%x", id)
	}
	acc, err := k.Account(ctx, did)
	if err != nil {
		return err
	}
	settle(acc, ctx.Height)
	if acc.Balance < amount {
		return ErrInsufficientMana.Wrapf("%s has %d, needs %d to lock", did, acc.Balance, amount)
	}
	escrowed, carry := bits.Add64(acc.Escrowed, amount, 0)
	if carry != 0 {
		// amount <= balance <= capacity - escrowed, so the sum fits.
		return fmt.Errorf("mana: escrow total of %s overflows", did)
	}
	acc.Balance -= amount
	acc.Escrowed = escrowed
	if err := k.setAccount(ctx, did, acc); err != nil {
		return err
	}
	if err := k.setEscrow(ctx, id, &manav1.Escrow{Owner: did, Amount: amount, Height: ctx.Height}); err != nil {
		return err
	}
	ctx.Emit(EventEscrowLocked{ID: id, Owner: did, Amount: amount})
	return nil
}

// Release closes the escrow id and credits its amount to the account of
// to, regenerated to ctx.Height. The credit is capped at to's ceiling
// (capacity less escrow): mana is capacity, not a currency, so nobody is
// lifted above the capacity their membership gives them. What does not fit
// is destroyed, not returned to the owner, since the escrow paid for work
// that was done; the event reports it as burned. The owner's capacity is
// freed from ctx.Height on. Errors, on which nothing is written:
// ErrInvalidEscrowID, ErrEscrowNotFound, ErrNoAccount (to has none).
func (k *Keeper) Release(ctx modules.Context, id []byte, to string) error {
	e, err := k.Escrow(ctx, id)
	if err != nil {
		return err
	}
	return k.closeEscrow(ctx, id, e, to, false)
}

// Refund closes the escrow id and returns its amount to its owner, whose
// capacity it frees from ctx.Height on. The owner's balance is capped at its
// ceiling: if its capacity shrank below what it had locked (it left an
// organization meanwhile), the part that no longer fits is destroyed and
// reported as burned. Errors, on which nothing is written:
// ErrInvalidEscrowID, ErrEscrowNotFound.
func (k *Keeper) Refund(ctx modules.Context, id []byte) error {
	e, err := k.Escrow(ctx, id)
	if err != nil {
		return err
	}
	return k.closeEscrow(ctx, id, e, e.Owner, true)
}

// closeEscrow deletes escrow e (stored under id), frees its amount from its
// owner's account and credits it to to's account, capped at to's ceiling.
func (k *Keeper) closeEscrow(ctx modules.Context, id []byte, e *manav1.Escrow, to string, refund bool) error {
	recipient, err := k.Account(ctx, to)
	if err != nil {
		return err
	}
	owner := recipient
	if to != e.Owner {
		if owner, err = k.Account(ctx, e.Owner); err != nil {
			return fmt.Errorf("mana: escrow %x names owner %s, which has no account: %w", id, e.Owner, err)
		}
	}
	if owner.Escrowed < e.Amount {
		return fmt.Errorf("mana: escrow %x holds %d but its owner %s has only %d escrowed", id, e.Amount, e.Owner, owner.Escrowed)
	}
	// Settle both before the ceilings move: the freed capacity must not
	// regenerate retroactively over the blocks the escrow was open.
	settle(owner, ctx.Height)
	settle(recipient, ctx.Height)
	owner.Escrowed -= e.Amount
	credited := min(e.Amount, Ceiling(recipient)-recipient.Balance)
	recipient.Balance += credited
	if err := k.setAccount(ctx, e.Owner, owner); err != nil {
		return err
	}
	if to != e.Owner {
		if err := k.setAccount(ctx, to, recipient); err != nil {
			return err
		}
	}
	ctx.Store.Delete(EscrowKey(id))
	closed := EscrowClosed{ID: id, Owner: e.Owner, To: to, Amount: e.Amount, Credited: credited, Burned: e.Amount - credited}
	if refund {
		ctx.Emit(EventEscrowRefunded(closed))
	} else {
		ctx.Emit(EventEscrowReleased(closed))
	}
	return nil
}

// Event types of the partial escrow operations the mesh module uses (bonds
// and job escrows that settle piece by piece).
const (
	EventTypeEscrowIncreased = "icn.mana.escrow_increased"
	EventTypeEscrowPaid      = "icn.mana.escrow_paid"
	EventTypeEscrowBurned    = "icn.mana.escrow_burned"
)

func init() {
	modules.RegisterEvent(EventEscrowIncreased{})
	modules.RegisterEvent(EventEscrowPaid{})
	modules.RegisterEvent(EventEscrowBurned{})
}

// EventEscrowIncreased is emitted when LockMore adds to an open escrow.
type EventEscrowIncreased struct {
	ID    []byte `event:"id,index"`
	Owner string `event:"owner"`
	// Amount is what was added; Total the escrow's amount after it.
	Amount uint64 `event:"amount"`
	Total  uint64 `event:"total"`
}

// EventType implements modules.TypedEvent.
func (EventEscrowIncreased) EventType() string { return EventTypeEscrowIncreased }

// EventEscrowPaid is emitted when Pay moves part of an escrow to a DID (its
// owner, for a partial refund).
type EventEscrowPaid struct {
	ID    []byte `event:"id,index"`
	Owner string `event:"owner"`
	To    string `event:"to"`
	// Amount left the escrow; To was credited Credited of it and Burned
	// (= Amount - Credited) did not fit under To's ceiling.
	Amount   uint64 `event:"amount"`
	Credited uint64 `event:"credited"`
	Burned   uint64 `event:"burned"`
	// Remaining is what the escrow still holds; 0 means it is closed.
	Remaining uint64 `event:"remaining"`
}

// EventType implements modules.TypedEvent.
func (EventEscrowPaid) EventType() string { return EventTypeEscrowPaid }

// EventEscrowBurned is emitted when Burn destroys part of an escrow.
type EventEscrowBurned struct {
	ID        []byte `event:"id,index"`
	Owner     string `event:"owner"`
	Amount    uint64 `event:"amount"`
	Remaining uint64 `event:"remaining"`
}

// EventType implements modules.TypedEvent.
func (EventEscrowBurned) EventType() string { return EventTypeEscrowBurned }

// LockMore moves amount from the owner's balance, regenerated to
// ctx.Height, into the open escrow id. Errors, on which nothing is
// written: ErrInvalidEscrowID, ErrEscrowNotFound, ErrInvalidAmount (0),
// ErrInsufficientMana.
func (k *Keeper) LockMore(ctx modules.Context, id []byte, amount uint64) error {
	if amount == 0 {
		return ErrInvalidAmount.Wrapf("cannot lock 0 mana")
	}
	e, err := k.Escrow(ctx, id)
	if err != nil {
		return err
	}
	acc, err := k.Account(ctx, e.Owner)
	if err != nil {
		return fmt.Errorf("mana: escrow %x names owner %s, which has no account: %w", id, e.Owner, err)
	}
	settle(acc, ctx.Height)
	if acc.Balance < amount {
		return ErrInsufficientMana.Wrapf("%s has %d, needs %d to lock", e.Owner, acc.Balance, amount)
	}
	escrowed, c1 := bits.Add64(acc.Escrowed, amount, 0)
	total, c2 := bits.Add64(e.Amount, amount, 0)
	if c1 != 0 || c2 != 0 {
		return fmt.Errorf("mana: escrow %x of %s overflows", id, e.Owner)
	}
	acc.Balance -= amount
	acc.Escrowed = escrowed
	e.Amount = total
	if err := k.setAccount(ctx, e.Owner, acc); err != nil {
		return err
	}
	if err := k.setEscrow(ctx, id, e); err != nil {
		return err
	}
	ctx.Emit(EventEscrowIncreased{ID: id, Owner: e.Owner, Amount: amount, Total: total})
	return nil
}

// Pay moves amount out of the escrow id and credits it to to (the owner,
// for a partial refund), capped at to's ceiling as in Release: what does
// not fit is destroyed and reported as burned. The escrow closes when
// nothing is left. It returns the amount credited. Errors, on which
// nothing is written: ErrInvalidEscrowID, ErrEscrowNotFound, ErrNoAccount
// (to has none), ErrInvalidAmount (0, or more than the escrow holds).
func (k *Keeper) Pay(ctx modules.Context, id []byte, to string, amount uint64) (credited uint64, err error) {
	e, err := k.Escrow(ctx, id)
	if err != nil {
		return 0, err
	}
	if amount == 0 || amount > e.Amount {
		return 0, ErrInvalidAmount.Wrapf("cannot pay %d out of an escrow of %d", amount, e.Amount)
	}
	recipient, err := k.Account(ctx, to)
	if err != nil {
		return 0, err
	}
	owner := recipient
	if to != e.Owner {
		if owner, err = k.Account(ctx, e.Owner); err != nil {
			return 0, fmt.Errorf("mana: escrow %x names owner %s, which has no account: %w", id, e.Owner, err)
		}
	}
	if owner.Escrowed < amount {
		return 0, fmt.Errorf("mana: escrow %x holds %d but its owner %s has only %d escrowed", id, e.Amount, e.Owner, owner.Escrowed)
	}
	settle(owner, ctx.Height)
	settle(recipient, ctx.Height)
	owner.Escrowed -= amount
	credited = min(amount, Ceiling(recipient)-recipient.Balance)
	recipient.Balance += credited
	if err := k.setAccount(ctx, e.Owner, owner); err != nil {
		return 0, err
	}
	if to != e.Owner {
		if err := k.setAccount(ctx, to, recipient); err != nil {
			return 0, err
		}
	}
	e.Amount -= amount
	if e.Amount == 0 {
		ctx.Store.Delete(EscrowKey(id))
	} else if err := k.setEscrow(ctx, id, e); err != nil {
		return 0, err
	}
	ctx.Emit(EventEscrowPaid{ID: id, Owner: e.Owner, To: to, Amount: amount, Credited: credited, Burned: amount - credited, Remaining: e.Amount})
	return credited, nil
}

// Burn destroys amount of the escrow id: it leaves the escrow and the
// owner's escrowed total and is credited to nobody (a slashed bond). The
// owner's ceiling rises by amount, its balance does not: it regenerates
// the burned mana at its rate. The escrow closes when nothing is left.
// Errors, on which nothing is written: ErrInvalidEscrowID,
// ErrEscrowNotFound, ErrInvalidAmount (0, or more than the escrow holds).
func (k *Keeper) Burn(ctx modules.Context, id []byte, amount uint64) error {
	e, err := k.Escrow(ctx, id)
	if err != nil {
		return err
	}
	if amount == 0 || amount > e.Amount {
		return ErrInvalidAmount.Wrapf("cannot burn %d of an escrow of %d", amount, e.Amount)
	}
	owner, err := k.Account(ctx, e.Owner)
	if err != nil {
		return fmt.Errorf("mana: escrow %x names owner %s, which has no account: %w", id, e.Owner, err)
	}
	if owner.Escrowed < amount {
		return fmt.Errorf("mana: escrow %x holds %d but its owner %s has only %d escrowed", id, e.Amount, e.Owner, owner.Escrowed)
	}
	// Settle first: the higher ceiling applies from ctx.Height on only.
	settle(owner, ctx.Height)
	owner.Escrowed -= amount
	if err := k.setAccount(ctx, e.Owner, owner); err != nil {
		return err
	}
	e.Amount -= amount
	if e.Amount == 0 {
		ctx.Store.Delete(EscrowKey(id))
	} else if err := k.setEscrow(ctx, id, e); err != nil {
		return err
	}
	ctx.Emit(EventEscrowBurned{ID: id, Owner: e.Owner, Amount: amount, Remaining: e.Amount})
	return nil
}
