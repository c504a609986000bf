package abci

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	idb "github.com/cosmos/iavl/db"
	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/p2p"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/store"
)

const announceChain = "icn-dagnet-test"

// TestAnnounceCommittedJobs runs a real Application behind announcingApp with
// a real dag-p2p host: a job posted in a committed block reaches another
// host on the jobs topic, with the block's height; a job in a stale block
// (a node catching up) is not announced.
func TestAnnounceCommittedJobs(t *testing.T) {
	ctx := context.Background()
	seed := sha256.Sum256([]byte("dagnet poster"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	poster := did.DeriveDID(pub)
	g := app.DefaultGenesis()
	g.DID.Documents = []*identityv1.DIDDocument{{Did: poster, Keys: []*identityv1.VerificationKey{{Id: "key-1", PublicKey: pub}}}}
	g.Mana.Accounts = []mana.GenesisAccount{{DID: poster, Balance: 200_000, Capacity: 200_000, Rate: 10}}
	state, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inner := NewApplication(a, "test", cmtlog.NewNopLogger())
	if _, err := inner.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: announceChain, InitialHeight: 1, Time: time.Unix(0, 0), AppStateBytes: state}); err != nil {
		t.Fatal(err)
	}

	home := t.TempDir()
	dn, err := startDagNet(ctx, home, announceChain, DagP2PConfig{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, KeyFile: "config/dag_p2p_key"}, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer dn.Close()
	listener, err := p2p.New(ctx, p2p.Config{ChainID: announceChain, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Bootstrap: dn.host.Addrs()[:1]}, mustStore(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	if !slices.Contains(dn.host.Peers(), listener.ID()) {
		t.Fatal("listener not connected to the node's host")
	}
	// Wait until the two have exchanged their gossipsub subscriptions: an
	// announcement published before the node's host knows the listener's
	// subscription reaches nobody. A probe from the node's host that
	// reaches the listener shows it; a fixed sleep raced with it on a
	// loaded machine. Probes still in flight are skipped below.
	probe := client.RawCID([]byte("subscription probe")).String()
	for height, deadline, heard := int64(1), time.Now().Add(30*time.Second), false; !heard; height++ {
		if time.Now().After(deadline) {
			t.Fatal("the listener heard none of the node's probes within 30 s")
		}
		if err := dn.host.AnnounceJob(ctx, p2p.JobAnnouncement{Job: probe, Height: height}); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-listener.Jobs():
			heard = got.Job == probe
		case <-time.After(200 * time.Millisecond):
		}
	}

	w := &announcingApp{Application: inner, net: dn}
	var seq uint64
	postJob := func(height int64, blockTime time.Time) cid.Cid {
		t.Helper()
		spec := &meshv1.MsgPostJob{Module: client.RawCID([]byte("m")).Bytes(), Input: client.RawCID([]byte("i")).Bytes(),
			FuelLimit: 1000, MaxPrice: 1, Replication: 1, BidWindow: 2, Deadline: 20, Sequence: seq,
			Requirements: &meshv1.Requirements{Kind: "wasi-p1", MemoryPages: 16}}
		msg, job, err := client.PostJob(poster, spec)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := client.BuildTx(client.TxParams{ChainID: announceChain, Signer: poster, KeyID: "key-1", Sequence: seq},
			func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil }, msg)
		if err != nil {
			t.Fatal(err)
		}
		seq++
		res, err := w.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: height, Time: blockTime, Txs: [][]byte{tx}})
		if err != nil || res.TxResults[0].Code != 0 {
			t.Fatalf("FinalizeBlock: %v %+v", err, res.TxResults)
		}
		if _, err := w.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
		return job
	}
	postJob(1, time.Now().Add(-time.Hour))
	fresh := postJob(2, time.Now())
	timeout := time.After(20 * time.Second)
	for {
		select {
		case got := <-listener.Jobs():
			if got.Job == probe {
				continue
			}
			if want := (p2p.JobAnnouncement{Job: fresh.String(), Height: 2}); got != want {
				t.Fatalf("announcement %+v, want %+v (the stale block's job must not be announced)", got, want)
			}
			return
		case <-timeout:
			t.Fatal("no job announcement")
		}
	}
}

func mustStore(t *testing.T) *blockstore.Store {
	t.Helper()
	s, err := blockstore.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNodeProvidesStore: a block another process puts into the node's store
// (as `icnd dag put --home` does) is provided in the DHT by the node.
func TestNodeProvidesStore(t *testing.T) {
	defer func(old time.Duration) { provideInterval = old }(provideInterval)
	provideInterval = 200 * time.Millisecond
	ctx := context.Background()
	home := t.TempDir()
	dn, err := startDagNet(ctx, home, announceChain, DagP2PConfig{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, KeyFile: "k"}, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer dn.Close()
	listener, err := p2p.New(ctx, p2p.Config{ChainID: announceChain, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Bootstrap: dn.host.Addrs()[:1]}, mustStore(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	other, err := blockstore.Open(filepath.Join(home, BlocksDir), 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := other.Put([]byte("a module put by icnd dag put"))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		got := listener.Providers(fctx, c, 1)
		cancel()
		if slices.Contains(got, dn.host.ID()) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node never provided %s (providers %v)", c, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestNodeProvidesStoreBehindDamagedBlocks: blocks the node cannot serve
// (damaged on disk) and that come first in the store's listing do not keep
// the node from providing the others.
func TestNodeProvidesStoreBehindDamagedBlocks(t *testing.T) {
	defer func(old time.Duration) { provideInterval = old }(provideInterval)
	provideInterval = 200 * time.Millisecond
	ctx := context.Background()
	home := t.TempDir()
	dir := filepath.Join(home, BlocksDir)
	other, err := blockstore.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A good block in a shard late in the listing, and a batch of damaged
	// files in earlier shards.
	var good cid.Cid
	var goodData []byte
	for i := 0; ; i++ {
		goodData = []byte(fmt.Sprintf("good block %d", i))
		if good = blockstore.RawCID(goodData); good.String()[len(good.String())-2] == 'z' {
			break
		}
	}
	for i, damaged := 0, 0; damaged < provideBatch; i++ {
		c := blockstore.RawCID([]byte(fmt.Sprintf("damaged block %d", i)))
		s := c.String()
		if s[len(s)-2:] >= good.String()[len(good.String())-2:] {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, s[len(s)-2:]), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s[len(s)-2:], s), []byte("damaged on disk"), 0o644); err != nil {
			t.Fatal(err)
		}
		damaged++
	}
	if err := other.PutBlock(good, goodData); err != nil {
		t.Fatal(err)
	}

	dn, err := startDagNet(ctx, home, announceChain, DagP2PConfig{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, KeyFile: "k"}, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer dn.Close()
	listener, err := p2p.New(ctx, p2p.Config{ChainID: announceChain, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Bootstrap: dn.host.Addrs()[:1]}, mustStore(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		got := listener.Providers(fctx, good, 1)
		cancel()
		if slices.Contains(got, dn.host.ID()) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node never provided %s behind %d damaged blocks (providers %v)", good, provideBatch, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
