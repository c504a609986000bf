package mesh

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/dag"
	"github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
	"github.com/intercooperative/icnd/store"
)

const chainID = "icn-test"

// Test DIDs. The mesh never parses DIDs.
const (
	poster = "did:icn:pppppppppppppppppppppppppppppppp"
	exA    = "did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	exB    = "did:icn:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	exC    = "did:icn:cccccccccccccccccccccccccccccccc"
	exD    = "did:icn:dddddddddddddddddddddddddddddddd"
	nobody = "did:icn:nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
	// root is the root federation (fakeOrgs).
	root = "did:icn:rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
)

// startMana is every test account's balance; its base capacity is twice
// that, so that payments fit under the ceiling (rate 0: balances change
// only by what the mesh does).
const startMana = 500_000

func keyOf(d string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("mesh test key " + d))
	return ed25519.NewKeyFromSeed(seed[:])
}

// fakeKeys answers VerificationKey with each test DID's "key-1".
type fakeKeys struct{}

func (fakeKeys) VerificationKey(_ modules.Context, d, keyID string) (ed25519.PublicKey, error) {
	if keyID != "key-1" {
		return nil, did.ErrUnknownKey.Wrapf("%s#%s", d, keyID)
	}
	return keyOf(d).Public().(ed25519.PublicKey), nil
}

// fakeOrgs knows one root federation, root.
type fakeOrgs struct{}

func (fakeOrgs) IsRoot(_ modules.Context, d string) (bool, error) { return d == root, nil }

// members seats exA in a cooperative, so that its capacity follows its
// reputation (mana.Derive).
type members struct{}

func (members) SeatedKinds(_ modules.Context, d string) ([]string, error) {
	if d == exA {
		return []string{mana.KindCooperative}, nil
	}
	return nil, nil
}

type env struct {
	t    *testing.T
	kv   store.KVStore
	mana *mana.Keeper
	dag  *dag.Keeper
	k    *Keeper
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	e := &env{t: t, kv: cms.Working(), dag: dag.NewKeeper(), k: new(Keeper)}
	e.mana = mana.NewKeeper(members{}, e.k)
	*e.k = *NewKeeper(e.mana, fakeKeys{}, e.dag, fakeOrgs{})
	ctx := e.ctx(1)
	p := mana.DefaultParams(nil)
	p.MaxCapacity = 10 * startMana
	dids := []string{exA, exB, exC, exD, nobody, poster}
	g := mana.Genesis{Params: p}
	for _, d := range dids {
		g.Accounts = append(g.Accounts, mana.GenesisAccount{DID: d, Balance: startMana, Capacity: 2 * startMana})
	}
	if err := e.k.InitGenesis(ctx, DefaultGenesis()); err != nil {
		t.Fatal(err)
	}
	if err := e.mana.InitGenesis(ctx, g, dids); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) ctx(h int64) modules.Context {
	return modules.NewContext(chainID, h, time.Unix(0, 0), e.kv)
}

// do runs fn at height h on behalf of authority in a cache layer that is
// written only on success, as the app runs a message, and returns the
// error and the events.
func (e *env) do(h int64, authority string, fn func(modules.Context) error) ([]modules.Event, error) {
	cache := store.NewCache(e.kv)
	ctx := e.ctx(h).WithStore(cache).WithSigner(authority)
	err := fn(ctx)
	if err == nil {
		cache.Write()
	}
	return ctx.Events(), err
}

// must runs fn like do and fails the test on error.
func (e *env) must(h int64, authority string, fn func(modules.Context) error) []modules.Event {
	e.t.Helper()
	evs, err := e.do(h, authority, fn)
	if err != nil {
		e.t.Fatalf("height %d, %s: %v", h, authority, err)
	}
	return evs
}

// endBlock runs the mesh's end-of-block hook at h.
func (e *env) endBlock(h int64) []modules.Event {
	e.t.Helper()
	cache := store.NewCache(e.kv)
	ctx := e.ctx(h).WithStore(cache)
	if err := e.k.EndBlock(ctx); err != nil {
		e.t.Fatalf("end block %d: %v", h, err)
	}
	cache.Write()
	return ctx.Events()
}

func (e *env) register(h int64, d string, floor, bond uint64) {
	e.t.Helper()
	e.must(h, d, func(ctx modules.Context) error {
		return e.k.RegisterExecutor(ctx, &meshv1.MsgRegisterExecutor{Capabilities: caps(), PriceFloor: floor, Bond: bond})
	})
}

func caps() *meshv1.Capabilities {
	return &meshv1.Capabilities{MaxFuel: 1_000_000, MemoryPages: 256, Kinds: []string{"wasi-p1"}}
}

func testCID(codec uint64, s string) cid.Cid {
	sum := sha256.Sum256([]byte(s))
	mh, err := multihash.Encode(sum[:], multihash.SHA2_256)
	if err != nil {
		panic(err)
	}
	return cid.NewCidV1(codec, mh)
}

