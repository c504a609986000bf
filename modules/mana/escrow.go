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
