package abci

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	mempl "github.com/cometbft/cometbft/mempool"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/p2p/mock"
	protomem "github.com/cometbft/cometbft/proto/tendermint/mempool"
	idb "github.com/cosmos/iavl/db"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/store"
)

const poolChain = "icn-pool-test"

// poolSigners returns n deterministic signers and a genesis funding them.
func poolSigners(t testing.TB, n int) ([]ed25519.PrivateKey, []byte) {
	t.Helper()
	g := app.DefaultGenesis()
	g.Mana.Params.MaxCapacity = 1_000_000_000
	g.Mana.Params.MaxRate = 1_000_000
	var keys []ed25519.PrivateKey
	for i := range n {
		seed := sha256.Sum256(fmt.Appendf(nil, "pool-signer-%d", i))
		priv := ed25519.NewKeyFromSeed(seed[:])
		signer := did.DeriveDID(priv.Public().(ed25519.PublicKey))
		g.DID.Documents = append(g.DID.Documents, &identityv1.DIDDocument{Did: signer, Keys: []*identityv1.VerificationKey{{Id: did.FirstKeyID, PublicKey: priv.Public().(ed25519.PublicKey)}}})
		g.Mana.Accounts = append(g.Mana.Accounts, mana.GenesisAccount{DID: signer, Balance: 10_000_000, Capacity: 10_000_000, Rate: 10})
		keys = append(keys, priv)
	}
	state, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return keys, state
}

