package app

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/store"
)

// Pool is the app-side mempool (CometBFT's mempool.type = "app"): it
// admits transactions concurrently with block execution, hands each one
// out once for gossip, gives proposals their transactions, and after each
// commit drops what the block included and re-checks the rest.
//
// Admission runs exactly the checks of App.CheckTx (decode, chain id,
// signer, key, freeze, sequence, mana charge, signature, the messages)
// against a check state over the last committed version, and leaves the
// accepted transaction's effects in it, so that a signer can queue several
// transactions. That state is read through a store.ConcurrentReader, never
// through the working tree, and everything admission touches is the
// pool's own, behind the pool's mutex:
//   - a checker App with its own keepers and message table (keepers
//     memoise decoded params and verified proofs; sharing them with the
//     consensus App would race) and its own decoded-transaction cache
//     (a decoded transaction's message rows are bound to its table's
//     keepers);
//   - the chain id, the last committed height and block time, copied in
//     by Update under the ABCI lock, never read from the consensus App.
//
// Only the signature cache is shared with the consensus App (it has its
// own lock): a signature verified on admission is not verified again in
// the block. The consensus path is unchanged: the app hash never depends
// on the mempool type.
//
// The pool keeps its transactions in admission order. Admission requires
// a transaction's sequence to be its signer's next one in the check
// state, so that order keeps each signer's transactions in sequence order,
// and a proposal that takes them in that order keeps it too.
//
// All methods are safe for concurrent use.
type Pool struct {
	mu     sync.Mutex
	chk    *App
	reader *store.ConcurrentReader
	opts   PoolOptions

	// ready is false until Update first gives the pool a committed
	// version; closed is set by Close. Admission refuses in both cases.
	ready, closed bool
	// height and blockTime are the last committed height and the time of
	// its block: admission checks as for the block at height+1.
	height    int64
	blockTime time.Time
	// state is the check state: the committed version at height plus the
	// effects of the pooled transactions.
	state *store.Cache

	// size mirrors len(txs) for Add's refusal of a full pool without the
	// lock, which a rebase may hold for tens of milliseconds.
	size atomic.Int64
	// txs are the pooled transactions in admission order.
	txs    []*poolTx
	byHash map[[sha256.Size]byte]*poolTx
	bytes  int64
	// gossip are the admitted transactions not handed out by Reap yet, in
	// admission order; an entry dropped from the pool meanwhile is skipped.
	gossip []*poolTx
	// committed holds the hashes of the transactions of the last two
	// blocks: a peer often relays one after a block took it (gossip runs
	// every mempool.reap_interval), and such a relay is answered as done
	// rather than refused (CometBFT logs every refused relay).
	committed, committedBefore map[[sha256.Size]byte]struct{}

	// next is a committed version UpdateLater recorded whose rebase is not
	// done yet: every method that takes the lock does it first (catchUp),
	// except Txs. err is the error of a rebase done in the background,
	// kept for the next Update or UpdateLater to return.
	next *poolUpdate
	err  error
}

// poolUpdate is a committed version for the pool to move onto (Update).
type poolUpdate struct {
	height    int64
	blockTime time.Time
	chainID   string
	blockTxs  [][]byte
}

// poolTx is one pooled transaction.
type poolTx struct {
	tx *DecodedTx
	// dropped is set when the transaction leaves the pool.
	dropped bool
}

// PoolOptions bound a Pool. Zero means no limit.
type PoolOptions struct {
	// MaxTxs is app.toml's mempool.max-txs: beyond it, submissions are
	// refused with ErrMempoolFull.
	MaxTxs int
	// MaxRelayedTxs bounds the pool for transactions relayed by peers
	// (config.toml's mempool.size). As with the flood mempool, relayed
	// transactions are exempt from MaxTxs: a peer's limit admitted them,
	// and refusing them here would only keep them out of this node's
	// proposals.
	MaxRelayedTxs int
	// MaxBytes bounds the pooled transactions' bytes (config.toml's
	// mempool.max_txs_bytes), for every transaction.
	MaxBytes int64
}

