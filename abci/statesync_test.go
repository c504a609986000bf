package abci_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/abci"
	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/store"
)

// chain drives an Application through blocks with one anchor each.
type chain struct {
	t    *testing.T
	s    *abci.Application
	priv ed25519.PrivateKey
	did  string
	seq  uint64
	h    int64
}

func (c *chain) block() *abcitypes.ResponseFinalizeBlock {
	c.t.Helper()
	ctx := context.Background()
	c.h++
	tx, _ := anchorTx(c.t, c.priv, c.did, c.seq, fmt.Sprintf("entry %d", c.h))
	c.seq++
	fin, err := c.s.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: c.h, Time: time.Unix(c.h, 0), Txs: [][]byte{tx}})
	if err != nil {
		c.t.Fatal(err)
	}
	if fin.TxResults[0].Code != 0 {
		c.t.Fatalf("block %d: %s", c.h, fin.TxResults[0].Log)
	}
	if _, err := c.s.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		c.t.Fatal(err)
	}
	return fin
}

// snapshotSource is an app that took snapshots every 2 heights up to 6 and
// keeps the last two, in chunks of 512 bytes.
func snapshotSource(t *testing.T) (*chain, *abci.SnapshotStore) {
	t.Helper()
	s, priv, did := setup(t)
	st := abci.NewSnapshotStore(filepath.Join(t.TempDir(), "snapshots"), 512)
	s.SetSnapshots(st, abci.StateSyncConfig{SnapshotInterval: 2, SnapshotKeepRecent: 2})
	c := &chain{t: t, s: s, priv: priv, did: did}
	for range 6 {
		c.block()
	}
	return c, st
}

// emptyApp is a fresh node's application: an empty store.
func emptyApp(t *testing.T) *abci.Application {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := abci.NewApplication(a, "test", cmtlog.NewNopLogger())
	s.SetSnapshots(abci.NewSnapshotStore(filepath.Join(t.TempDir(), "snapshots"), 0), abci.StateSyncConfig{})
	return s
}

// chunks loads every chunk of snap from s.
func chunks(t *testing.T, s *abci.Application, snap *abcitypes.Snapshot) [][]byte {
	t.Helper()
	out := make([][]byte, snap.Chunks)
	for i := range out {
		res, err := s.LoadSnapshotChunk(context.Background(), &abcitypes.RequestLoadSnapshotChunk{Height: snap.Height, Format: snap.Format, Chunk: uint32(i)})
		if err != nil || len(res.Chunk) == 0 {
			t.Fatalf("chunk %d: %v (%d bytes)", i, err, len(res.Chunk))
		}
		out[i] = res.Chunk
	}
	return out
}

func appHashAt(t *testing.T, s *abci.Application, height int64) []byte {
	t.Helper()
	info, err := s.Info(context.Background(), &abcitypes.RequestInfo{})
	if err != nil || info.LastBlockHeight != height {
		t.Fatalf("Info: %+v %v, want height %d", info, err, height)
	}
	return info.LastBlockAppHash
}

