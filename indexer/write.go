package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrChainMismatch is returned when the database mirrors another chain or
// is ahead of the node.
var ErrChainMismatch = errors.New("the database mirrors another chain")

// lastHeight returns the mirrored chain id and the last indexed height
// (0 and "" for an empty mirror).
func lastHeight(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (string, int64, error) {
	var chainID string
	var h int64
	err := q.QueryRow(ctx, "SELECT chain_id, last_height FROM indexer_state").Scan(&chainID, &h)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, nil
	}
	return chainID, h, err
}

// apply writes one height in one database transaction: the block, its
// transactions and events, the state records it touched, the erasure of
// the plaintext of every DID whose profile it erased, and the new last
// height. The transaction first checks that the last height is h-1 (or
// the mirror empty), so a height is applied exactly once even if two
// indexers share a database.
func apply(ctx context.Context, pool *pgxpool.Pool, chainID string, d *heightData) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var have string
		var last int64
		err := tx.QueryRow(ctx, "SELECT chain_id, last_height FROM indexer_state FOR UPDATE").Scan(&have, &last)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if _, err := tx.Exec(ctx, "INSERT INTO indexer_state (chain_id, last_height) VALUES ($1, $2)", chainID, d.height); err != nil {
				return err
			}
		case err != nil:
			return err
		case have != chainID:
			return fmt.Errorf("%w: it holds %s, the node runs %s", ErrChainMismatch, have, chainID)
		case last != d.height-1:
			return fmt.Errorf("applying height %d after height %d: heights must follow each other", d.height, last)
		default:
			if _, err := tx.Exec(ctx, "UPDATE indexer_state SET last_height = $1", d.height); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO blocks (height, hash, time, proposer, app_hash, num_txs) VALUES ($1, $2, $3, $4, $5, $6)",
			d.height, d.hash, d.time, d.proposer, d.appHash, len(d.txs)); err != nil {
			return err
		}
		if len(d.txs) > 0 {
			rows := make([][]any, len(d.txs))
			for i, t := range d.txs {
				rows[i] = []any{t.hash, d.height, t.idx, t.signer, t.keyID, u64(t.sequence), t.msgs, t.memo,
					int64(t.code), t.codespace, t.log, t.gasUsed, t.size}
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"txs"},
				[]string{"hash", "height", "idx", "signer", "key_id", "sequence", "msgs", "memo", "code", "codespace", "log", "gas_used", "size"},
				pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("height %d: copy transactions: %w", d.height, err)
			}
		}
		if len(d.events) > 0 {
			rows := make([][]any, len(d.events))
			for i, e := range d.events {
				attrs, err := json.Marshal(e.attrs)
				if err != nil {
					return err
				}
				rows[i] = []any{d.height, e.txIdx, e.idx, e.typ, string(attrs)}
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, []string{"height", "tx_idx", "idx", "type", "attrs"},
				pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("height %d: copy events: %w", d.height, err)
			}
		}
		b := &pgx.Batch{}
		for _, r := range d.records {
			if err := writeRecord(b, r, d.height); err != nil {
				return err
			}
		}
		for _, c := range d.charges {
			did := c.did
			b.Queue(`UPDATE mana_accounts SET balance = $2, last_height = greatest(last_height, $3), height = $3 WHERE did = $1`,
				c.did, u64(c.remaining), d.height).Exec(func(tag pgconn.CommandTag) error {
				if tag.RowsAffected() != 1 {
					return fmt.Errorf("height %d charged %s, whose mana account the mirror lacks: rebuild the mirror", d.height, did)
				}
				return nil
			})
		}
		for _, did := range d.erased {
			queueErase(b, did, d.height, d.time)
		}
		if b.Len() > 0 {
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return fmt.Errorf("height %d: write state: %w", d.height, err)
			}
		}
		return nil
	})
}
