package app_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// seatRootSeats are the seats genesis gives the seat tests' root
// federation: all the seats their chains ever have.
const seatRootSeats = 16

// seatWorld is a chain under the default mana params whose root federation,
// founded and controlled by alice, holds seatRootSeats seats. alice has a
// genesis grant (100,000 capacity, rate 100); bob, dave, erin and mallory
// are registered with no mana and no membership. Nobody has a grant above
// the default caps.
type seatWorld struct {
	a                               *app.App
	root                            string
	alice, bob, dave, erin, mallory *account
}

func newSeatWorld(t *testing.T) *seatWorld {
	t.Helper()
	w := &seatWorld{alice: newAccount(1), bob: newAccount(2), dave: newAccount(4), erin: newAccount(5), mallory: newAccount(13)}
	g := app.DefaultGenesis()
	for _, a := range []*account{w.alice, w.bob, w.dave, w.erin, w.mallory} {
		g.DID.Documents = append(g.DID.Documents, &identityv1.DIDDocument{
			Did: a.did, Keys: []*identityv1.VerificationKey{{Id: didmod.FirstKeyID, PublicKey: a.pub()}},
		})
	}
	g.Mana.Accounts = append(g.Mana.Accounts, mana.GenesisAccount{DID: w.alice.did, Balance: 100_000, Capacity: 100_000, Rate: 100})
	root, err := g.Org.AddRootFederation("root", w.alice.did, seatRootSeats)
	if err != nil {
		t.Fatal(err)
	}
	w.root = root
	bz, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	w.a, _ = newTestApp(t, bz)
	block(t, w.a)
	return w
}

// exec waits until payer can afford raw (a transaction that passes the
// stateless checks; any other runs at once), runs it in a block of its own
// and returns its result.
func (w *seatWorld) exec(t *testing.T, payer string, raw []byte) app.TxResult {
	t.Helper()
	if d, err := w.a.DecodeTx(raw); err == nil {
		p, err := w.a.Mana().Params(ctxAt(w.a))
		if err != nil {
			t.Fatal(err)
		}
		cost := mana.TxCost(p, len(raw), d.MsgNames)
		for {
			acc := readAccounts(t, w.a, payer)[0]
			if mana.Effective(acc, w.a.LastCommit().Version+1) >= cost {
				break
			}
			if mana.Ceiling(acc) < cost || acc.Rate == 0 {
				t.Fatalf("%s can never afford %d mana: %v", payer, cost, acc)
			}
			block(t, w.a)
		}
	}
	res, _ := block(t, w.a, raw)
	return res[0]
}

// run signs msgs as signer, who pays, and returns the result (exec).
func (w *seatWorld) run(t *testing.T, signer *account, msgs ...*txv1.Msg) app.TxResult {
	t.Helper()
	return w.exec(t, signer.did, signer.signTx(t, txOpts{}, msgs...))
}

// send is run, requiring success.
func (w *seatWorld) send(t *testing.T, signer *account, msgs ...*txv1.Msg) {
	t.Helper()
	wantCode(t, w.run(t, signer, msgs...), nil)
}

// sponsored runs msgs signed by signer and paid for by payer, requiring
// success.
func (w *seatWorld) sponsored(t *testing.T, signer, payer *account, msgs ...*txv1.Msg) {
	t.Helper()
	raw := sponsorTx(t, signer, sponsorOf(payer, payer), payer.priv, nil, msgs...)
	signer.seq++
	wantCode(t, w.exec(t, payer.did, raw), nil)
}

// admit has inviter invite m to orgDID and m accept, inviter paying.
func (w *seatWorld) admit(t *testing.T, inviter *account, orgDID string, m *account) {
	t.Helper()
	w.send(t, inviter, inviteMsg(orgDID, m.did))
	w.sponsored(t, m, inviter, acceptMsg(orgDID))
}

