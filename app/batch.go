package app

import (
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/intercooperative/icnd/modules"
)

// batchVerify verifies, in one batch, the signatures of txs (nil entries
// skipped) that the signature cache does not hold yet, under the keys that
// ctx's state gives their signers, and caches the ones that verify. Those it
// cannot look up or that fail are left to ante, which reports them one by
// one. It changes no state.
func (a *App) batchVerify(ctx modules.Context, txs []*DecodedTx) {
	bv := ed25519.NewBatchVerifier()
	type pending struct {
		tx  *DecodedTx
		pub []byte
	}
	var batch []pending
	for _, tx := range txs {
		if tx == nil {
			continue
		}
		pub, err := a.identity.VerificationKey(ctx, tx.Auth.Signer, tx.Auth.KeyId)
		if err != nil || a.sigs.verified(tx.Hash, pub) {
			continue
		}
		if err := bv.Add(ed25519.PubKey(pub), tx.SignBytes(), tx.Signature); err != nil {
			continue
		}
		batch = append(batch, pending{tx: tx, pub: pub})
	}
	if len(batch) == 0 {
		return
	}
	_, valid := bv.Verify()
	for i, p := range batch {
		if i < len(valid) && valid[i] {
			a.sigs.add(p.tx.Hash, p.pub)
		}
	}
}
