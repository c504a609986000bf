package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/credential"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/mesh"
	"github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/modules/profile"
	"github.com/intercooperative/icnd/store"
)

// Version is the application protocol version reported to CometBFT.
const Version uint64 = 1

// Options tune an App. None of them affects results.
type Options struct {
	// SigCacheSize bounds the verified-signature cache; 0 means 100,000.
	SigCacheSize int
	// TxCacheBytes bounds the decoded-transaction cache by the encoded size
	// of what it holds; 0 means 32 MiB.
	TxCacheBytes int
	// ProposalMaxTxs caps the transactions this node puts in a block it
	// proposes; 0 means no cap beyond the block's byte limit. It is the
	// proposer's policy, not a validity rule: blocks from other proposers
	// are accepted whatever their size.
	ProposalMaxTxs int
	// MempoolMaxTxs is the most transactions CheckTx lets the mempool hold
	// at once; 0 means no limit beyond CometBFT's own mempool size. Beyond
	// it, new transactions are refused with ErrMempoolFull.
	MempoolMaxTxs int
}

// App is the ICN state machine over one CommitStore.
type App struct {
	cms     *store.CommitStore
	chainID string

	did        *did.Keeper
	org        *org.Keeper
	credential *credential.Keeper
	profile    *profile.Keeper
	mana       *mana.Keeper
	dag        *dag.Keeper
	governance *governance.Keeper
	manaMsgs   *mana.MsgServer
	mesh       *mesh.Keeper

	// modules are the modules in their one order: genesis, export and
	// the end-of-block hooks follow it.
	modules []modules.Module
	// msgs is the message table built from the modules' rows.
	msgs *msgTable

	sigs *sigCache

	// checkState is what CheckTx validates against: the last committed
	// state plus the effects of the transactions CheckTx accepted since.
	// Commit resets it.
	checkState *store.Cache
	// checkReads is the view of the last committed state under checkState
	// (nil before the first commit). It holds back what CheckTx reads from
	// the tree until the transaction passes ante: only then may those reads
	// enter the state cache.
	checkReads *store.LatestView
	// executed is the block ProcessProposal last executed and accepted, if
	// FinalizeBlock has not consumed it yet.
	executed *executedBlock
	// prepared is the block this node's PrepareProposal last built, executed
	// as ProcessProposal would execute it, so that the proposer's own
	// ProcessProposal of the same transactions does not run them again.
	prepared *preparedBlock
	// preparedReused counts the proposals whose PrepareProposal execution
	// ProcessProposal reused, for the node's metrics.
	preparedReused uint64
	// decoded caches decoded transactions by hash, so that a transaction is
	// decoded once on its way through CheckTx, proposals and FinalizeBlock.
	decoded *txCache
	// proposalMaxTxs caps the transactions of this node's proposals.
	proposalMaxTxs int
	// mempoolMaxTxs is Options.MempoolMaxTxs; pending counts the
	// transactions the mempool holds as CheckTx saw them: Commit resets it,
	// and every transaction that passes CheckTx or a recheck after it counts
	// once (CometBFT rechecks each transaction its mempool still holds after
	// a block). It is local to the node and never reaches results.
	mempoolMaxTxs int
	pending       int
	// lastBlockTime is the time of the last finalized block, for CheckTx.
	lastBlockTime time.Time
	// initialHeight is genesis' initial height, the first block's height.
	// It is only consulted while nothing is committed, which is exactly
	// when InitChain has run in this process.
	initialHeight int64
}

// New returns an App over cms, which holds the last committed state (or
// nothing, before InitChain).
func New(cms *store.CommitStore, opts Options) (*App, error) {
	if opts.SigCacheSize == 0 {
		opts.SigCacheSize = 100_000
	}
	if opts.TxCacheBytes == 0 {
		opts.TxCacheBytes = 32 << 20
	}
	a := &App{
		cms:     cms,
		sigs:    newSigCache(opts.SigCacheSize),
		decoded: newTxCache(opts.TxCacheBytes),

		proposalMaxTxs: opts.ProposalMaxTxs,
		mempoolMaxTxs:  opts.MempoolMaxTxs,
	}
	if err := a.composeModules(); err != nil {
		return nil, err
	}
	if last := cms.LastCommitID(); last.Version > 0 {
		ro, err := cms.ReadOnlyAt(last.Version)
		if err != nil {
			return nil, fmt.Errorf("app: open last committed state: %w", err)
		}
		id, err := readChainID(ro)
		if err != nil {
			return nil, err
		}
		a.chainID = id
	}
	if err := a.resetCheckState(); err != nil {
		return nil, err
	}
	return a, nil
}

