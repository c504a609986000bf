package modules

import (
	"crypto/sha256"

	"github.com/cometbft/cometbft/crypto/ed25519"
)

// Verifier checks Ed25519 signatures that messages carry (proofs of
// possession) with CometBFT's implementation, the one transaction
// signatures use, so that both agree on every edge case (ZIP-215) on every
// node. It remembers the signatures that verified, so that a message that
// runs in CheckTx, again in every recheck while it waits in the mempool,
// and in the proposal and the block, costs the node one verification.
//
// The memory is local to the node and never changes a result: verification
// is a pure function of its inputs, and a miss only costs a verification.
// It is bounded; the oldest entries are evicted first. A Verifier is not
// safe for concurrent use (the app serialises its calls).
type Verifier struct {
	seen map[[sha256.Size]byte]struct{}
	ring [][sha256.Size]byte
	next int
}

// NewVerifier returns a Verifier that remembers up to size signatures.
func NewVerifier(size int) *Verifier {
	size = max(size, 1)
	return &Verifier{seen: make(map[[sha256.Size]byte]struct{}, size), ring: make([][sha256.Size]byte, 0, size)}
}

// Verify reports whether sig is pub's signature of msg.
func (v *Verifier) Verify(pub, msg, sig []byte) bool {
	h := sha256.New()
	for _, part := range [][]byte{pub, sig, msg} {
		var n [4]byte
		n[0], n[1], n[2], n[3] = byte(len(part)>>24), byte(len(part)>>16), byte(len(part)>>8), byte(len(part))
		h.Write(n[:])
		h.Write(part)
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	if _, ok := v.seen[key]; ok {
		return true
	}
	if !ed25519.PubKey(pub).VerifySignature(msg, sig) {
		return false
	}
	if len(v.ring) < cap(v.ring) {
		v.ring = append(v.ring, key)
	} else {
		delete(v.seen, v.ring[v.next])
		v.ring[v.next] = key
		v.next = (v.next + 1) % len(v.ring)
	}
	v.seen[key] = struct{}{}
	return true
}