// poolAnchor is signer priv's anchor transaction with sequence seq.
func poolAnchor(t testing.TB, priv ed25519.PrivateKey, seq uint64, memo string) []byte {
	t.Helper()
	signer := did.DeriveDID(priv.Public().(ed25519.PublicKey))
	mh, _ := multihash.Sum(fmt.Appendf(nil, "%s/%d", signer, seq), multihash.SHA2_256, -1)
	raw, err := client.BuildTx(client.TxParams{ChainID: poolChain, Signer: signer, KeyID: did.FirstKeyID, Sequence: seq, Memo: memo},
		func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil },
		&txv1.Msg{Sum: &txv1.Msg_Anchor{Anchor: &dagv1.MsgAnchor{Cid: cid.NewCidV1(cid.Raw, mh).Bytes(), Kind: "doc"}}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// newPoolNode returns an Application over a fresh store, with the app-side
// mempool when withPool is set, and a client as CometBFT's node makes them.
func newPoolNode(t testing.TB, state []byte, withPool bool) (*Application, abcicli.Client) {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{PruneKeepRecent: 2, PruneInterval: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := NewApplication(a, "test", cmtlog.NewNopLogger())
	if withPool {
		if err := s.EnablePool(cms.NewConcurrentReader(0), app.PoolOptions{MaxTxs: 40, MaxRelayedTxs: 60}); err != nil {
			t.Fatal(err)
		}
	}
	cl, err := newClientCreator(s, s).NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.InitChain(context.Background(), &abcitypes.RequestInitChain{ChainId: poolChain, InitialHeight: 1, Time: time.Unix(0, 0), AppStateBytes: state}); err != nil {
		t.Fatal(err)
	}
	return s, cl
}

// TestAppPoolConcurrentABCI drives the app-side mempool as CometBFT does:
// RPC submissions through the mempool connection's CheckTx without the
// lock, relayed transactions through InsertTx, ReapTxs and check_tx dry
// runs, all concurrent with proposals, block execution and commits on the
// consensus connection. Run it with -race. Every transaction is committed
// in its signer's sequence order, and a node with the flood mempool that
// only processes and executes the blocks computes the same app hashes.
func TestAppPoolConcurrentABCI(t *testing.T) {
	const signers, perSigner = 6, 25
	ctx := context.Background()
	keys, state := poolSigners(t, signers)
	s, cl := newPoolNode(t, state, true)
	_, follower := newPoolNode(t, state, false)

	// Before the first commit the pool has no state to check against: a
	// retry code.
	early, err := cl.CheckTx(abcicli.LockFreeContext(ctx), &abcitypes.RequestCheckTx{Tx: poolAnchor(t, keys[0], 0, "")})
	if err != nil {
		t.Fatal(err)
	}
	if early.Code != app.ErrPoolNotReady.Code() || early.Code < abcitypes.CodeTypeRetry {
		t.Fatalf("before the first block: %+v, want code %d", early, app.ErrPoolNotReady.Code())
	}

	height := int64(0)
	runBlock := func() []*abcitypes.ExecTxResult {
		t.Helper()
		height++
		bt := time.Unix(height, 0)
		prep, err := cl.PrepareProposal(ctx, &abcitypes.RequestPrepareProposal{Height: height, Time: bt, MaxTxBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		hash := sha256.Sum256(fmt.Appendf(nil, "block %d", height))
		for _, c := range []abcicli.Client{cl, follower} {
			pp, err := c.ProcessProposal(ctx, &abcitypes.RequestProcessProposal{Height: height, Time: bt, Txs: prep.Txs, Hash: hash[:]})
			if err != nil || pp.Status != abcitypes.ResponseProcessProposal_ACCEPT {
				t.Fatalf("height %d: process proposal: %v %v", height, pp, err)
			}
		}
		var hashes [][]byte
		var results []*abcitypes.ExecTxResult
		for _, c := range []abcicli.Client{cl, follower} {
			fin, err := c.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: height, Time: bt, Txs: prep.Txs, Hash: hash[:]})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
				t.Fatal(err)
			}
			hashes = append(hashes, fin.AppHash)
			results = fin.TxResults
		}
		if !bytes.Equal(hashes[0], hashes[1]) {
			t.Fatalf("height %d: app hash %X with the pool, %X on the follower", height, hashes[0], hashes[1])
		}
		for i, r := range results {
			if r.Code != 0 {
				t.Fatalf("height %d tx %d: code %d %s", height, i, r.Code, r.Log)
			}
		}
		return results
	}
	runBlock()

	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, signers+2)
	for i := range signers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := uint64(0); seq < perSigner; {
				select {
				case <-done:
					return
				default:
				}
				tx := poolAnchor(t, keys[i], seq, "")
				var code uint32
				if seq%2 == 0 {
					res, err := cl.CheckTx(abcicli.LockFreeContext(ctx), &abcitypes.RequestCheckTx{Tx: tx})
					if err != nil {
						errs <- err
						return
					}
					code = res.Code
				} else {
					res, err := cl.InsertTx(ctx, &abcitypes.RequestInsertTx{Tx: tx})
					if err != nil {
						errs <- err
						return
					}
					code = res.Code
				}
				switch code {
				case 0:
					seq++
				case app.ErrMempoolFull.Code():
					time.Sleep(time.Millisecond)
				default:
					errs <- fmt.Errorf("signer %d seq %d: code %d", i, seq, code)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := cl.ReapTxs(ctx, &abcitypes.RequestReapTxs{MaxBytes: 4096}); err != nil {
				errs <- err
				return
			}
			// check_tx's dry run of a replay (sequence 0 of signer 0, with
			// another memo): it takes the lock and changes nothing.
			res, err := cl.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: poolAnchor(t, keys[0], 0, "replay")})
			if err != nil {
				errs <- err
				return
			}
			if res.Code != 0 && res.Code != app.ErrBadSequence.Code() {
				errs <- fmt.Errorf("dry run: code %d %s", res.Code, res.Log)
				return
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()

	committed := 0
	for blocks := 0; committed < signers*perSigner && blocks < 2000; blocks++ {
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
		committed += len(runBlock())
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if committed != signers*perSigner {
		t.Fatalf("%d transactions committed, want %d", committed, signers*perSigner)
	}
	if n := s.pool.Len(); n != 0 {
		t.Fatalf("%d transactions left in the pool", n)
	}
	// The replay gets its code after all of that.
	replay, err := cl.CheckTx(abcicli.LockFreeContext(ctx), &abcitypes.RequestCheckTx{Tx: poolAnchor(t, keys[1], 3, "replay")})
	if err != nil {
		t.Fatal(err)
	}
	if replay.Code != app.ErrBadSequence.Code() {
		t.Fatalf("replay: %+v", replay)
	}
}

// TestCheckPoolConfig: icnd start refuses the app-side mempool with
// settings it cannot run with, and accepts the defaults.
func TestCheckPoolConfig(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*cmtcfg.Config, *AppConfig)
		ok     bool
	}{
		"defaults":        {func(*cmtcfg.Config, *AppConfig) {}, true},
		"no pruning":      {func(_ *cmtcfg.Config, a *AppConfig) { a.Store.PruningKeepRecent = 0 }, true},
		"keep 2":          {func(_ *cmtcfg.Config, a *AppConfig) { a.Store.PruningKeepRecent = 2 }, true},
		"keep 1":          {func(_ *cmtcfg.Config, a *AppConfig) { a.Store.PruningKeepRecent = 1 }, false},
		"no empty blocks": {func(c *cmtcfg.Config, _ *AppConfig) { c.Consensus.CreateEmptyBlocks = false }, false},
		// CometBFT's app mempool panics on these while the node is created.
		"no seen cache":  {func(c *cmtcfg.Config, _ *AppConfig) { c.Mempool.SeenCacheSize = 0 }, false},
		"no retry delay": {func(c *cmtcfg.Config, _ *AppConfig) { c.Mempool.CheckTxRetryDelay = 0 }, false},
		// 0 would leave the pool unbounded (the flood mempool admits nothing).
		"size 0":      {func(c *cmtcfg.Config, _ *AppConfig) { c.Mempool.Size = 0 }, false},
		"max bytes 0": {func(c *cmtcfg.Config, _ *AppConfig) { c.Mempool.MaxTxsBytes = 0 }, false},
	} {
		c, a := cmtcfg.DefaultConfig(), DefaultAppConfig()
		c.Mempool.Type = cmtcfg.MempoolTypeApp
		tc.mutate(c, &a)
		if err := checkPoolConfig(c, a); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok %v", name, err, tc.ok)
		}
	}
}

