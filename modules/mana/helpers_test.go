package mana

import (
	"errors"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/proto"
	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/modules"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	"github.com/intercooperative/icnd/store"
)

// Test DIDs. The keeper never parses DIDs, so any distinct strings do.
const (
	alice = "did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	bob   = "did:icn:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	carol = "did:icn:cccccccccccccccccccccccccccccccc"
)

// fakeMemberships is a Memberships whose answers a test sets.
type fakeMemberships map[string][]string

func (f fakeMemberships) SeatedKinds(_ modules.Context, did string) ([]string, error) {
	return append([]string(nil), f[did]...), nil
}

// fakeReputation is a Reputation whose answers a test sets; a DID not in
// the map is neutral.
type fakeReputation map[string]uint64

func (f fakeReputation) Reputation(_ modules.Context, did string) (uint64, error) {
	if r, ok := f[did]; ok {
		return r, nil
	}
	return NeutralReputation, nil
}

// failing is a Memberships and Reputation that report a broken store.
type failing struct{}

var errBroken = errors.New("broken store")

func (failing) SeatedKinds(modules.Context, string) ([]string, error) { return nil, errBroken }
func (failing) Reputation(modules.Context, string) (uint64, error)    { return 0, errBroken }

// env is a keeper over a fresh in-memory store holding the default params.
type env struct {
	k           *Keeper
	kv          store.KVStore
	memberships fakeMemberships
	reputation  fakeReputation
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	e := &env{kv: cms.Working(), memberships: fakeMemberships{}, reputation: fakeReputation{}}
	e.k = NewKeeper(e.memberships, e.reputation)
	if err := e.k.SetParams(e.ctx(1), DefaultParams(testMsgs)); err != nil {
		t.Fatal(err)
	}
	return e
}

// ctx is a context at height h over the env's store.
func (e *env) ctx(h int64) modules.Context {
	return modules.NewContext("icn-test", h, time.Unix(0, 0), e.kv)
}

// put stores acc as did's account, bypassing the keeper's checks.
func (e *env) put(t *testing.T, did string, acc *manav1.Account) {
	t.Helper()
	if err := e.k.setAccount(e.ctx(acc.LastHeight), did, acc); err != nil {
		t.Fatal(err)
	}
}

func (e *env) account(t *testing.T, did string) *manav1.Account {
	t.Helper()
	acc, err := e.k.Account(e.ctx(0), did)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// snapshot returns every mana key and value, to check that a failed call
// wrote nothing.
func (e *env) snapshot(t *testing.T) map[string]string {
	t.Helper()
	prefix := []byte{StorePrefix}
	it := e.kv.Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	out := map[string]string{}
	for ; it.Valid(); it.Next() {
		out[string(it.Key())] = string(it.Value())
	}
	return out
}

func wantAccount(t *testing.T, got *manav1.Account, want *manav1.Account) {
	t.Helper()
	if !proto.Equal(got, want) {
		t.Fatalf("account = %v, want %v", got, want)
	}
}

func wantErr(t *testing.T, err error, want *modules.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %s/%d (%s)", err, want.Codespace(), want.Code(), want)
	}
}

// attr returns the value of attribute key of ev, failing if absent.
func attr(t *testing.T, ev modules.Event, key string) string {
	t.Helper()
	for _, a := range ev.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	t.Fatalf("event %s has no attribute %q", ev.Type, key)
	return ""
}

// testMsgs stands for the app's message table: the names and default
// costs of the messages these tests charge for.
var testMsgs = []modules.MsgSpec{
	{Name: "anchor", Cost: 10},
	{Name: "leave_organization", Cost: 10},
	{Name: "register_did", Cost: 100},
}
