package abci

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/intercooperative/icnd/store"
)

// SetSnapshots makes the application keep its snapshots in st: it takes one
// after every commit at a multiple of cfg.SnapshotInterval (none when 0),
// keeps the cfg.SnapshotKeepRecent most recent, serves them to peers, and
// restores an offered snapshot through st's directory. Call it before the
// node starts.
func (s *Application) SetSnapshots(st *SnapshotStore, cfg StateSyncConfig) {
	s.snapshots = st
	s.snapshotInterval = cfg.SnapshotInterval
	s.snapshotKeep = int(cfg.SnapshotKeepRecent)
}

// takeSnapshot exports the state just committed, id, when its height
// is due a snapshot, then prunes old ones. It runs in the commit path,
// under CometBFT's lock on the app, so the store sees no concurrent use.
// A failure is logged, never fatal: the node's state is intact, it only
// serves one snapshot fewer.
func (s *Application) takeSnapshot(id store.CommitID) {
	height := id.Version
	if s.snapshots == nil || s.snapshotInterval == 0 || height <= 0 || uint64(height)%s.snapshotInterval != 0 {
		return
	}
	start := time.Now()
	info, err := s.snapshots.Create(height, id.Hash, func(w io.Writer) error { return s.app.ExportSnapshot(height, w) })
	if err != nil {
		s.logger.Error("snapshot failed", "height", height, "err", err)
		return
	}
	s.logger.Info("snapshot taken", "height", height, "bytes", info.Size, "chunks", len(info.ChunkHashes),
		"hash", fmt.Sprintf("%X", info.Hash()), "took", time.Since(start).Round(time.Millisecond))
	if err := s.snapshots.Prune(s.snapshotKeep); err != nil {
		s.logger.Error("pruning snapshots failed", "err", err)
	}
}

// ListSnapshots offers the stored snapshots, the most recent first.
func (s *Application) ListSnapshots(context.Context, *abcitypes.RequestListSnapshots) (*abcitypes.ResponseListSnapshots, error) {
	if s.snapshots == nil {
		return &abcitypes.ResponseListSnapshots{}, nil
	}
	list, err := s.snapshots.List()
	if err != nil {
		s.logger.Error("listing snapshots failed", "err", err)
		return &abcitypes.ResponseListSnapshots{}, nil
	}
	out := make([]*abcitypes.Snapshot, len(list))
	for i, info := range list {
		out[i] = &abcitypes.Snapshot{
			Height:   uint64(info.Height),
			Format:   info.Format,
			Chunks:   uint32(len(info.ChunkHashes)),
			Hash:     info.Hash(),
			Metadata: info.Metadata(),
		}
	}
	return &abcitypes.ResponseListSnapshots{Snapshots: out}, nil
}

// LoadSnapshotChunk serves one chunk of a stored snapshot; an unknown
// snapshot or chunk gets no bytes, which the peer treats as missing.
func (s *Application) LoadSnapshotChunk(_ context.Context, req *abcitypes.RequestLoadSnapshotChunk) (*abcitypes.ResponseLoadSnapshotChunk, error) {
	if s.snapshots == nil || req.Format != SnapshotFormat || req.Height < 1 || req.Height > math.MaxInt64 {
		return &abcitypes.ResponseLoadSnapshotChunk{}, nil
	}
	chunk, err := s.snapshots.Chunk(int64(req.Height), req.Chunk)
	if err != nil {
		s.logger.Info("snapshot chunk not served", "height", req.Height, "chunk", req.Chunk, "err", err)
		return &abcitypes.ResponseLoadSnapshotChunk{}, nil
	}
	return &abcitypes.ResponseLoadSnapshotChunk{Chunk: chunk}, nil
}

// restore is a snapshot being restored: the chunks applied so far are in
// file, each checked against its hash.
type restore struct {
	height  int64
	appHash []byte
	hashes  [][]byte
	next    uint32
	file    *os.File
}

// close removes the restore's file.
func (r *restore) close() {
	r.file.Close()
	os.Remove(r.file.Name())
}

// OfferSnapshot accepts a snapshot of our format whose metadata is one
// SHA-256 hash per chunk and hashes to the snapshot's hash, when the store
// is empty. request.AppHash, which CometBFT verified with the light client,
// is what the restored state must hash to.
func (s *Application) OfferSnapshot(_ context.Context, req *abcitypes.RequestOfferSnapshot) (*abcitypes.ResponseOfferSnapshot, error) {
	if s.restoring != nil {
		s.restoring.close()
		s.restoring = nil
	}
	if s.snapshots == nil {
		return &abcitypes.ResponseOfferSnapshot{Result: abcitypes.ResponseOfferSnapshot_REJECT}, nil
	}
	if last := s.app.LastCommit(); last.Version != 0 {
		s.logger.Error("state sync offered a snapshot, but the app store is not empty", "height", last.Version)
		return &abcitypes.ResponseOfferSnapshot{Result: abcitypes.ResponseOfferSnapshot_ABORT}, nil
	}
	snap := req.Snapshot
	if snap == nil {
		return &abcitypes.ResponseOfferSnapshot{Result: abcitypes.ResponseOfferSnapshot_REJECT}, nil
	}
	if snap.Format != SnapshotFormat {
		return &abcitypes.ResponseOfferSnapshot{Result: abcitypes.ResponseOfferSnapshot_REJECT_FORMAT}, nil
	}
	hashes, err := checkOffered(snap.Chunks, snap.Hash, snap.Metadata)
	if err == nil && (snap.Height < 1 || snap.Height > math.MaxInt64) {
		err = fmt.Errorf("height %d out of range", snap.Height)
	}
	if err == nil && len(req.AppHash) != sha256.Size {
		err = fmt.Errorf("app hash of %d bytes", len(req.AppHash))
	}
	if err != nil {
		s.logger.Info("rejected snapshot", "height", snap.Height, "reason", err)
		return &abcitypes.ResponseOfferSnapshot{Result: abcitypes.ResponseOfferSnapshot_REJECT}, nil
	}
	if err := os.MkdirAll(s.snapshots.Dir(), 0o700); err != nil {
		return nil, fmt.Errorf("offer snapshot: %w", err)
	}
	f, err := os.CreateTemp(s.snapshots.Dir(), ".tmp-restore-")
	if err != nil {
		return nil, fmt.Errorf("offer snapshot: %w", err)
	}
	s.restoring = &restore{height: int64(snap.Height), appHash: bytes.Clone(req.AppHash), hashes: hashes, file: f}
	s.logger.Info("restoring snapshot", "height", snap.Height, "chunks", snap.Chunks, "app_hash", fmt.Sprintf("%X", req.AppHash))
	return &abcitypes.ResponseOfferSnapshot{Result: abcitypes.ResponseOfferSnapshot_ACCEPT}, nil
}

