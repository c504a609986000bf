package indexer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/profile"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol"
)

// heightData is everything one height writes into the mirror, read from
// the node before the database transaction starts.
type heightData struct {
	height   int64
	hash     string
	appHash  string
	proposer string
	time     time.Time
	txs      []txRow
	events   []eventRow
	records  []record
	charges  []charge
	erased   []string      // DIDs whose profile this height erased
	fetched  time.Duration // how long reading it from the node took
}

// charge is a mana account that this height only charged: its new
// balance is the last charge's remaining balance and its last height the
// height, so the writer updates the row without reading the account (at
// the chain's saturated rate nearly every account a block touches is
// only charged).
type charge struct {
	did       string
	remaining uint64
}

type txRow struct {
	hash      string
	idx       int
	signer    string
	keyID     string
	sequence  uint64
	msgs      []string
	memo      string
	code      uint32
	codespace string
	log       string
	gasUsed   int64
	size      int
}

type eventRow struct {
	txIdx int // -1: a block event
	idx   int
	typ   string
	attrs map[string]string
}

// chain reads heights from a node over its RPC.
type chain struct {
	c *client.Client
	q *client.Querier
	// batchers are the clients of state reads, one per batch in flight:
	// concurrent JSON-RPC batches on one client mix up their answers.
	batchers chan *client.Client
}

func newChain(node string) (*chain, error) {
	c, err := client.Dial(node)
	if err != nil {
		return nil, err
	}
	ch := &chain{c: c, q: client.NewQuerier(c, nil), batchers: make(chan *client.Client, readers)}
	for range readers {
		b, err := client.Dial(node)
		if err != nil {
			return nil, err
		}
		ch.batchers <- b
	}
	return ch, nil
}

// status returns the chain id and the latest committed height.
func (ch *chain) status(ctx context.Context) (string, int64, int64, error) {
	st, err := ch.c.RPC.Status(ctx)
	if err != nil {
		return "", 0, 0, fmt.Errorf("node %s: %w", ch.c.Remote, err)
	}
	return st.NodeInfo.Network, st.SyncInfo.LatestBlockHeight, st.SyncInfo.EarliestBlockHeight, nil
}

