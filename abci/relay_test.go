package abci

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	mempl "github.com/cometbft/cometbft/mempool"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"
	idb "github.com/cosmos/iavl/db"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/store"
)

type relayPeerHeight struct{}

func (relayPeerHeight) GetHeight() int64 { return 1 }

// TestRelayReactorOnSwitch: exemptRelayed swaps CometBFT's flood mempool
// reactor on a real switch (two switches over a pipe, CometBFT's real
// mempools over icnd's clients) before it starts; once the node enables the
// reactor it created after sync, through its own reference to the inner
// reactor, a transaction a peer gossips reaches the full node's app as
// relayed and is admitted, while a submission to that node is refused
// "mempool is full".
func TestRelayReactorOnSwitch(t *testing.T) {
	ctx := context.Background()
	const chain = "icn-relay-test"
	type key struct {
		priv ed25519.PrivateKey
		did  string
	}
	var keys [2]key
	g := app.DefaultGenesis()
	for i := range keys {
		seed := sha256.Sum256([]byte{'r', byte(i)})
		priv := ed25519.NewKeyFromSeed(seed[:])
		pub := priv.Public().(ed25519.PublicKey)
		keys[i] = key{priv: priv, did: did.DeriveDID(pub)}
		g.DID.Documents = append(g.DID.Documents, &identityv1.DIDDocument{Did: keys[i].did, Keys: []*identityv1.VerificationKey{{Id: did.FirstKeyID, PublicKey: pub}}})
		g.Mana.Accounts = append(g.Mana.Accounts, mana.GenesisAccount{DID: keys[i].did, Balance: 200_000, Capacity: 200_000, Rate: 10})
	}
	state, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	anchor := func(k key, seq uint64) []byte {
		mh, _ := multihash.Sum([]byte{byte(seq), k.did[len(k.did)-1]}, multihash.SHA2_256, -1)
		raw, err := client.BuildTx(client.TxParams{ChainID: chain, Signer: k.did, KeyID: did.FirstKeyID, Sequence: seq},
			func(b []byte) ([]byte, error) { return ed25519.Sign(k.priv, b), nil },
			&txv1.Msg{Sum: &txv1.Msg_Anchor{Anchor: &dagv1.MsgAnchor{Cid: cid.NewCidV1(cid.Raw, mh).Bytes(), Kind: "doc"}}})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}

	cfg := cmtcfg.TestConfig()
	var (
		apps     [2]*Application
		mempools [2]*mempl.CListMempool
		reactors [2]*mempl.Reactor
	)
	for i := range apps {
		cms, err := store.Open(idb.NewMemDB(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Node 1, the full node, admits one transaction. Node 0 only takes
		// a submission and gossips it: with the same limit, node 1's own
		// submission, gossiped to node 0 first, would fill node 0 and have
		// node 0's submission refused, whenever the gossip came before it.
		maxTxs := 1
		if i == 0 {
			maxTxs = 10
		}
		a, err := app.New(cms, app.Options{MempoolMaxTxs: maxTxs})
		if err != nil {
			t.Fatal(err)
		}
		apps[i] = NewApplication(a, "test", cmtlog.NewNopLogger())
		apps[i].admission.max = maxTxs
		cl, err := newClientCreator(apps[i], apps[i]).NewABCIClient()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: chain, InitialHeight: 1, Time: time.Unix(0, 0), AppStateBytes: state}); err != nil {
			t.Fatal(err)
		}
		mempools[i] = mempl.NewCListMempool(cfg.Mempool, proxy.NewAppConnMempool(cl, proxy.NopMetrics()), 0)
		// Node 1 waits for sync, as a node does during block sync.
		reactors[i] = mempl.NewReactor(cfg.Mempool, mempools[i], i == 1)
		reactors[i].SetLogger(cmtlog.NewNopLogger())
	}
	switches := p2p.MakeConnectedSwitches(cfg.P2P, 2, func(i int, sw *p2p.Switch) *p2p.Switch {
		sw.AddReactor("MEMPOOL", reactors[i])
		if i == 1 {
			exemptRelayed(sw, apps[1])
		}
		return sw
	}, p2p.Connect2Switches)
	t.Cleanup(func() {
		for _, sw := range switches {
			_ = sw.Stop()
		}
	})
	if r, _ := switches[1].Reactor("MEMPOOL"); r == nil {
		t.Fatal("no MEMPOOL reactor after the swap")
	} else if _, ok := r.(*relayReactor); !ok {
		t.Fatalf("MEMPOOL reactor is %T, want *relayReactor", r)
	}
	for _, sw := range switches {
		for _, p := range sw.Peers().Copy() {
			p.Set(cmttypes.PeerStateKey, relayPeerHeight{})
		}
	}
	// The node's post-sync switch, through its reference to the reactor
	// it created.
	reactors[1].EnableInOutTxs()

	submit := func(m *mempl.CListMempool, tx []byte) *abcitypes.ResponseCheckTx {
		t.Helper()
		var got *abcitypes.ResponseCheckTx
		if err := m.CheckTx(tx, func(res *abcitypes.ResponseCheckTx) { got = res }, mempl.TxInfo{}); err != nil {
			t.Fatal(err)
		}
		if got == nil {
			t.Fatal("no CheckTx response")
		}
		return got
	}
	// Node 1's count is full with its own submission; another one is
	// refused.
	if res := submit(mempools[1], anchor(keys[1], 0)); res.Code != 0 {
		t.Fatalf("node 1, first submission: %+v", res)
	}
	if res := submit(mempools[1], anchor(keys[1], 1)); res.Code != app.ErrMempoolFull.Code() || res.Codespace != app.Codespace {
		t.Fatalf("node 1, second submission: %+v, want tx/40", res)
	}
	// Node 0 takes a submission and gossips it: node 1 admits it.
	relayed := anchor(keys[0], 0)
	if res := submit(mempools[0], relayed); res.Code != 0 {
		t.Fatalf("node 0: %+v", res)
	}
	deadline := time.Now().Add(time.Minute)
	for mempools[1].Size() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the gossiped tx never reached node 1's mempool (size %d)", mempools[1].Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := mempools[1].ReapMaxTxs(-1); len(got) != 2 || string(got[1]) != string(relayed) {
		t.Fatalf("node 1's mempool: %d txs", len(got))
	}
	// The mark lasts for the reactor's Receive, which is still running
	// when the mempool's size shows the transaction: wait for it to end.
	for apps[1].admission.relayed(relayed) {
		if time.Now().After(deadline) {
			t.Fatal("the relayed tx is still marked a minute after Receive admitted it")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