// TestAppPoolAfterRestart: a node restarted over a store with committed
// blocks admits into its pool at once (EnablePool moves the pool onto the
// last committed version), with the signer's sequence from that state.
func TestAppPoolAfterRestart(t *testing.T) {
	ctx := context.Background()
	keys, state := poolSigners(t, 1)
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := NewApplication(a, "test", cmtlog.NewNopLogger())
	if _, err := s.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: poolChain, InitialHeight: 1, Time: time.Unix(0, 0), AppStateBytes: state}); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 2; h++ {
		var txs [][]byte
		if h == 2 {
			txs = [][]byte{poolAnchor(t, keys[0], 0, "")}
		}
		if _, err := s.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: h, Time: time.Unix(h, 0), Txs: txs}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
	}

	// The restart: a new App and Application over the same store.
	again, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	restarted := NewApplication(again, "test", cmtlog.NewNopLogger())
	if err := restarted.EnablePool(cms.NewConcurrentReader(0), app.PoolOptions{}); err != nil {
		t.Fatal(err)
	}
	lockFree := abcicli.LockFreeContext(ctx)
	replay, err := restarted.CheckTx(lockFree, &abcitypes.RequestCheckTx{Tx: poolAnchor(t, keys[0], 0, "again")})
	if err != nil {
		t.Fatal(err)
	}
	if replay.Code != app.ErrBadSequence.Code() {
		t.Fatalf("sequence 0 after restart: %+v, want code %d", replay, app.ErrBadSequence.Code())
	}
	next, err := restarted.CheckTx(lockFree, &abcitypes.RequestCheckTx{Tx: poolAnchor(t, keys[0], 1, "")})
	if err != nil || next.Code != 0 {
		t.Fatalf("sequence 1 after restart: %+v, %v", next, err)
	}
	if restarted.pool.Len() != 1 {
		t.Fatalf("pool holds %d transactions, want 1", restarted.pool.Len())
	}
	// A block without it: the pool keeps it, and the gauge says so.
	m := NewMetrics(prometheus.NewRegistry())
	restarted.SetMetrics(m)
	if _, err := restarted.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: 3, Time: time.Unix(3, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := restarted.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	// The rebase, and the gauge with it, runs in the background
	// (Pool.UpdateLater).
	for deadline := time.Now().Add(time.Minute); testutil.ToFloat64(m.AppMempoolTxs) != 1 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if got := testutil.ToFloat64(m.AppMempoolTxs); got != 1 {
		t.Fatalf("icnd_app_mempool_txs = %v after the block, want 1", got)
	}
}

// BenchmarkSubmissionDuringBlock times one submission made while the node
// executes a block of 1,000 anchor transactions whose signatures it has
// not seen (FinalizeBlock through the consensus connection, which holds
// the ABCI lock): with the flood mempool CheckTx waits for the lock, with
// the app-side mempool it does not. It reports the submission's latency
// (submit-ms) and the block's execution time (block-ms), means per op.
func BenchmarkSubmissionDuringBlock(b *testing.B) {
	const blockSigners, perSigner = 100, 10
	ctx := context.Background()
	for _, mode := range []string{cmtcfg.MempoolTypeFlood, cmtcfg.MempoolTypeApp} {
		b.Run(mode, func(b *testing.B) {
			var submit, block time.Duration
			for range b.N {
				b.StopTimer()
				keys, state := poolSigners(b, blockSigners+1)
				_, cl := newPoolNode(b, state, mode == cmtcfg.MempoolTypeApp)
				// The flood mempool sets its global callback on its client.
				cl.SetResponseCallback(func(*abcitypes.Request, *abcitypes.Response) {})
				if _, err := cl.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: 1, Time: time.Unix(1, 0)}); err != nil {
					b.Fatal(err)
				}
				if _, err := cl.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
					b.Fatal(err)
				}
				var txs [][]byte
				for j := range perSigner {
					for i := range blockSigners {
						txs = append(txs, poolAnchor(b, keys[i], uint64(j), ""))
					}
				}
				sub := poolAnchor(b, keys[blockSigners], 0, "")
				b.StartTimer()
				started := make(chan struct{})
				took := make(chan time.Duration, 1)
				go func() {
					t0 := time.Now()
					close(started)
					_, err := cl.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: 2, Time: time.Unix(2, 0), Txs: txs})
					if err != nil {
						panic(err)
					}
					took <- time.Since(t0)
				}()
				<-started
				// Let FinalizeBlock take the lock.
				time.Sleep(2 * time.Millisecond)
				t0 := time.Now()
				var code uint32
				if mode == cmtcfg.MempoolTypeApp {
					res, err := cl.CheckTx(abcicli.LockFreeContext(ctx), &abcitypes.RequestCheckTx{Tx: sub})
					if err != nil {
						b.Fatal(err)
					}
					code = res.Code
				} else {
					rr, err := cl.CheckTxAsync(ctx, &abcitypes.RequestCheckTx{Tx: sub, Type: abcitypes.CheckTxType_New})
					if err != nil {
						b.Fatal(err)
					}
					code = rr.Response.GetCheckTx().Code
				}
				submit += time.Since(t0)
				block += <-took
				if code != 0 {
					b.Fatalf("submission refused: code %d", code)
				}
			}
			b.ReportMetric(float64(submit.Microseconds())/1000/float64(b.N), "submit-ms")
			b.ReportMetric(float64(block.Microseconds())/1000/float64(b.N), "block-ms")
		})
	}
}