// fetch reads height h: the block, its results and every store record its
// events touch (all records of the mirrored kinds when full is set), all
// as of version h.
func (ch *chain) fetch(ctx context.Context, h int64, full bool) (*heightData, error) {
	// The block and its results are the bulk of a loaded height: ask for
	// both at once.
	var res *coretypes.ResultBlockResults
	var resErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, resErr = ch.c.RPC.BlockResults(ctx, &h)
	}()
	blk, err := ch.c.RPC.Block(ctx, &h)
	<-done
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", h, err)
	}
	if resErr != nil {
		return nil, fmt.Errorf("results of block %d: %w", h, resErr)
	}
	if len(res.TxsResults) != len(blk.Block.Txs) {
		return nil, fmt.Errorf("block %d has %d transactions and %d results", h, len(blk.Block.Txs), len(res.TxsResults))
	}
	d := &heightData{
		height:   h,
		hash:     blk.BlockID.Hash.String(),
		appHash:  blk.Block.AppHash.String(),
		proposer: blk.Block.ProposerAddress.String(),
		time:     blk.Block.Time.UTC(),
	}
	var refs []ref
	charged := map[string]uint64{}
	addEvents := func(txIdx int, evs []abcitypes.Event) error {
		for i, e := range evs {
			row := eventRow{txIdx: txIdx, idx: i, typ: e.Type, attrs: make(map[string]string, len(e.Attributes))}
			me := modules.Event{Type: e.Type}
			for _, a := range e.Attributes {
				row.attrs[a.Key] = a.Value
				me.Attributes = append(me.Attributes, modules.Attribute{Key: a.Key, Value: a.Value})
			}
			d.events = append(d.events, row)
			typed, ok, err := modules.DecodeAnyEvent(me)
			if err != nil {
				return fmt.Errorf("height %d: %w", h, err)
			}
			if !ok {
				continue
			}
			if c, ok := typed.(mana.EventCharged); ok {
				charged[c.DID] = c.Remaining
				continue
			}
			rs, err := refsOf(typed)
			if err != nil {
				return fmt.Errorf("height %d: %w", h, err)
			}
			refs = append(refs, rs...)
			if e, ok := typed.(profile.EventProfileErased); ok {
				d.erased = append(d.erased, e.DID)
			}
		}
		return nil
	}
	for i, raw := range blk.Block.Txs {
		r := res.TxsResults[i]
		row := decodeTx(raw)
		sum := sha256.Sum256(raw)
		row.hash = strings.ToUpper(hex.EncodeToString(sum[:]))
		row.idx, row.code, row.codespace, row.log, row.gasUsed, row.size = i, r.Code, r.Codespace, r.Log, r.GasUsed, len(raw)
		d.txs = append(d.txs, row)
		if err := addEvents(i, r.Events); err != nil {
			return nil, err
		}
	}
	if err := addEvents(-1, res.FinalizeBlockEvents); err != nil {
		return nil, err
	}
	if full {
		scanned, err := ch.scanAll(ctx, h)
		if err != nil {
			return nil, err
		}
		refs = append(refs, scanned...)
	}
	if refs, err = ch.expandScans(ctx, refs, h); err != nil {
		return nil, err
	}
	refs = dedupRefs(refs)
	read := map[string]bool{}
	for _, r := range refs {
		if r.kind == kindMana {
			read[r.a] = true
		}
	}
	for did, remaining := range charged {
		if !read[did] {
			d.charges = append(d.charges, charge{did: did, remaining: remaining})
		}
	}
	sort.Slice(d.charges, func(i, j int) bool { return d.charges[i].did < d.charges[j].did })
	if d.records, err = ch.read(ctx, refs, h); err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(refs))
	for _, r := range refs {
		have[string(r.key)] = true
	}
	derived, err := derivedRefs(d.records, have)
	if err != nil {
		return nil, fmt.Errorf("height %d: %w", h, err)
	}
	if len(derived) > 0 {
		more, err := ch.read(ctx, derived, h)
		if err != nil {
			return nil, err
		}
		d.records = append(d.records, more...)
	}
	return d, nil
}