// NewPool returns an empty pool that checks transactions as a does and
// reads committed versions through reader. It admits nothing until Update
// gives it a committed version.
func (a *App) NewPool(reader *store.ConcurrentReader, opts PoolOptions) (*Pool, error) {
	chk := &App{
		sigs:    a.sigs.share(),
		decoded: newTxCache(a.decoded.maxBytes),
	}
	if err := chk.composeModules(); err != nil {
		return nil, err
	}
	return &Pool{chk: chk, reader: reader, opts: opts, byHash: make(map[[sha256.Size]byte]*poolTx)}, nil
}

// LastBlockTime is the time of the last finalized block (zero after a
// restart until a block is finalized), for Pool.Update.
func (a *App) LastBlockTime() time.Time { return a.lastBlockTime }

// checkContext is the context of the block after the committed one.
func (p *Pool) checkContext() modules.Context {
	return modules.NewContext(p.chk.chainID, p.height+1, p.blockTime, p.state)
}

// Add admits raw, a submission (relayed false) or a transaction a peer
// relayed. The result has code 0 when raw is pooled, and for a relayed
// transaction one of the last two blocks holds (nothing to do); a refusal carries its
// registered code: CheckTx's codes, ErrMempoolFull, ErrTxInPool, and the
// retry codes ErrSequenceAhead (a later sequence than the signer's next
// one: an earlier transaction of the signer has not reached this node yet;
// retry after it) and ErrPoolNotReady. A Broken result means the node must
// stop.
func (p *Pool) Add(raw []byte, relayed bool) TxResult {
	limit := p.opts.MaxTxs
	if relayed {
		limit = p.opts.MaxRelayedTxs
	}
	// A full pool answers at once. The count may be stale by the
	// admissions and the rebase under way: the check under the lock below
	// is the one that holds.
	if n := p.size.Load(); limit > 0 && n >= int64(limit) {
		return errResult(ErrMempoolFull.Wrapf("%d transactions pending, max %d", n, limit))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.catchUp() != nil || !p.ready || p.closed {
		return errResult(ErrPoolNotReady.Wrapf("no committed state to check against"))
	}
	if limit > 0 && len(p.txs) >= limit {
		return errResult(ErrMempoolFull.Wrapf("%d transactions pending, max %d", len(p.txs), limit))
	}
	if p.opts.MaxBytes > 0 && p.bytes+int64(len(raw)) > p.opts.MaxBytes {
		return errResult(ErrMempoolFull.Wrapf("%d bytes pending, max %d", p.bytes, p.opts.MaxBytes))
	}
	if relayed && p.recentlyCommitted(raw) {
		return TxResult{}
	}
	tx, err := p.chk.decode(raw)
	if err != nil {
		return errResult(err)
	}
	if _, ok := p.byHash[tx.Hash]; ok {
		return errResult(ErrTxInPool.Wrapf("%X", tx.Hash))
	}
	base := p.checkContext()
	res, anteErr := p.chk.deliver(base, p.state, tx)
	if res.Broken() {
		return res
	}
	if anteErr == nil {
		p.admit(tx)
		return TxResult{}
	}
	if errors.Is(anteErr, ErrBadSequence) {
		if want, err := p.chk.did.Sequence(base, tx.Auth.Signer); err == nil && tx.Auth.Sequence > want {
			return errResult(ErrSequenceAhead.Wrapf("%s: have %d, next %d", tx.Auth.Signer, tx.Auth.Sequence, want))
		}
	}
	return res
}

// recentlyCommitted reports whether one of the last two blocks holds raw.
func (p *Pool) recentlyCommitted(raw []byte) bool {
	if len(p.committed) == 0 && len(p.committedBefore) == 0 {
		return false
	}
	h := sha256.Sum256(raw)
	_, now := p.committed[h]
	_, before := p.committedBefore[h]
	return now || before
}

// admit pools tx, which passed the checks with its effects in p.state.
func (p *Pool) admit(tx *DecodedTx) {
	p.chk.decoded.add(tx)
	e := &poolTx{tx: tx}
	p.txs = append(p.txs, e)
	p.byHash[tx.Hash] = e
	p.bytes += int64(len(tx.Raw))
	p.gossip = append(p.gossip, e)
	p.size.Store(int64(len(p.txs)))
}

// CheckOnly answers whether Add would admit raw now, and changes nothing
// (App.CheckOnly for the pool: CometBFT's check_tx RPC).
func (p *Pool) CheckOnly(raw []byte) TxResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.catchUp() != nil || !p.ready || p.closed {
		return errResult(ErrPoolNotReady.Wrapf("no committed state to check against"))
	}
	tx, err := p.chk.decode(raw)
	if err != nil {
		return errResult(err)
	}
	if _, ok := p.byHash[tx.Hash]; ok {
		return errResult(ErrTxInPool.Wrapf("%X", tx.Hash))
	}
	scratch := store.NewCache(p.state)
	base := modules.NewContext(p.chk.chainID, p.height+1, p.blockTime, scratch)
	p.chk.sigs.frozen = true
	defer func() { p.chk.sigs.frozen = false }()
	res, anteErr := p.chk.deliver(base, scratch, tx)
	if res.Broken() || anteErr != nil {
		return res
	}
	return TxResult{}
}

