package e2e

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
)

// TestCheckTxRPC: CometBFT's check_tx RPC is a dry run on a real node:
// asking about a valid transaction twice gets "accepted" twice, and the
// transaction is then accepted when submitted and committed (a check that
// left its sequence bump in the check state refused both).
func TestCheckTxRPC(t *testing.T) {
	n := startNetwork(t, 1)
	n.waitHeight(2, 60*time.Second, 0)
	node := n.manifest.Nodes[0]
	kr, err := keyring.New(node.Home, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := kr.PrivateKey(node.KeyName)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := n.client(0)
	seq, err := c.Sequence(ctx, node.DID)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := client.Anchor(client.RawCID([]byte("checked first")), "document", nil)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := client.BuildTx(client.TxParams{ChainID: n.manifest.ChainID, Signer: node.DID, KeyID: "key-1", Sequence: seq},
		func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil }, msg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		res, err := c.RPC.CheckTx(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Code != 0 {
			t.Fatalf("check_tx %d: %s/%d %s", i+1, res.Codespace, res.Code, res.Log)
		}
	}
	res, err := c.BroadcastCommit(ctx, tx)
	if err != nil || res.Code != 0 {
		t.Fatalf("the checked transaction, submitted: %+v, %v", res, err)
	}
}