// capacity is the total capacity of dids' accounts.
func (w *seatWorld) capacity(t *testing.T, dids ...string) uint64 {
	t.Helper()
	var sum uint64
	for _, acc := range readAccounts(t, w.a, dids...) {
		sum += acc.Capacity
	}
	return sum
}

// seats checks the seat accounting of the whole state, summed from the
// exported organizations and memberships: no organization uses more seats
// than it holds, each counts exactly its seated memberships, and the seats
// held in all are still the seatRootSeats genesis created. It returns how
// many memberships of orgs hold a seat.
func (w *seatWorld) seats(t *testing.T, orgs ...string) int {
	t.Helper()
	g, _, err := w.a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	seated := map[string]uint32{}
	for _, m := range g.Org.Memberships {
		if m.Seated {
			seated[m.Org]++
		}
	}
	var total uint32
	for _, o := range g.Org.Organizations {
		if o.SeatsUsed > o.BonusSeats || seated[o.DID] != o.SeatsUsed {
			t.Fatalf("%s holds %d seats, counts %d used, has %d seated members", o.DID, o.BonusSeats, o.SeatsUsed, seated[o.DID])
		}
		total += o.BonusSeats
	}
	if total != seatRootSeats {
		t.Fatalf("the organizations hold %d seats in all; genesis created %d", total, seatRootSeats)
	}
	n := 0
	for _, o := range orgs {
		n += int(seated[o])
	}
	return n
}

// register has payer register a fresh DID from seed and returns it.
func (w *seatWorld) register(t *testing.T, payer *account, seed byte) *account {
	t.Helper()
	fresh := newAccount(seed)
	w.send(t, payer, registerMsg(testChainID, fresh.priv))
	return fresh
}

// join has inviter invite m to every organization of orgs and m accept
// them all, inviter paying, in transactions of at most app.MaxMessages
// messages.
func (w *seatWorld) join(t *testing.T, inviter, m *account, orgs []string) {
	t.Helper()
	for len(orgs) > 0 {
		chunk := orgs[:min(app.MaxMessages, len(orgs))]
		orgs = orgs[len(chunk):]
		invites := make([]*txv1.Msg, len(chunk))
		accepts := make([]*txv1.Msg, len(chunk))
		for i, o := range chunk {
			invites[i], accepts[i] = inviteMsg(o, m.did), acceptMsg(o)
		}
		w.send(t, inviter, invites...)
		w.sponsored(t, m, inviter, accepts...)
	}
}

// TestSelfGrantedCapacity is the attack of review hole 1, half one and the
// start of half two: mallory, once admitted to the root federation, founds
// federations under it up to the membership limit, each joined as its
// founder, then registers fresh DIDs and has them join every organization
// she founded, paying for everything with her own mana. Before bonus seats
// the party grew to 32 times its capacity in 43 blocks, and to 156 times
// with four fresh DIDs. Now neither mallory's capacity nor the total of
// her, her DIDs and her organizations' treasuries rises above what her
// admission gave her, and the seats in all stay those of genesis.
func TestSelfGrantedCapacity(t *testing.T) {
	w := newSeatWorld(t)
	w.admit(t, w.alice, w.root, w.mallory)
	party := []string{w.mallory.did}
	admitted := w.capacity(t, party...)
	if admitted == 0 {
		t.Fatal("admission to the root federation gave mallory no capacity")
	}
	start := w.a.LastCommit().Version
	check := func(phase string) {
		t.Helper()
		if got := w.capacity(t, party...); got > admitted {
			t.Fatalf("%s: the party's capacity grew from %d to %d (%dx) in %d blocks",
				phase, admitted, got, got/admitted, w.a.LastCommit().Version-start)
		}
		if got := w.capacity(t, w.mallory.did); got != admitted {
			t.Fatalf("%s: mallory's capacity is %d, her admission gave %d", phase, got, admitted)
		}
		if n := w.seats(t, party...); n != 0 {
			t.Fatalf("%s: the party's organizations seat %d members", phase, n)
		}
	}

	var orgs []string
	for i := 1; i < org.MaxMembershipsPerDID; i++ {
		name := fmt.Sprintf("m%d", i)
		w.send(t, w.mallory, createOrgMsg(name, federation, w.root))
		orgs = append(orgs, org.DeriveOrgDID(w.root, name))
		party = append(party, orgs[len(orgs)-1])
	}
	check("founding organizations")

	for seed := byte(200); seed < 204; seed++ {
		fresh := w.register(t, w.mallory, seed)
		party = append(party, fresh.did)
		w.join(t, w.mallory, fresh, orgs)
	}
	check("seating fresh DIDs")
}

