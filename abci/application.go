package abci

import (
	"context"
	"errors"
	"fmt"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/protocol"
)

// Application implements abcitypes.Application over an *app.App.
type Application struct {
	app     *app.App
	version string
	logger  cmtlog.Logger
	halt    chan error

	// snapshots is where snapshots are kept and restored; nil serves
	// none and refuses every offer (SetSnapshots).
	snapshots *SnapshotStore
	// snapshotInterval and snapshotKeep are app.toml's [state-sync].
	snapshotInterval uint64
	snapshotKeep     int
	// restoring is the snapshot being restored by state sync, if any.
	restoring *restore
	// metrics is nil unless SetMetrics was called.
	metrics *Metrics
	// admission lets the mempool's client refuse new transactions while
	// the mempool is full without waiting for the ABCI lock (admission.go).
	admission admission
	// pool is the app-side mempool, nil with CometBFT's flood mempool
	// (apppool.go); blockTxs are the transactions of the block
	// FinalizeBlock last executed, which Commit evicts from it.
	pool     *app.Pool
	blockTxs [][]byte
}

var _ abcitypes.Application = (*Application)(nil)

// NewApplication adapts a to ABCI. version is the software version that
// Info reports.
func NewApplication(a *app.App, version string, logger cmtlog.Logger) *Application {
	return &Application{app: a, version: version, logger: logger, halt: make(chan error, 1)}
}

// Halted delivers the error that made the application stop trusting its
// state. CometBFT stops consensus when a consensus call returns an error
// but keeps the process (and its RPC) running; Run watches this channel and
// stops the whole node instead.
func (s *Application) Halted() <-chan error { return s.halt }

// fail records the first fatal error and returns it.
func (s *Application) fail(err error) error {
	select {
	case s.halt <- err:
	default:
	}
	return err
}

// logUpgrade logs one clear line naming the upgrade the node stops for,
// when err is an app.UpgradeNeededError; the node then stops with a
// non-zero exit as on any error that halts it.
func (s *Application) logUpgrade(err error) {
	var upgrade *app.UpgradeNeededError
	if errors.As(err, &upgrade) {
		s.logger.Error(upgrade.Error())
	}
}

// SetMetrics makes the application record its metrics in m.
func (s *Application) SetMetrics(m *Metrics) { s.metrics = m }

// Info reports exactly the last committed height and app hash, so that
// CometBFT's handshake replays every block the app has not committed. It
// fails, and so the node does not start, on state that an upgrade this
// binary does not know migrated (app.CheckUpgrades).
func (s *Application) Info(_ context.Context, req *abcitypes.RequestInfo) (*abcitypes.ResponseInfo, error) {
	if err := s.app.CheckUpgrades(); err != nil {
		s.logger.Error(err.Error())
		return nil, err
	}
	last := s.app.LastCommit()
	if last.Version == 0 {
		// Nothing committed: CometBFT will call InitChain. Report no hash
		// rather than the empty tree's.
		last.Hash = nil
	}
	return &abcitypes.ResponseInfo{
		Data:             "icnd",
		Version:          s.version,
		AppVersion:       app.Version,
		LastBlockHeight:  last.Version,
		LastBlockAppHash: last.Hash,
	}, nil
}

// Query serves store queries; see app.Query.
func (s *Application) Query(_ context.Context, req *abcitypes.RequestQuery) (*abcitypes.ResponseQuery, error) {
	res := s.app.Query(req.Path, req.Data, req.Height, req.Prove)
	out := &abcitypes.ResponseQuery{
		Code:      res.Code,
		Codespace: res.Codespace,
		Log:       res.Log,
		Key:       res.Key,
		Value:     res.Value,
		Height:    res.Height,
	}
	if res.Proof != nil {
		bz, err := res.Proof.Marshal()
		if err != nil {
			return nil, fmt.Errorf("encode query proof: %w", err)
		}
		out.ProofOps = &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{{Type: protocol.ProofOpICS23, Key: res.Key, Data: bz}}}
	}
	return out, nil
}