// TestListAndLoadSnapshots checks what a serving node offers: the two most
// recent snapshots (older ones pruned), metadata of one SHA-256 per chunk
// hashing to the snapshot hash, and chunks that concatenate to the store's
// export of that height.
func TestListAndLoadSnapshots(t *testing.T) {
	c, st := snapshotSource(t)
	ctx := context.Background()
	list, err := c.s.ListSnapshots(ctx, &abcitypes.RequestListSnapshots{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Snapshots) != 2 || list.Snapshots[0].Height != 6 || list.Snapshots[1].Height != 4 {
		t.Fatalf("snapshots: %+v", list.Snapshots)
	}
	if _, err := os.Stat(filepath.Join(st.Dir(), "2")); !os.IsNotExist(err) {
		t.Fatalf("snapshot at height 2 was not pruned: %v", err)
	}
	snap := list.Snapshots[0]
	if snap.Format != abci.SnapshotFormat || snap.Chunks < 2 || len(snap.Metadata) != int(snap.Chunks)*sha256.Size {
		t.Fatalf("snapshot 6: format %d, %d chunks, %d bytes of metadata", snap.Format, snap.Chunks, len(snap.Metadata))
	}
	if sum := sha256.Sum256(snap.Metadata); !bytes.Equal(sum[:], snap.Hash) {
		t.Fatal("snapshot hash is not the hash of its metadata")
	}
	parts := chunks(t, c.s, snap)
	for i, p := range parts {
		if sum := sha256.Sum256(p); !bytes.Equal(sum[:], snap.Metadata[i*32:(i+1)*32]) {
			t.Fatalf("chunk %d does not match its hash", i)
		}
		if i < len(parts)-1 && len(p) != 512 {
			t.Fatalf("chunk %d has %d bytes, want 512", i, len(p))
		}
	}
	file, err := os.ReadFile(st.DataPath(6))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.Join(parts, nil), file) {
		t.Fatal("chunks do not concatenate to the snapshot file")
	}
	version, root, err := store.ReadSnapshotHeader(bytes.NewReader(file))
	if err != nil || version != 6 || !bytes.Equal(root, appHashAt(t, c.s, 6)) {
		t.Fatalf("snapshot header: version %d root %X (%v)", version, root, err)
	}
	for _, req := range []*abcitypes.RequestLoadSnapshotChunk{
		{Height: 2, Format: abci.SnapshotFormat},                     // pruned
		{Height: 6, Format: abci.SnapshotFormat + 1},                 // foreign format
		{Height: 6, Format: abci.SnapshotFormat, Chunk: snap.Chunks}, // past the last chunk
	} {
		if res, _ := c.s.LoadSnapshotChunk(ctx, req); len(res.Chunk) != 0 {
			t.Fatalf("LoadSnapshotChunk(%+v) served %d bytes", req, len(res.Chunk))
		}
	}
}

// TestStateSyncRestore restores the latest snapshot into a fresh app: a
// corrupted chunk is refused, refetched and its sender rejected; after the
// last chunk Info reports the snapshot's height and app hash, and the
// restored app executes the next block to the same app hash as the source.
func TestStateSyncRestore(t *testing.T) {
	c, _ := snapshotSource(t)
	ctx := context.Background()
	list, _ := c.s.ListSnapshots(ctx, &abcitypes.RequestListSnapshots{})
	snap := list.Snapshots[0]
	parts := chunks(t, c.s, snap)
	appHash := appHashAt(t, c.s, 6)

	dst := emptyApp(t)
	if r, _ := dst.ApplySnapshotChunk(ctx, &abcitypes.RequestApplySnapshotChunk{Index: 0, Chunk: parts[0]}); r.Result != abcitypes.ResponseApplySnapshotChunk_ABORT {
		t.Fatalf("chunk without an offer: %v", r.Result)
	}
	offer, err := dst.OfferSnapshot(ctx, &abcitypes.RequestOfferSnapshot{Snapshot: snap, AppHash: appHash})
	if err != nil || offer.Result != abcitypes.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v %v", offer, err)
	}
	if r, _ := dst.ApplySnapshotChunk(ctx, &abcitypes.RequestApplySnapshotChunk{Index: 1, Chunk: parts[1]}); r.Result != abcitypes.ResponseApplySnapshotChunk_RETRY_SNAPSHOT {
		t.Fatalf("chunk 1 before chunk 0: %v", r.Result)
	}
	for i, p := range parts {
		if i == 1 {
			bad := bytes.Clone(p)
			bad[len(bad)/2] ^= 1
			r, err := dst.ApplySnapshotChunk(ctx, &abcitypes.RequestApplySnapshotChunk{Index: 1, Chunk: bad, Sender: "badpeer"})
			if err != nil || r.Result != abcitypes.ResponseApplySnapshotChunk_RETRY ||
				len(r.RefetchChunks) != 1 || r.RefetchChunks[0] != 1 || len(r.RejectSenders) != 1 || r.RejectSenders[0] != "badpeer" {
				t.Fatalf("corrupted chunk: %+v %v", r, err)
			}
		}
		r, err := dst.ApplySnapshotChunk(ctx, &abcitypes.RequestApplySnapshotChunk{Index: uint32(i), Chunk: p, Sender: "goodpeer"})
		if err != nil || r.Result != abcitypes.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %+v %v", i, r, err)
		}
	}
	if got := appHashAt(t, dst, 6); !bytes.Equal(got, appHash) {
		t.Fatalf("restored app hash %X, want %X", got, appHash)
	}
	// A second offer to a node that holds state aborts state sync.
	if r, _ := dst.OfferSnapshot(ctx, &abcitypes.RequestOfferSnapshot{Snapshot: snap, AppHash: appHash}); r.Result != abcitypes.ResponseOfferSnapshot_ABORT {
		t.Fatalf("offer to a non-empty store: %v", r.Result)
	}
	// Both execute block 7 to the same app hash: the restored app knows
	// its chain id (the tx's signature covers it) and its height.
	want := c.block()
	restored := &chain{t: t, s: dst, priv: c.priv, did: c.did, seq: c.seq - 1, h: 6}
	if got := restored.block(); !bytes.Equal(got.AppHash, want.AppHash) {
		t.Fatalf("block 7 on the restored app: app hash %X, source %X", got.AppHash, want.AppHash)
	}
}