// TestSeatsBoundFreshDIDs is half two with seats granted: alice, the root
// federation's controller, gives mallory's federation guild 3 seats.
// mallory passes two of them down to a cooperative she founds under guild,
// registers six fresh DIDs and has each join both, then shuffles seats by
// removing members. At most 3 memberships of her organizations ever hold
// a seat, and the party's capacity never exceeds her admission plus 3
// federation bonuses, the most 3 seats can earn; raising beyond that is
// refused.
func TestSeatsBoundFreshDIDs(t *testing.T) {
	const granted = 3
	w := newSeatWorld(t)
	p := mana.DefaultParams(app.MessageSpecs())
	fedBonus := p.MembershipBonuses[2]
	if fedBonus.Kind != mana.KindFederation {
		t.Fatalf("unexpected default bonus table %v", p.MembershipBonuses)
	}
	w.admit(t, w.alice, w.root, w.mallory)
	admitted := w.capacity(t, w.mallory.did)
	guild := org.DeriveOrgDID(w.root, "guild")
	shop := org.DeriveOrgDID(guild, "shop")
	party := []string{w.mallory.did}
	bound := admitted + granted*fedBonus.Capacity
	check := func(phase string, wantSeated int) {
		t.Helper()
		if n := w.seats(t, guild, shop); n != wantSeated {
			t.Fatalf("%s: %d of the party's memberships hold seats, want %d", phase, n, wantSeated)
		}
		if got := w.capacity(t, party...); got > bound {
			t.Fatalf("%s: the party's capacity is %d, above %d (admission %d + %d federation bonuses)", phase, got, bound, admitted, granted)
		}
	}

	w.send(t, w.mallory, createOrgMsg("guild", federation, w.root))
	party = append(party, guild)
	check("founding guild", 0)
	// Only the parent's controller grants seats.
	wantCode(t, w.run(t, w.mallory, setSeatsMsg(guild, granted)), didmod.ErrNotController)
	w.send(t, w.alice, setSeatsMsg(guild, granted))
	check("guild granted seats", 1) // mallory, who waited
	w.send(t, w.mallory, createOrgMsg("shop", cooperative, guild))
	party = append(party, shop)
	w.send(t, w.mallory, setSeatsMsg(shop, 2))
	check("seats passed down to shop", 2) // mallory in shop too
	// Passing down more than guild has free is refused.
	wantCode(t, w.run(t, w.mallory, setSeatsMsg(shop, granted+1)), org.ErrNotEnoughSeats)

	var fresh []*account
	for seed := byte(200); seed < 206; seed++ {
		d := w.register(t, w.mallory, seed)
		fresh = append(fresh, d)
		party = append(party, d.did)
		w.join(t, w.mallory, d, []string{guild, shop})
		check(fmt.Sprintf("fresh DID %d joined", len(fresh)), granted)
	}
	// Removing seated members passes their seats on; the count stays.
	for _, o := range []string{guild, shop} {
		ms, err := w.a.Org().Members(ctxAt(w.a), o)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Seated && m.Member != w.mallory.did {
				w.send(t, w.mallory, removeMsg(o, m.Member))
				check("a seated member removed", granted)
			}
		}
	}
}

