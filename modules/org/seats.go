package org

import (
	"fmt"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// Bonus seats. A membership earns its organization kind's mana bonus only
// while it holds one of the organization's seats (Membership.seated), so
// the capacity memberships give is bounded by the seats there are. Genesis
// gives the root federation its seats; MsgSetSeats moves seats between a
// federation and an organization under it, by the federation's decision;
// nothing else creates or destroys one. Founding organizations or
// admitting one's own DIDs therefore seats nobody beyond the seats someone
// else granted.

// Bounds of seat accounting.
const (
	// MaxSeats bounds the seats that exist in all (genesis) and so the
	// count a MsgSetSeats may name: far more than the network has members,
	// and low enough that no sum of seats nears 2^32.
	MaxSeats = 1_000_000_000
	// MaxSeatedPerMessage bounds the waiting members one MsgSetSeats
	// seats, so its work stays bounded however many wait. The others get
	// seats as seated members leave, or by a further MsgSetSeats.
	MaxSeatedPerMessage = 256
)

// freeSeats is how many of o's seats no membership of o holds. Handlers
// and genesis keep o.SeatsUsed <= o.BonusSeats.
func freeSeats(o *identityv1.Organization) uint32 {
	if o.SeatsUsed >= o.BonusSeats {
		return 0
	}
	return o.BonusSeats - o.SeatsUsed
}

// admit writes m, a new membership of o: seated when o has a free seat
// (counting it in o, which it saves), waiting for one otherwise. The caller
// recomputes the member's capacity when m is seated.
func (k *Keeper) admit(ctx modules.Context, o *identityv1.Organization, m *identityv1.Membership) error {
	if freeSeats(o) > 0 {
		m.Seated = true
		o.SeatsUsed++
		if err := k.setOrganization(ctx, o); err != nil {
			return err
		}
	}
	return k.setMembership(ctx, m)
}

// release deletes m, a membership of o. A seat it held passes to the first
// member of o waiting for one, if any, and is free otherwise; o is saved.
// The caller recomputes the departing member's capacity when m was seated.
func (k *Keeper) release(ctx modules.Context, o *identityv1.Organization, m *identityv1.Membership) error {
	k.deleteMembership(ctx, o.Did, m.Member)
	if !m.Seated {
		return nil
	}
	if o.SeatsUsed == 0 {
		return fmt.Errorf("org: %s held a seat of %s, which counts none in use", m.Member, o.Did)
	}
	o.SeatsUsed--
	return k.seatWaiting(ctx, o, 1)
}

// seatWaiting gives o's free seats to members waiting for one, in member
// DID order, at most limit of them, recomputes each one's capacity, emits
// EventMemberSeated for each, and saves o.
func (k *Keeper) seatWaiting(ctx modules.Context, o *identityv1.Organization, limit int) error {
	n := min(limit, int(freeSeats(o)))
	var waiting []string
	prefix := WaitingPrefix(o.Did)
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	for ; it.Valid() && len(waiting) < n; it.Next() {
		member, ok := lastDID(it.Key())
		if !ok {
			_ = it.Close()
			return fmt.Errorf("org: malformed waiting key %x", it.Key())
		}
		waiting = append(waiting, member)
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("org: iterate members of %s waiting for a seat: %w", o.Did, err)
	}
	for _, member := range waiting {
		m, err := k.Membership(ctx, o.Did, member)
		if err != nil {
			return fmt.Errorf("org: %s waits for a seat of %s: %w", member, o.Did, err)
		}
		m.Seated = true
		o.SeatsUsed++
		if err := k.setMembership(ctx, m); err != nil {
			return err
		}
		if err := k.mana.MembershipChanged(ctx, member); err != nil {
			return err
		}
		ctx.Emit(EventMemberSeated{Org: o.Did, Member: member})
	}
	return k.setOrganization(ctx, o)
}