// CheckTx validates a transaction for the mempool; rechecks run the same
// checks against the state reset at Commit, and they and transactions that
// peers relay do so without the mempool limit (relayReactor). The check_tx
// RPC's dry run (admissionClient.CheckTx) changes nothing.
//
// With the app-side mempool, CheckTx admits into the pool instead, and may
// run concurrently with any other call (poolCheckTx).
func (s *Application) CheckTx(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	if s.pool != nil {
		return s.poolCheckTx(ctx, req)
	}
	var res app.TxResult
	switch {
	case isDryRun(ctx):
		res = s.app.CheckOnly(req.Tx)
	case req.Type == abcitypes.CheckTxType_Recheck:
		res = s.app.Recheck(req.Tx)
	case s.admission.relayed(req.Tx):
		res = s.app.CheckRelayed(req.Tx)
	default:
		res = s.app.CheckTx(req.Tx)
	}
	s.noteMempool()
	if res.Broken() {
		return nil, s.fail(fmt.Errorf("check tx: broken invariant: %s", res.Log))
	}
	// Rechecks are the node's own work after a block, and check_tx's dry
	// runs submit nothing; only refusals of transactions submitted to the
	// node count.
	if s.metrics != nil && res.Code != 0 && req.Type == abcitypes.CheckTxType_New && !isDryRun(ctx) {
		s.metrics.observeRefusal(res)
	}
	return &abcitypes.ResponseCheckTx{Code: res.Code, Codespace: res.Codespace, Log: res.Log}, nil
}

// InitChain writes the genesis app state. Validators are taken from
// genesis.json as they are; of the consensus params, only the app version
// is set, to the version Info reports, so that block headers carry it from
// the first block (CometBFT's rollback, among others, reads it from there).
func (s *Application) InitChain(_ context.Context, req *abcitypes.RequestInitChain) (*abcitypes.ResponseInitChain, error) {
	// Governance tracks the validator set from genesis on; the validators
	// go into the genesis state, so they are part of its app hash.
	vals := make([]app.ValidatorUpdate, len(req.Validators))
	for i, v := range req.Validators {
		key := v.PubKey.GetEd25519()
		if key == nil {
			return nil, s.fail(fmt.Errorf("init chain: validator %d: only Ed25519 validator keys are supported", i))
		}
		vals[i] = app.ValidatorUpdate{PubKey: key, Power: v.Power}
	}
	if err := s.app.InitValidators(vals); err != nil {
		return nil, s.fail(fmt.Errorf("init chain: %w", err))
	}
	hash, err := s.app.InitChain(req.ChainId, req.InitialHeight, req.Time, req.AppStateBytes)
	if err != nil {
		return nil, s.fail(fmt.Errorf("init chain: %w", err))
	}
	return &abcitypes.ResponseInitChain{
		AppHash:         hash,
		ConsensusParams: &cmtproto.ConsensusParams{Version: &cmtproto.VersionParams{App: app.Version}},
	}, nil
}

// PrepareProposal keeps the mempool's transactions that would pass
// authentication, within the byte limit. With the app-side mempool,
// CometBFT passes no transactions: they come from the pool, in its order.
func (s *Application) PrepareProposal(_ context.Context, req *abcitypes.RequestPrepareProposal) (*abcitypes.ResponsePrepareProposal, error) {
	candidates := req.Txs
	if s.pool != nil {
		candidates = s.pool.Txs(0)
	}
	txs, err := s.app.PrepareProposal(req.Height, req.Time, candidates, req.MaxTxBytes)
	if err != nil {
		return nil, s.fail(err)
	}
	return &abcitypes.ResponsePrepareProposal{Txs: txs}, nil
}

// ProcessProposal rejects a block holding an undecodable or
// unauthenticated transaction.
func (s *Application) ProcessProposal(_ context.Context, req *abcitypes.RequestProcessProposal) (*abcitypes.ResponseProcessProposal, error) {
	start := time.Now()
	err := s.app.ProcessProposal(req.Height, req.Time, req.Txs, req.Hash)
	if s.metrics != nil {
		s.metrics.ProposalExecution.Observe(time.Since(start).Seconds())
	}
	if err != nil {
		if !errors.Is(err, app.ErrRejectProposal) {
			return nil, s.fail(err)
		}
		s.logger.Info("rejected proposal", "height", req.Height, "hash", fmt.Sprintf("%X", req.Hash), "reason", err)
		return &abcitypes.ResponseProcessProposal{Status: abcitypes.ResponseProcessProposal_REJECT}, nil
	}
	return &abcitypes.ResponseProcessProposal{Status: abcitypes.ResponseProcessProposal_ACCEPT}, nil
}

