// Package org keeps organizations: communities, cooperatives and
// federations, which form one tree under the root federation from genesis
// (the federation hierarchy); their members and roles; the passing of
// control from the founder to the assembly of members; and the compliance
// freezes their officers place on members' accounts; and the bonus seats
// that decide which memberships earn a mana capacity bonus (seats.go).
//
// An organization is a DID too, derived from its parent and name
// (DeriveOrgDID), whose document has no keys. This module registers that
// document through the did module (expected.go: DIDs) and lets its
// controllers decide who sends the organization's privileged messages: the
// founder while it controls the organization, afterwards nobody but the
// organization's own authority, which only governance outcomes carry.
//
// State (keys.go; every part is a 40-byte DID):
//
//	0x11 0x20 | len | org                 -> Organization
//	0x11 0x21 | len | org | len | member  -> Membership (members of org)
//	0x11 0x22 | len | member | len | org  -> 0x01 (index: orgs of member)
//	0x11 0x23 | len | org | len | member  -> Invitation (pending)
//	0x11 0x24 | len | account | len | org -> Freeze (account frozen by org)
//	0x11 0x25 | len | account             -> number of freezes of account, 4 bytes big-endian (absent = 0)
//	0x11 0x26 | len | org | len | member  -> 0x01 (index: members of org waiting for a seat)
//
// Bonus seats flow down the federation tree, divided and never multiplied.
// Genesis gives the root federation its seats; MsgSetSeats, sent by the
// controller of an organization's parent, moves seats between the parent's
// free seats and the organization; nothing else creates or destroys one. A
// member joins holding a free seat of its organization if there is one
// (the founder of a new organization, which holds none, never does) and
// waits for one otherwise. A departing member's seat passes to the first
// waiting member in DID order; raising an organization's seats seats its
// waiting members in DID order, at most MaxSeatedPerMessage per message.
// Lowering never unseats anyone. The mana module counts only seated
// memberships (Keeper.SeatedKinds), so founding organizations and admitting
// one's own DIDs grant no capacity beyond the seats someone else passed
// down.
//
// Invariants:
//   - every organization's DID equals DeriveOrgDID of its parent and name
//     and has a keyless DID document in the did module;
//   - organizations form one tree: every organization but the root
//     federation has a parent, and every parent is a federation;
//   - a member-of entry exists exactly when its Membership does; every
//     membership holds "member"; "founder" is held by the founder exactly
//     while it controls the organization, and the founder is a member then;
//   - an organization's document lists its founder as sole controller under
//     founder control and no controller under assembly control, which is
//     final;
//   - an invitation never names a member; an account is frozen while any
//     Freeze names it, and its freeze count is the number of those Freezes;
//   - a DID belongs to at most MaxMembershipsPerDID organizations;
//   - every organization's seats_used is at most its bonus_seats and equals
//     the number of its seated memberships; a waiting entry exists exactly
//     for each membership without a seat;
//   - the bonus seats of all organizations add up to what genesis gave,
//     at most MaxSeats; no message changes the sum.
package org