// scanAll reads every record of the mirrored kinds at version h, the
// prefixes concurrently (a scan reads one key per request).
func (ch *chain) scanAll(ctx context.Context, h int64) ([]ref, error) {
	found := make([][]ref, len(scanPrefixes))
	errs := make(chan error, len(scanPrefixes))
	var wg sync.WaitGroup
	for i, p := range scanPrefixes {
		c := <-ch.batchers
		wg.Add(1)
		go func() {
			defer func() { ch.batchers <- c; wg.Done() }()
			entries, _, err := client.NewQuerier(c, nil).Scan(ctx, p.prefix, h, 1<<24)
			if err != nil {
				errs <- fmt.Errorf("read state under %X at height %d: %w", p.prefix, h, err)
				return
			}
			for _, e := range entries {
				r, err := refFromKey(p.kind, e.Key, e.Value)
				if err != nil {
					errs <- err
					return
				}
				found[i] = append(found[i], r)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	var out []ref
	for _, f := range found {
		out = append(out, f...)
	}
	return out, nil
}

// expandScans replaces the scan refs among refs by a ref per record found
// under their prefixes at version h.
func (ch *chain) expandScans(ctx context.Context, refs []ref, h int64) ([]ref, error) {
	out := refs[:0:0]
	for _, r := range refs {
		if !r.scan {
			out = append(out, r)
			continue
		}
		c := <-ch.batchers
		entries, _, err := client.NewQuerier(c, nil).Scan(ctx, r.key, h, 1<<24)
		ch.batchers <- c
		if err != nil {
			return nil, fmt.Errorf("read state under %X at height %d: %w", r.key, h, err)
		}
		for _, e := range entries {
			found, err := refFromKey(r.kind, e.Key, e.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, found)
		}
	}
	return out, nil
}

// maxBatch is the queries of one JSON-RPC batch request: CometBFT's
// default rpc.max_request_batch_size. readers is how many batches are in
// flight at once.
const (
	maxBatch = 10
	readers  = 8
)

// read returns the records of refs at version h, in batched RPC requests.
func (ch *chain) read(ctx context.Context, refs []ref, h int64) ([]record, error) {
	out := make([]record, len(refs))
	errs := make(chan error, (len(refs)+maxBatch-1)/maxBatch)
	var wg sync.WaitGroup
	for start := 0; start < len(refs); start += maxBatch {
		end := min(len(refs), start+maxBatch)
		c := <-ch.batchers
		wg.Add(1)
		go func() {
			defer func() { ch.batchers <- c; wg.Done() }()
			if err := readBatch(ctx, c, refs[start:end], out[start:end], h); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return out, nil
}

func readBatch(ctx context.Context, c *client.Client, refs []ref, out []record, h int64) error {
	opts := rpcclient.ABCIQueryOptions{Height: h}
	var results []any
	if len(refs) == 1 {
		// A batch of one is answered as a lone response, which the batch
		// client does not decode.
		res, err := c.RPC.ABCIQueryWithOptions(ctx, protocol.QueryPathStore, refs[0].key, opts)
		if err != nil {
			return fmt.Errorf("read state at height %d: %w", h, err)
		}
		results = []any{res}
	} else {
		b := c.RPC.NewBatch()
		for _, r := range refs {
			if _, err := b.ABCIQueryWithOptions(ctx, protocol.QueryPathStore, r.key, opts); err != nil {
				return err
			}
		}
		var err error
		if results, err = b.Send(ctx); err != nil {
			return fmt.Errorf("read state at height %d: %w", h, err)
		}
	}
	if len(results) != len(refs) {
		return fmt.Errorf("read state at height %d: %d answers to %d queries", h, len(results), len(refs))
	}
	for i, raw := range results {
		q, ok := raw.(*coretypes.ResultABCIQuery)
		if !ok {
			return fmt.Errorf("read state at height %d: the node answered a %T", h, raw)
		}
		if q.Response.Code != 0 {
			return fmt.Errorf("read %X at height %d (%s/%d): %s (is height %d pruned on the node? see docs/indexer.md)",
				refs[i].key, h, q.Response.Codespace, q.Response.Code, q.Response.Log, h)
		}
		if q.Response.Height != h {
			return fmt.Errorf("read %X: asked for height %d, the node answered for %d", refs[i].key, h, q.Response.Height)
		}
		var v []byte
		if len(q.Response.Value) > 0 {
			v = q.Response.Value
		}
		out[i] = record{ref: refs[i], value: v}
	}
	return nil
}

// decodeTx reads what the mirror shows of a transaction: its signer, key,
// sequence, memo and the names of its messages. Blocks hold only
// transactions that decoded when proposed, so a failure here leaves the
// fields empty rather than stopping the indexer.
func decodeTx(raw []byte) txRow {
	row := txRow{msgs: []string{}}
	var tx txv1.Tx
	if tx.Unmarshal(raw) != nil {
		return row
	}
	var auth txv1.AuthInfo
	if auth.Unmarshal(tx.AuthInfoBytes) == nil {
		row.signer, row.keyID, row.sequence = auth.Signer, auth.KeyId, auth.Sequence
	}
	var body txv1.TxBody
	if body.Unmarshal(tx.BodyBytes) == nil {
		row.memo = body.Memo
		for _, m := range body.Messages {
			row.msgs = append(row.msgs, msgName(m))
		}
	}
	return row
}

// msgName is the oneof field name of a message (register_did, ...), read
// from the generated wrapper's protobuf tag, so new messages need no list.
func msgName(m *txv1.Msg) string {
	if m == nil || m.Sum == nil {
		return ""
	}
	t := reflect.TypeOf(m.Sum)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.NumField() == 0 {
		return ""
	}
	for _, part := range strings.Split(t.Field(0).Tag.Get("protobuf"), ",") {
		if name, ok := strings.CutPrefix(part, "name="); ok {
			return name
		}
	}
	return ""
}