// Reap returns the admitted transactions not returned before, in
// admission order, up to maxBytes in all (0: no limit; at least one
// transaction when any is due), for gossip. Each transaction is returned
// once; those the pool dropped meanwhile are skipped.
func (p *Pool) Reap(maxBytes int64) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.catchUp() // an error is UpdateLater's to return
	var out [][]byte
	var size int64
	n := 0
	for ; n < len(p.gossip); n++ {
		e := p.gossip[n]
		if e.dropped {
			continue
		}
		if maxBytes > 0 && len(out) > 0 && size+int64(len(e.tx.Raw)) > maxBytes {
			break
		}
		size += int64(len(e.tx.Raw))
		out = append(out, e.tx.Raw)
	}
	p.gossip = append(p.gossip[:0], p.gossip[n:]...)
	return out
}

// Txs returns the pooled transactions in admission order, at most max
// (0: all): the candidates of a proposal, which App.PrepareProposal then
// simulates. The caller must not modify them. It does not wait for a
// rebase UpdateLater left to the background: it leaves out the last
// block's transactions by hash, and the simulation the rest the rebase
// would drop.
func (p *Pool) Txs(max int) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	var included map[[sha256.Size]byte]struct{}
	if p.next != nil {
		included = make(map[[sha256.Size]byte]struct{}, len(p.next.blockTxs))
		for _, raw := range p.next.blockTxs {
			included[sha256.Sum256(raw)] = struct{}{}
		}
	}
	n := len(p.txs)
	if max > 0 {
		n = min(n, max)
	}
	out := make([][]byte, 0, n)
	for _, e := range p.txs {
		if len(out) == n {
			break
		}
		if _, ok := included[e.tx.Hash]; ok || e.dropped {
			continue
		}
		out = append(out, e.tx.Raw)
	}
	return out
}

// Len returns the number of pooled transactions.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.catchUp() // an error is UpdateLater's to return
	return len(p.txs)
}

// Update moves the pool onto the version committed at height, whose block
// had the given time and transactions: it drops the block's transactions
// by hash, then checks the others again, in admission order, against the
// new committed state (the rebase), and drops each one that fails (a
// sequence the block used, a charge the account can no longer pay, a key
// the block revoked...; a signer's later transactions then fail on their
// sequence). chainID is the chain's id. Update must run after the commit,
// before the next proposal; admissions wait for it. A returned error
// means the node must stop.
func (p *Pool) Update(height int64, blockTime time.Time, chainID string, blockTxs [][]byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.catchUp(); err != nil {
		return err
	}
	p.next = &poolUpdate{height: height, blockTime: blockTime, chainID: chainID, blockTxs: blockTxs}
	return p.catchUp()
}

