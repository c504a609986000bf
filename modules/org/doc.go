// Package org keeps organizations: communities, cooperatives and
// federations, which form one tree under the root federation from genesis
// (the federation hierarchy); their members and roles; the passing of
// control from the founder to the assembly of members; and the compliance
// freezes their officers place on accounts within their scope; and the bonus seats
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
//	0x11 0x27 | len | account             -> 0x01 while the root federation has frozen account
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
// Compliance freezes are scoped. An organization's scope is itself and
// every organization below it in the federation tree; the root
// federation's scope is the whole network. A freeze by an organization O
// stops the frozen account from acting within O's scope, and nowhere else:
//   - the handlers of the organization messages refuse, with
//     ErrFrozenInScope, an authority frozen by an organization whose scope
//     holds the message's target (the org field; for create_organization
//     the parent), after the usual authorization; the credential module
//     does the same for an issuer that is an organization, and for the
//     issuer itself (RefuseFrozen), and the app for a sponsor signer
//     spending an organization's treasury;
//   - leave_organization and appeal_freeze are never refused for a freeze:
//     anyone may leave, and the appeal is what a freeze leaves open;
//   - only a freeze by the root federation reaches everything: the ante
//     handler refuses every transaction of the account but those whose
//     rows allow it (modules.MsgSpec.FrozenMaySend: the appeal and leaving),
//     and the account may not pay as a sponsor (RootFrozen).
//
// So that no organization can freeze a member's standing in another, an
// officer's freeze holds only below its organization; an organization
// that wants a freeze to hold beside it must ask a federation above both.
// An officer may freeze any account that stands within its organization's
// scope: a member of it or of an organization below it (the root
// federation: any registered DID), so that leaving a federation while
// staying in an organization under it puts nobody out of reach.
// The check costs one read for an account nobody froze (the freeze count);
// otherwise it walks from the target up to the root, reading one freeze
// key per level, and organizations lie at most MaxDepth levels below the
// root (ErrTooDeep at creation, checked in genesis), so the walk is bounded
// whatever the number of freezes. The ante check is one read of the root
// freeze marker.
//
// Invariants:
//   - every organization's DID equals DeriveOrgDID of its parent and name
//     and has a keyless DID document in the did module;
//   - organizations form one tree: every organization but the root
//     federation has a parent, and every parent is a federation; no
//     organization lies more than MaxDepth levels below the root;
//   - a member-of entry exists exactly when its Membership does; every
//     membership holds "member"; "founder" is held by the founder exactly
//     while it controls the organization, and the founder is a member then;
//   - an organization's document lists its founder as sole controller under
//     founder control and no controller under assembly control, which is
//     final;
//   - an invitation never names a member; an account's freeze count is the
//     number of Freezes that name it, and its root freeze marker exists
//     exactly while the root federation's Freeze of it does;
//   - the did module refuses to deactivate a DID that controls an
//     organization (ControlledOrganizations, read from the "founder"
//     role), so no message leaves a founder-controlled organization with
//     a deactivated controller (genesis validation does not see
//     deactivation and cannot check this);
//   - a DID belongs to at most MaxMembershipsPerDID organizations;
//   - every organization's seats_used is at most its bonus_seats and equals
//     the number of its seated memberships; a waiting entry exists exactly
//     for each membership without a seat;
//   - the bonus seats of all organizations add up to what genesis gave,
//     at most MaxSeats; no message changes the sum.
package org
