package app_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/dag"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// entryAt reads the entry anchorer anchored for c from the committed state.
func entryAt(t *testing.T, a *app.App, c []byte, anchorer string) *dagv1.Entry {
	t.Helper()
	e, err := a.DAG().Entry(ctxAt(a), mustCast(t, c), anchorer)
	if err != nil {
		t.Fatalf("entry of %s anchored by %s: %v", mustCID(t, c), anchorer, err)
	}
	return e
}

// entryString describes e for comparisons.
func entryString(e *dagv1.Entry) string {
	links := make([]string, len(e.Links))
	for i, l := range e.Links {
		c, _ := cid.Cast(l)
		links[i] = c.String()
	}
	c, _ := cid.Cast(e.Cid)
	return fmt.Sprintf("%s kind=%s links=[%s] by=%s height=%d", c, e.Kind, strings.Join(links, ","), e.AnchoredBy, e.Height)
}

// TestAnchorSquatting plays a squatter who copies a pending anchor from the
// mempool and gets the same CID anchored first, in the same block, with a
// kind and links of her choosing. The honest anchor goes through CheckTx,
// PrepareProposal, ProcessProposal and FinalizeBlock and still succeeds;
// each entry keeps its own anchorer's kind and links, the squatter cannot
// overwrite the honest entry by anchoring again, and both entries survive
// an export and a restart.
func TestAnchorSquatting(t *testing.T) {
	alice, mallory := newAccount(1), newAccount(3)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice, mallory))
	block(t, a)
	c := testCID(t, "receipt of job 7")
	job, output, forged := testCID(t, "job 7"), testCID(t, "output of job 7"), testCID(t, "forged output")
	honest := alice.signTx(t, txOpts{}, anchorMsg(c, "report", job, output))
	squat := mallory.signTx(t, txOpts{}, anchorMsg(c, "document", forged))

	for _, tx := range [][]byte{squat, honest} {
		wantCode(t, a.CheckTx(tx), nil)
	}
	h := a.LastCommit().Version + 1
	ts := genesisTime.Add(time.Duration(h) * time.Second)
	txs := prepare(t, a, h, ts, [][]byte{squat, honest}, 1<<20)
	if len(txs) != 2 {
		t.Fatalf("PrepareProposal kept %d of 2 transactions", len(txs))
	}
	hash := []byte("squatted block")
	if err := a.ProcessProposal(h, ts, txs, hash); err != nil {
		t.Fatalf("ProcessProposal: %v", err)
	}
	res, _, err := finalize(a, h, ts, txs, hash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	wantCode(t, res[0], nil)
	wantCode(t, res[1], nil)
	if got := res[1].Events[len(res[1].Events)-1]; got.Type != "icn.dag.anchored" || fmt.Sprint(got.Attributes) != fmt.Sprint([]modules.Attribute{
		{Key: "cid", Value: mustCID(t, c), Index: true},
		{Key: "kind", Value: "report", Index: true},
		{Key: "links", Value: "2"},
		{Key: "anchored_by", Value: alice.did},
	}) {
		t.Fatalf("honest anchor's event: %+v", got)
	}

	c7 := mustCID(t, c)
	wantHonest := fmt.Sprintf("%s kind=report links=[%s,%s] by=%s height=%d", c7, mustCID(t, job), mustCID(t, output), alice.did, h)
	wantSquat := fmt.Sprintf("%s kind=document links=[%s] by=%s height=%d", c7, mustCID(t, forged), mallory.did, h)
	check := func(a *app.App) {
		t.Helper()
		if got := entryString(entryAt(t, a, c, alice.did)); got != wantHonest {
			t.Fatalf("alice's entry:\n got %s\nwant %s", got, wantHonest)
		}
		if got := entryString(entryAt(t, a, c, mallory.did)); got != wantSquat {
			t.Fatalf("mallory's entry:\n got %s\nwant %s", got, wantSquat)
		}
	}
	check(a)

	// Neither can anchor the CID again, whatever the kind and links; the
	// entries do not change.
	res, _ = block(t, a,
		mallory.signTx(t, txOpts{}, anchorMsg(c, "report", job, output)),
		alice.signTx(t, txOpts{}, anchorMsg(c, "report", job, output)),
	)
	wantCode(t, res[0], dag.ErrAnchoredAgain)
	wantCode(t, res[1], dag.ErrAnchoredAgain)
	check(a)

	// Export lists both entries, in key order, and a chain restarted from
	// the export holds them unchanged.
	g, exportHeight, err := a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.DAG.Entries) != 2 || !bytes.Equal(g.DAG.Entries[0].Cid, c) || !bytes.Equal(g.DAG.Entries[1].Cid, c) {
		t.Fatalf("exported entries: %v", g.DAG.Entries)
	}
	b := restartFromExport(t, g, exportHeight)
	check(b)
	gb, _, err := b.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(gb.DAG.Entries) != fmt.Sprint(g.DAG.Entries) {
		t.Fatalf("entries after the restart:\n%v\nbefore:\n%v", gb.DAG.Entries, g.DAG.Entries)
	}
}

