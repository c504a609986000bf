package indexer

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/mesh"
	"github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/modules/profile"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
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
	kindExecutor
	kindJob
	kindDAGEntry
	kindProposal
	kindVoter
	kindDelegation
	kindPolicy
)

// ref names one store record: its table, its key in the store and its
// identifiers in the table (a, b). A ref with scan set names every record
// under the prefix key instead (a proposal's electorate snapshot).
type ref struct {
	kind kind
	a, b string
	key  []byte
	scan bool
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
func executorRef(d string) ref { return ref{kind: kindExecutor, a: d, key: mesh.ExecutorKey(d)} }

// jobRef names a job by the CID its events give.
func jobRef(job string) (ref, error) {
	id, err := mesh.ParseJob(job)
	if err != nil {
		return ref{}, fmt.Errorf("mesh event: job %q: %w", job, err)
	}
	return ref{kind: kindJob, a: job, key: mesh.JobKey(id)}, nil
}

// dagEntryRef names the entry anchorer anchored for the CID string c.
func dagEntryRef(c, anchorer string) (ref, error) {
	id, err := cid.Decode(c)
	if err != nil {
		return ref{}, fmt.Errorf("dag entry: cid %q: %w", c, err)
	}
	return ref{kind: kindDAGEntry, a: c, b: anchorer, key: dag.EntryKey(id.Bytes(), anchorer)}, nil
}

// jobRefs are the job and the further records an event of it names.
func jobRefs(job string, more ...ref) ([]ref, error) {
	r, err := jobRef(job)
	if err != nil {
		return nil, err
	}
	return append([]ref{r}, more...), nil
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
	{kindExecutor, mesh.ExecutorsPrefix()},
	{kindJob, mesh.JobsPrefix()},
	{kindDAGEntry, dag.EntryKey(nil, "")[:2]},
	{kindProposal, governance.ProposalKey(0)[:2]},
	{kindVoter, governance.VoterKey(0, "")[:2]},
	{kindDelegation, governance.DelegationKey("", "")[:2]},
	{kindPolicy, governance.PolicyKey("")[:2]},
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
	case dag.EventAnchored:
		r, err := dagEntryRef(e.CID, e.AnchoredBy)
		return []ref{r}, err
	// Every job ref also brings in its bidders' executor records
	// (derivedRefs): a cancellation, a selection or a failure frees the
	// holds of bidders its event does not name.
	case mesh.EventExecutorRegistered:
		return []ref{executorRef(e.DID)}, nil
	case mesh.EventExecutorUpdated:
		return []ref{executorRef(e.DID)}, nil
	case mesh.EventExecutorLeft:
		return []ref{executorRef(e.DID)}, nil
	case mesh.EventJobPosted:
		return jobRefs(e.Job)
	case mesh.EventJobCancelled:
		return jobRefs(e.Job)
	case mesh.EventBid:
		return jobRefs(e.Job, executorRef(e.Executor))
	case mesh.EventBidEvicted:
		return jobRefs(e.Job, executorRef(e.Executor))
	case mesh.EventJobAssigned:
		return jobRefs(e.Job)
	case mesh.EventReceiptCommitted:
		return jobRefs(e.Job)
	case mesh.EventReceiptAccepted:
		r, err := dagEntryRef(e.Receipt, e.Executor)
		if err != nil {
			return nil, err
		}
		return jobRefs(e.Job, r)
	case mesh.EventJobCompleted:
		return jobRefs(e.Job)
	case mesh.EventJobFailed:
		return jobRefs(e.Job)
	case mesh.EventExecutorSettled:
		return jobRefs(e.Job, executorRef(e.Executor))
	// A voter's record also brings in its delegate's (derivedRefs): a
	// vote moves the voter's weight off its delegate.
	case governance.EventSubmitted:
		return []ref{proposalRef(e.ID), votersScan(e.ID)}, nil
	case governance.EventVoted:
		return []ref{proposalRef(e.ID), voterRef(e.ID, e.Voter)}, nil
	case governance.EventWithdrawn:
		return []ref{proposalRef(e.ID)}, nil
	case governance.EventStatus:
		return []ref{proposalRef(e.ID)}, nil
	case governance.EventDelegated:
		return []ref{delegationRef(e.Delegator, e.Org)}, nil
	case governance.EventUndelegated:
		return []ref{delegationRef(e.Delegator, e.Org)}, nil
	case governance.EventPolicySet:
		return []ref{policyRef(e.Org)}, nil
	}
	return nil, nil
}