// ChainID is the chain id recorded at genesis ("" before InitChain).
func (a *App) ChainID() string { return a.chainID }

// LastCommit returns the last committed height and app hash.
func (a *App) LastCommit() store.CommitID { return a.cms.LastCommitID() }

// CommittedState returns a read-only view of the state committed at height.
func (a *App) CommittedState(height int64) (store.KVStore, error) {
	return a.cms.ReadOnlyAt(height)
}

// wireKeepers builds the modules' keepers, connects each to the interfaces
// it declares in its expected.go, and lists the modules in their one order.
//
// Mana reads memberships from org (mana.Memberships) and org opens
// treasuries and reports membership changes to mana (org.ManaAccounts);
// did asks org which organizations a DID controls before deactivating it
// (did.Organizations) and org registers organizations' documents through
// did (org.DIDs): the org keeper is allocated first, handed to mana and
// did, and filled in once both exist.
//
// The order is genesis order (did before org, which registers its
// organizations' documents through did; the sections that name DIDs after
// both), export order and end-of-block order.
func (a *App) wireKeepers() {
	a.org = new(org.Keeper)
	a.mesh = new(mesh.Keeper)
	a.mana = mana.NewKeeper(a.org, a.mesh)
	a.did = did.NewKeeper(a.mana, a.org)
	*a.org = *org.NewKeeper(a.did, a.mana)
	a.credential = credential.NewKeeper(a.did, a.org)
	a.profile = profile.NewKeeper()
	a.dag = dag.NewKeeper()
	a.manaMsgs = mana.NewMsgServer(a.mana, a.org)
	a.governance = governance.NewKeeper(a.org, a.mana)
	*a.mesh = *mesh.NewKeeper(a.mana, a.did, a.dag, a.org)
	a.modules = []modules.Module{
		did.NewModule(a.did),
		org.NewModule(a.org),
		credential.NewModule(a.credential),
		profile.NewModule(a.profile),
		mana.NewModule(a.mana, a.manaMsgs),
		dag.NewModule(a.dag),
		governance.NewModule(a.governance),
		mesh.NewModule(a.mesh),
	}
}

// composeModules wires the keepers, checks that the modules are distinct
// and builds the message table from their rows.
func (a *App) composeModules() error {
	a.wireKeepers()
	if err := checkModules(a.modules); err != nil {
		return err
	}
	t, err := newMsgTable(a.messageRows())
	if err != nil {
		return err
	}
	a.msgs = t
	// Governance runs proposals' messages, and the mana params change
	// checks new costs, through the table: both get it once it exists.
	a.governance.SetRouter(t)
	a.manaMsgs.SetSpecs(t.specs)
	return nil
}

// checkModules refuses two modules with one name (one genesis section,
// one codespace) or one store prefix (one key space), and a module that
// uses the app's own prefix.
func checkModules(ms []modules.Module) error {
	names := make(map[string]bool, len(ms))
	prefixes := map[byte]string{modules.PrefixApp: "app"}
	for _, m := range ms {
		if names[m.Name()] {
			return fmt.Errorf("app: two modules are called %q", m.Name())
		}
		names[m.Name()] = true
		if other, taken := prefixes[m.StorePrefix()]; taken {
			return fmt.Errorf("app: modules %s and %s share the store prefix %#x", other, m.Name(), m.StorePrefix())
		}
		prefixes[m.StorePrefix()] = m.Name()
	}
	return nil
}

// messageRows collects every module's rows of the message table.
func (a *App) messageRows() []modules.Msg {
	var rows []modules.Msg
	for _, m := range a.modules {
		rows = append(rows, m.Messages()...)
	}
	return rows
}

func (a *App) resetCheckState() error {
	last := a.cms.LastCommitID()
	if last.Version == 0 {
		// Between InitChain and the first commit the state is the working
		// tree, whose reads fill the state cache directly. That lasts one
		// block and evicts nothing useful: what genesis wrote is held as
		// working changes, which reads never evict.
		a.checkState = store.NewCache(a.cms.Working())
		a.checkReads = nil
		return nil
	}
	latest, err := a.cms.Latest()
	if err != nil {
		return fmt.Errorf("app: reset check state at %d: %w", last.Version, err)
	}
	a.checkState = store.NewCache(latest)
	a.checkReads = latest
	return nil
}

