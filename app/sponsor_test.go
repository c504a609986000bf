package app_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/modules"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mana"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	manav1 "github.com/intercooperative/icnd/proto/icn/mana/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// sponsorWorld is the cast of the sponsor tests:
//   - alice, funded, founds the root federation (and so controls its DID);
//   - bob is registered but has no mana, like a member just onboarded;
//   - carol, funded, names alice as her controller;
//   - poor has 5 mana; dave is deactivated; erin is frozen; all funded.
type sponsorWorld struct {
	alice, bob, carol, poor, dave, erin *account
	root                                string // the root federation's DID
	genesis                             []byte
}

const sponsorFunds = 1_000_000

func newSponsorWorld(t *testing.T) *sponsorWorld {
	t.Helper()
	w := &sponsorWorld{alice: newAccount(1), bob: newAccount(2), carol: newAccount(3), poor: newAccount(4), dave: newAccount(5), erin: newAccount(6)}
	g := app.DefaultGenesis()
	generousCaps(&g)
	doc := func(a *account) *identityv1.DIDDocument {
		return &identityv1.DIDDocument{Did: a.did, Keys: []*identityv1.VerificationKey{{Id: didmod.FirstKeyID, PublicKey: a.pub()}}}
	}
	fund := func(a *account, balance uint64) {
		g.Mana.Accounts = append(g.Mana.Accounts, mana.GenesisAccount{DID: a.did, Balance: balance, Capacity: sponsorFunds, Rate: 1})
	}
	for _, a := range []*account{w.alice, w.bob, w.carol, w.poor, w.dave, w.erin} {
		g.DID.Documents = append(g.DID.Documents, doc(a))
	}
	g.DID.Documents[2].Controllers = []string{w.alice.did}
	g.DID.Documents[4].DeactivatedHeight = 1
	fund(w.alice, sponsorFunds)
	fund(w.carol, sponsorFunds)
	fund(w.poor, 5)
	fund(w.dave, sponsorFunds)
	fund(w.erin, sponsorFunds)
	root, err := g.Org.AddRootFederation("root", w.alice.did, testRootSeats)
	if err != nil {
		t.Fatal(err)
	}
	w.root = root
	g.Mana.Accounts = append(g.Mana.Accounts, mana.GenesisAccount{DID: root, Balance: sponsorFunds, Capacity: sponsorFunds})
	g.Org.Freezes = []*identityv1.Freeze{{Org: root, Account: w.erin.did, Reason: "test", FrozenBy: w.alice.did, Height: 1}}
	if w.genesis, err = json.Marshal(g); err != nil {
		t.Fatal(err)
	}
	return w
}

