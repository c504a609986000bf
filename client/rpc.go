package client

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/protocol"
)

// Client talks to one node's CometBFT RPC.
type Client struct {
	RPC    *rpchttp.HTTP
	Remote string
}

// Dial returns a Client for a node address such as tcp://127.0.0.2:26657.
// It does not connect until the first call.
func Dial(remote string) (*Client, error) {
	c, err := rpchttp.New(remote, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", remote, err)
	}
	return &Client{RPC: c, Remote: remote}, nil
}

// ChainID asks the node which chain it runs.
func (c *Client) ChainID(ctx context.Context) (string, error) {
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return "", c.wrap(err)
	}
	return st.NodeInfo.Network, nil
}

// QueryResult is a store query's answer.
type QueryResult struct {
	Key    []byte
	Value  []byte // nil when the key is absent
	Height int64
	// Proven is set when the answer was verified against a light-client
	// header; Header describes it.
	Proven bool
	Header *VerifiedHeader
}

// QueryStore reads the raw value under key at height (0 = latest). It does
// not verify anything; use Prover.Query for a proven answer.
func (c *Client) QueryStore(ctx context.Context, key []byte, height int64) (*QueryResult, error) {
	res, err := c.abciQuery(ctx, key, height, false)
	if err != nil {
		return nil, err
	}
	return &QueryResult{Key: key, Value: nilIfEmpty(res.Value), Height: res.Height}, nil
}

// nilIfEmpty maps an empty value to nil: the store never holds empty
// values, and over JSON-RPC an absent value may arrive as either.
func nilIfEmpty(v []byte) []byte {
	if len(v) == 0 {
		return nil
	}
	return v
}

func (c *Client) abciQuery(ctx context.Context, key []byte, height int64, prove bool) (*abcitypes.ResponseQuery, error) {
	out, err := c.RPC.ABCIQueryWithOptions(ctx, protocol.QueryPathStore, key, rpcQueryOptions(height, prove))
	if err != nil {
		return nil, c.wrap(err)
	}
	res := out.Response
	if res.Code != 0 {
		return nil, fmt.Errorf("query failed (%s/%d): %s", res.Codespace, res.Code, res.Log)
	}
	return &res, nil
}

// Sequence returns did's next sequence as of the latest committed state.
func (c *Client) Sequence(ctx context.Context, did string) (uint64, error) {
	res, err := c.QueryStore(ctx, didmod.SequenceKey(did), 0)
	if err != nil {
		return 0, err
	}
	if len(res.Value) == 0 {
		return 0, nil
	}
	if len(res.Value) != 8 {
		return 0, fmt.Errorf("sequence of %s: stored value has %d bytes, want 8", did, len(res.Value))
	}
	return binary.BigEndian.Uint64(res.Value), nil
}

// TxResult is the outcome of a broadcast transaction.
type TxResult struct {
	Hash      string `json:"txhash"`
	Height    int64  `json:"height,omitempty"` // 0 until committed
	Code      uint32 `json:"code"`
	Codespace string `json:"codespace,omitempty"`
	Log       string `json:"log,omitempty"`
	// Events are the committed result's events (empty until committed).
	Events []abcitypes.Event `json:"events,omitempty"`
}

// ErrCheckTx is returned when the node refuses a transaction in CheckTx.
var ErrCheckTx = errors.New("transaction refused by the node")

// Broadcast submits tx and returns once CheckTx has run. A refusal is an
// error wrapping ErrCheckTx, with the code and log.
func (c *Client) Broadcast(ctx context.Context, tx []byte) (TxResult, error) {
	res, err := c.RPC.BroadcastTxSync(ctx, tx)
	if err != nil {
		return TxResult{}, c.wrap(err)
	}
	out := TxResult{Hash: res.Hash.String(), Code: res.Code, Codespace: res.Codespace, Log: res.Log}
	if res.Code != 0 {
		return out, fmt.Errorf("%w (%s/%d): %s", ErrCheckTx, res.Codespace, res.Code, res.Log)
	}
	return out, nil
}

// BroadcastCommit submits tx and waits until it is in a committed block, or
// ctx ends. The returned result carries the block height and the
// execution's code and log; a non-zero code is not an error here.
func (c *Client) BroadcastCommit(ctx context.Context, tx []byte) (TxResult, error) {
	out, err := c.Broadcast(ctx, tx)
	if err != nil {
		return out, err
	}
	hash := sha256.Sum256(tx)
	return c.WaitTx(ctx, hash[:])
}

// WaitTx polls the node until the transaction with hash is committed.
func (c *Client) WaitTx(ctx context.Context, hash []byte) (TxResult, error) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := c.RPC.Tx(ctx, hash, false)
		if err == nil {
			return txResult(res), nil
		}
		if !strings.Contains(err.Error(), "not found") {
			return TxResult{}, c.wrap(err)
		}
		select {
		case <-ctx.Done():
			return TxResult{Hash: fmt.Sprintf("%X", hash)}, fmt.Errorf("transaction %X not committed: %w", hash, ctx.Err())
		case <-tick.C:
		}
	}
}

func txResult(res *coretypes.ResultTx) TxResult {
	return TxResult{
		Hash:      res.Hash.String(),
		Height:    res.Height,
		Code:      res.TxResult.Code,
		Codespace: res.TxResult.Codespace,
		Log:       res.TxResult.Log,
		Events:    res.TxResult.Events,
	}
}

// wrap makes connection errors say which node could not be reached.
func (c *Client) wrap(err error) error {
	if strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "no such host") {
		return fmt.Errorf("cannot reach node %s (is it running? set --node): %w", c.Remote, err)
	}
	return fmt.Errorf("node %s: %w", c.Remote, err)
}

func rpcQueryOptions(height int64, prove bool) rpcclient.ABCIQueryOptions {
	return rpcclient.ABCIQueryOptions{Height: height, Prove: prove}
}