// nextHeight is the height of the block the app executes next.
func (a *App) nextHeight() int64 {
	if last := a.cms.LastCommitID().Version; last > 0 {
		return last + 1
	}
	return max(a.initialHeight, 1)
}

// TxResult is the outcome of one transaction: code 0 and events on
// success, a registered code and a log otherwise.
type TxResult struct {
	Codespace string
	Code      uint32
	Log       string
	Events    []modules.Event
}

func errResult(err error) TxResult {
	space, code := modules.ResultCode(err)
	return TxResult{Codespace: space, Code: code, Log: err.Error()}
}

// Broken reports whether the result carries no registered code: the error
// came from corrupt state or a bug, not from the transaction, and the node
// must stop rather than go on with state it cannot trust.
func (r TxResult) Broken() bool { return r.Codespace == modules.CodespaceInternal }

// brokenErr is the error that stops the node for a Broken result.
func brokenErr(stage string, i int, r TxResult) error {
	return fmt.Errorf("app: %s: tx %d: broken invariant: %s", stage, i, r.Log)
}

// CheckTx validates raw against the check state: decode, authenticate,
// charge, and execute its messages as the block will. Accepted
// transactions leave all their effects in the check state (the sequence
// bump, the charge, and what the messages change), so that a signer can
// queue several transactions in one block and a later transaction is
// checked against the keys, freezes and documents the earlier ones leave:
// a transaction signed with a key revoked earlier in the same block is
// refused here, not gossiped to fail in a proposal uncharged. A failed
// message does not refuse the transaction: it is valid, will be charged and
// will fail in the block too. When the mempool already holds
// Options.MempoolMaxTxs transactions, CheckTx refuses with ErrMempoolFull
// before decoding anything. A Broken result means the node must stop.
func (a *App) CheckTx(raw []byte) TxResult {
	if a.MempoolFull() {
		return errResult(ErrMempoolFull.Wrapf("%d transactions pending, max %d", a.pending, a.mempoolMaxTxs))
	}
	return a.check(raw)
}

// Recheck runs CheckTx's checks again for a transaction the mempool kept
// after a block, against the check state Commit reset; rechecks come in
// mempool order, so each sees the ones before it. The mempool limit does
// not apply: the transaction is already held.
func (a *App) Recheck(raw []byte) TxResult {
	return a.check(raw)
}

// CheckRelayed is CheckTx for a transaction a peer relayed: the mempool
// limit does not apply, since the peer's own limit admitted it, and
// refusing it would only keep it out of this node's proposals.
func (a *App) CheckRelayed(raw []byte) TxResult {
	return a.check(raw)
}

// CheckOnly answers whether CheckTx would accept raw now, and changes
// nothing: it runs CheckTx's checks in a layer over the check state that it
// drops, does not count toward the mempool limit (which does not apply: the
// transaction is not admitted), and caches neither the transaction, nor its
// verified signatures, nor its state reads. It answers CometBFT's check_tx RPC, which never adds the
// transaction to the mempool: any client may call it as often as it likes,
// so it must cost the node's mempool and other senders nothing.
func (a *App) CheckOnly(raw []byte) TxResult {
	tx, err := a.decode(raw)
	if err != nil {
		return errResult(err)
	}
	scratch := store.NewCache(a.checkState)
	base := modules.NewContext(a.chainID, a.nextHeight(), a.lastBlockTime, scratch)
	a.sigs.frozen = true
	defer func() { a.sigs.frozen = false }()
	res, anteErr := a.deliver(base, scratch, tx)
	if a.checkReads != nil {
		a.checkReads.Discard()
	}
	if res.Broken() || anteErr != nil {
		return res
	}
	return TxResult{}
}

// MempoolFull reports whether CheckTx now refuses new transactions with
// ErrMempoolFull.
func (a *App) MempoolFull() bool {
	return a.mempoolMaxTxs > 0 && a.pending >= a.mempoolMaxTxs
}

func (a *App) check(raw []byte) TxResult {
	tx, err := a.decode(raw)
	if err != nil {
		return errResult(err)
	}
	base := modules.NewContext(a.chainID, a.nextHeight(), a.lastBlockTime, a.checkState)
	res, anteErr := a.deliver(base, a.checkState, tx)
	if res.Broken() {
		return res
	}
	// Only transactions that pass ante are remembered, and only their state
	// reads are cached: refused ones cost their sender nothing, so they
	// must not cost the node memory, nor evict what the state cache holds
	// for signers who pay.
	if anteErr != nil {
		if a.checkReads != nil {
			a.checkReads.Discard()
		}
		return res
	}
	if a.checkReads != nil {
		a.checkReads.Admit()
	}
	a.decoded.add(tx)
	a.pending++
	return TxResult{}
}

