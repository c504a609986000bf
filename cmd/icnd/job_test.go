package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/executor"
	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/p2p"
)

// okModule is a WASI command that writes "ok\n" to stdout: a data segment at 0
// holds the iovec {16, 3} and at 16 the text; _start is
// i32.const 1; i32.const 0; i32.const 1; i32.const 8; call fd_write; drop; end,
// one basic block of 7 instructions and an fd_write of one iovec of 3 bytes
// (executor.HostCallFuel + executor.IovecFuel + 1 = 217): fuel 224, exit 0.
var okModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x0c, 0x02, 0x60, 0x00, 0x00, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, // types
	0x02, 0x23, 0x01, 0x16, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't', '_',
	'p', 'r', 'e', 'v', 'i', 'e', 'w', '1', 0x08, 'f', 'd', '_', 'w', 'r', 'i', 't', 'e', 0x00, 0x01, // import
	0x03, 0x02, 0x01, 0x00, // function _start: type 0
	0x05, 0x03, 0x01, 0x00, 0x01, // memory: 1 page
	0x07, 0x13, 0x02, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x01,
	0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, // exports
	0x0a, 0x0f, 0x01, 0x0d, 0x00, 0x41, 0x01, 0x41, 0x00, 0x41, 0x01, 0x41, 0x08, 0x10, 0x00, 0x1a, 0x0b, // code
	0x0b, 0x19, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x13,
	16, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'o', 'k', '\n', // data
}

const okFuel = 224

// verifyFixture stores okModule and an input in a fresh block store and returns
// the store's fetcher and a completed job whose two receipts and agreed result
// are the true ones.
func verifyFixture(t *testing.T) (func(context.Context, cid.Cid) ([]byte, error), *client.JobView) {
	t.Helper()
	store, err := blockstore.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := store.Put(okModule)
	if err != nil {
		t.Fatal(err)
	}
	in, err := store.Put([]byte("input"))
	if err != nil {
		t.Fatal(err)
	}
	out := executor.ModuleID([]byte("ok\n")).String()
	v := &client.JobView{ID: "bafkreijob", Status: "completed", Module: mod.String(), Input: in.String(),
		FuelLimit: 1000, MemoryPages: 16, Output: out, Fuel: okFuel, Exit: 0,
		Bids: []*client.BidView{
			{Executor: "did:icn:a", Assigned: true, Receipt: "bafyreia", Output: out, Fuel: okFuel},
			{Executor: "did:icn:b", Assigned: true, Receipt: "bafyreib", Output: out, Fuel: okFuel},
			{Executor: "did:icn:c"}, // bid, not assigned: no receipt
		}}
	fetch := func(_ context.Context, c cid.Cid) ([]byte, error) { return store.Get(c) }
	return fetch, v
}

func TestVerifyJobMatches(t *testing.T) {
	fetch, v := verifyFixture(t)
	r, err := verifyJob(context.Background(), v, fetch, executor.EngineCompiler)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Match || len(r.Receipts) != 2 || r.Agreed == nil || !r.Agreed.Match || len(r.failed()) != 0 {
		t.Fatalf("report %+v, failed %v", r, r.failed())
	}
	if r.Local.Exit != 0 || r.Local.Fuel != okFuel || r.Local.Output != v.Output {
		t.Fatalf("local run %+v", r.Local)
	}
	var buf bytes.Buffer
	printJobVerification(&buf, r)
	for _, want := range []string{"bafyreia by did:icn:a: matches", "bafyreib by did:icn:b: matches", "agreed:    matches", "fuel 224, output " + v.Output} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestVerifyJobForgedReceipt(t *testing.T) {
	fetch, v := verifyFixture(t)
	forged := executor.ModuleID([]byte("forged")).String()
	v.Bids[1].Fuel = okFuel - 1
	v.Bids[1].Output = forged
	v.Exit, v.Fuel = 2, okFuel // the agreed result: a trap
	r, err := verifyJob(context.Background(), v, fetch, executor.EngineInterpreter)
	if err != nil {
		t.Fatal(err)
	}
	if r.Match || !r.Receipts[0].Match || r.Receipts[1].Match || r.Agreed.Match {
		t.Fatalf("report %+v", r)
	}
	want := []executor.Mismatch{{Field: "fuel", Claimed: "223", Local: "224"}, {Field: "output", Claimed: forged, Local: v.Output}}
	if got := r.Receipts[1].Differs; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("receipt b differs in %+v, want %+v", got, want)
	}
	if got := r.Agreed.Differs; len(got) != 1 || got[0] != (executor.Mismatch{Field: "exit", Claimed: "2 (trap)", Local: "0 (ok)"}) {
		t.Fatalf("agreed result differs in %+v", got)
	}
	wantFailed := []string{"the receipt of did:icn:b differs in fuel, output", "the agreed result differs in exit"}
	if got := r.failed(); strings.Join(got, "|") != strings.Join(wantFailed, "|") {
		t.Fatalf("failed %q, want %q", got, wantFailed)
	}
	var buf bytes.Buffer
	printJobVerification(&buf, r)
	if s := buf.String(); !strings.Contains(s, "bafyreib by did:icn:b: DIFFERS: fuel 223 (the local run: 224); output "+forged) {
		t.Fatalf("output:\n%s", s)
	}
}

