package app_test

import (
	"encoding/binary"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/governance"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	governancev1 "github.com/intercooperative/icnd/proto/icn/governance/v1"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/store"
)

// Test policy: 3 blocks of voting, 2 of timelock, a deposit of 100.
const (
	testVotingPeriod = 8
	testTimelock     = 2
	testDeposit      = 100
)

// govWorld is orgWorld (root federation and coop founded by alice; bob the
// treasurer and carol the compliance officer of coop; other founded by
// erin with frank its officer; dave outside) with a short default policy,
// four genesis validators, and the block events of the last block.
type govWorld struct {
	*orgWorld
	last *app.BlockResult
	vals [][]byte
}

func govGenesis(t *testing.T, w *orgWorld, edit func(g *app.GenesisState)) []byte {
	t.Helper()
	var g app.GenesisState
	bz := orgGenesis(t, w.alice, w.alice, w.bob, w.carol, w.dave, w.erin, w.frank)
	g, err := app.ParseGenesis(bz)
	if err != nil {
		t.Fatal(err)
	}
	p := g.Governance.Params.DefaultPolicy
	p.VotingPeriod, p.Timelock, p.Deposit = testVotingPeriod, testTimelock, testDeposit
	if edit != nil {
		edit(&g)
	}
	out, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newGovWorld(t *testing.T, edit func(g *app.GenesisState)) *govWorld {
	t.Helper()
	w := &orgWorld{
		alice: newAccount(1), bob: newAccount(2), carol: newAccount(3),
		dave: newAccount(4), erin: newAccount(5), frank: newAccount(6),
	}
	gw := &govWorld{orgWorld: w}
	cms, err := openMem()
	if err != nil {
		t.Fatal(err)
	}
	if w.a, err = app.New(cms, app.Options{}); err != nil {
		t.Fatal(err)
	}
	var vals []app.ValidatorUpdate
	for i := byte(0); i < 4; i++ {
		pub := newAccount(100 + i).pub()
		gw.vals = append(gw.vals, pub)
		vals = append(vals, app.ValidatorUpdate{PubKey: pub, Power: 10})
	}
	if err := w.a.InitValidators(vals); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.InitChain(testChainID, 1, genesisTime, govGenesis(t, w, edit)); err != nil {
		t.Fatal(err)
	}
	w.root = org.DeriveOrgDID("", "root")
	w.coop = org.DeriveOrgDID(w.root, "coop")
	w.other = org.DeriveOrgDID(w.root, "other")
	w.commit(t, w.alice.signTx(t, txOpts{}, inviteMsg(w.root, w.erin.did)))
	w.commit(t, w.erin.signTx(t, txOpts{}, acceptMsg(w.root)))
	w.commit(t,
		w.alice.signTx(t, txOpts{}, createOrgMsg("coop", cooperative, w.root)),
		w.erin.signTx(t, txOpts{}, createOrgMsg("other", cooperative, w.root)),
	)
	w.commit(t,
		w.alice.signTx(t, txOpts{}, inviteMsg(w.coop, w.bob.did, "treasurer"), inviteMsg(w.coop, w.carol.did, org.RoleComplianceOfficer)),
		w.erin.signTx(t, txOpts{}, inviteMsg(w.other, w.frank.did, org.RoleComplianceOfficer)),
	)
	w.commit(t,
		w.bob.signTx(t, txOpts{}, acceptMsg(w.coop)),
		w.carol.signTx(t, txOpts{}, acceptMsg(w.coop)),
		w.frank.signTx(t, txOpts{}, acceptMsg(w.other)),
	)
	return gw
}

// step runs txs in the next block and keeps its result.
func (w *govWorld) step(t *testing.T, txs ...[]byte) []app.TxResult {
	t.Helper()
	h := w.a.LastCommit().Version + 1
	b, err := w.a.FinalizeBlock(h, genesisTime.Add(time.Duration(h)*time.Second), txs, nil)
	if err != nil {
		t.Fatalf("FinalizeBlock %d: %v", h, err)
	}
	if _, err := w.a.Commit(); err != nil {
		t.Fatal(err)
	}
	w.last = b
	return b.TxResults
}

// do runs msgs signed by signer in a block of their own and returns the
// result. A transaction refused before ante does not use its sequence:
// signer's sequence follows the chain's.
func (w *govWorld) do(t *testing.T, signer *account, msgs ...*txv1.Msg) app.TxResult {
	t.Helper()
	res := w.step(t, signer.signTx(t, txOpts{}, msgs...))[0]
	signer.seq = 0
	if bz := w.ctx().Store.Get(didmod.SequenceKey(signer.did)); bz != nil {
		signer.seq = binary.BigEndian.Uint64(bz)
	}
	return res
}

// ok runs msgs and requires success.
func (w *govWorld) ok(t *testing.T, signer *account, msgs ...*txv1.Msg) {
	t.Helper()
	wantCode(t, w.do(t, signer, msgs...), nil)
}

// idle commits n empty blocks.
func (w *govWorld) idle(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		w.step(t)
	}
}