// PrepareProposal returns the transactions of txs that a block at height
// would accept, in order and within maxBytes: it executes them as
// ProcessProposal will, and leaves out each one that fails decoding or ante
// given the ones before it. At an upgrade's height it simulates them after
// the upgrade's migration, as the block will run them; a binary without the
// upgrade's handler proposes an empty block (FinalizeBlock then stops it).
// A returned error means the node must stop.
func (a *App) PrepareProposal(height int64, blockTime time.Time, txs [][]byte, maxBytes int64) ([][]byte, error) {
	a.prepared = nil
	sim := store.NewCache(a.proposalBase())
	base := modules.NewContext(a.chainID, height, blockTime, sim)
	upgradeEvents, err := a.applyUpgrade(base)
	if err != nil {
		var upgrade *UpgradeNeededError
		if errors.As(err, &upgrade) {
			return [][]byte{}, nil
		}
		return nil, err
	}
	out := make([][]byte, 0, len(txs))
	var results []TxResult
	var size int64
	for i, raw := range txs {
		if a.proposalMaxTxs > 0 && len(out) == a.proposalMaxTxs {
			break
		}
		framed := protoFramedSize(len(raw))
		if size+framed > maxBytes {
			continue
		}
		tx, err := a.decode(raw)
		if err != nil {
			continue
		}
		res, anteErr := a.deliver(base, sim, tx)
		if res.Broken() {
			return nil, brokenErr("prepare proposal", i, res)
		}
		if anteErr != nil {
			continue
		}
		size += framed
		out = append(out, raw)
		results = append(results, res)
	}
	// Finish the block as execute would, so that ProcessProposal of
	// exactly these transactions can take it as it is.
	events, err := a.endBlock(base)
	if err != nil {
		return nil, err
	}
	updates, err := a.takeValidatorUpdates(base)
	if err != nil {
		return nil, err
	}
	a.prepared = &preparedBlock{txs: out, block: &executedBlock{
		height: height, time: blockTime, txs: len(out), cache: sim, results: results,
		events: append(upgradeEvents, events...), validatorUpdates: updates,
	}}
	return out, nil
}

// preparedBlock is a proposal PrepareProposal built: its transactions and
// their execution.
type preparedBlock struct {
	txs   [][]byte
	block *executedBlock
}

// takePrepared returns the execution PrepareProposal kept when txs, height
// and time are exactly those of the block it built, and forgets it in any
// case. Executing a block is a function of the state, height, time and
// transactions, so the kept execution is exactly what execute would return.
func (a *App) takePrepared(height int64, blockTime time.Time, txs [][]byte) *executedBlock {
	p := a.prepared
	a.prepared = nil
	if p == nil || p.block.height != height || !p.block.time.Equal(blockTime) || len(p.txs) != len(txs) {
		return nil
	}
	for i := range txs {
		if !bytes.Equal(p.txs[i], txs[i]) {
			return nil
		}
	}
	return p.block
}

// protoFramedSize is the size a transaction of n bytes takes in the block's
// protobuf encoding: a field tag, a varint length, the bytes. CometBFT
// checks a proposal's max_tx_bytes against this framed size.
func protoFramedSize(n int) int64 {
	size := int64(1 + n)
	for v := uint64(n); v >= 0x80; v >>= 7 {
		size++
	}
	return size + 1
}

// ErrRejectProposal wraps the reason a proposal is rejected.
var ErrRejectProposal = errors.New("proposal rejected")

// executedBlock is a block executed into a cache over the working tree but
// not yet written through. ProcessProposal keeps the one it accepted, so that
// FinalizeBlock of the same block only writes it through.
type executedBlock struct {
	hash    []byte
	height  int64
	time    time.Time
	txs     int
	cache   *store.Cache
	results []TxResult
	// events are the end-of-block hooks' events.
	events []modules.Event
	// validatorUpdates are the validator changes of the block.
	validatorUpdates []ValidatorUpdate
}

