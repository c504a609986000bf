package app

import (
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/intercooperative/icnd/store"
)

// VerifyBatch verifies, in one Ed25519 batch, the signatures of the
// transactions in raws that the signature cache does not hold yet, and
// caches those that verify, so that Add of each finds its signature
// verified. It admits nothing and changes no state.
//
// Only the signatures of transactions that pass every check ante makes
// before the signature are verified: each transaction runs ante, in
// order, in a scratch layer over the check state (so that a signer's
// later transactions in the batch see its earlier ones), with the
// signature checks collected instead of made. As with CheckTx, a
// transaction that does not decode, names no known key, replays a
// sequence or cannot pay costs no verification, and its signature does not
// enter the cache the blocks use; Add refuses it with its code. The checks
// run under the pool's lock; the batch is verified after it is released,
// so that admissions go on meanwhile.
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
	scratch := store.NewCache(p.state)
	base := p.checkContext().WithStore(scratch)
	var collected []collectedSig
	p.chk.sigs.collect = &collected
	p.chk.sigs.frozen = true
	for _, raw := range raws {
		tx, err := p.chk.decode(raw)
		if err != nil {
			continue
		}
		if _, pooled := p.byHash[tx.Hash]; pooled {
			continue
		}
		collected = collected[:0]
		txCache := store.NewCache(scratch)
		if err := p.chk.ante(base.WithStore(txCache).WithSigner(tx.Auth.Signer), tx); err != nil {
			continue
		}
		txCache.Write()
		// Add decodes it again from the cache.
		p.chk.decoded.add(tx)
		msg := tx.SignBytes()
		for _, c := range collected {
			sig := tx.Signature
			if c.key.sponsor {
				sig = tx.SponsorSignature
			}
			batch = append(batch, entry{key: c.key, pub: c.pub, msg: msg, sig: sig})
		}
	}
	p.chk.sigs.collect = nil
	p.chk.sigs.frozen = false
	// A handle of its own, to cache what verifies after the lock is
	// released.
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
