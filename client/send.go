package client

import (
	"context"
	"fmt"
	"time"

	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// Broadcast modes of Submit.
const (
	// BroadcastSync returns once the node's CheckTx accepted the transaction.
	BroadcastSync = "sync"
	// BroadcastCommit waits until the transaction is in a committed block.
	BroadcastCommit = "commit"
)

// ResolveChainID returns chainID when set, and otherwise asks the node.
func (c *Client) ResolveChainID(ctx context.Context, chainID string) (string, error) {
	if chainID != "" {
		return chainID, nil
	}
	id, err := c.ChainID(ctx)
	if err != nil {
		return "", fmt.Errorf("ask the node for its chain id (or set --chain-id): %w", err)
	}
	return id, nil
}

// ResolveSequence returns *override when set, and otherwise did's next
// sequence as the node's latest committed state has it. Transactions of
// the same signer still in the mempool are not counted: send one at a
// time, or pass the sequence explicitly.
func (c *Client) ResolveSequence(ctx context.Context, did string, override *uint64) (uint64, error) {
	if override != nil {
		return *override, nil
	}
	seq, err := c.Sequence(ctx, did)
	if err != nil {
		return 0, fmt.Errorf("query the sequence of %s (or set --sequence): %w", did, err)
	}
	return seq, nil
}

// Submit broadcasts tx in mode (BroadcastSync or BroadcastCommit). A
// refusal by CheckTx is an error wrapping ErrCheckTx; in commit mode a
// failed execution is a result with a non-zero code, not an error.
func (c *Client) Submit(ctx context.Context, tx []byte, mode string) (TxResult, error) {
	switch mode {
	case BroadcastSync:
		return c.Broadcast(ctx, tx)
	case BroadcastCommit:
		return c.BroadcastCommit(ctx, tx)
	default:
		return TxResult{}, fmt.Errorf("unknown broadcast mode %q, want %q or %q", mode, BroadcastSync, BroadcastCommit)
	}
}

// CommitTimeout bounds how long Send waits for the block in BroadcastCommit
// mode.
const CommitTimeout = time.Minute

// Send builds the transaction carrying msgs with p, signs it with sign (and
// the sponsor's key when p names one) and submits it in mode, waiting at
// most CommitTimeout for the block in commit mode. Errors are as Submit's.
func (c *Client) Send(ctx context.Context, p TxParams, sign Signer, mode string, msgs ...*txv1.Msg) (TxResult, error) {
	tx, err := BuildTx(p, sign, msgs...)
	if err != nil {
		return TxResult{}, err
	}
	if mode == BroadcastCommit {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, CommitTimeout)
		defer cancel()
	}
	return c.Submit(ctx, tx, mode)
}
