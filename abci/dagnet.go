package abci

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/ipfs/go-cid"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/p2p"
	"github.com/intercooperative/icnd/modules/mesh"
)

// BlocksDir is the node's block store below its home directory: what its
// libp2p host serves and where `icnd dag put` writes by default.
const BlocksDir = "data/blocks"

// DagP2PConfig is [dag-p2p] in app.toml: the node's optional libp2p host
// (docs/executor.md, section 2). It never affects consensus.
type DagP2PConfig struct {
	// Enable starts the host with the node.
	Enable bool `toml:"enable" comment:"Start the libp2p host with the node: serve data/blocks to peers, announce each committed job on the chain's jobs topic. The node logs its peer addresses at start (\"dag-p2p started\"); give one to executors as their bootstrap address."`
	// ListenAddrs are the multiaddrs the host listens on.
	ListenAddrs []string `toml:"listen-addrs" comment:"Multiaddrs to listen on, e.g. \"/ip4/0.0.0.0/tcp/26680\"."`
	// Bootstrap are full multiaddrs of peers to join through.
	Bootstrap []string `toml:"bootstrap" comment:"Full multiaddrs (ending in /p2p/<peer id>) of peers to join the network through; one reachable peer is enough. Also used by \"icnd dag get\" when no --peer is given."`
	// KeyFile is the host's identity, relative to the home directory.
	KeyFile string `toml:"key-file" comment:"The libp2p identity key (Ed25519, created with mode 0600 if missing), relative to the home directory. Its peer id is the /p2p/ part of the node's addresses."`
}

// DefaultDagP2PConfig is off, listens on TCP port 26680 of every interface
// when switched on, and keeps its key in config/dag_p2p_key.
func DefaultDagP2PConfig() DagP2PConfig {
	return DagP2PConfig{
		Enable:      false,
		ListenAddrs: []string{"/ip4/0.0.0.0/tcp/26680"},
		KeyFile:     "config/dag_p2p_key",
	}
}

// Validate checks the addresses and the key file, whether or not the host is
// enabled, so that a typo shows before the day it is switched on.
func (c DagP2PConfig) Validate() error {
	for _, a := range c.ListenAddrs {
		if _, err := ma.NewMultiaddr(a); err != nil {
			return fmt.Errorf("dag-p2p.listen-addrs: %q: %w", a, err)
		}
	}
	if c.Enable && len(c.ListenAddrs) == 0 {
		return errors.New("dag-p2p.listen-addrs must not be empty when enable is set")
	}
	if _, err := p2p.ParseBootstrap(c.Bootstrap); err != nil {
		return fmt.Errorf("dag-p2p.bootstrap: %w", err)
	}
	if c.KeyFile == "" {
		return errors.New("dag-p2p.key-file must be set")
	}
	return nil
}

// KeyPath returns the key file's path: KeyFile, relative to home unless
// absolute.
func (c DagP2PConfig) KeyPath(home string) string {
	if filepath.IsAbs(c.KeyFile) {
		return c.KeyFile
	}
	return filepath.Join(home, c.KeyFile)
}

// dagNet is the node's running libp2p host and the announcer of its jobs.
type dagNet struct {
	host   *p2p.Host
	log    cmtlog.Logger
	jobs   chan []postedJob
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// postedJob is what the node announces of a job_posted event: the job, and
// the module and input it provides when its store holds them.
type postedJob struct {
	job    p2p.JobAnnouncement
	blocks []string
}

// announceQueue is how many committed blocks' jobs may wait for the
// announcer; the jobs of blocks beyond that are not announced (they are
// hints; executors also follow the chain).
const announceQueue = 64

// staleBlock is how old a block may be for its jobs to be announced: a node
// that replays or catches up does not flood the network with old jobs.
const staleBlock = 5 * time.Minute

// startDagNet opens home's block store and starts the libp2p host of chain
// chainID, and logs its addresses.
func startDagNet(ctx context.Context, home, chainID string, cfg DagP2PConfig, logger cmtlog.Logger) (*dagNet, error) {
	store, err := blockstore.Open(filepath.Join(home, BlocksDir), 0)
	if err != nil {
		return nil, fmt.Errorf("dag-p2p: %w", err)
	}
	h, err := p2p.New(ctx, p2p.Config{
		ChainID:     chainID,
		ListenAddrs: cfg.ListenAddrs,
		Bootstrap:   cfg.Bootstrap,
		KeyFile:     cfg.KeyPath(home),
	}, store, slog.New(cmtHandler{l: logger}))
	if err != nil {
		return nil, fmt.Errorf("dag-p2p: %w", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d := &dagNet{host: h, log: logger, jobs: make(chan []postedJob, announceQueue), cancel: cancel}
	logger.Info("dag-p2p started", "peer_id", h.ID().String(), "addrs", strings.Join(h.Addrs(), ","),
		"blocks", store.Dir(), "peers", len(h.Peers()))
	d.wg.Add(2)
	go d.announce(ctx)
	go d.provideStore(ctx)
	return d, nil
}

// How the node provides its store in the DHT: the blocks it has not
// provided yet (`icnd dag put` writes them from another process) every
// provideInterval, each again after reprovideInterval (provider records
// expire after 48 hours), at most provideBatch a round.
var (
	provideInterval   = time.Minute
	reprovideInterval = 12 * time.Hour
)

const (
	provideBatch = 64
	// provideMemory bounds the blocks remembered as provided; when it is
	// reached, the memory is cleared and every block is provided again.
	provideMemory = 100_000
)

// provideStore provides the blocks of the node's store, as above.
func (d *dagNet) provideStore(ctx context.Context) {
	defer d.wg.Done()
	provided := map[cid.Cid]time.Time{}
	t := time.NewTimer(provideInterval / 10)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var due []cid.Cid
		err := d.host.Store().List(func(c cid.Cid) bool {
			if at, ok := provided[c]; !ok || time.Since(at) > reprovideInterval {
				due = append(due, c)
			}
			return len(due) < provideBatch
		})
		if err != nil {
			d.log.Error("dag-p2p: list the block store", "err", err)
		}
		for _, c := range due {
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := d.host.Provide(pctx, c)
			cancel()
			if len(provided) >= provideMemory {
				clear(provided)
			}
			switch {
			case errors.Is(err, blockstore.ErrHashMismatch), errors.Is(err, blockstore.ErrTooLarge), errors.Is(err, blockstore.ErrNotFound):
				// The block cannot be served (damaged on disk, or gone):
				// not tried again before reprovideInterval, so that such
				// files do not take every round's batch.
				d.log.Info("dag-p2p: not providing a block the store cannot serve", "cid", c, "err", err)
				provided[c] = time.Now()
			case err != nil:
				// The DHT or the topic: tried again next round.
				d.log.Debug("dag-p2p: provide", "cid", c, "err", err)
			default:
				provided[c] = time.Now()
			}
		}
		t.Reset(provideInterval)
	}
}

// announce publishes the jobs of committed blocks, and provides the modules
// and inputs of those jobs that the node's store holds.
func (d *dagNet) announce(ctx context.Context) {
	defer d.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case jobs := <-d.jobs:
			for _, j := range jobs {
				if err := d.host.AnnounceJob(ctx, j.job); err != nil {
					d.log.Error("dag-p2p: announce job", "job", j.job.Job, "err", err)
					continue
				}
				d.log.Debug("dag-p2p: announced job", "job", j.job.Job, "height", j.job.Height)
				for _, s := range j.blocks {
					c, err := blockstore.ParseCID(s)
					if err != nil || !d.host.Store().Has(c) {
						continue
					}
					pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
					if err := d.host.Provide(pctx, c); err != nil {
						d.log.Info("dag-p2p: provide", "cid", s, "err", err)
					}
					cancel()
				}
			}
		}
	}
}