// derivedRefs returns the records that records among recs lead to and
// that the events do not all name, less those in have (which it extends):
// a job's bidders' executor records, a voter's delegate's entry.
func derivedRefs(recs []record, have map[string]bool) ([]ref, error) {
	var out []ref
	add := func(r ref) {
		if !have[string(r.key)] {
			have[string(r.key)] = true
			out = append(out, r)
		}
	}
	for _, r := range recs {
		if r.value == nil {
			continue
		}
		switch r.kind {
		case kindJob:
			var j meshv1.Job
			if err := j.Unmarshal(r.value); err != nil {
				return nil, fmt.Errorf("decode job under %X: %w", r.key, err)
			}
			for _, b := range j.Bids {
				add(executorRef(b.Executor))
			}
		case kindVoter:
			var v governancev1.Voter
			if err := v.Unmarshal(r.value); err != nil {
				return nil, fmt.Errorf("decode voter under %X: %w", r.key, err)
			}
			if v.Delegate != "" {
				id, err := strconv.ParseUint(r.a, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("voter under %X: proposal %q: %w", r.key, r.a, err)
				}
				add(voterRef(id, v.Delegate))
			}
		}
	}
	return dedupRefs(out), nil
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
	case kindExecutor:
		var v meshv1.Executor
		err = v.Unmarshal(value)
		r.a = v.Did
	case kindJob:
		var v meshv1.Job
		err = v.Unmarshal(value)
		if err == nil {
			err = mesh.ValidateJobID(v.Id)
		}
		if err == nil {
			r.a = mesh.JobCID(v.Id).String()
		}
	case kindDAGEntry:
		var v dagv1.Entry
		err = v.Unmarshal(value)
		if err == nil {
			var c cid.Cid
			c, err = cid.Cast(v.Cid)
			r.a, r.b = c.String(), v.AnchoredBy
		}
	case kindProposal:
		var v governancev1.Proposal
		err = v.Unmarshal(value)
		r.a = strconv.FormatUint(v.Id, 10)
	case kindVoter:
		// The voter's value names neither the proposal nor the member:
		// the key does (prefix, sub, 8, id, len, member).
		parts, ok := keyParts(key)
		if !ok || len(parts) != 2 || len(parts[0]) != 8 {
			return r, fmt.Errorf("voter key %X is malformed", key)
		}
		r.a, r.b = strconv.FormatUint(binary.BigEndian.Uint64(parts[0]), 10), string(parts[1])
	case kindDelegation:
		var v governancev1.Delegation
		err = v.Unmarshal(value)
		r.a, r.b = v.Delegator, v.Org
	case kindPolicy:
		parts, ok := keyParts(key)
		if !ok || len(parts) != 1 {
			return r, fmt.Errorf("policy key %X is malformed", key)
		}
		r.a = string(parts[0])
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
		case kindExecutor:
			b.Queue("DELETE FROM mesh_executors WHERE did = $1", r.a)
		case kindJob:
			b.Queue("DELETE FROM mesh_jobs WHERE id = $1", r.a)
		case kindDAGEntry:
			b.Queue("DELETE FROM dag_entries WHERE cid = $1 AND anchorer = $2", r.a, r.b)
		case kindProposal:
			b.Queue("DELETE FROM gov_proposals WHERE id = $1::bigint", r.a)
		case kindVoter:
			b.Queue("DELETE FROM gov_voters WHERE proposal = $1::bigint AND member = $2", r.a, r.b)
		case kindDelegation:
			b.Queue("DELETE FROM gov_delegations WHERE delegator = $1 AND org = $2", r.a, r.b)
		case kindPolicy:
			b.Queue("DELETE FROM gov_policies WHERE org = $1", r.a)
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
	case kindExecutor:
		var v meshv1.Executor
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		c := v.Capabilities
		if c == nil {
			c = &meshv1.Capabilities{}
		}
		b.Queue(`INSERT INTO mesh_executors (did, status, max_fuel, memory_pages, kinds, price_floor, bond, reserved, reputation, open,
				registered_height, last_gain_height, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (did) DO UPDATE SET status = $2, max_fuel = $3, memory_pages = $4, kinds = $5, price_floor = $6, bond = $7,
				reserved = $8, reputation = $9, open = $10, registered_height = $11, last_gain_height = $12, height = $13`,
			v.Did, enumName(v.Status.String(), "EXECUTOR_STATUS_"), u64(c.MaxFuel), u64(c.MemoryPages), nonNil(c.Kinds),
			u64(v.PriceFloor), u64(v.Bond), u64(v.Reserved), u64(v.Reputation), int64(v.Open), v.RegisteredHeight, v.LastGainHeight, h)
	case kindJob:
		var v meshv1.Job
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		return queueJob(b, r.a, &v, h)
	case kindDAGEntry:
		var v dagv1.Entry
		if err := v.Unmarshal(r.value); err != nil {
			return fail(err)
		}
		links := make([]string, len(v.Links))
		for i, l := range v.Links {
			c, err := cid.Cast(l)
			if err != nil {
				return fail(err)
			}
			links[i] = c.String()
		}
		b.Queue(`INSERT INTO dag_entries (cid, anchorer, kind, links, anchored_height, height) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (cid, anchorer) DO UPDATE SET kind = $3, links = $4, anchored_height = $5, height = $6`,
			r.a, r.b, v.Kind, links, v.Height, h)
		// A receipt's row may be written before its entry in the same height.
		b.Queue("UPDATE mesh_receipts SET anchored_height = $3 WHERE cid = $1 AND executor = $2", r.a, r.b, v.Height)
	case kindProposal, kindVoter, kindDelegation, kindPolicy:
		if err := queueGovernance(b, r, h); err != nil {
			return fail(err)
		}
	}
	return nil
}