// TestOfferSnapshotRejects checks the offers a node refuses before any
// chunk: a foreign format, metadata that does not hash to the snapshot
// hash or does not hold one hash per chunk, and an app hash of the wrong
// size.
func TestOfferSnapshotRejects(t *testing.T) {
	c, _ := snapshotSource(t)
	ctx := context.Background()
	list, _ := c.s.ListSnapshots(ctx, &abcitypes.RequestListSnapshots{})
	good := list.Snapshots[0]
	appHash := appHashAt(t, c.s, 6)
	edit := func(f func(s *abcitypes.Snapshot)) *abcitypes.Snapshot {
		s := *good
		s.Metadata = bytes.Clone(good.Metadata)
		f(&s)
		return &s
	}
	for _, tc := range []struct {
		name    string
		snap    *abcitypes.Snapshot
		appHash []byte
		want    abcitypes.ResponseOfferSnapshot_Result
	}{
		{"foreign format", edit(func(s *abcitypes.Snapshot) { s.Format = 2 }), appHash, abcitypes.ResponseOfferSnapshot_REJECT_FORMAT},
		{"metadata not the hash's", edit(func(s *abcitypes.Snapshot) { s.Metadata[0] ^= 1 }), appHash, abcitypes.ResponseOfferSnapshot_REJECT},
		{"chunk count off", edit(func(s *abcitypes.Snapshot) { s.Chunks++ }), appHash, abcitypes.ResponseOfferSnapshot_REJECT},
		{"no chunks", edit(func(s *abcitypes.Snapshot) { s.Chunks, s.Metadata = 0, nil }), appHash, abcitypes.ResponseOfferSnapshot_REJECT},
		{"short app hash", good, appHash[:16], abcitypes.ResponseOfferSnapshot_REJECT},
		{"no snapshot", nil, appHash, abcitypes.ResponseOfferSnapshot_REJECT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := emptyApp(t).OfferSnapshot(ctx, &abcitypes.RequestOfferSnapshot{Snapshot: tc.snap, AppHash: tc.appHash})
			if err != nil || r.Result != tc.want {
				t.Fatalf("offer: %v %v, want %v", r.GetResult(), err, tc.want)
			}
		})
	}
}

