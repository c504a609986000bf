package identity

import (
	"crypto/ed25519"
	"fmt"
	"sort"

	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// Bounds on the verification keys of one DID document. Revoked keys stay in
// the document (credentials signed before a revocation are checked against
// them), so the history has its own, larger bound: a compromised key that
// adds keys up to the active bound cannot stop the owner from revoking
// them and rotating on.
const (
	// MaxActiveKeysPerDocument bounds the keys that may sign at once.
	MaxActiveKeysPerDocument = 16
	// MaxKeysPerDocument bounds all keys ever held, revoked ones included.
	MaxKeysPerDocument = 64
)

// Genesis is the identity module's part of the genesis app state.
type Genesis struct {
	Documents []*identityv1.DIDDocument `json:"documents"`
	// Sequences carries the next sequence of every DID that has sent a
	// transaction, so that a chain restarted from an export keeps refusing
	// replays. Absent DIDs start at 0.
	Sequences []GenesisSequence `json:"sequences,omitempty"`
	// Credentials are the status records of anchored credentials.
	Credentials []*identityv1.CredentialStatus `json:"credentials,omitempty"`
	// Profiles are the encrypted profiles; InitGenesis rebuilds their
	// email index.
	Profiles []*identityv1.Profile `json:"profiles,omitempty"`
	// Organizations are the organizations, whose DID documents InitGenesis
	// builds from them (they are not among Documents).
	Organizations []GenesisOrganization `json:"organizations,omitempty"`
	// Memberships, with their roles; InitGenesis rebuilds the member-of index.
	Memberships []*identityv1.Membership `json:"memberships,omitempty"`
	// Invitations are the pending invitations.
	Invitations []*identityv1.Invitation `json:"invitations,omitempty"`
	// Freezes are the compliance freezes in force.
	Freezes []*identityv1.Freeze `json:"freezes,omitempty"`
}

// GenesisSequence is one DID's next sequence.
type GenesisSequence struct {
	DID      string `json:"did"`
	Sequence uint64 `json:"sequence"`
}

// Validate checks the genesis state on its own: canonical DIDs derived from
// their first key, valid unique key ids within bounds, known registrants,
// no duplicate DIDs, sequences only for listed DIDs, organizations that
// form one tree under the root federation with memberships, invitations
// and freezes that resolve (validateOrganizations), credentials and
// profiles whose DIDs are listed.
func (g Genesis) Validate() error {
	seen := make(map[string]bool, len(g.Documents))
	for i, doc := range g.Documents {
		if doc == nil {
			return ErrInvalidGenesis.Wrapf("document %d is null", i)
		}
		if err := ParseDID(doc.Did); err != nil {
			return ErrInvalidGenesis.Wrapf("document %d: %v", i, err)
		}
		if seen[doc.Did] {
			return ErrInvalidGenesis.Wrapf("%s is listed twice", doc.Did)
		}
		seen[doc.Did] = true
		if len(doc.Keys) == 0 || len(doc.Keys) > MaxKeysPerDocument {
			return ErrInvalidGenesis.Wrapf("%s has %d keys, want 1 to %d", doc.Did, len(doc.Keys), MaxKeysPerDocument)
		}
		if active := countActive(doc.Keys); active > MaxActiveKeysPerDocument {
			return ErrInvalidGenesis.Wrapf("%s has %d active keys, max %d", doc.Did, active, MaxActiveKeysPerDocument)
		}
		ids := make(map[string]bool, len(doc.Keys))
		for _, vk := range doc.Keys {
			if vk == nil {
				return ErrInvalidGenesis.Wrapf("%s has a null key", doc.Did)
			}
			if err := ValidateKeyID(vk.Id); err != nil {
				return ErrInvalidGenesis.Wrapf("%s: %v", doc.Did, err)
			}
			if ids[vk.Id] {
				return ErrInvalidGenesis.Wrapf("%s: key id %q is listed twice", doc.Did, vk.Id)
			}
			ids[vk.Id] = true
			if len(vk.PublicKey) != ed25519.PublicKeySize {
				return ErrInvalidGenesis.Wrapf("%s#%s: public key has %d bytes, want %d", doc.Did, vk.Id, len(vk.PublicKey), ed25519.PublicKeySize)
			}
		}
		if want := DeriveDID(doc.Keys[0].PublicKey); want != doc.Did {
			return ErrInvalidGenesis.Wrapf("%s does not match its first key, which derives %s", doc.Did, want)
		}
	}
	for _, doc := range g.Documents {
		if doc.RegisteredBy != "" && !seen[doc.RegisteredBy] {
			return ErrInvalidGenesis.Wrapf("%s: registered_by %q is not a genesis DID", doc.Did, truncate(doc.RegisteredBy))
		}
		if err := validateLifecycle(doc, func(did string) bool { return seen[did] }); err != nil {
			return err
		}
	}
	seqs := make(map[string]bool, len(g.Sequences))
	for _, s := range g.Sequences {
		if !seen[s.DID] {
			return ErrInvalidGenesis.Wrapf("sequence for %q, which is not a genesis DID", truncate(s.DID))
		}
		if seqs[s.DID] {
			return ErrInvalidGenesis.Wrapf("sequence of %s is listed twice", s.DID)
		}
		seqs[s.DID] = true
	}
	if err := g.validateOrganizations(seen); err != nil {
		return err
	}
	registered := g.registeredDIDs()
	if err := validateCredentials(g.Credentials, registered); err != nil {
		return err
	}
	return validateProfiles(g.Profiles, registered)
}

// DIDs returns the DIDs the genesis registers, those of the documents and
// of the organizations, sorted, for the other modules' genesis.
func (g Genesis) DIDs() []string {
	out := make([]string, 0, len(g.Documents)+len(g.Organizations))
	for _, doc := range g.Documents {
		out = append(out, doc.Did)
	}
	for _, o := range g.Organizations {
		out = append(out, o.DID)
	}
	sort.Strings(out)
	return out
}

// InitGenesis writes the genesis documents and sequences in DID order. Mana
// accounts of genesis DIDs come from the mana genesis, not from
// CreateAccount. The caller has validated g; g is not modified.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	docs := make([]*identityv1.DIDDocument, len(g.Documents))
	for i, doc := range g.Documents {
		docs[i] = proto.Clone(doc).(*identityv1.DIDDocument)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Did < docs[j].Did })
	for _, doc := range docs {
		if doc.RegisteredBy == "" {
			doc.RegisteredBy = doc.Did
		}
		if err := k.setDocument(ctx, doc); err != nil {
			return err
		}
	}
	seqs := append([]GenesisSequence(nil), g.Sequences...)
	sort.Slice(seqs, func(i, j int) bool { return seqs[i].DID < seqs[j].DID })
	for _, s := range seqs {
		if s.Sequence > 0 {
			k.setSequence(ctx, s.DID, s.Sequence)
		}
	}
	if err := k.initOrganizations(ctx, g); err != nil {
		return err
	}
	if err := k.initCredentials(ctx, g.Credentials); err != nil {
		return err
	}
	return k.initProfiles(ctx, g.Profiles)
}