func (w *govWorld) height() int64 { return w.a.LastCommit().Version }

func (w *govWorld) proposal(t *testing.T, id uint64) *governancev1.Proposal {
	t.Helper()
	p, found, err := modules.Load[governancev1.Proposal](w.ctx().Store, governance.ProposalKey(id))
	if err != nil || !found {
		t.Fatalf("proposal %d: found %v, %v", id, found, err)
	}
	return p
}

func (w *govWorld) status(t *testing.T, id uint64) governancev1.Status {
	t.Helper()
	return w.proposal(t, id).Status
}

func (w *govWorld) wantStatus(t *testing.T, id uint64, want governancev1.Status) {
	t.Helper()
	if got := w.status(t, id); got != want {
		p := w.proposal(t, id)
		t.Fatalf("proposal %d is %s, want %s (failure %s/%d: %s)", id, got, want, p.FailureCodespace, p.FailureCode, p.FailureLog)
	}
}

func (w *govWorld) account(t *testing.T, did string) *manav1.Account {
	t.Helper()
	acc, found, err := modules.Load[manav1.Account](w.ctx().Store, mana.AccountKey(did))
	if err != nil || !found {
		t.Fatalf("account %s: found %v, %v", did, found, err)
	}
	return acc
}

// blockEvents returns the last block's events of type typ.
func (w *govWorld) blockEvents(typ string) []modules.Event {
	var out []modules.Event
	for _, e := range w.last.Events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func encodeMsg(t testing.TB, m *txv1.Msg) []byte {
	t.Helper()
	bz, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

func proposeMsg(t testing.TB, orgDID, title string, msgs ...*txv1.Msg) *txv1.Msg {
	t.Helper()
	raw := make([][]byte, len(msgs))
	for i, m := range msgs {
		raw[i] = encodeMsg(t, m)
	}
	return &txv1.Msg{Sum: &txv1.Msg_SubmitProposal{SubmitProposal: &governancev1.MsgSubmitProposal{Org: orgDID, Title: title, Messages: raw}}}
}

func voteMsg(id uint64, o governancev1.VoteOption) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_Vote{Vote: &governancev1.MsgVote{ProposalId: id, Option: o}}}
}

func vetoMsg(id uint64) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_Veto{Veto: &governancev1.MsgVeto{ProposalId: id}}}
}

func withdrawMsg(id uint64) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_WithdrawProposal{WithdrawProposal: &governancev1.MsgWithdrawProposal{ProposalId: id}}}
}

func delegateMsg(orgDID, to string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_Delegate{Delegate: &governancev1.MsgDelegate{Org: orgDID, Delegate: to}}}
}

func undelegateMsg(orgDID string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_Undelegate{Undelegate: &governancev1.MsgUndelegate{Org: orgDID}}}
}

func setPolicyMsg(orgDID string, p *governancev1.Policy) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_SetPolicy{SetPolicy: &governancev1.MsgSetPolicy{Org: orgDID, Policy: p}}}
}

func spendMsg(orgDID, to string, amount uint64) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_SpendTreasury{SpendTreasury: &manav1.MsgSpendTreasury{Org: orgDID, To: to, Amount: amount}}}
}

func setValidatorMsg(pub []byte, power int64) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_SetValidator{SetValidator: &governancev1.MsgSetValidator{PubKey: pub, Power: power}}}
}