// TestSetSeatsCodes checks the exact code of every bad set_seats, that
// only the parent federation's controller may send it, and that every
// move, accepted or refused, keeps the seats genesis created.
//
// The cast: alice founded and controls root; bob is a member of root; erin
// is a member of root and founded the cooperative coop under it; dave is
// registered and belongs to nothing.
func TestSetSeatsCodes(t *testing.T) {
	setup := func(t *testing.T) (*seatWorld, string) {
		w := newSeatWorld(t)
		w.admit(t, w.alice, w.root, w.bob)
		w.admit(t, w.alice, w.root, w.erin)
		w.sponsored(t, w.erin, w.alice, createOrgMsg("coop", cooperative, w.root))
		return w, org.DeriveOrgDID(w.root, "coop")
	}
	cases := []struct {
		name   string
		setup  func(t *testing.T, w *seatWorld, coop string)
		signer func(w *seatWorld) *account
		// payer, if set, sponsors the signer's transaction.
		payer func(w *seatWorld) *account
		msg   func(w *seatWorld, coop string) *txv1.Msg
		want  *modules.Error
	}{
		{name: "a member of the parent", signer: func(w *seatWorld) *account { return w.bob },
			msg: func(w *seatWorld, coop string) *txv1.Msg { return setSeatsMsg(coop, 1) }, want: didmod.ErrNotController},
		{name: "the child's founder", signer: func(w *seatWorld) *account { return w.erin },
			msg: func(w *seatWorld, coop string) *txv1.Msg { return setSeatsMsg(coop, 1) }, want: didmod.ErrNotController},
		// dave has no mana: alice pays for his attempt.
		{name: "a stranger", signer: func(w *seatWorld) *account { return w.dave }, payer: func(w *seatWorld) *account { return w.alice },
			msg: func(w *seatWorld, coop string) *txv1.Msg { return setSeatsMsg(coop, 1) }, want: didmod.ErrNotController},
		{name: "the root federation", signer: func(w *seatWorld) *account { return w.alice },
			msg: func(w *seatWorld, _ string) *txv1.Msg { return setSeatsMsg(w.root, 20) }, want: org.ErrRootSeats},
		{name: "unknown organization", signer: func(w *seatWorld) *account { return w.alice },
			msg: func(w *seatWorld, _ string) *txv1.Msg { return setSeatsMsg(w.dave.did, 1) }, want: org.ErrUnknownOrg},
		{name: "organization not canonical", signer: func(w *seatWorld) *account { return w.alice },
			msg: func(w *seatWorld, coop string) *txv1.Msg { return setSeatsMsg(upperDID(coop), 1) }, want: didmod.ErrInvalidDID},
		{name: "more seats than exist", signer: func(w *seatWorld) *account { return w.alice },
			msg: func(w *seatWorld, coop string) *txv1.Msg { return setSeatsMsg(coop, org.MaxSeats+1) }, want: org.ErrInvalidSeats},
		// root holds 16 and uses 3 (alice, bob, erin): 13 are free.
		{name: "more than the parent has free", signer: func(w *seatWorld) *account { return w.alice },
			msg: func(w *seatWorld, coop string) *txv1.Msg { return setSeatsMsg(coop, seatRootSeats-2) }, want: org.ErrNotEnoughSeats},
		{name: "fewer than the child uses", setup: func(t *testing.T, w *seatWorld, coop string) {
			w.send(t, w.alice, setSeatsMsg(coop, 2)) // erin, who waited, takes one
		}, signer: func(w *seatWorld) *account { return w.alice },
			msg: func(w *seatWorld, coop string) *txv1.Msg { return setSeatsMsg(coop, 0) }, want: org.ErrSeatsInUse},
		{name: "the parent's former founder under assembly control", setup: func(t *testing.T, w *seatWorld, _ string) {
			w.send(t, w.alice, transferMsg(w.root))
		}, signer: func(w *seatWorld) *account { return w.alice },
			msg: func(w *seatWorld, coop string) *txv1.Msg { return setSeatsMsg(coop, 1) }, want: org.ErrAssemblyControlled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, coop := setup(t)
			if tc.setup != nil {
				tc.setup(t, w, coop)
			}
			before := w.seats(t, coop)
			signer := tc.signer(w)
			var res app.TxResult
			if tc.payer == nil {
				res = w.run(t, signer, tc.msg(w, coop))
			} else {
				payer := tc.payer(w)
				res = w.exec(t, payer.did, sponsorTx(t, signer, sponsorOf(payer, payer), payer.priv, nil, tc.msg(w, coop)))
			}
			wantCode(t, res, tc.want)
			if tc.want != nil && w.seats(t, coop) != before {
				t.Fatal("a refused set_seats moved seats")
			}
		})
	}

	// Moves in both directions, two levels down, conserve the seats.
	t.Run("moves conserve the seats", func(t *testing.T) {
		w, coop := setup(t)
		w.send(t, w.alice, setSeatsMsg(coop, 5))
		if n := w.seats(t, coop); n != 1 {
			t.Fatalf("coop seats %d members, want 1 (erin)", n)
		}
		w.send(t, w.alice, createOrgMsg("north", federation, w.root))
		north := org.DeriveOrgDID(w.root, "north")
		w.send(t, w.alice, setSeatsMsg(north, 4))
		w.send(t, w.alice, createOrgMsg("village", identityv1.OrgKind_ORG_KIND_COMMUNITY, north))
		village := org.DeriveOrgDID(north, "village")
		w.send(t, w.alice, setSeatsMsg(village, 3))
		w.seats(t)
		w.send(t, w.alice, setSeatsMsg(village, 1)) // alice keeps hers
		w.send(t, w.alice, setSeatsMsg(coop, 1))    // erin keeps hers
		w.seats(t)
		for _, o := range []struct {
			did        string
			held, used uint32
		}{{w.root, 16 - 5 - 4 + 4, 3}, {coop, 1, 1}, {north, 4 - 3 + 2, 1}, {village, 1, 1}} {
			rec, err := w.a.Org().Organization(ctxAt(w.a), o.did)
			if err != nil || rec.BonusSeats != o.held || rec.SeatsUsed != o.used {
				t.Fatalf("%s: %v, %v; want %d held, %d used", o.did, rec, err, o.held, o.used)
			}
		}
	})
}