// TestPoolOptions: the pool's limits follow the flood mempool's: app.toml's
// max-txs for submissions within config.toml's mempool.size, which bounds
// relayed transactions too.
func TestPoolOptions(t *testing.T) {
	for _, tc := range []struct {
		maxTxs, size         int
		wantMax, wantRelayed int
	}{
		{4000, 5000, 4000, 5000},
		{0, 5000, 5000, 5000},
		{8000, 5000, 5000, 5000},
	} {
		c, a := cmtcfg.DefaultConfig(), DefaultAppConfig()
		a.Mempool.MaxTxs, c.Mempool.Size = tc.maxTxs, tc.size
		got := poolOptions(c, a)
		if got.MaxTxs != tc.wantMax || got.MaxRelayedTxs != tc.wantRelayed || got.MaxBytes != c.Mempool.MaxTxsBytes {
			t.Errorf("max-txs %d, mempool.size %d: %+v, want %d and %d", tc.maxTxs, tc.size, got, tc.wantMax, tc.wantRelayed)
		}
	}
}

// TestBatchReactorWhileSyncing: while the node syncs, CometBFT's app
// reactor ignores the batches peers relay; the batch verification in front
// of it must ignore them too, rather than let any peer have the node
// verify signatures of transactions it never admits. Once the reactor is
// switched on, a batch's signatures are verified before its inserts.
func TestBatchReactorWhileSyncing(t *testing.T) {
	ctx := context.Background()
	keys, state := poolSigners(t, 2)
	s, cl := newPoolNode(t, state, true)
	if _, err := s.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: 1, Time: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	cfg := cmtcfg.DefaultMempoolConfig()
	cfg.Type = cmtcfg.MempoolTypeApp
	inner := mempl.NewAppReactor(cfg, mempl.NewAppMempool(cfg, cl), true)
	r := &batchReactor{AppReactor: inner, pool: s.pool}
	inner.SetLogger(cmtlog.NewNopLogger())
	batch := [][]byte{poolAnchor(t, keys[0], 0, ""), poolAnchor(t, keys[1], 0, "")}
	peer := mock.NewPeer(nil)
	r.Receive(p2p.Envelope{Src: peer, ChannelID: mempl.MempoolChannel, Message: &protomem.Txs{Txs: batch}})
	before := s.app.Stats()
	for _, tx := range batch {
		if res, err := s.InsertTx(ctx, &abcitypes.RequestInsertTx{Tx: tx}); err != nil || res.Code != 0 {
			t.Fatalf("insert: %+v, %v", res, err)
		}
	}
	if hits := s.app.Stats().SigCacheHits - before.SigCacheHits; hits != 0 {
		t.Fatalf("%d signatures of a batch relayed while syncing were verified in advance, want 0", hits)
	}

	inner.EnableInOutTxs()
	batch = [][]byte{poolAnchor(t, keys[0], 1, ""), poolAnchor(t, keys[1], 1, "")}
	before = s.app.Stats()
	r.Receive(p2p.Envelope{Src: peer, ChannelID: mempl.MempoolChannel, Message: &protomem.Txs{Txs: batch}})
	if s.pool.Len() != 4 {
		t.Fatalf("pool holds %d transactions, want 4", s.pool.Len())
	}
	if hits := s.app.Stats().SigCacheHits - before.SigCacheHits; hits != 2 {
		t.Fatalf("%d signature cache hits after a batch, want 2", hits)
	}
}