func upgradeMsg(name string, height int64) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_ScheduleUpgrade{ScheduleUpgrade: &governancev1.MsgScheduleUpgrade{Plan: &governancev1.UpgradePlan{Name: name, Height: height, Info: "see release notes"}}}}
}

func cancelUpgradeMsg(name string) *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_CancelUpgrade{CancelUpgrade: &governancev1.MsgCancelUpgrade{Name: name}}}
}

const (
	yes     = governancev1.VoteOption_VOTE_OPTION_YES
	no      = governancev1.VoteOption_VOTE_OPTION_NO
	abstain = governancev1.VoteOption_VOTE_OPTION_ABSTAIN
)

// pass submits msgs as a proposal of orgDID by proposer, has voters vote
// yes in the next block, and runs blocks until the proposal has left its
// timelock. It returns the proposal's id.
func (w *govWorld) pass(t *testing.T, orgDID string, proposer *account, voters []*account, msgs ...*txv1.Msg) uint64 {
	t.Helper()
	w.ok(t, proposer, proposeMsg(t, orgDID, "proposal", msgs...))
	id := w.lastProposalID(t)
	var txs [][]byte
	for _, v := range voters {
		txs = append(txs, v.signTx(t, txOpts{}, voteMsg(id, yes)))
	}
	for _, r := range w.step(t, txs...) {
		wantCode(t, r, nil)
	}
	p := w.proposal(t, id)
	for w.height() < p.VotingEndHeight+p.Policy.Timelock {
		w.step(t)
	}
	return id
}

func (w *govWorld) lastProposalID(t *testing.T) uint64 {
	t.Helper()
	for _, r := range w.last.TxResults {
		for _, e := range r.Events {
			if e.Type == governance.EventTypeSubmitted {
				var ev governance.EventSubmitted
				if err := modules.DecodeEvent(e, &ev); err != nil {
					t.Fatal(err)
				}
				return ev.ID
			}
		}
	}
	t.Fatal("no proposal submitted in the last block")
	return 0
}

func openMem() (*store.CommitStore, error) { return store.Open(memDB(), store.Options{}) }

// treasuryBalance is what genesis gives the root federation's treasury.
const treasuryBalance = 50_000

// fundRoot gives the root federation a treasury and empties dave's
// balance, so that a spend to dave has room to land.
func fundRoot(g *app.GenesisState) {
	root := org.DeriveOrgDID("", "root")
	dave := newAccount(4).did
	for i := range g.Mana.Accounts {
		if g.Mana.Accounts[i].DID == dave {
			g.Mana.Accounts[i].Balance = 0
		}
	}
	g.Mana.Accounts = append(g.Mana.Accounts, mana.GenesisAccount{DID: root, Balance: treasuryBalance, Capacity: 100_000, Rate: 0})
	sort.Slice(g.Mana.Accounts, func(i, j int) bool { return g.Mana.Accounts[i].DID < g.Mana.Accounts[j].DID })
}

// TestGovernanceLifecycle follows a text proposal of coop from submission
// to execution and checks each status, the deposit and the events.
func TestGovernanceLifecycle(t *testing.T) {
	w := newGovWorld(t, nil)
	before := w.account(t, w.bob.did)
	w.ok(t, w.bob, proposeMsg(t, w.coop, "a text proposal"))
	id := w.lastProposalID(t)
	p := w.proposal(t, id)
	if p.Status != governancev1.Status_STATUS_VOTING || p.Voters != 3 || p.TotalWeight != 3 || p.VotingEndHeight != w.height()+testVotingPeriod {
		t.Fatalf("new proposal: %+v", p)
	}
	if acc := w.account(t, w.bob.did); acc.Escrowed != before.Escrowed+testDeposit {
		t.Fatalf("bob escrowed %d, want %d", acc.Escrowed, before.Escrowed+testDeposit)
	}
	// Votes change until the end: alice no then yes; bob yes; carol abstains.
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(id, no)), w.bob.signTx(t, txOpts{}, voteMsg(id, yes)))
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(id, yes)), w.carol.signTx(t, txOpts{}, voteMsg(id, abstain)))
	if tl := w.proposal(t, id).Tally; tl.Yes != 2 || tl.No != 0 || tl.Abstain != 1 {
		t.Fatalf("tally %+v, want 2 yes, 0 no, 1 abstain", tl)
	}
	for w.height() < p.VotingEndHeight {
		w.step(t)
	}
	w.wantStatus(t, id, governancev1.Status_STATUS_TIMELOCKED)
	if evs := w.blockEvents(governance.EventTypeStatus); len(evs) != 1 {
		t.Fatalf("want one status event at the voting end, got %v", evs)
	}
	w.step(t)
	w.wantStatus(t, id, governancev1.Status_STATUS_TIMELOCKED)
	w.step(t)
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	if acc := w.account(t, w.bob.did); acc.Escrowed != before.Escrowed {
		t.Fatalf("deposit not returned: bob escrowed %d", acc.Escrowed)
	}
	// Nothing more happens to it.
	w.idle(t, 3)
	w.wantStatus(t, id, governancev1.Status_STATUS_EXECUTED)
	if got := w.proposal(t, id).EndHeight; got != p.VotingEndHeight+testTimelock {
		t.Fatalf("executed at %d, want %d", got, p.VotingEndHeight+testTimelock)
	}
}