// sponsorTx is a transaction signed by signer at its current sequence
// (which it does not advance) that names sponsor, with the sponsor signature made by sponsorKey. mutate, if not
// nil, edits the encoded Tx afterwards.
func sponsorTx(t testing.TB, signer *account, sponsor *manav1.Sponsor, sponsorKey ed25519.PrivateKey, mutate func(*txv1.Tx), msgs ...*txv1.Msg) []byte {
	t.Helper()
	p := client.TxParams{ChainID: testChainID, Signer: signer.did, KeyID: didmod.FirstKeyID, Sequence: signer.seq}
	if sponsor != nil {
		p.Sponsor = &client.Sponsor{
			Payer: sponsor.Payer, Signer: sponsor.Signer, KeyID: sponsor.KeyId,
			Sign: func(b []byte) ([]byte, error) { return ed25519.Sign(sponsorKey, b), nil },
		}
	}
	raw, err := client.BuildTx(p, func(b []byte) ([]byte, error) { return ed25519.Sign(signer.priv, b), nil }, msgs...)
	if err != nil {
		t.Fatal(err)
	}
	if mutate == nil {
		return raw
	}
	var tx txv1.Tx
	if err := tx.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	mutate(&tx)
	out, err := tx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sponsorOf(payer, signer *account) *manav1.Sponsor {
	return &manav1.Sponsor{Payer: payer.did, Signer: signer.did, KeyId: didmod.FirstKeyID}
}

// TestSponsorCodes checks the exact code of every bad sponsor, in CheckTx
// and in a block, and that a refused transaction changes no state.
func TestSponsorCodes(t *testing.T) {
	w := newSponsorWorld(t)
	stranger := newAccount(99)
	anchor := anchorMsg(testCID(t, "sponsored"), "doc")
	upper := func(did string) string {
		return didmod.MethodPrefix + strings.ToUpper(did[len(didmod.MethodPrefix):])
	}
	cases := []struct {
		name string
		tx   func() []byte
		want *modules.Error
	}{
		{"sponsor signature without a sponsor", func() []byte {
			return sponsorTx(t, w.bob, nil, nil, func(tx *txv1.Tx) { tx.SponsorSignature = make([]byte, 64) }, anchor)
		}, app.ErrInvalidSponsor},
		{"non-canonical payer", func() []byte {
			s := sponsorOf(w.alice, w.alice)
			s.Payer = upper(s.Payer)
			return sponsorTx(t, w.bob, s, w.alice.priv, nil, anchor)
		}, app.ErrInvalidSponsor},
		{"non-canonical sponsor signer", func() []byte {
			s := sponsorOf(w.alice, w.alice)
			s.Signer = upper(s.Signer)
			return sponsorTx(t, w.bob, s, w.alice.priv, nil, anchor)
		}, app.ErrInvalidSponsor},
		{"malformed sponsor key id", func() []byte {
			s := sponsorOf(w.alice, w.alice)
			s.KeyId = "Key_1"
			return sponsorTx(t, w.bob, s, w.alice.priv, nil, anchor)
		}, app.ErrInvalidSponsor},
		{"signer named as payer", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(w.bob, w.bob), w.bob.priv, nil, anchor)
		}, app.ErrInvalidSponsor},
		{"short sponsor signature", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(w.alice, w.alice), w.alice.priv, func(tx *txv1.Tx) { tx.SponsorSignature = tx.SponsorSignature[:10] }, anchor)
		}, app.ErrBadSponsorSignature},
		{"sponsor without signature", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(w.alice, w.alice), w.alice.priv, func(tx *txv1.Tx) { tx.SponsorSignature = nil }, anchor)
		}, app.ErrBadSponsorSignature},
		{"unknown payer", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(stranger, stranger), stranger.priv, nil, anchor)
		}, app.ErrUnknownSponsor},
		{"unknown sponsor signer", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(w.alice, stranger), stranger.priv, nil, anchor)
		}, app.ErrUnknownSponsor},
		{"sponsor key unknown", func() []byte {
			s := sponsorOf(w.alice, w.alice)
			s.KeyId = "key-9"
			return sponsorTx(t, w.bob, s, w.alice.priv, nil, anchor)
		}, app.ErrUnknownSponsorKey},
		{"sponsor signature invalid", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(w.alice, w.alice), w.carol.priv, nil, anchor)
		}, app.ErrBadSponsorSignature},
		{"sponsor signature for other bytes", func() []byte {
			other := sponsorTx(t, w.bob, sponsorOf(w.alice, w.alice), w.alice.priv, nil, anchorMsg(testCID(t, "other"), "doc"))
			var o txv1.Tx
			if err := o.Unmarshal(other); err != nil {
				t.Fatal(err)
			}
			return sponsorTx(t, w.bob, sponsorOf(w.alice, w.alice), w.alice.priv, func(tx *txv1.Tx) { tx.SponsorSignature = o.SponsorSignature }, anchor)
		}, app.ErrBadSponsorSignature},
		{"sponsor neither the payer nor its controller", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(w.alice, w.carol), w.carol.priv, nil, anchor)
		}, app.ErrSponsorNotAllowed},
		{"deactivated payer", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(w.dave, w.dave), w.dave.priv, nil, anchor)
		}, app.ErrSponsorNotAllowed},
		{"frozen payer", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(w.erin, w.erin), w.erin.priv, nil, anchor)
		}, app.ErrSponsorNotAllowed},
		{"sponsor without mana", func() []byte {
			return sponsorTx(t, w.bob, sponsorOf(w.poor, w.poor), w.poor.priv, nil, anchor)
		}, mana.ErrInsufficientMana},
		{"member without mana and without a sponsor", func() []byte {
			return sponsorTx(t, w.bob, nil, nil, nil, anchor)
		}, mana.ErrInsufficientMana},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := newTestApp(t, w.genesis)
			raw := tc.tx()
			wantCode(t, a.CheckTx(raw), tc.want)
			res, hash := block(t, a, raw)
			wantCode(t, res[0], tc.want)
			ref, _ := newTestApp(t, w.genesis)
			if _, refHash := block(t, ref); !bytes.Equal(hash, refHash) {
				t.Fatal("a refused sponsored transaction changed state")
			}
		})
	}
}

