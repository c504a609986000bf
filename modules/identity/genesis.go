package identity

import (
	"crypto/ed25519"
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	"github.com/intercooperative/icnd/store"
)

// Genesis is the identity module's part of the genesis app state.
type Genesis struct {
	Documents []*identityv1.DIDDocument `json:"documents"`
}

// Validate checks the genesis state on its own: canonical DIDs derived from
// their first key, valid unique key ids, no duplicate DIDs.
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
		if len(doc.Keys) == 0 {
			return ErrInvalidGenesis.Wrapf("%s has no keys", doc.Did)
		}
		ids := make(map[string]bool, len(doc.Keys))
		for _, vk := range doc.Keys {
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
	return nil
}

// DIDs returns the DIDs the genesis registers, sorted, for the other
// modules' genesis.
func (g Genesis) DIDs() []string {
	out := make([]string, 0, len(g.Documents))
	for _, doc := range g.Documents {
		out = append(out, doc.Did)
	}
	sort.Strings(out)
	return out
}

// InitGenesis writes the genesis documents in DID order. Mana accounts of
// genesis DIDs come from the mana genesis, not from CreateAccount.
// The caller has validated g.
func (k *Keeper) InitGenesis(ctx modules.Context, g Genesis) error {
	docs := append([]*identityv1.DIDDocument(nil), g.Documents...)
	sort.Slice(docs, func(i, j int) bool { return docs[i].Did < docs[j].Did })
	for _, doc := range docs {
		if doc.RegisteredBy == "" {
			doc.RegisteredBy = doc.Did
		}
		if err := k.setDocument(ctx, doc); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis returns every document in DID order.
func (k *Keeper) ExportGenesis(ctx modules.Context) (Genesis, error) {
	prefix := []byte{StorePrefix, subDocument}
	it := ctx.Store.Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	g := Genesis{Documents: []*identityv1.DIDDocument{}}
	for ; it.Valid(); it.Next() {
		doc := new(identityv1.DIDDocument)
		if err := doc.Unmarshal(it.Value()); err != nil {
			return Genesis{}, fmt.Errorf("identity: corrupt document under key %x: %w", it.Key(), err)
		}
		g.Documents = append(g.Documents, doc)
	}
	return g, nil
}