// UpdateLater is Update with the rebase left to a goroutine of its own,
// so that Commit does not wait for it: the next block's consensus steps
// run meanwhile (the proposer's Txs does not wait for it either). Every
// other method does the rebase first if the goroutine has not. It returns
// the error of the previous rebase, if any (the node must stop), and
// calls rebased with the pool's size once the rebase is done. The version
// read stays saved while the rebase runs: the rebase onto height is done
// before UpdateLater of height+1 returns, and committing height+2 prunes
// at most versions below height+1 (store.ConcurrentReader).
func (p *Pool) UpdateLater(height int64, blockTime time.Time, chainID string, blockTxs [][]byte, rebased func(pooled int)) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.catchUp(); err != nil {
		return err
	}
	if p.closed {
		return nil
	}
	p.next = &poolUpdate{height: height, blockTime: blockTime, chainID: chainID, blockTxs: blockTxs}
	// The pool is node-local admission, never consensus: this goroutine
	// only decides what the node admits and proposes, which ProcessProposal
	// and FinalizeBlock check like any proposal.
	go func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.catchUp() == nil && rebased != nil {
			rebased(len(p.txs))
		}
	}()
	return nil
}

// catchUp does the rebase onto the version UpdateLater recorded, if not
// done yet, and returns the first rebase error. The caller holds p.mu.
func (p *Pool) catchUp() error {
	if p.err != nil || p.next == nil {
		return p.err
	}
	u := *p.next
	p.next = nil
	p.err = p.rebase(u.height, u.blockTime, u.chainID, u.blockTxs)
	return p.err
}

// rebase is Update's work; the caller holds p.mu.
func (p *Pool) rebase(height int64, blockTime time.Time, chainID string, blockTxs [][]byte) error {
	if p.closed {
		return nil
	}
	view, err := p.reader.At(height)
	if err != nil {
		return fmt.Errorf("app: mempool: open committed version: %w", err)
	}
	p.chk.chainID = chainID
	p.height = height
	p.blockTime = blockTime
	p.state = store.NewCache(view)
	p.ready = true
	included := 0
	p.committedBefore, p.committed = p.committed, make(map[[sha256.Size]byte]struct{}, len(blockTxs))
	for _, raw := range blockTxs {
		h := sha256.Sum256(raw)
		p.committed[h] = struct{}{}
		if e, ok := p.byHash[h]; ok && !e.dropped {
			e.dropped = true
			included++
		}
	}
	// The block's transactions make room at once, before the rebase.
	p.size.Store(int64(len(p.txs) - included))
	kept := p.txs[:0]
	p.bytes = 0
	base := p.checkContext()
	for i, e := range p.txs {
		if e.dropped {
			delete(p.byHash, e.tx.Hash)
			continue
		}
		res, anteErr := p.chk.deliver(base, p.state, e.tx)
		if res.Broken() {
			return brokenErr("mempool rebase", i, res)
		}
		if anteErr != nil {
			e.dropped = true
			delete(p.byHash, e.tx.Hash)
			continue
		}
		kept = append(kept, e)
		p.bytes += int64(len(e.tx.Raw))
	}
	clear(p.txs[len(kept):])
	p.txs = kept
	p.size.Store(int64(len(p.txs)))
	// Without gossip (mempool.broadcast = false) or while the node syncs,
	// nobody calls Reap: the dropped entries leave the gossip list here,
	// so that it never holds more than the pool.
	due := p.gossip[:0]
	for _, e := range p.gossip {
		if !e.dropped {
			due = append(due, e)
		}
	}
	clear(p.gossip[len(due):])
	p.gossip = due
	return nil
}

// Close makes the pool refuse every transaction from now on, once the
// admissions under way have ended: after it returns, the pool reads
// nothing, and the store may be closed.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
}