// BlockResult is what FinalizeBlock returns for a block.
type BlockResult struct {
	// TxResults has one result per transaction, in block order.
	TxResults []TxResult
	// Events are the block's own events, those of the end-of-block hooks
	// (ResponseFinalizeBlock.events), in module order.
	Events []modules.Event
	// AppHash is the root hash of the working tree after the block.
	AppHash []byte
	// ValidatorUpdates are the validator changes that passed root
	// proposals made in the block, by public key (CometBFT applies them
	// two heights later).
	ValidatorUpdates []ValidatorUpdate
}

// ProcessProposal accepts a block only if every transaction decodes and
// passes ante in order. It executes the block completely (signatures the
// node has not seen are batch-verified first) and keeps the result under
// the block's hash for FinalizeBlock, which then has nothing left to do.
func (a *App) ProcessProposal(height int64, blockTime time.Time, txs [][]byte, hash []byte) error {
	a.executed = nil
	if b := a.takePrepared(height, blockTime, txs); b != nil {
		// This node built the proposal: it executed every transaction and
		// left out each one that failed, so the block is valid.
		a.preparedReused++
		b.hash = hash
		a.executed = b
		return nil
	}
	for i, raw := range txs {
		if _, err := a.decode(raw); err != nil {
			return fmt.Errorf("%w: tx %d: %v", ErrRejectProposal, i, err)
		}
	}
	b, err := a.execute(height, blockTime, txs, true)
	var upgrade *UpgradeNeededError
	if errors.As(err, &upgrade) {
		// The block is valid; this binary just cannot execute it. Accept
		// it, so that it is decided and stored, and let FinalizeBlock stop
		// the node at this height on every node alike: the binary with the
		// upgrade's handler then replays it from the block store.
		return nil
	}
	if err != nil {
		return err
	}
	b.hash = hash
	a.executed = b
	return nil
}

// proposalBase is the state a proposal for the next height builds on: the
// last committed state (the working tree holds nothing else between blocks).
func (a *App) proposalBase() store.KVStore {
	return a.cms.Working()
}

// FinalizeBlock executes the block at height into the working tree: its
// transactions, then the end-of-block hooks. It returns one result per
// transaction, the hooks' events and the new app hash.
// When ProcessProposal executed the same block (same hash, height, time and
// number of transactions) its result is written through instead of running
// the block twice. A returned error means the node must stop.
func (a *App) FinalizeBlock(height int64, blockTime time.Time, txs [][]byte, hash []byte) (*BlockResult, error) {
	if want := a.nextHeight(); height != want {
		return nil, fmt.Errorf("app: finalize height %d, but the next height is %d (last committed %d)", height, want, a.cms.LastCommitID().Version)
	}
	if a.chainID == "" {
		return nil, errors.New("app: finalize before InitChain: chain id unknown")
	}
	b := a.executed
	a.executed = nil
	a.prepared = nil
	if b == nil || len(hash) == 0 || !bytes.Equal(b.hash, hash) || b.height != height || !b.time.Equal(blockTime) || b.txs != len(txs) {
		var err error
		if b, err = a.execute(height, blockTime, txs, false); err != nil {
			return nil, err
		}
	}
	b.cache.Write()
	a.lastBlockTime = blockTime
	return &BlockResult{TxResults: b.results, Events: b.events, AppHash: a.cms.WorkingHash(), ValidatorUpdates: b.validatorUpdates}, nil
}

// execute runs txs as the block at height into a new cache over the working
// tree. With strict set, a transaction that fails decoding or ante makes it
// return an error wrapping ErrRejectProposal (ProcessProposal); otherwise
// such a transaction just gets a failed result (FinalizeBlock of a decided
// block). A Broken result is returned as an error that does not wrap
// ErrRejectProposal: the node must stop.
func (a *App) execute(height int64, blockTime time.Time, txs [][]byte, strict bool) (*executedBlock, error) {
	b := &executedBlock{height: height, time: blockTime, txs: len(txs), cache: store.NewCache(a.cms.Working())}
	base := modules.NewContext(a.chainID, height, blockTime, b.cache)
	upgradeEvents, err := a.applyUpgrade(base)
	if err != nil {
		return nil, err
	}
	decoded := make([]*DecodedTx, len(txs))
	errs := make([]error, len(txs))
	for i, raw := range txs {
		decoded[i], errs[i] = a.decode(raw)
	}
	a.batchVerify(base, decoded)
	b.results = make([]TxResult, len(txs))
	for i, tx := range decoded {
		if tx == nil {
			if strict {
				return nil, fmt.Errorf("%w: tx %d: %v", ErrRejectProposal, i, errs[i])
			}
			b.results[i] = errResult(errs[i])
			continue
		}
		res, anteErr := a.deliver(base, b.cache, tx)
		if res.Broken() {
			return nil, brokenErr("execute block", i, res)
		}
		if anteErr != nil && strict {
			return nil, fmt.Errorf("%w: tx %d: %v", ErrRejectProposal, i, anteErr)
		}
		b.results[i] = res
	}
	events, err := a.endBlock(base)
	if err != nil {
		return nil, err
	}
	b.events = append(upgradeEvents, events...)
	if b.validatorUpdates, err = a.takeValidatorUpdates(base); err != nil {
		return nil, err
	}
	return b, nil
}

