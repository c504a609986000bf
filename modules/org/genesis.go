package org

import (
	"fmt"
	"sort"

	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/did"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Genesis is the org module's part of the genesis app state.
type Genesis struct {
	// Organizations are the organizations, whose DID documents InitGenesis
	// registers through the did module (they are not in the did genesis).
	Organizations []GenesisOrganization `json:"organizations"`
	// Memberships, with their roles; InitGenesis rebuilds the member-of index.
	Memberships []*identityv1.Membership `json:"memberships,omitempty"`
	// Invitations are the pending invitations.
	Invitations []*identityv1.Invitation `json:"invitations,omitempty"`
	// Freezes are the compliance freezes in force.
	Freezes []*identityv1.Freeze `json:"freezes,omitempty"`
}

// GenesisOrganization is an organization in genesis: the Organization
// record with its kind and control spelled out as names. Its DID document
// is not in the did genesis; InitGenesis builds it from the record (no
// keys, registered by the founder, controlled by the founder under founder
// control and by nobody else under assembly control).
type GenesisOrganization struct {
	DID string `json:"did"`
	// Name is unique under Parent; DID must be DeriveOrgDID(Parent, Name).
	Name string `json:"name"`
	// Kind is "community", "cooperative" or "federation".
	Kind string `json:"kind"`
	// Parent is a federation's DID, or empty for the one root federation.
	Parent  string `json:"parent,omitempty"`
	Founder string `json:"founder"`
	// Control is "founder" or "assembly".
	Control                  string `json:"control"`
	CreatedHeight            int64  `json:"created_height,omitempty"`
	ControlTransferredHeight int64  `json:"control_transferred_height,omitempty"`
	// BonusSeats are the bonus seats the organization holds; SeatsUsed
	// must equal the number of its memberships marked seated, and be at
	// most BonusSeats. Genesis is the only source of seats: their total,
	// over all organizations, is at most MaxSeats and never changes.
	BonusSeats uint32 `json:"bonus_seats,omitempty"`
	SeatsUsed  uint32 `json:"seats_used,omitempty"`
}

// AddRootFederation adds the root federation called name, founded and
// controlled by founder, holding seats bonus seats (all the seats the
// network starts with), with founder as its first member, seated when
// seats is not 0, and returns its DID. It refuses a genesis that already
// has organizations; Validate checks the rest (founder must be a did
// genesis document's DID, seats at most MaxSeats).
func (g *Genesis) AddRootFederation(name, founder string, seats uint32) (string, error) {
	if len(g.Organizations) > 0 {
		return "", ErrInvalidGenesis.Wrapf("the genesis already has organizations; the root federation comes first")
	}
	if err := ValidateOrgName(name); err != nil {
		return "", err
	}
	root := DeriveOrgDID("", name)
	seated := seats > 0
	var used uint32
	if seated {
		used = 1
	}
	g.Organizations = append(g.Organizations, GenesisOrganization{
		DID: root, Name: name, Kind: KindFederation, Founder: founder, Control: ControlFounder,
		BonusSeats: seats, SeatsUsed: used,
	})
	g.Memberships = append(g.Memberships, &identityv1.Membership{Org: root, Member: founder, Roles: []string{RoleFounder, RoleMember}, Seated: seated})
	return root, nil
}

// orgRecord converts o to the stored record. o has passed validation.
func (o GenesisOrganization) orgRecord() *identityv1.Organization {
	kind, _ := ParseOrgKind(o.Kind)
	control, _ := parseControl(o.Control)
	return &identityv1.Organization{
		Did:                      o.DID,
		Name:                     o.Name,
		Kind:                     kind,
		Parent:                   o.Parent,
		Founder:                  o.Founder,
		Control:                  control,
		CreatedHeight:            o.CreatedHeight,
		ControlTransferredHeight: o.ControlTransferredHeight,
		BonusSeats:               o.BonusSeats,
		SeatsUsed:                o.SeatsUsed,
	}
}

// Validate checks the org genesis against documents, the DIDs of the did
// genesis documents: the organizations form one tree under exactly one
// root federation (if there are any), every parent is a federation, names
// and DIDs match, founders are DIDs with documents (and keys), memberships,
// invitations and freezes name listed organizations and registered DIDs
// (documents or organizations), each record is as the messages would
// have written it, and the seats add up: each organization uses at most the
// seats it holds, as many as its seated memberships, and all hold at most
// MaxSeats together. documents is not modified.
func (g Genesis) Validate(documents map[string]bool) error {
	registered := make(map[string]bool, len(documents)+len(g.Organizations))
	for d := range documents {
		registered[d] = true
	}
	orgs := make(map[string]*identityv1.Organization, len(g.Organizations))
	root := ""
	for i, o := range g.Organizations {
		if err := o.validate(registered); err != nil {
			return ErrInvalidGenesis.Wrapf("organization %d: %v", i, err)
		}
		if orgs[o.DID] != nil {
			return ErrInvalidGenesis.Wrapf("organization %s is listed twice", o.DID)
		}
		if o.Parent == "" {
			if root != "" {
				return ErrInvalidGenesis.Wrapf("two root federations, %s and %s: there is exactly one", root, o.DID)
			}
			root = o.DID
		}
		orgs[o.DID] = o.orgRecord()
	}
	if len(orgs) > 0 && root == "" {
		return ErrInvalidGenesis.Wrapf("organizations without a root federation: exactly one federation has no parent")
	}
	// A DID derives from its parent's DID, so the parent links cannot form
	// a cycle; with every parent present and exactly one root, they form
	// one tree.
	for _, o := range g.Organizations {
		if o.Parent == "" {
			continue
		}
		p := orgs[o.Parent]
		if p == nil {
			return ErrInvalidGenesis.Wrapf("%s is an orphan: parent %s is not a genesis organization", o.DID, o.Parent)
		}
		if p.Kind != identityv1.OrgKind_ORG_KIND_FEDERATION {
			return ErrInvalidGenesis.Wrapf("%s: parent %s is a %s, not a federation", o.DID, o.Parent, KindName(p.Kind))
		}
	}
	// Every organization lies at most MaxDepth levels below the root, as
	// create_organization requires; the walk stops one level past it.
	for _, o := range g.Organizations {
		depth := 0
		for p := o.Parent; p != ""; p = orgs[p].Parent {
			if depth++; depth > MaxDepth {
				return ErrInvalidGenesis.Wrapf("%s lies more than %d levels below the root federation", o.DID, MaxDepth)
			}
		}
	}
	for _, o := range g.Organizations {
		registered[o.DID] = true
	}
	members, err := validateMemberships(g.Memberships, orgs, registered)
	if err != nil {
		return err
	}
	for _, o := range g.Organizations {
		if o.Control == ControlFounder && !members[[2]string{o.DID, o.Founder}] {
			return ErrInvalidGenesis.Wrapf("%s is controlled by its founder %s, who must be a member", o.DID, o.Founder)
		}
	}
	if err := validateSeats(g.Organizations, g.Memberships); err != nil {
		return err
	}
	if err := validateInvitations(g.Invitations, orgs, registered, members); err != nil {
		return err
	}
	return validateFreezes(g.Freezes, orgs, registered)
}

// validateSeats checks the seat accounting of organizations whose
// memberships have passed validateMemberships: used <= held for each, the
// number of seated memberships equals used, and the seats held in all are
// at most MaxSeats, so that no later sum of seats can overflow.
func validateSeats(orgs []GenesisOrganization, ms []*identityv1.Membership) error {
	seated := make(map[string]uint64, len(orgs))
	for _, m := range ms {
		if m.Seated {
			seated[m.Org]++
		}
	}
	var total uint64
	for _, o := range orgs {
		if o.SeatsUsed > o.BonusSeats {
			return ErrInvalidGenesis.Wrapf("%s uses %d seats but holds %d", o.DID, o.SeatsUsed, o.BonusSeats)
		}
		if seated[o.DID] != uint64(o.SeatsUsed) {
			return ErrInvalidGenesis.Wrapf("%s has %d seated memberships but counts %d seats used", o.DID, seated[o.DID], o.SeatsUsed)
		}
		total += uint64(o.BonusSeats)
	}
	if total > MaxSeats {
		return ErrInvalidGenesis.Wrapf("the organizations hold %d seats in all, max %d", total, MaxSeats)
	}
	return nil
}

// validate checks one organization on its own; registered holds the DIDs
// of the did genesis documents.
func (o GenesisOrganization) validate(registered map[string]bool) error {
	if err := did.ParseDID(o.DID); err != nil {
		return err
	}
	if err := ValidateOrgName(o.Name); err != nil {
		return err
	}
	kind, err := ParseOrgKind(o.Kind)
	if err != nil {
		return err
	}
	if o.Parent == "" && kind != identityv1.OrgKind_ORG_KIND_FEDERATION {
		return fmt.Errorf("%s has no parent, so it is the root, but it is a %s, not a federation", o.DID, o.Kind)
	}
	if o.Parent != "" {
		if err := did.ParseDID(o.Parent); err != nil {
			return fmt.Errorf("parent: %w", err)
		}
	}
	if want := DeriveOrgDID(o.Parent, o.Name); o.DID != want {
		return fmt.Errorf("%s does not match %q under %q, which derives %s", o.DID, o.Name, o.Parent, want)
	}
	if registered[o.DID] {
		return fmt.Errorf("%s is also a did genesis document; an organization's document comes from its record", o.DID)
	}
	if !registered[o.Founder] {
		return fmt.Errorf("%s: founder %q is not a genesis document's DID", o.DID, modules.Truncate(o.Founder))
	}
	control, ok := parseControl(o.Control)
	if !ok {
		return fmt.Errorf("%s: control %q: want %s or %s", o.DID, modules.Truncate(o.Control), ControlFounder, ControlAssembly)
	}
	if o.CreatedHeight < 0 {
		return fmt.Errorf("%s: negative created height", o.DID)
	}
	switch control {
	case identityv1.Control_CONTROL_FOUNDER:
		if o.ControlTransferredHeight != 0 {
			return fmt.Errorf("%s: under founder control, but names a transfer height", o.DID)
		}
	case identityv1.Control_CONTROL_ASSEMBLY:
		if o.ControlTransferredHeight < o.CreatedHeight {
			return fmt.Errorf("%s: control transferred at height %d, before creation at %d", o.DID, o.ControlTransferredHeight, o.CreatedHeight)
		}
	}
	return nil
}

// validateMemberships checks memberships against the organizations and the
// registered DIDs: each once, with sorted unique valid roles that include
// "member", and "founder" exactly for the founder of a founder-controlled
// organization. It returns the set of (organization, member) pairs.
func validateMemberships(ms []*identityv1.Membership, orgs map[string]*identityv1.Organization, registered map[string]bool) (map[[2]string]bool, error) {
	seen := make(map[[2]string]bool, len(ms))
	perMember := make(map[string]int)
	for i, m := range ms {
		if m == nil {
			return nil, ErrInvalidGenesis.Wrapf("membership %d is null", i)
		}
		// The bound the messages keep (checkMembershipRoom), on which the
		// loops over a DID's memberships rely.
		if perMember[m.Member]++; perMember[m.Member] > MaxMembershipsPerDID {
			return nil, ErrInvalidGenesis.Wrapf("%s belongs to more than %d organizations", m.Member, MaxMembershipsPerDID)
		}
		o := orgs[m.Org]
		if o == nil {
			return nil, ErrInvalidGenesis.Wrapf("membership %d: %q is not a genesis organization", i, modules.Truncate(m.Org))
		}
		if !registered[m.Member] {
			return nil, ErrInvalidGenesis.Wrapf("membership %d: member %q is not a genesis DID", i, modules.Truncate(m.Member))
		}
		pair := [2]string{m.Org, m.Member}
		if seen[pair] {
			return nil, ErrInvalidGenesis.Wrapf("%s is listed twice as a member of %s", m.Member, m.Org)
		}
		seen[pair] = true
		if err := validateRoleSet(m.Roles, MaxRoles); err != nil {
			return nil, ErrInvalidGenesis.Wrapf("membership of %s in %s: %v", m.Member, m.Org, err)
		}
		if !hasRole(m.Roles, RoleMember) {
			return nil, ErrInvalidGenesis.Wrapf("membership of %s in %s lacks the %q role", m.Member, m.Org, RoleMember)
		}
		founderInControl := o.Control == identityv1.Control_CONTROL_FOUNDER && m.Member == o.Founder
		if hasRole(m.Roles, RoleFounder) != founderInControl {
			return nil, ErrInvalidGenesis.Wrapf("membership of %s in %s: the %q role belongs to the founder exactly while it controls the organization", m.Member, m.Org, RoleFounder)
		}
		if m.JoinedHeight < 0 {
			return nil, ErrInvalidGenesis.Wrapf("membership of %s in %s: negative height", m.Member, m.Org)
		}
	}
	return seen, nil
}

// validateInvitations checks pending invitations: each once, to a listed
// organization, for a registered DID that is not a member, from a
// registered DID, with roles an invitation may offer.
func validateInvitations(invs []*identityv1.Invitation, orgs map[string]*identityv1.Organization, registered map[string]bool, members map[[2]string]bool) error {
	seen := make(map[[2]string]bool, len(invs))
	for i, inv := range invs {
		if inv == nil {
			return ErrInvalidGenesis.Wrapf("invitation %d is null", i)
		}
		if orgs[inv.Org] == nil {
			return ErrInvalidGenesis.Wrapf("invitation %d: %q is not a genesis organization", i, modules.Truncate(inv.Org))
		}
		if !registered[inv.Member] || !registered[inv.InvitedBy] {
			return ErrInvalidGenesis.Wrapf("invitation %d: invitee %q or inviter %q is not a genesis DID", i, modules.Truncate(inv.Member), modules.Truncate(inv.InvitedBy))
		}
		pair := [2]string{inv.Org, inv.Member}
		if seen[pair] {
			return ErrInvalidGenesis.Wrapf("invitation of %s to %s is listed twice", inv.Member, inv.Org)
		}
		seen[pair] = true
		if members[pair] {
			return ErrInvalidGenesis.Wrapf("%s is invited to %s but already a member", inv.Member, inv.Org)
		}
		if err := validateRoleSet(inv.Roles, MaxRoles-1); err != nil {
			return ErrInvalidGenesis.Wrapf("invitation of %s to %s: %v", inv.Member, inv.Org, err)
		}
		for _, r := range inv.Roles {
			if err := validateAssignableRole(r); err != nil {
				return ErrInvalidGenesis.Wrapf("invitation of %s to %s: %v", inv.Member, inv.Org, err)
			}
		}
		if inv.Height < 0 {
			return ErrInvalidGenesis.Wrapf("invitation of %s to %s: negative height", inv.Member, inv.Org)
		}
	}
	return nil
}

// validateFreezes checks freezes: each once, by a listed organization, of a
// registered DID, by a registered officer, with a valid reason and, once
// appealed, a valid statement. The account need not be a member: a freeze
// outlives a removal.
func validateFreezes(fs []*identityv1.Freeze, orgs map[string]*identityv1.Organization, registered map[string]bool) error {
	seen := make(map[[2]string]bool, len(fs))
	for i, f := range fs {
		if f == nil {
			return ErrInvalidGenesis.Wrapf("freeze %d is null", i)
		}
		if orgs[f.Org] == nil {
			return ErrInvalidGenesis.Wrapf("freeze %d: %q is not a genesis organization", i, modules.Truncate(f.Org))
		}
		if !registered[f.Account] || !registered[f.FrozenBy] {
			return ErrInvalidGenesis.Wrapf("freeze %d: account %q or officer %q is not a genesis DID", i, modules.Truncate(f.Account), modules.Truncate(f.FrozenBy))
		}
		pair := [2]string{f.Account, f.Org}
		if seen[pair] {
			return ErrInvalidGenesis.Wrapf("freeze of %s by %s is listed twice", f.Account, f.Org)
		}
		seen[pair] = true
		if err := validateText("reason", f.Reason, MaxReasonLength); err != nil {
			return ErrInvalidGenesis.Wrapf("freeze of %s by %s: %v", f.Account, f.Org, err)
		}
		if f.Height < 0 || f.AppealHeight < 0 {
			return ErrInvalidGenesis.Wrapf("freeze of %s by %s: negative height", f.Account, f.Org)
		}
		if f.AppealHeight == 0 {
			if f.Appeal != "" {
				return ErrInvalidGenesis.Wrapf("freeze of %s by %s: an appeal without its height", f.Account, f.Org)
			}
			continue
		}
		if err := validateText("statement", f.Appeal, MaxStatementLength); err != nil {
			return ErrInvalidGenesis.Wrapf("freeze of %s by %s: %v", f.Account, f.Org, err)
		}
	}
	return nil
}

// validateRoleSet checks a stored role list: at most max roles, each valid,
// strictly sorted (so unique), as the handlers store them.
func validateRoleSet(roles []string, max int) error {
	if len(roles) > max {
		return fmt.Errorf("%d roles, max %d", len(roles), max)
	}
	for i, r := range roles {
		if err := ValidateRole(r); err != nil {
			return err
		}
		if i > 0 && roles[i-1] >= r {
			return fmt.Errorf("roles must be sorted and unique: %q after %q", r, roles[i-1])
		}
	}
	return nil
}

// DIDs returns the DIDs of the genesis organizations, sorted. The caller
// owns the returned slice.
func (g Genesis) DIDs() []string {
	out := make([]string, 0, len(g.Organizations))
	for _, o := range g.Organizations {
		out = append(out, o.DID)
	}
	sort.Strings(out)
	return out
}

// InitGenesis writes the validated organization state of g: each
// organization with its DID document (registered through the did module,
// whose genesis must be initialised first), in DID order, then memberships
// (with their member-of and waiting entries), invitations and freezes
// (with their counts and root freeze markers) in key order.
// Treasury accounts come from the mana genesis, which opens one for every
// registered DID. g is not modified.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	orgs := append([]GenesisOrganization(nil), g.Organizations...)
	sort.Slice(orgs, func(i, j int) bool { return orgs[i].DID < orgs[j].DID })
	for _, o := range orgs {
		if err := k.createOrganization(ctx, o.orgRecord()); err != nil {
			return err
		}
	}
	ms := cloneAll(g.Memberships)
	sort.Slice(ms, func(i, j int) bool {
		return ms[i].Org < ms[j].Org || ms[i].Org == ms[j].Org && ms[i].Member < ms[j].Member
	})
	for _, m := range ms {
		if err := k.setMembership(ctx, m); err != nil {
			return err
		}
	}
	invs := cloneAll(g.Invitations)
	sort.Slice(invs, func(i, j int) bool {
		return invs[i].Org < invs[j].Org || invs[i].Org == invs[j].Org && invs[i].Member < invs[j].Member
	})
	for _, inv := range invs {
		if err := k.setInvitation(ctx, inv); err != nil {
			return err
		}
	}
	fs := cloneAll(g.Freezes)
	sort.Slice(fs, func(i, j int) bool {
		return fs[i].Account < fs[j].Account || fs[i].Account == fs[j].Account && fs[i].Org < fs[j].Org
	})
	for _, f := range fs {
		o, err := k.Organization(ctx, f.Org)
		if err != nil {
			return err
		}
		if err := k.addFreeze(ctx, o, f); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis returns the organization state, every list in key order.
// Organizations' DID documents are not exported: InitGenesis rebuilds them
// from the records.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	g := Genesis{Organizations: []GenesisOrganization{}}
	err := modules.Walk(ctx.Store, []byte{StorePrefix, subOrganization}, func(_ []byte, o *identityv1.Organization) (bool, error) {
		g.Organizations = append(g.Organizations, GenesisOrganization{
			DID:                      o.Did,
			Name:                     o.Name,
			Kind:                     KindName(o.Kind),
			Parent:                   o.Parent,
			Founder:                  o.Founder,
			Control:                  ControlName(o.Control),
			CreatedHeight:            o.CreatedHeight,
			ControlTransferredHeight: o.ControlTransferredHeight,
			BonusSeats:               o.BonusSeats,
			SeatsUsed:                o.SeatsUsed,
		})
		return false, nil
	})
	if err != nil {
		return Genesis{}, err
	}
	if g.Memberships, err = exportAll[identityv1.Membership](ctx, subMember); err != nil {
		return Genesis{}, err
	}
	if g.Invitations, err = exportAll[identityv1.Invitation](ctx, subInvitation); err != nil {
		return Genesis{}, err
	}
	if g.Freezes, err = exportAll[identityv1.Freeze](ctx, subFreeze); err != nil {
		return Genesis{}, err
	}
	return g, nil
}

// exportAll decodes every record under the org sub-prefix sub, in key
// order.
func exportAll[T any, P interface {
	*T
	modules.Record
}](ctx modules.Context, sub byte) ([]*T, error) {
	var out []*T
	err := modules.Walk[T, P](ctx.Store, []byte{StorePrefix, sub}, func(_ []byte, v P) (bool, error) {
		out = append(out, (*T)(v))
		return false, nil
	})
	return out, err
}

// cloneAll deep-copies msgs, so that InitGenesis never aliases the caller's
// genesis.
func cloneAll[T proto.Message](msgs []T) []T {
	out := make([]T, len(msgs))
	for i, m := range msgs {
		out[i] = proto.Clone(m).(T)
	}
	return out
}
