package app

import (
	"github.com/cometbft/cometbft/crypto/ed25519"
)

// VerifyBatch verifies, in one Ed25519 batch, the signatures of the
// transactions in raws that the signature cache does not hold yet, under
// the keys the pool's check state gives their signers (and sponsors), and
// caches those that verify, so that Add of each finds its signature
// verified. It admits nothing and changes no state: what does not decode,
// names no known key or fails is left to Add, which refuses it with its
// code. The keys are looked up under the pool's lock; the batch is
// verified after it is released, so that admissions go on meanwhile.
//
// It is for a batch of transactions a peer relayed: CometBFT hands the
// pool one relayed transaction at a time (InsertTx), so the ABCI layer
// calls VerifyBatch with the whole batch first.
func (p *Pool) VerifyBatch(raws [][]byte) {
	type entry struct {
		key           sigKey
		pub, msg, sig []byte
	}
	var batch []entry
	p.mu.Lock()
	if p.catchUp() != nil || !p.ready || p.closed {
		p.mu.Unlock()
		return
	}
	base := p.checkContext()
	add := func(key sigKey, msg []byte, did, keyID string, sig []byte) {
		pub, err := p.chk.did.VerificationKey(base, did, keyID)
		if err != nil || p.chk.sigs.holds(key, pub) {
			return
		}
		batch = append(batch, entry{key: key, pub: pub, msg: msg, sig: sig})
	}
	for _, raw := range raws {
		tx, err := p.chk.decode(raw)
		if err != nil {
			continue
		}
		if _, pooled := p.byHash[tx.Hash]; pooled {
			continue
		}
		// Add decodes it again from the cache.
		p.chk.decoded.add(tx)
		msg := tx.SignBytes()
		add(signerSig(tx), msg, tx.Auth.Signer, tx.Auth.KeyId, tx.Signature)
		if s := tx.Auth.Sponsor; s != nil {
			add(sponsorSig(tx), msg, s.Signer, s.KeyId, tx.SponsorSignature)
		}
	}
	// A handle of its own: the checker's may be frozen by a dry run.
	sigs := p.chk.sigs.share()
	p.mu.Unlock()
	if len(batch) < 2 {
		// One signature is cheaper to verify alone, in Add.
		return
	}
	bv := ed25519.NewBatchVerifier()
	for _, e := range batch {
		if err := bv.Add(ed25519.PubKey(e.pub), e.msg, e.sig); err != nil {
			return
		}
	}
	_, valid := bv.Verify()
	for i, e := range batch {
		if i < len(valid) && valid[i] {
			sigs.add(e.key, e.pub)
		}
	}
}