// ApplySnapshotChunk checks a chunk against its hash from the metadata: a
// bad chunk is refused, refetched, and its sender rejected. Chunks arrive
// in order; after the last one the stream is imported into the empty store
// if it declares the height offered and the verified app hash.
func (s *Application) ApplySnapshotChunk(_ context.Context, req *abcitypes.RequestApplySnapshotChunk) (*abcitypes.ResponseApplySnapshotChunk, error) {
	r := s.restoring
	if r == nil {
		return &abcitypes.ResponseApplySnapshotChunk{Result: abcitypes.ResponseApplySnapshotChunk_ABORT}, nil
	}
	if req.Index < r.next {
		// Applied already: CometBFT may hand a chunk over twice.
		return &abcitypes.ResponseApplySnapshotChunk{Result: abcitypes.ResponseApplySnapshotChunk_ACCEPT}, nil
	}
	if req.Index > r.next || int(req.Index) >= len(r.hashes) {
		// CometBFT applies chunks in order, so this is not expected; start
		// the snapshot over rather than leave a gap.
		return &abcitypes.ResponseApplySnapshotChunk{Result: abcitypes.ResponseApplySnapshotChunk_RETRY_SNAPSHOT}, nil
	}
	if sum := sha256.Sum256(req.Chunk); !bytes.Equal(sum[:], r.hashes[req.Index]) {
		s.logger.Info("refused a snapshot chunk that does not match its hash", "height", r.height, "chunk", req.Index, "sender", req.Sender)
		res := &abcitypes.ResponseApplySnapshotChunk{Result: abcitypes.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{req.Index}}
		if req.Sender != "" {
			res.RejectSenders = []string{req.Sender}
		}
		return res, nil
	}
	if _, err := r.file.Write(req.Chunk); err != nil {
		return nil, s.fail(fmt.Errorf("apply snapshot chunk: %w", err))
	}
	r.next++
	if int(r.next) < len(r.hashes) {
		return &abcitypes.ResponseApplySnapshotChunk{Result: abcitypes.ResponseApplySnapshotChunk_ACCEPT}, nil
	}
	s.restoring = nil
	defer r.close()
	return s.finishRestore(r)
}

// finishRestore imports the complete stream. A stream that declares another
// height or root, or does not form the tree it declares, rejects the
// snapshot and leaves the store empty for the next one.
func (s *Application) finishRestore(r *restore) (*abcitypes.ResponseApplySnapshotChunk, error) {
	reject := func(reason error) (*abcitypes.ResponseApplySnapshotChunk, error) {
		s.logger.Error("rejected snapshot after its last chunk", "height", r.height, "reason", reason)
		return &abcitypes.ResponseApplySnapshotChunk{Result: abcitypes.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}, nil
	}
	if _, err := r.file.Seek(0, io.SeekStart); err != nil {
		return nil, s.fail(fmt.Errorf("apply snapshot chunk: %w", err))
	}
	version, root, err := store.ReadSnapshotHeader(r.file)
	if err != nil {
		return reject(err)
	}
	if version != r.height || !bytes.Equal(root, r.appHash) {
		return reject(fmt.Errorf("stream holds height %d with root %X, the verified header says height %d app hash %X", version, root, r.height, r.appHash))
	}
	if _, err := r.file.Seek(0, io.SeekStart); err != nil {
		return nil, s.fail(fmt.Errorf("apply snapshot chunk: %w", err))
	}
	start := time.Now()
	id, err := s.app.Restore(r.file)
	if errors.Is(err, store.ErrBadSnapshot) {
		return reject(err)
	}
	if err != nil {
		return nil, s.fail(fmt.Errorf("restore snapshot at height %d: %w", r.height, err))
	}
	if id.Version != r.height || !bytes.Equal(id.Hash, r.appHash) {
		return nil, s.fail(fmt.Errorf("restored height %d app hash %X, want %d %X", id.Version, id.Hash, r.height, r.appHash))
	}
	s.logger.Info("snapshot restored", "height", id.Version, "app_hash", fmt.Sprintf("%X", id.Hash), "chain_id", s.app.ChainID(), "took", time.Since(start).Round(time.Millisecond))
	return &abcitypes.ResponseApplySnapshotChunk{Result: abcitypes.ResponseApplySnapshotChunk_ACCEPT}, nil
}
