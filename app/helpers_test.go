package app_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

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

const testChainID = "icn-test"

var genesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// account is a test signer with a deterministic key.
type account struct {
	priv ed25519.PrivateKey
	did  string
	seq  uint64
	// keyID is the key signTx names when txOpts does not; "" means key-1.
	keyID string
}

func newAccount(seed byte) *account {
	priv := ed25519.NewKeyFromSeed(sha256Bytes([]byte{seed}))
	return &account{priv: priv, did: did.DeriveDID(priv.Public().(ed25519.PublicKey))}
}

func (a *account) pub() ed25519.PublicKey { return a.priv.Public().(ed25519.PublicKey) }

func sha256Bytes(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// genesisFor funds each account with the given balance, capacity = balance
// and a rate of 1 per block.
func genesisFor(t testing.TB, balance uint64, accts ...*account) []byte {
	t.Helper()
	f := make([]funded, len(accts))
	for i, a := range accts {
		f[i] = funded{a, balance}
	}
	return genesisWith(t, f...)
}

// generousCaps raises g's mana caps above the tests' genesis grants (up to
// 10,000,000), which the default caps, sized for what one DID gathers from
// memberships, refuse; node/testnet does the same for its grants.
func generousCaps(g *app.GenesisState) {
	g.Mana.Params.MaxCapacity = 1_000_000_000
	g.Mana.Params.MaxRate = 1_000_000
}

type funded struct {
	acct    *account
	balance uint64
}

func genesisWith(t testing.TB, accts ...funded) []byte {
	t.Helper()
	g := app.DefaultGenesis()
	generousCaps(&g)
	for _, f := range accts {
		a, balance := f.acct, f.balance
		g.DID.Documents = append(g.DID.Documents, &identityv1.DIDDocument{
			Did:  a.did,
			Keys: []*identityv1.VerificationKey{{Id: did.FirstKeyID, PublicKey: a.pub()}},
		})
		g.Mana.Accounts = append(g.Mana.Accounts, mana.GenesisAccount{DID: a.did, Balance: balance, Capacity: balance, Rate: 1})
	}
	bz, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// newTestApp returns an app over a fresh in-memory store, initialised with
// the genesis and the chain at height 0.
func newTestApp(t testing.TB, genesis []byte) (*app.App, *store.CommitStore) {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, genesis); err != nil {
		t.Fatalf("InitChain: %v", err)
	}
	return a, cms
}

// newDecoder returns an App with an empty store, for its stateless
// DecodeTx alone.
func newDecoder(t testing.TB) *app.App {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// txOpts adjust a transaction before signing.
type txOpts struct {
	chainID  string
	seq      *uint64
	keyID    string
	memo     string
	timeout  uint64
	signWith ed25519.PrivateKey
}

// signTx builds a transaction from a with its next sequence and advances it.
func (a *account) signTx(t testing.TB, o txOpts, msgs ...*txv1.Msg) []byte {
	t.Helper()
	p := client.TxParams{ChainID: testChainID, Signer: a.did, KeyID: did.FirstKeyID, Sequence: a.seq, Memo: o.memo, TimeoutHeight: o.timeout}
	if o.chainID != "" {
		p.ChainID = o.chainID
	}
	if o.seq != nil {
		p.Sequence = *o.seq
	} else {
		a.seq++
	}
	if a.keyID != "" {
		p.KeyID = a.keyID
	}
	if o.keyID != "" {
		p.KeyID = o.keyID
	}
	key := a.priv
	if o.signWith != nil {
		key = o.signWith
	}
	raw, err := client.BuildTx(p, func(b []byte) ([]byte, error) { return ed25519.Sign(key, b), nil }, msgs...)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// testCID returns the raw-codec CIDv1 of data.
func testCID(t testing.TB, data string) []byte {
	t.Helper()
	mh, err := multihash.Sum([]byte(data), multihash.SHA2_256, -1)
	if err != nil {
		t.Fatal(err)
	}
	return cid.NewCidV1(cid.Raw, mh).Bytes()
}

func anchorMsg(c []byte, kind string, links ...[]byte) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_Anchor{Anchor: &dagv1.MsgAnchor{Cid: c, Kind: kind, Links: links}}}
}

func registerMsg(chainID string, newKey ed25519.PrivateKey) *txv1.Msg {
	pub := newKey.Public().(ed25519.PublicKey)
	pop := ed25519.Sign(newKey, did.RegistrationBytes(chainID, did.DeriveDID(pub)))
	return &txv1.Msg{Sum: &txv1.Msg_RegisterDid{RegisterDid: &identityv1.MsgRegisterDID{PublicKey: pub, ProofOfPossession: pop}}}
}

// block finalizes and commits txs at the next height and returns results
// and the committed app hash.
func block(t testing.TB, a *app.App, txs ...[]byte) ([]app.TxResult, []byte) {
	t.Helper()
	h := a.LastCommit().Version + 1
	res, hash, err := finalize(a, h, genesisTime.Add(time.Duration(h)*time.Second), txs, nil)
	if err != nil {
		t.Fatalf("FinalizeBlock %d: %v", h, err)
	}
	id, err := a.Commit()
	if err != nil {
		t.Fatalf("Commit %d: %v", h, err)
	}
	if string(id.Hash) != string(hash) {
		t.Fatalf("height %d: FinalizeBlock returned app hash %X but Commit saved %X", h, hash, id.Hash)
	}
	return res, hash
}

func u64(v uint64) *uint64 { return &v }

func memDB() *idb.MemDB { return idb.NewMemDB() }

// restartFromExport starts a new chain from g, exported at height h, and
// commits its first (empty) block, as an operator restarting a network from
// `icnd export` would.
func restartFromExport(t *testing.T, g app.GenesisState, h int64) *app.App {
	t.Helper()
	bz, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	cms, err := store.Open(memDB(), store.Options{InitialVersion: uint64(h + 1)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.New(cms, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.InitChain(testChainID, h+1, genesisTime, bz); err != nil {
		t.Fatalf("InitChain from export: %v", err)
	}
	if _, _, err := finalize(b, h+1, genesisTime, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	return b
}

// finalize runs FinalizeBlock and returns the transactions' results and the
// app hash, for tests that do not look at block events.
func finalize(a *app.App, h int64, ts time.Time, txs [][]byte, hash []byte) ([]app.TxResult, []byte, error) {
	b, err := a.FinalizeBlock(h, ts, txs, hash)
	if err != nil {
		return nil, nil, err
	}
	return b.TxResults, b.AppHash, nil
}