func TestVerifyJobCannotCheck(t *testing.T) {
	fetch, v := verifyFixture(t)
	missing := executor.ModuleID([]byte("no such module")).String()
	cases := []struct {
		name   string
		change func(v *client.JobView)
		want   string
		is     error
	}{
		{"missing module", func(v *client.JobView) { v.Module = missing }, "cannot fetch module " + missing + ": ", blockstore.ErrNotFound},
		{"missing input", func(v *client.JobView) { v.Input = missing }, "cannot fetch input " + missing, blockstore.ErrNotFound},
		{"no receipt", func(v *client.JobView) { v.Bids = v.Bids[2:]; v.Status = "assigned" }, "job bafkreijob (assigned) has no revealed receipt: nothing to check", nil},
		{"no memory", func(v *client.JobView) { v.MemoryPages = 0 }, "the job asks for 0 memory pages, want 1 to 65536", nil},
	}
	for _, c := range cases {
		_, v := verifyFixture(t)
		c.change(v)
		_, err := verifyJob(context.Background(), v, fetch, executor.EngineCompiler)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := verifyJob(ctx, v, fetch, executor.EngineCompiler); !errors.Is(err, executor.ErrNoReceipt) {
		t.Errorf("cancelled run: %v", err)
	}
}

// TestVerifyJobFromPeer: with an empty store, the module and the input come from a
// libp2p peer (a real host on 127.0.0.1) and are kept in the store.
func TestVerifyJobFromPeer(t *testing.T) {
	ctx := context.Background()
	served, err := blockstore.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, v := verifyFixture(t)
	for _, b := range [][]byte{okModule, []byte("input")} {
		if _, err := served.Put(b); err != nil {
			t.Fatal(err)
		}
	}
	peer, err := p2p.New(ctx, p2p.Config{ChainID: "icn-job-test", ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}}, served, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = peer.Close() }()

	dir := t.TempDir()
	if _, _, err := blockFetcher(ctx, dir+"/missing", "icn-job-test", nil); err == nil || !strings.Contains(err.Error(), "(give --store, or --peer to fetch from peers)") {
		t.Fatalf("missing store without peers: %v", err)
	}
	fetch, done, err := blockFetcher(ctx, dir, "icn-job-test", peer.Addrs())
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	r, err := verifyJob(ctx, v, fetch, executor.EngineCompiler)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Match || r.Local.Fuel != okFuel {
		t.Fatalf("report %+v", r)
	}
	local, err := blockstore.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if mod, _ := cid.Decode(v.Module); !local.Has(mod) {
		t.Fatal("the module fetched from the peer is not in the store")
	}
	missing := executor.ModuleID([]byte("nobody has this")).String()
	v.Module = missing
	_, err = verifyJob(ctx, v, fetch, executor.EngineCompiler)
	if err == nil || !strings.Contains(err.Error(), "cannot fetch module "+missing+": not in the block store "+dir+" nor from the peers: ") {
		t.Fatalf("missing module with a peer: %v", err)
	}
}