// TestGovernanceOutcomes: expired (quorum not met, deposit burned),
// rejected (quorum met, threshold not, deposit returned), withdrawn.
func TestGovernanceOutcomes(t *testing.T) {
	w := newGovWorld(t, nil)
	start := w.account(t, w.bob.did)

	w.ok(t, w.bob, proposeMsg(t, w.coop, "nobody votes"))
	expired := w.lastProposalID(t)
	w.ok(t, w.bob, proposeMsg(t, w.coop, "voted down"))
	rejected := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(rejected, no)), w.carol.signTx(t, txOpts{}, voteMsg(rejected, yes)))
	w.idle(t, testVotingPeriod)
	w.wantStatus(t, expired, governancev1.Status_STATUS_EXPIRED)
	w.wantStatus(t, rejected, governancev1.Status_STATUS_REJECTED)
	acc := w.account(t, w.bob.did)
	if acc.Escrowed != start.Escrowed {
		t.Fatalf("escrow left: %d", acc.Escrowed)
	}

	w.ok(t, w.bob, proposeMsg(t, w.coop, "never mind"))
	withdrawn := w.lastProposalID(t)
	wantCode(t, w.do(t, w.alice, withdrawMsg(withdrawn)), governance.ErrNotProposer)
	w.ok(t, w.bob, withdrawMsg(withdrawn))
	w.wantStatus(t, withdrawn, governancev1.Status_STATUS_WITHDRAWN)
	w.idle(t, testVotingPeriod)
	w.wantStatus(t, withdrawn, governancev1.Status_STATUS_WITHDRAWN)

	w.ok(t, w.bob, proposeMsg(t, w.coop, "too late to withdraw"))
	voted := w.lastProposalID(t)
	w.ok(t, w.alice, voteMsg(voted, yes))
	wantCode(t, w.do(t, w.bob, withdrawMsg(voted)), governance.ErrAlreadyVoted)
}

// TestGovernanceDelegation: a delegate votes with the weight delegated to
// it; a delegator's own vote overrides; delegations are snapshotted at
// submission.
func TestGovernanceDelegation(t *testing.T) {
	w := newGovWorld(t, nil)
	w.ok(t, w.carol, delegateMsg(w.coop, w.bob.did))
	w.ok(t, w.alice, delegateMsg(w.coop, w.bob.did))
	w.ok(t, w.bob, proposeMsg(t, w.coop, "delegated"))
	id := w.lastProposalID(t)
	// Delegation changes after submission do not touch this proposal.
	w.ok(t, w.alice, undelegateMsg(w.coop))
	w.ok(t, w.bob, voteMsg(id, yes))
	if tl := w.proposal(t, id).Tally; tl.Yes != 3 {
		t.Fatalf("bob votes for three: tally %+v", tl)
	}
	w.ok(t, w.carol, voteMsg(id, no))
	if tl := w.proposal(t, id).Tally; tl.Yes != 2 || tl.No != 1 {
		t.Fatalf("carol overrides: tally %+v", tl)
	}
	w.ok(t, w.bob, voteMsg(id, abstain))
	if tl := w.proposal(t, id).Tally; tl.Yes != 0 || tl.No != 1 || tl.Abstain != 2 {
		t.Fatalf("bob changes, carrying alice only: tally %+v", tl)
	}
	wantCode(t, w.do(t, w.bob, delegateMsg(w.coop, w.bob.did)), governance.ErrInvalidDelegation)
	wantCode(t, w.do(t, w.bob, delegateMsg(w.coop, w.dave.did)), governance.ErrInvalidDelegation)
	wantCode(t, w.do(t, w.dave, delegateMsg(w.coop, w.bob.did)), governance.ErrNotMember)
	wantCode(t, w.do(t, w.alice, undelegateMsg(w.coop)), governance.ErrInvalidDelegation)
}

