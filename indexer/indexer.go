package indexer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Config configures an indexer.
type Config struct {
	// Node is the RPC address of the node followed, e.g. tcp://127.0.0.2:26657.
	Node string
	// Witnesses are further RPC addresses that cross-check the headers the
	// sync API's proven queries are verified against.
	Witnesses []string
	// DB is the PostgreSQL connection string (URL or key=value form).
	DB string
	// Listen is the API and explorer's address ("" serves nothing).
	Listen string
	// ReaderRole is the organization role whose holders may read the
	// organization's member contacts through the API.
	ReaderRole string
	// TrustDir keeps the light client's trusted headers ("" = in memory).
	TrustDir string
	// StopHeight, when positive, makes Run return once it is indexed.
	StopHeight int64
	// FromHeight, when positive, is where an empty mirror starts: the whole
	// state is read at that height, then blocks follow from it. The node
	// must still hold that version (pruning) and the blocks after it.
	// Default: the node's first block.
	FromHeight int64
	// Prefetch is how many heights are read from the node ahead of the one
	// being written during catch-up (default 8).
	Prefetch int
	// Poll is how often the node is asked for new heights when no
	// websocket notification arrives (default 1s).
	Poll time.Duration
	// Log receives progress and errors (default: discarded).
	Log *slog.Logger
	// Now is the clock of the sync window (default time.Now); tests set it.
	Now func() time.Time
}

// DefaultReaderRole is the organization role that may read contacts.
const DefaultReaderRole = "data-steward"

// Indexer mirrors one chain into one database.
type Indexer struct {
	cfg   Config
	pool  *pgxpool.Pool
	chain *chain
	log   *slog.Logger
	// tip is the latest height the node reported, for the API's status.
	tip     atomic.Int64
	indexed atomic.Int64
	// sameChain is set once the mirror's last block is found on the node.
	sameChain bool

	proverMu  sync.Mutex
	proverVal *prover
}

// Open connects to the database, applies the migrations it lacks and
// checks that the node answers.
func Open(ctx context.Context, cfg Config) (*Indexer, error) {
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = 8
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.ReaderRole == "" {
		cfg.ReaderRole = DefaultReaderRole
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pool, err := pgxpool.New(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	applied, err := Migrate(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if len(applied) > 0 {
		cfg.Log.Info("applied schema migrations", "versions", applied)
	}
	ch, err := newChain(cfg.Node)
	if err != nil {
		pool.Close()
		return nil, err
	}
	ix := &Indexer{cfg: cfg, pool: pool, chain: ch, log: cfg.Log}
	return ix, nil
}

// Close releases the database connections.
func (ix *Indexer) Close() { ix.pool.Close() }

// Pool is the indexer's database pool.
func (ix *Indexer) Pool() *pgxpool.Pool { return ix.pool }

// chainTables are the tables rebuilt from the chain, children first.
var chainTables = []string{"events", "txs", "did_keys", "dids", "orgs", "memberships", "invitations", "freezes",
	"credentials", "mana_accounts", "profiles", "mesh_bids", "mesh_receipts", "mesh_jobs", "mesh_executors", "dag_entries",
	"gov_voters", "gov_proposals", "gov_delegations", "gov_policies",
	"blocks", "indexer_state"}

// Reset empties every table that mirrors the chain, in one transaction;
// member contacts and the audit log, which the chain cannot reproduce,
// stay. The next Run indexes from the node's first block.
func (ix *Indexer) Reset(ctx context.Context) error {
	_, err := ix.pool.Exec(ctx, "TRUNCATE "+strings.Join(chainTables, ", "))
	return err
}

// Run serves the API (when Listen is set) and follows the chain until ctx
// ends, StopHeight is indexed, or an error that retrying cannot fix.
func (ix *Indexer) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	if ix.cfg.Listen != "" {
		ln, err := net.Listen("tcp", ix.cfg.Listen)
		if err != nil {
			return err
		}
		srv := ix.httpServer()
		ix.log.Info("serving the API and explorer", "url", "http://"+ln.Addr().String()+"/")
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
		defer func() {
			sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer scancel()
			srv.Shutdown(sctx) //nolint:errcheck // best effort on the way out
		}()
	}
	go func() { errc <- ix.follow(ctx) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return nil
	}
}

// follow indexes every committed height in order, forever: it catches up
// by polling, and a websocket NewBlock subscription (re-established when it
// drops) wakes it as soon as a block commits.
func (ix *Indexer) follow(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	go ix.subscribe(ctx, wake)
	tick := time.NewTicker(ix.cfg.Poll)
	defer tick.Stop()
	backoff := time.Second
	for {
		done, err := ix.catchUp(ctx)
		if done || ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if errors.Is(err, ErrChainMismatch) {
				return err
			}
			ix.log.Error("indexing failed; retrying", "err", err, "in", backoff)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
	}
}

// subscribe keeps a websocket subscription to NewBlock and signals wake on
// each block; when the connection fails it retries every few seconds.
func (ix *Indexer) subscribe(ctx context.Context, wake chan<- struct{}) {
	for ctx.Err() == nil {
		ix.subscribeOnce(ctx, wake)
		select {
		case <-ctx.Done():
		case <-time.After(3 * time.Second):
		}
	}
}

func (ix *Indexer) subscribeOnce(ctx context.Context, wake chan<- struct{}) {
	ws, err := rpchttp.New(ix.cfg.Node, "/websocket")
	if err != nil {
		return
	}
	if err := ws.Start(); err != nil {
		return
	}
	defer ws.Stop() //nolint:errcheck // closing a client we are done with
	sub, err := ws.Subscribe(ctx, "icnd-indexer", "tm.event='NewBlock'", 16)
	if err != nil {
		return
	}
	ix.log.Debug("subscribed to new blocks")
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-sub:
			if !ok {
				return
			}
			select {
			case wake <- struct{}{}:
			default:
			}
		case <-ws.Quit():
			return
		}
	}
}

