package did

import (
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/intercooperative/icnd/modules"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
)

// DocMemoSize bounds the decoded documents a node remembers (docMemo).
const DocMemoSize = 16_384

// DocMemoMaxBytes is the largest stored document the memo keeps. Any
// decodable transaction naming a DID fills the memo before its signature is
// checked, also one that is refused or only dry-run, so its memory must be
// bounded in bytes, not only in entries: a signer's usual document (one or
// two keys) is a few hundred bytes, while the largest a DID may have (64
// keys, 8 controllers) is near 6 KiB and about 16 KiB decoded. With this
// cap the memo holds at most about 16,384 x 3 KiB = 48 MiB; a larger
// document is decoded on every read, as it was before the memo.
const DocMemoMaxBytes = 1024

// docMemo remembers, per DID, the stored bytes of its document as last read
// and the document they decode to, so that the signer's document, which
// every transaction reads more than once (batch verification, ante, the
// check before each further message), is decoded once per node for as long
// as its bytes do not change, instead of once per read.
//
// An entry is used only when the bytes stored in the reader's state now are
// exactly the bytes it was decoded from, so the answer is the one a fresh
// decoding of that state gives, whatever ran in between (a message earlier
// in the block that revokes a key changes the bytes, and misses). It never
// affects results: a miss only costs a decoding. Decoded documents in it are
// shared and never modified. It is safe for concurrent use (CheckTx may run
// beside FinalizeBlock) and bounded, the least recently used entry going
// first.
type docMemo struct {
	entries *lru.Cache[string, memoDoc]
}

// memoDoc is a document, the stored bytes it was decoded from, and its
// DocumentKey (built once per DID, not once per read; never modified).
type memoDoc struct {
	key []byte
	raw string
	doc *identityv1.DIDDocument
}

func newDocMemo(size int) *docMemo {
	c, err := lru.New[string, memoDoc](size)
	if err != nil {
		// lru.New refuses only a size below 1.
		panic("did: document memo: " + err.Error())
	}
	return &docMemo{entries: c}
}

// sharedDocument is Document for readers that do not modify the document:
// the result may be shared with other readers and must not be modified. It
// decodes the stored bytes unless the memo holds the document decoded from
// exactly these bytes.
func (k *Keeper) sharedDocument(ctx modules.Context, did string) (*identityv1.DIDDocument, error) {
	if k.docs == nil {
		return k.Document(ctx, did)
	}
	m, ok := k.docs.entries.Get(did)
	key := m.key
	if !ok {
		key = DocumentKey(did)
	}
	bz := ctx.Store.Get(key)
	if ok && bz != nil && m.raw == string(bz) {
		return m.doc, nil
	}
	// Document reads the same bytes again (nothing wrote in between), so
	// that a missing or undecodable document gets its errors.
	doc, err := k.Document(ctx, did)
	if err != nil {
		return nil, err
	}
	if bz != nil && len(bz) <= DocMemoMaxBytes {
		k.docs.entries.Add(did, memoDoc{key: key, raw: string(bz), doc: doc})
	}
	return doc, nil
}