var (
	moduleCID = testCID(cid.Raw, "module")
	inputCID  = testCID(cid.Raw, "input")
)

// spec is a job: fuel limit 1000, max price 10, replication r, majority
// agreement, window 5, deadline 10.
func spec(r uint32) *meshv1.MsgPostJob {
	return &meshv1.MsgPostJob{Module: moduleCID.Bytes(), Input: inputCID.Bytes(), FuelLimit: 1000, MaxPrice: 10,
		Replication: r, BidWindow: 5, Deadline: 10, Requirements: &meshv1.Requirements{Kind: "wasi-p1", MemoryPages: 16}}
}

func (e *env) post(h int64, m *meshv1.MsgPostJob) []byte {
	e.t.Helper()
	e.must(h, poster, func(ctx modules.Context) error { return e.k.PostJob(ctx, m) })
	return JobID(poster, m)
}

func (e *env) bid(h int64, d string, job []byte, price uint64) {
	e.t.Helper()
	e.must(h, d, func(ctx modules.Context) error { return e.k.Bid(ctx, &meshv1.MsgBid{Job: job, Price: price}) })
}

// receiptFor builds d's signed receipt block for job.
func receiptFor(d string, job []byte, output string, fuel uint64) []byte {
	r := &receipt.Receipt{ChainID: chainID, Job: JobCID(job), Executor: d, KeyID: "key-1", Module: moduleCID, Input: inputCID,
		Output: testCID(cid.Raw, output), Fuel: fuel}
	if err := r.Sign(keyOf(d)); err != nil {
		panic(err)
	}
	b, err := r.Encode()
	if err != nil {
		panic(err)
	}
	return b
}

// commit commits d to block (MsgCommitReceipt with the block's
// commitment) at h.
func (e *env) commit(h int64, d string, block []byte) error {
	c, _, err := receipt.BlockCommitment(block)
	if err != nil {
		e.t.Fatal(err)
	}
	_, err = e.do(h, d, func(ctx modules.Context) error {
		return e.k.CommitReceipt(ctx, &meshv1.MsgCommitReceipt{Job: JobIDOf(e.t, block), Commitment: c})
	})
	return err
}

// mustCommit commits each (executor, block) pair at h, failing the test on
// error.
func (e *env) mustCommit(h int64, pairs ...any) {
	e.t.Helper()
	for i := 0; i < len(pairs); i += 2 {
		if err := e.commit(h, pairs[i].(string), pairs[i+1].([]byte)); err != nil {
			e.t.Fatalf("commit at %d by %s: %v", h, pairs[i], err)
		}
	}
}

// JobIDOf returns the job id a receipt block names.
func JobIDOf(t *testing.T, block []byte) []byte {
	t.Helper()
	r, err := receipt.Decode(block)
	if err != nil {
		t.Fatal(err)
	}
	id, err := JobIDFromCID(r.Job)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// submit reveals d's receipt block at h (MsgSubmitReceipt).
func (e *env) submit(h int64, d string, block []byte) error {
	_, err := e.do(h, d, func(ctx modules.Context) error {
		return e.k.SubmitReceipt(ctx, &meshv1.MsgSubmitReceipt{Receipt: block})
	})
	return err
}

func (e *env) job(id []byte) *meshv1.Job {
	e.t.Helper()
	j, err := e.k.Job(e.ctx(0), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return j
}

func (e *env) executor(d string) *meshv1.Executor {
	e.t.Helper()
	x, err := e.k.Executor(e.ctx(0), d)
	if err != nil {
		e.t.Fatal(err)
	}
	return x
}

func (e *env) account(d string) *manav1.Account {
	e.t.Helper()
	acc, err := e.mana.Account(e.ctx(0), d)
	if err != nil {
		e.t.Fatal(err)
	}
	return acc
}

// escrowAmount is what escrow id holds, 0 when it is closed.
func (e *env) escrowAmount(id []byte) uint64 {
	esc, err := e.mana.Escrow(e.ctx(0), id)
	if err != nil {
		return 0
	}
	return esc.Amount
}

func wantCode(t *testing.T, err error, want *modules.Error) {
	t.Helper()
	gs, gc := modules.ResultCode(err)
	if err == nil || gs != want.Codespace() || gc != want.Code() {
		t.Fatalf("got %v (%s/%d), want %s/%d (%v)", err, gs, gc, want.Codespace(), want.Code(), want)
	}
}

func attr(ev modules.Event, key string) string {
	for _, a := range ev.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return "<none>"
}

// eventsOf returns the events of type typ, each as "k=v k=v" of the keys.
func eventsOf(evs []modules.Event, typ string, keys ...string) []string {
	var out []string
	for _, ev := range evs {
		if ev.Type != typ {
			continue
		}
		s := ""
		for i, k := range keys {
			if i > 0 {
				s += " "
			}
			s += fmt.Sprintf("%s=%s", k, attr(ev, k))
		}
		out = append(out, s)
	}
	return out
}

func manaInsufficient() *modules.Error { return mana.ErrInsufficientMana }