// ExportGenesis returns every document and every non-zero sequence, in DID
// order, and every credential record and profile, in key order.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	g := Genesis{Documents: []*identityv1.DIDDocument{}}
	docPrefix := []byte{StorePrefix, subDocument}
	it := ctx.Store.Iterator(docPrefix, store.PrefixEnd(docPrefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		doc := new(identityv1.DIDDocument)
		if err := doc.Unmarshal(it.Value()); err != nil {
			return Genesis{}, fmt.Errorf("identity: corrupt document under key %x: %w", it.Key(), err)
		}
		if k.IsOrganization(ctx, doc.Did) {
			// Built from the organization record by InitGenesis.
			continue
		}
		g.Documents = append(g.Documents, doc)
	}
	for _, doc := range g.Documents {
		seq, err := k.Sequence(ctx, doc.Did)
		if err != nil {
			return Genesis{}, err
		}
		if seq > 0 {
			g.Sequences = append(g.Sequences, GenesisSequence{DID: doc.Did, Sequence: seq})
		}
	}
	if err := k.exportOrganizations(ctx, &g); err != nil {
		return Genesis{}, err
	}
	var err error
	if g.Credentials, err = k.exportCredentials(ctx); err != nil {
		return Genesis{}, err
	}
	if g.Profiles, err = k.exportProfiles(ctx); err != nil {
		return Genesis{}, err
	}
	return g, nil
}

// countActive counts the keys that are not revoked.
func countActive(keys []*identityv1.VerificationKey) int {
	n := 0
	for _, vk := range keys {
		if vk != nil && vk.RevokedHeight == 0 {
			n++
		}
	}
	return n
}
