package did

import (
	"crypto/ed25519"
	"sort"

	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Genesis is the did module's part of the genesis app state: the documents
// of DIDs that have keys. Documents without keys (organizations') belong to
// the module that registered them (RegisterKeyless), whose genesis rebuilds
// them.
type Genesis struct {
	Documents []*identityv1.DIDDocument `json:"documents"`
	// Sequences carries the next sequence of every DID that has sent a
	// transaction, so that a chain restarted from an export keeps refusing
	// replays. Absent DIDs start at 0.
	Sequences []GenesisSequence `json:"sequences,omitempty"`
}

// GenesisSequence is one DID's next sequence.
type GenesisSequence struct {
	DID      string `json:"did"`
	Sequence uint64 `json:"sequence"`
}

// Validate checks the genesis state on its own: canonical DIDs derived from
// their first key, valid unique key ids within bounds, consistent lifecycle
// fields (validateLifecycle), registrants and controllers among the genesis
// DIDs, no duplicate DIDs, sequences only for listed DIDs.
func (g Genesis) Validate(registered map[string]bool) error {
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
		if doc.RegisteredBy != "" && !seen[doc.RegisteredBy] && !registered[doc.RegisteredBy] {
			return ErrInvalidGenesis.Wrapf("%s: registered_by %q is not a genesis DID", doc.Did, modules.Truncate(doc.RegisteredBy))
		}
		if err := validateLifecycle(doc, seen); err != nil {
			return err
		}
	}
	seqs := make(map[string]bool, len(g.Sequences))
	for _, s := range g.Sequences {
		if !seen[s.DID] {
			return ErrInvalidGenesis.Wrapf("sequence for %q, which is not a genesis DID", modules.Truncate(s.DID))
		}
		if seqs[s.DID] {
			return ErrInvalidGenesis.Wrapf("sequence of %s is listed twice", s.DID)
		}
		seqs[s.DID] = true
	}
	return nil
}

// validateLifecycle checks the lifecycle fields of a genesis document whose
// DID and key ids are already known to be valid: heights are not negative
// and a key is not revoked before it was added; no public key appears
// twice; an active document has at least one active key; the controllers
// pass ValidateControllers, are sorted (as SetControllers stores them) and
// name genesis DIDs (those in registered).
func validateLifecycle(doc *identityv1.DIDDocument, registered map[string]bool) error {
	if doc.CreatedHeight < 0 || doc.UpdatedHeight < 0 || doc.DeactivatedHeight < 0 {
		return ErrInvalidGenesis.Wrapf("%s: negative height", doc.Did)
	}
	pubs := make(map[string]string, len(doc.Keys))
	for _, vk := range doc.Keys {
		if vk.AddedHeight < 0 || vk.RevokedHeight < 0 {
			return ErrInvalidGenesis.Wrapf("%s#%s: negative height", doc.Did, vk.Id)
		}
		if vk.RevokedHeight != 0 && vk.RevokedHeight < vk.AddedHeight {
			return ErrInvalidGenesis.Wrapf("%s#%s: revoked at height %d, before it was added at %d", doc.Did, vk.Id, vk.RevokedHeight, vk.AddedHeight)
		}
		if other, ok := pubs[string(vk.PublicKey)]; ok {
			return ErrInvalidGenesis.Wrapf("%s: #%s and #%s hold the same public key", doc.Did, other, vk.Id)
		}
		pubs[string(vk.PublicKey)] = vk.Id
	}
	if doc.DeactivatedHeight == 0 && countActive(doc.Keys) == 0 {
		return ErrInvalidGenesis.Wrapf("%s is active but all its keys are revoked", doc.Did)
	}
	if err := ValidateControllers(doc.Controllers); err != nil {
		return ErrInvalidGenesis.Wrapf("%s: %v", doc.Did, err)
	}
	for i, c := range doc.Controllers {
		if i > 0 && doc.Controllers[i-1] >= c {
			return ErrInvalidGenesis.Wrapf("%s: controllers must be sorted", doc.Did)
		}
		if !registered[c] {
			return ErrInvalidGenesis.Wrapf("%s: controller %s is not a genesis DID", doc.Did, c)
		}
	}
	return nil
}

// DIDs returns the DIDs of the genesis documents, sorted. The caller owns
// the returned slice.
func (g Genesis) DIDs() []string {
	out := make([]string, 0, len(g.Documents))
	for _, doc := range g.Documents {
		out = append(out, doc.Did)
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
	return nil
}

// ExportGenesis returns every document with keys and every non-zero
// sequence, in DID order. Documents without keys are left to the module
// that registered them (RegisterKeyless).
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	g := Genesis{Documents: []*identityv1.DIDDocument{}}
	err := modules.Walk(ctx.Store, []byte{StorePrefix, subDocument}, func(_ []byte, doc *identityv1.DIDDocument) (bool, error) {
		if len(doc.Keys) > 0 {
			g.Documents = append(g.Documents, doc)
		}
		return false, nil
	})
	if err != nil {
		return Genesis{}, err
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
	return g, nil
}
