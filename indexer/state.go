package indexer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/modules/profile"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
)

// The state tables are kept by re-reading, at the height being indexed,
// every store record that the height's typed events say changed, and
// writing the record as read (or deleting the row when the record is gone).
// The mirror therefore never re-implements a module's rules: a row is a
// copy of the chain's record at the row's height. A table of a later module
// adds a kind here, its cases in refsOf and a migration of its own.

// kind names the table a store record is mirrored into.
type kind int

const (
	kindDID kind = iota
	kindOrg
	kindMembership
	kindInvitation
	kindFreeze
	kindCredential
	kindMana
	kindProfile
)

// ref names one store record: its table, its key in the store and its
// identifiers in the table (a, b).
type ref struct {
	kind kind
	a, b string
	key  []byte
}

func didRef(d string) ref     { return ref{kind: kindDID, a: d, key: did.DocumentKey(d)} }
func orgRef(o string) ref     { return ref{kind: kindOrg, a: o, key: org.OrganizationKey(o)} }
func manaRef(d string) ref    { return ref{kind: kindMana, a: d, key: mana.AccountKey(d)} }
func profileRef(d string) ref { return ref{kind: kindProfile, a: d, key: profile.ProfileKey(d)} }
func memberRef(o, m string) ref {
	return ref{kind: kindMembership, a: o, b: m, key: org.MembershipKey(o, m)}
}
func inviteRef(o, m string) ref {
	return ref{kind: kindInvitation, a: o, b: m, key: org.InvitationKey(o, m)}
}
func freezeRef(account, o string) ref {
	return ref{kind: kindFreeze, a: account, b: o, key: org.FreezeKey(account, o)}
}

// scanPrefixes are the prefixes read whole at the first indexed height, to
// mirror the state that genesis wrote without events.
var scanPrefixes = []struct {
	kind   kind
	prefix []byte
}{
	{kindDID, did.DocumentKey("")[:2]},
	{kindOrg, org.OrganizationKey("")[:2]},
	{kindMembership, org.MembershipKey("", "")[:2]},
	{kindInvitation, org.InvitationKey("", "")[:2]},
	{kindFreeze, org.FreezeKey("", "")[:2]},
	{kindCredential, credential.CredentialKey("", nil)[:2]},
	{kindMana, mana.AccountKey("")[:2]},
	{kindProfile, profile.ProfileKey("")[:2]},
}

// refsOf returns the records an event says changed. Events of types it
// does not know (CometBFT's, a later module's) change nothing here.
func refsOf(ev modules.TypedEvent) ([]ref, error) {
	switch e := ev.(type) {
	case did.EventDIDRegistered:
		return []ref{didRef(e.DID), manaRef(e.DID)}, nil
	case did.EventKeyAdded:
		return []ref{didRef(e.DID)}, nil
	case did.EventKeyRotated:
		return []ref{didRef(e.DID)}, nil
	case did.EventKeyRevoked:
		return []ref{didRef(e.DID)}, nil
	case did.EventDIDDeactivated:
		return []ref{didRef(e.DID)}, nil
	case org.EventOrganizationCreated:
		out := []ref{orgRef(e.Org), memberRef(e.Org, e.Founder), manaRef(e.Founder), manaRef(e.Org), didRef(e.Org)}
		if e.Parent != "" {
			out = append(out, orgRef(e.Parent))
		}
		return out, nil
	case org.EventMemberInvited:
		return []ref{inviteRef(e.Org, e.Member)}, nil
	case org.EventMemberJoined:
		return []ref{orgRef(e.Org), memberRef(e.Org, e.Member), inviteRef(e.Org, e.Member), manaRef(e.Member)}, nil
	case org.EventMemberLeft:
		return []ref{orgRef(e.Org), memberRef(e.Org, e.Member), manaRef(e.Member)}, nil
	case org.EventMemberRemoved:
		return []ref{orgRef(e.Org), memberRef(e.Org, e.Member), manaRef(e.Member)}, nil
	case org.EventRoleGranted:
		return []ref{memberRef(e.Org, e.Member)}, nil
	case org.EventRoleRevoked:
		return []ref{memberRef(e.Org, e.Member)}, nil
	case org.EventControlTransferred:
		return []ref{orgRef(e.Org)}, nil
	case org.EventAccountFrozen:
		return []ref{freezeRef(e.Account, e.Org)}, nil
	case org.EventAccountUnfrozen:
		return []ref{freezeRef(e.Account, e.Org)}, nil
	case org.EventFreezeAppealed:
		return []ref{freezeRef(e.Account, e.Org)}, nil
	case org.EventSeatsSet:
		out := []ref{orgRef(e.Org)}
		if e.Parent != "" {
			out = append(out, orgRef(e.Parent))
		}
		return out, nil
	case org.EventMemberSeated:
		return []ref{orgRef(e.Org), memberRef(e.Org, e.Member), manaRef(e.Member)}, nil
	case credential.EventCredentialIssued:
		r, err := credentialRef(e.Issuer, e.CID)
		return []ref{r}, err
	case credential.EventCredentialRevoked:
		r, err := credentialRef(e.Issuer, e.CID)
		return []ref{r}, err
	case profile.EventProfileSet:
		return []ref{profileRef(e.DID)}, nil
	case profile.EventProfileErased:
		return []ref{profileRef(e.DID)}, nil
	case mana.EventCapacityChanged:
		return []ref{manaRef(e.DID)}, nil
	case mana.EventEscrowLocked:
		return []ref{manaRef(e.Owner)}, nil
	case mana.EventEscrowReleased:
		return escrowRefs(e.Owner, e.To), nil
	case mana.EventEscrowRefunded:
		return escrowRefs(e.Owner, e.To), nil
	case mana.EventEscrowIncreased:
		return []ref{manaRef(e.Owner)}, nil
	case mana.EventEscrowPaid:
		return escrowRefs(e.Owner, e.To), nil
	case mana.EventTreasurySpent:
		return []ref{manaRef(e.Org), manaRef(e.To)}, nil
	case mana.EventEscrowBurned:
		return []ref{manaRef(e.Owner)}, nil
	}
	return nil, nil
}