// TestGovernanceSnapshot: a member who joins after submission does not
// vote on the proposal; a member removed after submission keeps its vote;
// the denominator is the snapshot.
func TestGovernanceSnapshot(t *testing.T) {
	w := newGovWorld(t, nil)
	w.ok(t, w.bob, proposeMsg(t, w.coop, "snapshot"))
	id := w.lastProposalID(t)
	w.ok(t, w.alice, inviteMsg(w.coop, w.dave.did))
	w.ok(t, w.dave, acceptMsg(w.coop))
	wantCode(t, w.do(t, w.dave, voteMsg(id, yes)), governance.ErrNotInElectorate)
	w.ok(t, w.alice, removeMsg(w.coop, w.carol.did))
	w.ok(t, w.carol, voteMsg(id, yes))
	if p := w.proposal(t, id); p.TotalWeight != 3 || p.Tally.Yes != 1 {
		t.Fatalf("snapshot of 3, one yes: %+v", p)
	}
}

// TestGovernanceCodes checks the exact code of each bad governance input.
func TestGovernanceCodes(t *testing.T) {
	long := strings.Repeat("x", governance.MaxTitleLength+1)
	many := make([]*txv1.Msg, governance.MaxProposalMessages+1)
	for i := range many {
		many[i] = anchorMsg(testCID(t, strconv.Itoa(i)), "note")
	}
	w := newGovWorld(t, nil)
	w.ok(t, w.bob, proposeMsg(t, w.coop, "open"))
	open := w.lastProposalID(t)
	cases := []struct {
		name   string
		signer *account
		msg    *txv1.Msg
		want   *modules.Error
	}{
		{"non-member vote", w.dave, voteMsg(open, yes), governance.ErrNotInElectorate},
		{"vote on no proposal", w.bob, voteMsg(999, yes), governance.ErrUnknownProposal},
		{"vote without option", w.bob, voteMsg(open, 0), governance.ErrInvalidVote},
		{"veto of a voting proposal", w.alice, vetoMsg(open), governance.ErrNotTimelocked},
		{"title too long", w.bob, proposeMsg(t, w.coop, long), governance.ErrInvalidProposal},
		{"no title", w.bob, proposeMsg(t, w.coop, ""), governance.ErrInvalidProposal},
		{"too many messages", w.bob, proposeMsg(t, w.coop, "many", many...), governance.ErrInvalidProposal},
		{"message that no proposal may carry", w.bob, proposeMsg(t, w.coop, "x", proposeMsg(t, w.coop, "nested")), governance.ErrMessageNotGovernable},
		{"key message in a proposal", w.bob, proposeMsg(t, w.coop, "x", freezeMsg(w.coop, w.bob.did, "no")), governance.ErrMessageNotGovernable},
		{"root-only message from a cooperative", w.bob, proposeMsg(t, w.coop, "x", setValidatorMsg(w.vals[0], 20)), governance.ErrRootOnly},
		{"root-only params from a cooperative", w.bob, proposeMsg(t, w.coop, "x", upgradeMsg("v2", 100)), governance.ErrRootOnly},
		{"proposal by a non-member", w.dave, proposeMsg(t, w.coop, "x"), governance.ErrNotMember},
		{"impossible quorum", w.bob, proposeMsg(t, w.coop, "x", setPolicyMsg(w.coop, &governancev1.Policy{Electorate: 1, Quorum: &governancev1.Fraction{Num: 3, Den: 2}, Threshold: &governancev1.Fraction{Num: 1, Den: 2}, VotingPeriod: 1})), governance.ErrInvalidProposal},
		{"impossible threshold", w.bob, proposeMsg(t, w.coop, "x", setPolicyMsg(w.coop, &governancev1.Policy{Electorate: 1, Quorum: &governancev1.Fraction{Num: 1, Den: 2}, Threshold: &governancev1.Fraction{Num: 1, Den: 3}, VotingPeriod: 1})), governance.ErrInvalidProposal},
		{"policy set by a member directly", w.alice, setPolicyMsg(w.coop, governance.DefaultPolicy()), governance.ErrNotOrgAuthority},
		{"validator set by a member directly", w.alice, setValidatorMsg(w.vals[0], 20), governance.ErrNotOrgAuthority},
		{"upgrade by a member directly", w.alice, upgradeMsg("v2", 1000), governance.ErrNotOrgAuthority},
		{"mana params by a member directly", w.alice, &txv1.Msg{Sum: &txv1.Msg_SetManaParams{SetManaParams: &manav1.MsgSetManaParams{Params: mana.DefaultParams(app.MessageSpecs())}}}, mana.ErrNotRoot},
		{"treasury spend by a member", w.bob, spendMsg(w.coop, w.dave.did, 1), didmod.ErrNotController},
		{"treasury spend of 0", w.alice, spendMsg(w.coop, w.dave.did, 0), mana.ErrInvalidSpend},
		{"treasury spend beyond the balance", w.alice, spendMsg(w.coop, w.dave.did, 1), mana.ErrInsufficientMana},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, w.do(t, c.signer, c.msg), c.want)
		})
	}
	// A vote after the end.
	w.idle(t, testVotingPeriod)
	wantCode(t, w.do(t, w.bob, voteMsg(open, yes)), governance.ErrVotingClosed)
	// A proposal by an account frozen in coop's scope.
	freezeBob(t, w.orgWorld)
	wantCode(t, w.do(t, w.bob, proposeMsg(t, w.coop, "frozen")), org.ErrFrozenInScope)
}