// TestDefaultMaxCapacity: under the default params, a DID seated in many
// federations (each seat granted by the root federation's controller) is
// capped at max_capacity and max_rate, far below the bonuses' sum.
func TestDefaultMaxCapacity(t *testing.T) {
	w := newSeatWorld(t)
	p := mana.DefaultParams(app.MessageSpecs())
	fedBonus := p.MembershipBonuses[2]
	for i := range 5 {
		name := fmt.Sprintf("f%d", i)
		w.send(t, w.alice, createOrgMsg(name, federation, w.root))
		w.send(t, w.alice, setSeatsMsg(org.DeriveOrgDID(w.root, name), 1))
	}
	acc := readAccounts(t, w.a, w.alice.did)[0]
	// Six seats: root's and the five federations'.
	uncapped := acc.BaseCapacity + 6*fedBonus.Capacity
	if acc.Capacity != p.MaxCapacity || uncapped <= p.MaxCapacity {
		t.Fatalf("alice's capacity is %d; want the cap %d, below the uncapped %d", acc.Capacity, p.MaxCapacity, uncapped)
	}
	if acc.Rate != p.MaxRate || acc.BaseRate+6*fedBonus.Rate <= p.MaxRate {
		t.Fatalf("alice's rate is %d; want the cap %d", acc.Rate, p.MaxRate)
	}
}
