package governance

import (
	"fmt"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/org"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/store"
)

const testOrg = "did:icn:orgorgorgorgorgorgorgorgorgorgorg"

// fakeOrgs is one organization whose members a test sets.
type fakeOrgs struct {
	members []string // sorted
	roles   map[string]string
	frozen  map[string]bool
}

func (f *fakeOrgs) Organization(_ modules.Context, o string) (*identityv1.Organization, error) {
	if o != testOrg {
		return nil, org.ErrUnknownOrg.Wrapf("%s", o)
	}
	return &identityv1.Organization{Did: o}, nil
}

func (f *fakeOrgs) IsMember(_ modules.Context, o, m string) bool {
	for _, x := range f.members {
		if x == m {
			return o == testOrg
		}
	}
	return false
}

func (f *fakeOrgs) HasRole(_ modules.Context, _, m, role string) (bool, error) {
	return f.roles[m] == role, nil
}

func (f *fakeOrgs) IsRoot(modules.Context, string) (bool, error) { return false, nil }

func (f *fakeOrgs) MembersUpTo(_ modules.Context, o string, limit int) ([]*identityv1.Membership, bool, error) {
	var out []*identityv1.Membership
	for _, m := range f.members {
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, &identityv1.Membership{Org: o, Member: m})
	}
	return out, false, nil
}

func (f *fakeOrgs) RefuseFrozen(_ modules.Context, account, _ string) error {
	if f.frozen[account] {
		return org.ErrFrozenInScope.Wrapf("%s", account)
	}
	return nil
}

func (f *fakeOrgs) RootFrozen(_ modules.Context, account string) bool { return f.frozen[account] }

// fakeMana records deposits without accounts.
type fakeMana struct{ locked, refunded, burned int }

func (f *fakeMana) Charge(modules.Context, string, uint64) error       { return nil }
func (f *fakeMana) Lock(modules.Context, string, []byte, uint64) error { f.locked++; return nil }
func (f *fakeMana) Refund(modules.Context, []byte) error               { f.refunded++; return nil }
func (f *fakeMana) BurnAll(modules.Context, []byte) error              { f.burned++; return nil }

// fakeRouter knows one message, anchor (GovernanceAny), which writes its
// kind as a key, or fails with fail when set.
type fakeRouter struct {
	fail error
	runs int
}

func (r *fakeRouter) Decode(bz []byte) (*txv1.Msg, modules.MsgSpec, error) {
	m := new(txv1.Msg)
	if err := m.Unmarshal(bz); err != nil || m.GetAnchor() == nil {
		return nil, modules.MsgSpec{}, ErrInvalidProposal.Wrapf("not an anchor")
	}
	return m, modules.MsgSpec{Name: "anchor", Cost: 1, Governance: modules.GovernanceAny}, nil
}

func (r *fakeRouter) Run(ctx modules.Context, m *txv1.Msg) error {
	r.runs++
	ctx.Store.Set([]byte("ran/"+m.GetAnchor().Kind), []byte(ctx.Authority))
	return r.fail
}

func (r *fakeRouter) Specs() []modules.MsgSpec { return nil }

type env struct {
	k      *Keeper
	kv     store.KVStore
	orgs   *fakeOrgs
	mana   *fakeMana
	router *fakeRouter
}

func member(i int) string { return fmt.Sprintf("did:icn:member%08d", i) }

// newEnv is a keeper over a fresh store whose organization has n members
// (member(0) ... member(n-1), sorted) and a 10-block default policy with a
// 2-block timelock.
func newEnv(t testing.TB, n int) *env {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cms.Close() })
	e := &env{kv: cms.Working(), orgs: &fakeOrgs{roles: map[string]string{}, frozen: map[string]bool{}}, mana: &fakeMana{}, router: &fakeRouter{}}
	for i := 0; i < n; i++ {
		e.orgs.members = append(e.orgs.members, member(i))
	}
	e.k = NewKeeper(e.orgs, e.mana)
	e.k.SetRouter(e.router)
	p := DefaultParams()
	p.DefaultPolicy.VotingPeriod, p.DefaultPolicy.Timelock = 10, 2
	if err := e.k.setParams(e.ctx(1, ""), p); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) ctx(h int64, signer string) modules.Context {
	return modules.NewContext("icn-test", h, time.Unix(0, 0), e.kv).WithSigner(signer)
}

func anchorBytes(t testing.TB, kind string) []byte {
	t.Helper()
	bz, err := (&txv1.Msg{Sum: &txv1.Msg_Anchor{Anchor: &dagv1.MsgAnchor{Kind: kind}}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// submit has member(0) submit a proposal at height h carrying msgs.
func (e *env) submit(t testing.TB, h int64, msgs ...[]byte) uint64 {
	t.Helper()
	ctx := e.ctx(h, member(0))
	if err := e.k.SubmitProposal(ctx, &governancev1.MsgSubmitProposal{Org: testOrg, Title: "t", Messages: msgs}); err != nil {
		t.Fatal(err)
	}
	var ev EventSubmitted
	evs := ctx.Events()
	if err := modules.DecodeEvent(evs[len(evs)-1], &ev); err != nil {
		t.Fatal(err)
	}
	return ev.ID
}

func (e *env) vote(t testing.TB, h int64, voter string, id uint64, o governancev1.VoteOption) error {
	t.Helper()
	return e.k.Vote(e.ctx(h, voter), &governancev1.MsgVote{ProposalId: id, Option: o})
}

func (e *env) proposal(t testing.TB, id uint64) *governancev1.Proposal {
	t.Helper()
	p, err := e.k.Proposal(e.ctx(1, ""), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