// TestGovernanceVeto: a veto holder's veto stops a passed proposal in its
// timelock and burns the deposit; anyone else gets ErrNotVetoHolder.
func TestGovernanceVeto(t *testing.T) {
	w := newGovWorld(t, func(g *app.GenesisState) {
		g.Governance.Params.DefaultPolicy.VetoRole = org.RoleComplianceOfficer
	})
	w.ok(t, w.bob, proposeMsg(t, w.coop, "hand over", transferMsg(w.coop)))
	id := w.lastProposalID(t)
	w.step(t, w.alice.signTx(t, txOpts{}, voteMsg(id, yes)), w.bob.signTx(t, txOpts{}, voteMsg(id, yes)))
	w.idle(t, testVotingPeriod-1)
	w.wantStatus(t, id, governancev1.Status_STATUS_TIMELOCKED)
	wantCode(t, w.do(t, w.bob, vetoMsg(id)), governance.ErrNotVetoHolder)
	escrowed := w.account(t, w.bob.did).Escrowed
	w.ok(t, w.carol, vetoMsg(id))
	w.wantStatus(t, id, governancev1.Status_STATUS_VETOED)
	if got := w.account(t, w.bob.did).Escrowed; got != escrowed-testDeposit {
		t.Fatalf("bob escrowed %d, want %d", got, escrowed-testDeposit)
	}
	w.idle(t, testTimelock+1)
	w.wantStatus(t, id, governancev1.Status_STATUS_VETOED)
	o, err := orgRecord(w)
	if err != nil || o.Control != identityv1.Control_CONTROL_FOUNDER {
		t.Fatalf("vetoed transfer ran: %+v %v", o, err)
	}
	wantCode(t, w.do(t, w.carol, vetoMsg(id)), governance.ErrNotTimelocked)
}

func orgRecord(w *govWorld) (*identityv1.Organization, error) {
	o, _, err := modules.Load[identityv1.Organization](w.ctx().Store, org.OrganizationKey(w.coop))
	return o, err
}