// FinalizeBlock executes the decided block into the working tree and
// returns its transactions' results, the end-of-block events and the app
// hash; nothing is persisted until Commit.
func (s *Application) FinalizeBlock(_ context.Context, req *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	start := time.Now()
	block, err := s.app.FinalizeBlock(req.Height, req.Time, req.Txs, req.Hash)
	if err != nil {
		s.logUpgrade(err)
		return nil, s.fail(err)
	}
	if s.metrics != nil {
		s.metrics.observeBlock(s.app, req.Txs, block, time.Since(start))
	}
	s.blockTxs = req.Txs
	out := make([]*abcitypes.ExecTxResult, len(block.TxResults))
	for i, r := range block.TxResults {
		out[i] = &abcitypes.ExecTxResult{Code: r.Code, Codespace: r.Codespace, Log: r.Log, Events: toABCIEvents(r.Events)}
	}
	var updates []abcitypes.ValidatorUpdate
	for _, u := range block.ValidatorUpdates {
		updates = append(updates, abcitypes.Ed25519ValidatorUpdate(u.PubKey, u.Power))
	}
	return &abcitypes.ResponseFinalizeBlock{TxResults: out, Events: toABCIEvents(block.Events), AppHash: block.AppHash, ValidatorUpdates: updates}, nil
}

// ExtendVote adds nothing: icnd uses no vote extensions.
func (s *Application) ExtendVote(context.Context, *abcitypes.RequestExtendVote) (*abcitypes.ResponseExtendVote, error) {
	return &abcitypes.ResponseExtendVote{}, nil
}

// VerifyVoteExtension accepts only the empty extension ExtendVote produces.
func (s *Application) VerifyVoteExtension(_ context.Context, req *abcitypes.RequestVerifyVoteExtension) (*abcitypes.ResponseVerifyVoteExtension, error) {
	if len(req.VoteExtension) != 0 {
		return &abcitypes.ResponseVerifyVoteExtension{Status: abcitypes.ResponseVerifyVoteExtension_REJECT}, nil
	}
	return &abcitypes.ResponseVerifyVoteExtension{Status: abcitypes.ResponseVerifyVoteExtension_ACCEPT}, nil
}

// Commit persists the block executed by FinalizeBlock, then takes a
// snapshot when the height is due one (takeSnapshot).
func (s *Application) Commit(context.Context, *abcitypes.RequestCommit) (*abcitypes.ResponseCommit, error) {
	start := time.Now()
	id, err := s.app.Commit()
	if err != nil {
		return nil, s.fail(err)
	}
	if s.metrics != nil {
		s.metrics.observeCommit(s.app, time.Since(start))
	}
	if s.pool != nil {
		// The rebase runs in the background: the next height does not
		// wait for it (docs/PERFORMANCE.md, "The app-side mempool").
		var rebased func(int)
		if s.metrics != nil {
			rebased = func(n int) { s.metrics.AppMempoolTxs.Set(float64(n)) }
		}
		err := s.pool.UpdateLater(id.Version, s.app.LastBlockTime(), s.app.ChainID(), s.blockTxs, rebased)
		s.blockTxs = nil
		if err != nil {
			return nil, s.fail(err)
		}
	}
	s.noteMempool()
	s.takeSnapshot(id)
	// At the height before a scheduled upgrade this binary cannot run,
	// the node stops once the height is committed: one line names the
	// upgrade, and the halt makes "icnd start" exit non-zero.
	if err := s.app.UpgradeNeeded(); err != nil {
		s.logUpgrade(err)
		s.fail(err)
	}
	return &abcitypes.ResponseCommit{}, nil
}

func toABCIEvents(events []modules.Event) []abcitypes.Event {
	if len(events) == 0 {
		return nil
	}
	n := 0
	for _, e := range events {
		n += len(e.Attributes)
	}
	// One allocation holds every event's attributes; each event's slice is
	// capped at its own length, so that appending to it cannot overwrite the
	// next event's.
	all := make([]abcitypes.EventAttribute, n)
	out := make([]abcitypes.Event, len(events))
	for i, e := range events {
		attrs := all[:len(e.Attributes):len(e.Attributes)]
		all = all[len(e.Attributes):]
		for j, a := range e.Attributes {
			attrs[j] = abcitypes.EventAttribute{Key: a.Key, Value: a.Value, Index: a.Index}
		}
		out[i] = abcitypes.Event{Type: e.Type, Attributes: attrs}
	}
	return out
}