// Close stops the announcer and the host.
func (d *dagNet) Close() error {
	d.cancel()
	d.wg.Wait()
	return d.host.Close()
}

// announcingApp passes every ABCI call to the Application and, after each
// commit, hands the jobs posted in the committed block to the announcer. It
// only reads FinalizeBlock's results: what the chain computes does not depend
// on it. CometBFT calls FinalizeBlock and Commit one after the other on the
// consensus connection, so pending needs no lock.
type announcingApp struct {
	*Application
	net     *dagNet
	pending []postedJob
}

var _ abcitypes.Application = (*announcingApp)(nil)

// FinalizeBlock implements abcitypes.Application.
func (w *announcingApp) FinalizeBlock(ctx context.Context, req *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	resp, err := w.Application.FinalizeBlock(ctx, req)
	w.pending = nil
	if err == nil && time.Since(req.Time) < staleBlock {
		w.pending = postedJobs(req.Height, resp)
	}
	return resp, err
}

// Commit implements abcitypes.Application.
func (w *announcingApp) Commit(ctx context.Context, req *abcitypes.RequestCommit) (*abcitypes.ResponseCommit, error) {
	resp, err := w.Application.Commit(ctx, req)
	if err == nil && len(w.pending) > 0 {
		select {
		case w.net.jobs <- w.pending:
		default:
			w.net.log.Info("dag-p2p: announcer busy, jobs of a block not announced", "jobs", len(w.pending))
		}
	}
	w.pending = nil
	return resp, err
}

// postedJobs returns the jobs posted by the accepted transactions of a block.
func postedJobs(height int64, resp *abcitypes.ResponseFinalizeBlock) []postedJob {
	var out []postedJob
	for _, tx := range resp.TxResults {
		if tx == nil || tx.Code != abcitypes.CodeTypeOK {
			continue
		}
		for _, ev := range tx.Events {
			if ev.Type != mesh.EventTypeJobPosted {
				continue
			}
			var j postedJob
			j.job.Height = height
			for _, a := range ev.Attributes {
				switch a.Key {
				case "job":
					j.job.Job = a.Value
				case "module", "input":
					j.blocks = append(j.blocks, a.Value)
				}
			}
			if j.job.Validate() == nil {
				out = append(out, j)
			}
		}
	}
	return out
}

// cmtHandler is a slog.Handler that writes to a CometBFT logger, so the
// host's messages go where the node's do.
type cmtHandler struct {
	l     cmtlog.Logger
	attrs []any
}

func (h cmtHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h cmtHandler) Handle(_ context.Context, r slog.Record) error {
	kv := append([]any(nil), h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		kv = append(kv, a.Key, a.Value.String())
		return true
	})
	switch {
	case r.Level >= slog.LevelError:
		h.l.Error(r.Message, kv...)
	case r.Level >= slog.LevelWarn:
		h.l.Warn(r.Message, kv...)
	case r.Level >= slog.LevelInfo:
		h.l.Info(r.Message, kv...)
	default:
		h.l.Debug(r.Message, kv...)
	}
	return nil
}

func (h cmtHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	next := cmtHandler{l: h.l, attrs: append([]any(nil), h.attrs...)}
	for _, a := range attrs {
		next.attrs = append(next.attrs, a.Key, a.Value.String())
	}
	return next
}

func (h cmtHandler) WithGroup(string) slog.Handler { return h }