// queueJob writes job j (CID id) with its bids and receipts, replacing
// the bids and receipts the row had.
func queueJob(b *pgx.Batch, id string, j *meshv1.Job, h int64) error {
	s := j.Spec
	if s == nil {
		s = &meshv1.MsgPostJob{}
	}
	req := s.Requirements
	if req == nil {
		req = &meshv1.Requirements{}
	}
	module, err := cidText(s.Module)
	if err != nil {
		return fmt.Errorf("job %s: module: %w", id, err)
	}
	input, err := cidText(s.Input)
	if err != nil {
		return fmt.Errorf("job %s: input: %w", id, err)
	}
	output, err := cidText(j.Output)
	if err != nil {
		return fmt.Errorf("job %s: output: %w", id, err)
	}
	executors := []string{}
	for _, bid := range j.Bids {
		if bid.Assigned {
			executors = append(executors, bid.Executor)
		}
	}
	b.Queue(`INSERT INTO mesh_jobs (id, poster, status, module, input, kind, memory_pages, min_reputation, fuel_limit, max_price,
			replication, agreement, bid_window, deadline_blocks, sequence, escrow, posted_height, window_close, deadline_height,
			executors, output, fuel, exit, refunded, reason, closed_height, height, commit_deadline)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)
		ON CONFLICT (id) DO UPDATE SET poster = $2, status = $3, module = $4, input = $5, kind = $6, memory_pages = $7,
			min_reputation = $8, fuel_limit = $9, max_price = $10, replication = $11, agreement = $12, bid_window = $13,
			deadline_blocks = $14, sequence = $15, escrow = $16, posted_height = $17, window_close = $18, deadline_height = $19,
			executors = $20, output = $21, fuel = $22, exit = $23, refunded = $24, reason = $25, closed_height = $26, height = $27,
			commit_deadline = $28`,
		id, j.Poster, enumName(j.Status.String(), "JOB_STATUS_"), module, input, req.Kind, u64(req.MemoryPages), u64(req.MinReputation),
		u64(s.FuelLimit), u64(s.MaxPrice), int64(s.Replication), int64(j.Agreement), u64(s.BidWindow), u64(s.Deadline), u64(s.Sequence),
		u64(j.Escrow), j.PostedHeight, j.WindowClose, j.DeadlineHeight, executors, output, u64(j.Fuel), u64(j.Exit), u64(j.Refunded),
		j.Reason, j.ClosedHeight, h, j.CommitDeadline)
	b.Queue("DELETE FROM mesh_bids WHERE job = $1", id)
	b.Queue("DELETE FROM mesh_receipts WHERE job = $1", id)
	for i, bid := range j.Bids {
		b.Queue(`INSERT INTO mesh_bids (job, executor, idx, price, reserved, bid_height, assigned, commitment, paid, slashed)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, bid.Executor, i, u64(bid.Price), u64(bid.Reserved), bid.Height, bid.Assigned, hex.EncodeToString(bid.Commitment),
			u64(bid.Paid), u64(bid.Slashed))
		if len(bid.Receipt) == 0 {
			continue
		}
		rc, err := cidText(bid.Receipt)
		if err != nil {
			return fmt.Errorf("job %s: receipt of %s: %w", id, bid.Executor, err)
		}
		out, err := cidText(bid.Output)
		if err != nil {
			return fmt.Errorf("job %s: output of %s: %w", id, bid.Executor, err)
		}
		b.Queue(`INSERT INTO mesh_receipts (job, executor, cid, output, fuel, exit, anchored_height)
			VALUES ($1, $2, $3, $4, $5, $6, coalesce((SELECT anchored_height FROM dag_entries WHERE cid = $3 AND anchorer = $2), 0))`,
			id, bid.Executor, rc, out, u64(bid.Fuel), u64(bid.Exit))
	}
	return nil
}

// cidText is the string of a binary CID, "" for none.
func cidText(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	c, err := cid.Cast(b)
	if err != nil {
		return "", err
	}
	return c.String(), nil
}

// u64 passes a uint64 to a numeric(20,0) column as its decimal text.
func u64(v uint64) string { return fmt.Sprint(v) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