func escrowRefs(owner, to string) []ref {
	if to == "" || to == owner {
		return []ref{manaRef(owner)}
	}
	return []ref{manaRef(owner), manaRef(to)}
}

func credentialRef(issuer, c string) (ref, error) {
	id, err := cid.Decode(c)
	if err != nil {
		return ref{}, fmt.Errorf("credential event: cid %q: %w", c, err)
	}
	return ref{kind: kindCredential, a: issuer, b: c, key: credential.CredentialKey(issuer, id.Bytes())}, nil
}

// refFromKey names the record under a key found by a prefix scan.
func refFromKey(k kind, key, value []byte) (ref, error) {
	r := ref{kind: k, key: key}
	var err error
	switch k {
	case kindDID:
		var v identityv1.DIDDocument
		err = v.Unmarshal(value)
		r.a = v.Did
	case kindOrg:
		var v identityv1.Organization
		err = v.Unmarshal(value)
		r.a = v.Did
	case kindMembership:
		var v identityv1.Membership
		err = v.Unmarshal(value)
		r.a, r.b = v.Org, v.Member
	case kindInvitation:
		var v identityv1.Invitation
		err = v.Unmarshal(value)
		r.a, r.b = v.Org, v.Member
	case kindFreeze:
		var v identityv1.Freeze
		err = v.Unmarshal(value)
		r.a, r.b = v.Account, v.Org
	case kindCredential:
		var v identityv1.CredentialStatus
		err = v.Unmarshal(value)
		if err == nil {
			var c cid.Cid
			c, err = cid.Cast(v.Cid)
			r.a, r.b = v.Issuer, c.String()
		}
	case kindMana:
		// The account value does not name its DID: the key does
		// (prefix, sub, 0x28, did).
		if len(key) < 3 || int(key[2]) != len(key)-3 {
			return r, fmt.Errorf("mana account key %X is malformed", key)
		}
		r.a = string(key[3:])
	case kindProfile:
		var v identityv1.Profile
		err = v.Unmarshal(value)
		r.a = v.Did
	}
	if err != nil {
		return r, fmt.Errorf("decode record under %X: %w", key, err)
	}
	return r, nil
}