// catchUp indexes every height the node has committed that the mirror
// lacks. It reports done when StopHeight is indexed.
func (ix *Indexer) catchUp(ctx context.Context) (bool, error) {
	chainID, latest, earliest, err := ix.chain.status(ctx)
	if err != nil {
		return false, err
	}
	ix.tip.Store(latest)
	have, last, err := lastHeight(ctx, ix.pool)
	if err != nil {
		return false, err
	}
	if have != "" && have != chainID {
		return false, fmt.Errorf("%w: it holds %s, the node %s runs %s (use another database, or `icnd indexer rebuild`)",
			ErrChainMismatch, have, ix.cfg.Node, chainID)
	}
	ix.indexed.Store(last)
	if !ix.sameChain && last >= earliest && last > 0 {
		// The chain id alone does not tell a regenerated chain (a new
		// localnet) from the one mirrored: compare the last block's hash.
		info, err := ix.chain.c.RPC.BlockchainInfo(ctx, last, last)
		if err != nil {
			return false, err
		}
		var have string
		if err := ix.pool.QueryRow(ctx, "SELECT hash FROM blocks WHERE height = $1", last).Scan(&have); err != nil {
			return false, err
		}
		if len(info.BlockMetas) != 1 || info.BlockMetas[0].BlockID.Hash.String() != have {
			return false, fmt.Errorf("%w: its block %d is not the node's (a chain regenerated under the same id?): use another database, or `icnd indexer rebuild`",
				ErrChainMismatch, last)
		}
		ix.sameChain = true
	}
	if stop := ix.cfg.StopHeight; stop > 0 {
		if last >= stop {
			return true, nil
		}
		latest = min(latest, stop)
	}
	next := last + 1
	full := last == 0
	if full {
		next = max(earliest, ix.cfg.FromHeight, 1)
	} else if next < earliest {
		return false, fmt.Errorf("the node's first block is %d but the mirror needs %d: follow a node that keeps every block", earliest, next)
	}
	for next <= latest {
		n := min(int64(ix.cfg.Prefetch), latest-next+1)
		type result struct {
			d   *heightData
			err error
		}
		slots := make([]chan result, n)
		fctx, cancel := context.WithCancel(ctx)
		for i := range slots {
			slots[i] = make(chan result, 1)
			go func(h int64, scan bool, out chan<- result) {
				start := time.Now()
				d, err := ix.chain.fetch(fctx, h, scan)
				if d != nil {
					d.fetched = time.Since(start)
				}
				out <- result{d, err}
			}(next+int64(i), full && i == 0, slots[i])
		}
		for i, s := range slots {
			r := <-s
			if r.err != nil && next+int64(i) == latest {
				// The node reports a height as its latest once the block
				// is stored, a moment before its results and state are:
				// try the tip again at the next wake-up.
				cancel()
				ix.log.Debug("the latest height is not ready yet", "height", latest, "err", r.err)
				return false, nil
			}
			start := time.Now()
			if r.err == nil {
				r.err = apply(ctx, ix.pool, chainID, r.d)
			}
			if r.err != nil {
				cancel()
				return false, r.err
			}
			ix.indexed.Store(r.d.height)
			ix.log.Debug("indexed", "height", r.d.height, "txs", len(r.d.txs), "records", len(r.d.records), "charges", len(r.d.charges),
				"fetch", r.d.fetched.Round(time.Millisecond), "write", time.Since(start).Round(time.Millisecond))
		}
		cancel()
		full = false
		next += n
	}
	return ix.cfg.StopHeight > 0 && latest >= ix.cfg.StopHeight, nil
}
