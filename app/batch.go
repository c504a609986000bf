package app

import (
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/intercooperative/icnd/modules"
)

// batchVerify verifies, in one batch, the signatures of txs (nil entries
// skipped) that the signature cache does not hold yet, under the keys that
// ctx's state gives their signers, and caches the ones that verify. A
// sponsored transaction contributes its sponsor signature too, under the
// sponsor signer's key. Signatures whose key it cannot look up, or that
// fail, are left to ante, which reports them one by one. It changes no
// state.
func (a *App) batchVerify(ctx modules.Context, txs []*DecodedTx) {
	bv := ed25519.NewBatchVerifier()
	type pending struct {
		key sigKey
		pub []byte
	}
	var batch []pending
	// signBytes are the current transaction's sign bytes, encoded when the
	// first of its signatures that the cache does not hold is added: a
	// transaction that CheckTx verified needs none.
	var signBytes []byte
	add := func(tx *DecodedTx, key sigKey, did, keyID string, sig []byte) {
		pub, err := a.did.VerificationKey(ctx, did, keyID)
		if err != nil || a.sigs.holds(key, pub) {
			return
		}
		if signBytes == nil {
			signBytes = tx.SignBytes()
		}
		if err := bv.Add(ed25519.PubKey(pub), signBytes, sig); err != nil {
			return
		}
		batch = append(batch, pending{key: key, pub: pub})
	}
	for _, tx := range txs {
		if tx == nil {
			continue
		}
		signBytes = nil
		add(tx, signerSig(tx), tx.Auth.Signer, tx.Auth.KeyId, tx.Signature)
		if s := tx.Auth.Sponsor; s != nil {
			add(tx, sponsorSig(tx), s.Signer, s.KeyId, tx.SponsorSignature)
		}
	}
	if len(batch) == 0 {
		return
	}
	_, valid := bv.Verify()
	for i, p := range batch {
		if i < len(valid) && valid[i] {
			a.sigs.add(p.key, p.pub)
		}
	}
}