// dedupRefs sorts refs by key and drops repeats, so a block's writes come
// in a stable order.
func dedupRefs(refs []ref) []ref {
	sort.Slice(refs, func(i, j int) bool { return string(refs[i].key) < string(refs[j].key) })
	out := refs[:0]
	for i, r := range refs {
		if i > 0 && string(r.key) == string(refs[i-1].key) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// record is a ref with its value at the indexed height (nil: absent).
type record struct {
	ref
	value []byte
}

func enumName(s, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(s, prefix))
}

// writeRecord queues the statements that make r's row equal to the
// record at height h.
func writeRecord(b *pgx.Batch, r record, h int64) error {
	if r.value == nil {
		switch r.kind {
		case kindDID:
			b.Queue("DELETE FROM dids WHERE did = $1", r.a)
		case kindOrg:
			b.Queue("DELETE FROM orgs WHERE did = $1", r.a)
		case kindMembership:
			b.Queue("DELETE FROM memberships WHERE org = $1 AND member = $2", r.a, r.b)
		case kindInvitation:
			b.Queue("DELETE FROM invitations WHERE org = $1 AND member = $2", r.a, r.b)
		case kindFreeze:
			b.Queue("DELETE FROM freezes WHERE account = $1 AND org = $2", r.a, r.b)
		case kindCredential:
			b.Queue("DELETE FROM credentials WHERE issuer = $1 AND cid = $2", r.a, r.b)
		case kindMana:
			b.Queue("DELETE FROM mana_accounts WHERE did = $1", r.a)
		case kindProfile:
			b.Queue("DELETE FROM profiles WHERE did = $1", r.a)
		}
		return nil
	}
	fail := func(err error) error { return fmt.Errorf("decode record under %X at height %d: %w", r.key, h, err) }
	switch r.kind {
	case kindDID:
		var v identityv1.DIDDocument
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		b.Queue(`INSERT INTO dids (did, registered_by, created_height, updated_height, deactivated_height, controllers, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (did) DO UPDATE SET registered_by = $2, created_height = $3, updated_height = $4,
				deactivated_height = $5, controllers = $6, height = $7`,
			v.Did, v.RegisteredBy, v.CreatedHeight, v.UpdatedHeight, v.DeactivatedHeight, nonNil(v.Controllers), h)
		b.Queue("DELETE FROM did_keys WHERE did = $1", v.Did)
		for _, k := range v.Keys {
			b.Queue(`INSERT INTO did_keys (did, key_id, public_key, added_height, revoked_height) VALUES ($1, $2, $3, $4, $5)`,
				v.Did, k.Id, k.PublicKey, k.AddedHeight, k.RevokedHeight)
		}
	case kindOrg:
		var v identityv1.Organization
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		b.Queue(`INSERT INTO orgs (did, name, kind, parent, founder, control, created_height, control_transferred_height, bonus_seats, seats_used, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (did) DO UPDATE SET name = $2, kind = $3, parent = $4, founder = $5, control = $6, created_height = $7,
				control_transferred_height = $8, bonus_seats = $9, seats_used = $10, height = $11`,
			v.Did, v.Name, enumName(v.Kind.String(), "ORG_KIND_"), v.Parent, v.Founder, enumName(v.Control.String(), "CONTROL_"),
			v.CreatedHeight, v.ControlTransferredHeight, int64(v.BonusSeats), int64(v.SeatsUsed), h)
	case kindMembership:
		var v identityv1.Membership
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		b.Queue(`INSERT INTO memberships (org, member, roles, joined_height, seated, height) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org, member) DO UPDATE SET roles = $3, joined_height = $4, seated = $5, height = $6`,
			v.Org, v.Member, nonNil(v.Roles), v.JoinedHeight, v.Seated, h)
	case kindInvitation:
		var v identityv1.Invitation
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		b.Queue(`INSERT INTO invitations (org, member, roles, invited_by, invited_at, height) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org, member) DO UPDATE SET roles = $3, invited_by = $4, invited_at = $5, height = $6`,
			v.Org, v.Member, nonNil(v.Roles), v.InvitedBy, v.Height, h)
	case kindFreeze:
		var v identityv1.Freeze
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		b.Queue(`INSERT INTO freezes (account, org, reason, frozen_by, frozen_at, appeal, appeal_height, height) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (account, org) DO UPDATE SET reason = $3, frozen_by = $4, frozen_at = $5, appeal = $6, appeal_height = $7, height = $8`,
			v.Account, v.Org, v.Reason, v.FrozenBy, v.Height, v.Appeal, v.AppealHeight, h)
	case kindCredential:
		var v identityv1.CredentialStatus
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		b.Queue(`INSERT INTO credentials (issuer, cid, subject, type, issued_height, issued_by, revoked_height, revoked_by, reason, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (issuer, cid) DO UPDATE SET subject = $3, type = $4, issued_height = $5, issued_by = $6,
				revoked_height = $7, revoked_by = $8, reason = $9, height = $10`,
			r.a, r.b, v.Subject, v.CredentialType, v.IssuedHeight, v.IssuedBy, v.RevokedHeight, v.RevokedBy, v.Reason, h)
	case kindMana:
		var v manav1.Account
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		b.Queue(`INSERT INTO mana_accounts (did, balance, capacity, rate, last_height, base_capacity, base_rate, escrowed, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (did) DO UPDATE SET balance = $2, capacity = $3, rate = $4, last_height = $5, base_capacity = $6,
				base_rate = $7, escrowed = $8, height = $9`,
			r.a, u64(v.Balance), u64(v.Capacity), u64(v.Rate), v.LastHeight, u64(v.BaseCapacity), u64(v.BaseRate), u64(v.Escrowed), h)
	case kindProfile:
		var v identityv1.Profile
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		names := make([]string, len(v.Fields))
		for i, f := range v.Fields {
			names[i] = f.Name
		}
		var hash []byte
		if len(v.EmailHash) > 0 {
			hash = v.EmailHash
		}
		b.Queue(`INSERT INTO profiles (did, fields, email_hash, updated_height, height) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (did) DO UPDATE SET fields = $2, email_hash = $3, updated_height = $4, height = $5`,
			v.Did, names, hash, v.UpdatedHeight, h)
	}
	return nil
}

// u64 passes a uint64 to a numeric(20,0) column as its decimal text.
func u64(v uint64) string { return fmt.Sprint(v) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