func mustCID(t *testing.T, b []byte) string {
	t.Helper()
	return mustCast(t, b).String()
}

// TestAnchorCodes checks the exact code of every bad anchor: stateless
// faults refused by CheckTx before any state is read, and re-anchoring
// refused at execution.
func TestAnchorCodes(t *testing.T) {
	alice, bob := newAccount(1), newAccount(2)
	a, _ := newTestApp(t, genesisFor(t, 1_000_000, alice, bob))
	block(t, a)
	c := testCID(t, "x")
	tooMany := make([][]byte, dag.MaxLinks+1)
	for i := range tooMany {
		tooMany[i] = testCID(t, fmt.Sprint("link ", i))
	}
	v0 := cid.NewCidV0(mustCast(t, c).Hash()).Bytes()
	for _, tc := range []struct {
		name string
		msg  *txv1.Msg
		want *modules.Error
	}{
		{"no cid", anchorMsg(nil, "doc"), dag.ErrInvalidCID},
		{"cidv0", anchorMsg(v0, "doc"), dag.ErrInvalidCID},
		{"cid with trailing bytes", anchorMsg(append(bytes.Clone(c), 0), "doc"), dag.ErrInvalidCID},
		{"invalid link", anchorMsg(c, "doc", c, []byte{1, 2, 3}), dag.ErrInvalidCID},
		{"empty kind", anchorMsg(c, ""), dag.ErrInvalidKind},
		{"upper-case kind", anchorMsg(c, "Doc"), dag.ErrInvalidKind},
		{"over-long kind", anchorMsg(c, strings.Repeat("k", dag.MaxKindLength+1)), dag.ErrInvalidKind},
		{"too many links", anchorMsg(c, "doc", tooMany...), dag.ErrTooManyLinks},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, a.CheckTx(alice.signTx(t, txOpts{seq: u64(0)}, tc.msg)), tc.want)
		})
	}

	// The same anchorer twice in one block, then again later; another
	// anchorer of the same CID is not in the way.
	res, _ := block(t, a,
		alice.signTx(t, txOpts{}, anchorMsg(c, "doc")),
		alice.signTx(t, txOpts{}, anchorMsg(c, "other", testCID(t, "l"))),
		bob.signTx(t, txOpts{}, anchorMsg(c, "doc")),
	)
	wantCode(t, res[0], nil)
	wantCode(t, res[1], dag.ErrAnchoredAgain)
	wantCode(t, res[2], nil)
	res, _ = block(t, a, alice.signTx(t, txOpts{}, anchorMsg(c, "doc")))
	wantCode(t, res[0], dag.ErrAnchoredAgain)
	if e := entryAt(t, a, c, alice.did); e.Kind != "doc" || len(e.Links) != 0 || e.Height != 2 {
		t.Fatalf("alice's entry changed: %s", entryString(e))
	}
	// A DID that anchored nothing for the CID has no entry.
	if _, err := a.DAG().Entry(ctxAt(a), mustCast(t, c), newAccount(9).did); !errors.Is(err, dag.ErrNotFound) {
		t.Fatalf("entry of a DID that anchored nothing: %v", err)
	}
}

func mustCast(t *testing.T, b []byte) cid.Cid {
	t.Helper()
	c, err := cid.Cast(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
