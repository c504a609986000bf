package did

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/cosmos/gogoproto/proto"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// Keeper reads and writes DID state. It holds no state of its own apart
// from node-local memories that never affect results: the verified proofs
// of possession, and the decoded documents of recent signers (docMemo).
type Keeper struct {
	mana ManaAccounts
	// orgs says which organizations a DID controls.
	orgs Organizations
	// proofs verifies proofs of possession once per node.
	proofs *modules.Verifier
	// docs is the memory of decoded documents VerificationKey reads.
	docs *docMemo
}

// ProofCacheSize bounds the verified proofs of possession a node remembers.
const ProofCacheSize = 16_384

// NewKeeper returns a Keeper that opens mana accounts through mana and asks
// orgs which organizations a DID controls before deactivating it.
func NewKeeper(mana ManaAccounts, orgs Organizations) *Keeper {
	return &Keeper{mana: mana, orgs: orgs, proofs: modules.NewVerifier(ProofCacheSize), docs: newDocMemo(DocMemoSize)}
}

// Document loads did's document. It returns ErrUnknownDID when none is
// stored, and a plain error (a broken invariant) when the stored bytes do
// not decode. The caller owns the returned value.
func (k *Keeper) Document(ctx modules.Context, did string) (*identityv1.DIDDocument, error) {
	doc, found, err := modules.Load[identityv1.DIDDocument](ctx.Store, DocumentKey(did))
	if err != nil {
		return nil, fmt.Errorf("did: document of %s: %w", did, err)
	}
	if !found {
		return nil, ErrUnknownDID.Wrapf("%s", did)
	}
	return doc, nil
}

// Exists reports whether did is registered.
func (k *Keeper) Exists(ctx modules.Context, did string) bool {
	return ctx.Store.Has(DocumentKey(did))
}

// RegisterKeyless registers doc, a document without keys of its own, for a
// DID that another module derives and speaks for (an organization's, which
// the org module creates). Such a DID signs nothing: it acts only through
// its controllers, or with its own authority when governance executes a
// decision for it. doc's controllers must pass ValidateControllers; they are
// stored sorted. doc is not retained. Errors: ErrInvalidDID, ErrDIDExists,
// ErrInvalidControllers; a document with keys is a programming error,
// returned as a plain error.
func (k *Keeper) RegisterKeyless(ctx modules.Context, doc *identityv1.DIDDocument) error {
	if len(doc.Keys) > 0 {
		return fmt.Errorf("did: RegisterKeyless of %s with %d keys", doc.Did, len(doc.Keys))
	}
	if err := ParseDID(doc.Did); err != nil {
		return err
	}
	if k.Exists(ctx, doc.Did) {
		return ErrDIDExists.Wrapf("%s", doc.Did)
	}
	if err := ValidateControllers(doc.Controllers); err != nil {
		return err
	}
	stored := proto.Clone(doc).(*identityv1.DIDDocument)
	sort.Strings(stored.Controllers)
	return k.setDocument(ctx, stored)
}

// VerificationKey returns the Ed25519 key keyID of did if it may sign now:
// the key is active and the DID is not deactivated. For a key as it was at
// an earlier height, use KeyAt. Errors: ErrUnknownDID, ErrUnknownKey,
// ErrKeyRevoked, ErrDIDDeactivated. The returned key is shared with the
// keeper's memory of documents: the caller must not modify it.
func (k *Keeper) VerificationKey(ctx modules.Context, did, keyID string) (ed25519.PublicKey, error) {
	doc, err := k.sharedDocument(ctx, did)
	if err != nil {
		return nil, err
	}
	if doc.DeactivatedHeight != 0 {
		return nil, ErrDIDDeactivated.Wrapf("%s at height %d", did, doc.DeactivatedHeight)
	}
	vk, err := activeKey(doc, keyID)
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(vk.PublicKey), nil
}

// Sequence returns did's next expected sequence (0 for a fresh DID). A
// stored value that is not 8 bytes is a broken invariant, returned as a
// plain error: reading it as 0 would re-open every old transaction to replay.
func (k *Keeper) Sequence(ctx modules.Context, did string) (uint64, error) {
	return sequenceAt(ctx, did, SequenceKey(did))
}

// sequenceAt is Sequence with did's SequenceKey built by the caller.
func sequenceAt(ctx modules.Context, did string, key []byte) (uint64, error) {
	bz := ctx.Store.Get(key)
	if bz == nil {
		return 0, nil
	}
	if len(bz) != 8 {
		return 0, fmt.Errorf("did: stored sequence of %s has %d bytes, want 8", did, len(bz))
	}
	return binary.BigEndian.Uint64(bz), nil
}

// IncrementSequence advances did's sequence by one.
func (k *Keeper) IncrementSequence(ctx modules.Context, did string) error {
	key := SequenceKey(did) // read and written: built once
	seq, err := sequenceAt(ctx, did, key)
	if err != nil {
		return err
	}
	if seq == ^uint64(0) {
		return fmt.Errorf("did: sequence of %s would overflow", did)
	}
	setSequenceAt(ctx, key, seq+1)
	return nil
}

func (k *Keeper) setSequence(ctx modules.Context, did string, seq uint64) {
	setSequenceAt(ctx, SequenceKey(did), seq)
}

// setSequenceAt stores seq under key, a SequenceKey.
func setSequenceAt(ctx modules.Context, key []byte, seq uint64) {
	var bz [8]byte
	binary.BigEndian.PutUint64(bz[:], seq)
	ctx.Store.Set(key, bz[:])
}

// setDocument stores doc. Every document names its DID, so its encoding is
// never empty.
func (k *Keeper) setDocument(ctx modules.Context, doc *identityv1.DIDDocument) error {
	return modules.Save(ctx.Store, DocumentKey(doc.Did), doc)
}