// TestStateSyncWrongAppHash offers a genuine snapshot with an app hash it
// does not hash to (as from a header of another chain), then a forged
// snapshot whose chunks match their metadata and whose header declares the
// right hash: after the last chunk each is rejected and the store stays
// empty; the next offer, genuine and with the right hash, restores.
func TestStateSyncWrongAppHash(t *testing.T) {
	c, _ := snapshotSource(t)
	ctx := context.Background()
	list, _ := c.s.ListSnapshots(ctx, &abcitypes.RequestListSnapshots{})
	snap := list.Snapshots[0]
	parts := chunks(t, c.s, snap)
	appHash := appHashAt(t, c.s, 6)
	wrong := sha256.Sum256([]byte("another state"))

	// forged is the snapshot with one byte of the stream changed and the
	// metadata recomputed to match, as a lying server would serve it: every
	// chunk checks out, the header declares the right root, the tree does not.
	forgedParts := make([][]byte, len(parts))
	var forgedMeta []byte
	for i, p := range parts {
		forgedParts[i] = bytes.Clone(p)
		if i == len(parts)-1 {
			forgedParts[i][len(p)-3] ^= 1
		}
		sum := sha256.Sum256(forgedParts[i])
		forgedMeta = append(forgedMeta, sum[:]...)
	}
	forgedHash := sha256.Sum256(forgedMeta)
	forged := &abcitypes.Snapshot{Height: snap.Height, Format: snap.Format, Chunks: snap.Chunks, Hash: forgedHash[:], Metadata: forgedMeta}

	dst := emptyApp(t)
	apply := func(snap *abcitypes.Snapshot, parts [][]byte, hash []byte, last abcitypes.ResponseApplySnapshotChunk_Result) {
		t.Helper()
		if r, _ := dst.OfferSnapshot(ctx, &abcitypes.RequestOfferSnapshot{Snapshot: snap, AppHash: hash}); r.Result != abcitypes.ResponseOfferSnapshot_ACCEPT {
			t.Fatalf("offer: %v", r.Result)
		}
		for i, p := range parts {
			want := abcitypes.ResponseApplySnapshotChunk_ACCEPT
			if i == len(parts)-1 {
				want = last
			}
			if r, err := dst.ApplySnapshotChunk(ctx, &abcitypes.RequestApplySnapshotChunk{Index: uint32(i), Chunk: p}); err != nil || r.Result != want {
				t.Fatalf("chunk %d: %v %v, want %v", i, r.GetResult(), err, want)
			}
		}
	}
	for _, bad := range []struct {
		snap  *abcitypes.Snapshot
		parts [][]byte
		hash  []byte
	}{{snap, parts, wrong[:]}, {forged, forgedParts, appHash}} {
		apply(bad.snap, bad.parts, bad.hash, abcitypes.ResponseApplySnapshotChunk_REJECT_SNAPSHOT)
		if info, _ := dst.Info(ctx, &abcitypes.RequestInfo{}); info.LastBlockHeight != 0 || len(info.LastBlockAppHash) != 0 {
			t.Fatalf("after a rejected snapshot Info reports %+v", info)
		}
	}
	apply(snap, parts, appHash, abcitypes.ResponseApplySnapshotChunk_ACCEPT)
	if got := appHashAt(t, dst, 6); !bytes.Equal(got, appHash) {
		t.Fatalf("restored app hash %X, want %X", got, appHash)
	}
}

// TestSnapshotStore checks the files: a snapshot of the same app hash is
// kept, one of another hash replaced, a stream that does not declare the
// app hash refused without leaving a directory, a directory without
// metadata not listed, and leftovers of interrupted writes removed by Prune.
func TestSnapshotStore(t *testing.T) {
	c, src := snapshotSource(t)
	stream, err := os.ReadFile(src.DataPath(6))
	if err != nil {
		t.Fatal(err)
	}
	appHash := appHashAt(t, c.s, 6)
	write := func(w io.Writer) error { _, err := w.Write(stream); return err }
	st := abci.NewSnapshotStore(filepath.Join(t.TempDir(), "snapshots"), 1000)
	info, err := st.Create(6, appHash, write)
	if err != nil || info.Height != 6 || info.Size != int64(len(stream)) || len(info.ChunkHashes) != (len(stream)+999)/1000 {
		t.Fatalf("create: %+v %v", info, err)
	}
	if _, err := st.Create(6, appHash, func(io.Writer) error { t.Fatal("exported again"); return nil }); err != nil {
		t.Fatal(err)
	}
	other := sha256.Sum256([]byte("other"))
	if _, err := st.Create(6, other[:], write); err == nil || !strings.Contains(err.Error(), "declares root") {
		t.Fatalf("create with a hash the stream does not declare: %v", err)
	}
	if _, err := os.Stat(filepath.Join(st.Dir(), "6")); !os.IsNotExist(err) {
		t.Fatalf("a refused snapshot left its directory: %v", err)
	}
	if _, err := st.Create(6, appHash, write); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"7", ".tmp-123"} {
		if err := os.MkdirAll(filepath.Join(st.Dir(), dir), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	list, err := st.List()
	if err != nil || len(list) != 1 || list[0].Height != 6 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := st.Prune(1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(st.Dir(), ".tmp-123")); !os.IsNotExist(err) {
		t.Fatalf("prune kept a leftover: %v", err)
	}
	if err := st.Prune(0); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.List(); len(list) != 0 {
		t.Fatalf("after Prune(0): %+v", list)
	}
}