// endBlock runs each module's end-of-block hook, in module order, each in
// a cache layer of its own over the block's state, written through when
// the hook succeeds. It returns the hooks' events. A hook's error, whatever
// its code, is a broken invariant: the block cannot be finished, so the
// node must stop.
func (a *App) endBlock(block modules.Context) ([]modules.Event, error) {
	var events []modules.Event
	for _, m := range a.modules {
		hook, ok := m.(modules.EndBlocker)
		if !ok {
			continue
		}
		cache := store.NewCache(block.Store)
		ctx := block.WithStore(cache)
		if err := hook.EndBlock(ctx); err != nil {
			return nil, fmt.Errorf("app: end of block %d: module %s: broken invariant: %w", block.Height, m.Name(), err)
		}
		cache.Write()
		events = append(events, ctx.Events()...)
	}
	return events, nil
}

// deliver runs one decoded transaction in the block: ante in a tx cache,
// then the messages in a nested cache that only success writes through. It
// returns the ante error separately, because a block holding a transaction
// that fails ante is invalid as a proposal.
func (a *App) deliver(base modules.Context, block *store.Cache, tx *DecodedTx) (TxResult, error) {
	txCache := store.NewCache(block)
	ctx := base.WithStore(txCache).WithSigner(tx.Auth.Signer)
	if err := a.ante(ctx, tx); err != nil {
		return errResult(err), err
	}
	msgCache := store.NewCache(txCache)
	msgCtx := ctx.WithStore(msgCache)
	for i, m := range tx.Body.Messages {
		if i > 0 {
			// A message may revoke the signing key or deactivate the
			// signer (or its controller's authority); every later message
			// must still run under a signer and key that may sign.
			if _, err := a.signingKey(msgCtx, tx); err != nil {
				txCache.Write()
				res := errResult(wrapMsgErr(i, err))
				res.Events = ctx.Events()
				return res, nil
			}
		}
		if err := tx.rows[i].Handle(msgCtx, m); err != nil {
			// The charge and sequence bump in txCache stay.
			txCache.Write()
			res := errResult(wrapMsgErr(i, err))
			res.Events = ctx.Events()
			return res, nil
		}
	}
	msgCache.Write()
	txCache.Write()
	return TxResult{Events: modules.JoinEvents(ctx, msgCtx)}, nil
}

// Commit persists the working tree as the next version and resets the
// check state.
func (a *App) Commit() (store.CommitID, error) {
	id, err := a.cms.Commit()
	if err != nil {
		return store.CommitID{}, fmt.Errorf("app: commit: %w", err)
	}
	if err := a.resetCheckState(); err != nil {
		return store.CommitID{}, err
	}
	a.pending = 0
	return id, nil
}

// ExportSnapshot writes the state committed at height to w in the store's
// snapshot stream format (store.CommitStore.Export).
func (a *App) ExportSnapshot(height int64, w io.Writer) error {
	return a.cms.Export(height, w)
}

// Restore imports the snapshot stream in r into the empty store (state
// sync, or restoring a snapshot file) and takes the chain id from the
// restored state. The caller must compare the returned CommitID with an app
// hash it trusts. A stream that is not a valid snapshot yields an error
// wrapping store.ErrBadSnapshot and leaves the store empty.
func (a *App) Restore(r io.Reader) (store.CommitID, error) {
	id, err := a.cms.Import(r)
	if err != nil {
		return store.CommitID{}, err
	}
	ro, err := a.cms.ReadOnlyAt(id.Version)
	if err != nil {
		return store.CommitID{}, fmt.Errorf("app: open restored state: %w", err)
	}
	chainID, err := readChainID(ro)
	if err != nil {
		return store.CommitID{}, err
	}
	a.chainID = chainID
	a.executed = nil
	a.prepared = nil
	if err := a.resetCheckState(); err != nil {
		return store.CommitID{}, err
	}
	return id, nil
}
