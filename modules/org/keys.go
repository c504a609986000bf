package org

import (
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
)

// StorePrefix is the org module's key prefix.
const StorePrefix = modules.PrefixOrg

// Sub-prefixes of organization state (documented in doc.go and
// docs/state.md); they keep the values they had under the identity prefix.
// Every part is a 40-byte DID, so keys under one sub-prefix sort by their
// first DID, then their second.
const (
	subOrganization byte = 0x20 // org                   -> Organization
	subMember       byte = 0x21 // org | member          -> Membership
	subMemberOf     byte = 0x22 // member | org          -> memberOfMarker
	subInvitation   byte = 0x23 // org | member          -> Invitation
	subFreeze       byte = 0x24 // account | org         -> Freeze
	subFreezeCount  byte = 0x25 // account               -> number of freezes, 4 bytes big-endian
	subWaiting      byte = 0x26 // org | member          -> memberOfMarker (unseated members of org)
	subRootFreeze   byte = 0x27 // account               -> frozenMarker while the root federation has frozen account
)

// FreezeCountKey is the key of how many organizations have frozen account;
// absent when none has. It lets the scoped freeze check answer "is the
// account frozen by anyone?" with one read, and look further only when it
// is.
func FreezeCountKey(account string) []byte {
	return modules.Key(StorePrefix, subFreezeCount, []byte(account))
}

// RootFreezeKey is the key of the marker saying that the root federation
// has frozen account; absent otherwise. It lets the ante handler answer
// "has the root federation frozen the signer?" with one read, without
// knowing the root federation's DID.
func RootFreezeKey(account string) []byte {
	return modules.Key(StorePrefix, subRootFreeze, []byte(account))
}

// frozenMarker is the value of a root freeze marker. The store refuses
// empty values; the marker carries nothing beyond its key.
var frozenMarker = []byte{0x01}

// memberOfMarker is the value of a member-of or a waiting index entry. The
// store refuses empty values; the entry carries nothing beyond its key.
var memberOfMarker = []byte{0x01}

// OrganizationKey is the key of org's Organization record.
func OrganizationKey(org string) []byte {
	return modules.Key(StorePrefix, subOrganization, []byte(org))
}

// MembershipKey is the key of member's Membership of org.
func MembershipKey(org, member string) []byte {
	return modules.Key(StorePrefix, subMember, []byte(org), []byte(member))
}

// MembersPrefix prefixes the Membership keys of every member of org, in
// member DID order.
func MembersPrefix(org string) []byte {
	return modules.Key(StorePrefix, subMember, []byte(org))
}

// MemberOfKey is the key of the index entry saying that member belongs to org.
func MemberOfKey(member, org string) []byte {
	return modules.Key(StorePrefix, subMemberOf, []byte(member), []byte(org))
}

// MemberOfPrefix prefixes the index entries of every organization member
// belongs to, in organization DID order.
func MemberOfPrefix(member string) []byte {
	return modules.Key(StorePrefix, subMemberOf, []byte(member))
}

// WaitingKey is the key of the index entry saying that member belongs to
// org without holding one of its bonus seats, and waits for one. It lets
// seats go to waiting members in bounded work however many members hold
// seats.
func WaitingKey(org, member string) []byte {
	return modules.Key(StorePrefix, subWaiting, []byte(org), []byte(member))
}

// WaitingPrefix prefixes the waiting entries of org, in member DID order:
// the order in which its waiting members get free seats.
func WaitingPrefix(org string) []byte {
	return modules.Key(StorePrefix, subWaiting, []byte(org))
}

// InvitationKey is the key of member's pending Invitation to org.
func InvitationKey(org, member string) []byte {
	return modules.Key(StorePrefix, subInvitation, []byte(org), []byte(member))
}

// FreezeKey is the key of org's Freeze of account.
func FreezeKey(account, org string) []byte {
	return modules.Key(StorePrefix, subFreeze, []byte(account), []byte(org))
}

// FreezesPrefix prefixes the Freeze keys of every freeze of account, in
// organization DID order.
func FreezesPrefix(account string) []byte {
	return modules.Key(StorePrefix, subFreeze, []byte(account))
}

// lastDID returns the DID that ends key, a key whose last part is a DID. The
// caller knows the key layout; a key too short for it is a broken invariant.
func lastDID(key []byte) (string, bool) {
	if len(key) < did.DIDLength+1 || int(key[len(key)-did.DIDLength-1]) != did.DIDLength {
		return "", false
	}
	return string(key[len(key)-did.DIDLength:]), true
}