// TestSponsoredTxChargesThePayer: the payer is charged, the signer is not,
// and the signer's sequence (not the payer's) advances.
func TestSponsoredTxChargesThePayer(t *testing.T) {
	w := newSponsorWorld(t)
	cases := []struct {
		name    string
		sponsor *manav1.Sponsor
		key     ed25519.PrivateKey
		payer   string
	}{
		{"a member pays with its own key", sponsorOf(w.alice, w.alice), w.alice.priv, w.alice.did},
		{"an organization's treasury, signed by its founder", &manav1.Sponsor{Payer: w.root, Signer: w.alice.did, KeyId: didmod.FirstKeyID}, w.alice.priv, w.root},
		{"a DID, signed by its controller", sponsorOf(w.carol, w.alice), w.alice.priv, w.carol.did},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := newTestApp(t, w.genesis)
			block(t, a)
			raw := sponsorTx(t, w.bob, tc.sponsor, tc.key, nil, anchorMsg(testCID(t, "sponsored"), "doc"))
			wantCode(t, a.CheckTx(raw), nil)
			before := readAccounts(t, a, w.bob.did, tc.payer)
			res, _ := block(t, a, raw)
			wantCode(t, res[0], nil)
			after := readAccounts(t, a, w.bob.did, tc.payer)

			cost := mana.TxCost(mana.DefaultParams(app.MessageSpecs()), len(raw), []string{"anchor"})
			if got := mana.Effective(before[1], 2) - after[1].Balance; got != cost {
				t.Fatalf("payer charged %d, want %d", got, cost)
			}
			if before[0].Balance != after[0].Balance || before[0].LastHeight != after[0].LastHeight {
				t.Fatalf("signer's account changed: %v -> %v", before[0], after[0])
			}
			ctx := ctxAt(a)
			if seq, _ := a.DID().Sequence(ctx, w.bob.did); seq != 1 {
				t.Fatalf("signer's sequence = %d, want 1", seq)
			}
			if seq, _ := a.DID().Sequence(ctx, tc.sponsor.Signer); seq != 0 {
				t.Fatalf("sponsor's sequence = %d, want 0", seq)
			}
			if got, want := eventTypes(res[0].Events), "icn.mana.charged,icn.tx,icn.tx.sponsored,icn.dag.anchored"; got != want {
				t.Fatalf("events %s, want %s", got, want)
			}
			if got := res[0].Events[0].Attributes[0].Value; got != tc.payer {
				t.Fatalf("charged event names %s, want the payer %s", got, tc.payer)
			}
			sp := res[0].Events[2]
			if sp.Attributes[0].Value != tc.payer || sp.Attributes[1].Value != tc.sponsor.Signer || sp.Attributes[2].Value != w.bob.did {
				t.Fatalf("sponsored event = %+v", sp)
			}

			// The same transaction again is a replay of bob's sequence 0.
			wantCode(t, a.CheckTx(raw), app.ErrBadSequence)
		})
	}
}

// TestSponsorSignatureIsNotTheSignersSignature: when one key signs both as
// the signer and as the sponsor, the signature cache that holds the
// signer's verified signature must not vouch for a forged sponsor
// signature, on the CheckTx path or the batch-verified block path.
func TestSponsorSignatureIsNotTheSignersSignature(t *testing.T) {
	w := newSponsorWorld(t)
	// alice signs and sponsors for carol, whom she controls.
	forged := sponsorTx(t, w.alice, sponsorOf(w.carol, w.alice), w.alice.priv, func(tx *txv1.Tx) {
		tx.SponsorSignature = bytes.Repeat([]byte{7}, 64)
	}, anchorMsg(testCID(t, "forged"), "doc"))

	a, _ := newTestApp(t, w.genesis)
	wantCode(t, a.CheckTx(forged), app.ErrBadSponsorSignature)
	res, _ := block(t, a, forged)
	wantCode(t, res[0], app.ErrBadSponsorSignature)

	b, _ := newTestApp(t, w.genesis)
	if err := b.ProcessProposal(1, genesisTime.Add(1e9), [][]byte{forged}, []byte("h")); err == nil {
		t.Fatal("a proposal with a forged sponsor signature was accepted")
	}

	// The genuine transaction passes on both paths.
	genuine := sponsorTx(t, w.alice, sponsorOf(w.carol, w.alice), w.alice.priv, nil, anchorMsg(testCID(t, "forged"), "doc"))
	if err := b.ProcessProposal(1, genesisTime.Add(1e9), [][]byte{genuine}, []byte("h")); err != nil {
		t.Fatalf("genuine sponsored proposal: %v", err)
	}
	res, _ = block(t, b, genuine)
	wantCode(t, res[0], nil)
}

// readAccounts reads the committed mana accounts of dids.
func readAccounts(t *testing.T, a *app.App, dids ...string) []*manav1.Account {
	t.Helper()
	out := make([]*manav1.Account, len(dids))
	for i, did := range dids {
		acc, err := a.Mana().Account(ctxAt(a), did)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = acc
	}
	return out
}

// TestAssemblyTreasuryHasNoSponsor: once an organization's control passes
// to its assembly, its former founder's key can no longer make its treasury
// pay; no single key can.
func TestAssemblyTreasuryHasNoSponsor(t *testing.T) {
	w := newSponsorWorld(t)
	a, _ := newTestApp(t, w.genesis)
	treasury := &manav1.Sponsor{Payer: w.root, Signer: w.alice.did, KeyId: didmod.FirstKeyID}
	before := sponsorTx(t, w.bob, treasury, w.alice.priv, nil, anchorMsg(testCID(t, "before"), "doc"))
	res, _ := block(t, a, before)
	wantCode(t, res[0], nil)

	transfer := &txv1.Msg{Sum: &txv1.Msg_TransferControl{TransferControl: &identityv1.MsgTransferControl{Org: w.root}}}
	res, _ = block(t, a, w.alice.signTx(t, txOpts{}, transfer))
	wantCode(t, res[0], nil)

	w.bob.seq = 1
	after := sponsorTx(t, w.bob, treasury, w.alice.priv, nil, anchorMsg(testCID(t, "after"), "doc"))
	wantCode(t, a.CheckTx(after), app.ErrSponsorNotAllowed)
	res, _ = block(t, a, after)
	wantCode(t, res[0], app.ErrSponsorNotAllowed)
}
