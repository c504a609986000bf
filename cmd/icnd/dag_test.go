package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"

	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/p2p"
	"github.com/intercooperative/icnd/modules/mesh"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// helloCID is the raw CID of "hello", computed with Python's hashlib.
const helloCID = "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"

// run runs icnd with args and a fresh home, returning stdout.
func run(t *testing.T, home string, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs(append(args, "--home", home))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDagPutGet(t *testing.T) {
	home := t.TempDir()
	file := writeFile(t, t.TempDir(), "hello.txt", []byte("hello"))
	out, err := run(t, home, "dag", "put", file)
	if err != nil || out != helloCID+"\n" {
		t.Fatalf("dag put: %q, %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(home, "data", "blocks", "eq", helloCID)); err != nil {
		t.Fatalf("not in the home's data/blocks: %v", err)
	}
	out, err = run(t, home, "dag", "get", helloCID)
	if err != nil || out != "hello" {
		t.Fatalf("dag get: %q, %v", out, err)
	}
	dest := filepath.Join(t.TempDir(), "out.bin")
	if out, err := run(t, home, "dag", "get", helloCID, "--out", dest); err != nil || out != "" {
		t.Fatalf("dag get --out: %q, %v", out, err)
	}
	if got, _ := os.ReadFile(dest); string(got) != "hello" {
		t.Fatalf("--out file holds %q", got)
	}
	// --store names another directory.
	store := t.TempDir()
	if out, err := run(t, home, "dag", "put", file, "--store", store); err != nil || out != helloCID+"\n" {
		t.Fatalf("dag put --store: %q, %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(store, "eq", helloCID)); err != nil {
		t.Fatal(err)
	}
}

func TestDagErrors(t *testing.T) {
	home := t.TempDir()
	dir := t.TempDir()
	big := writeFile(t, dir, "big.bin", make([]byte, blockstore.DefaultMaxBlockSize+1))
	writeFile(t, dir, "max.bin", make([]byte, blockstore.DefaultMaxBlockSize))
	missing := blockstore.RawCID([]byte("missing")).String()
	for _, tc := range []struct {
		args []string
		err  error
		want string
	}{
		{[]string{"dag", "put", big}, blockstore.ErrTooLarge,
			"block too large: " + big + " is 4194305 bytes; a block is at most 4194304 bytes (4 MiB)"},
		{[]string{"dag", "put", filepath.Join(dir, "nope")}, os.ErrNotExist, "open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{[]string{"dag", "put"}, nil, "icnd dag put: accepts 1 arg(s), received 0; usage: icnd dag put FILE [flags]"},
		{[]string{"dag", "get", "QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR"}, blockstore.ErrUnsupportedCID,
			"unsupported CID: QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR is CIDv0, want CIDv1"},
		{[]string{"dag", "get", "hello"}, blockstore.ErrUnsupportedCID, `unsupported CID: "hello": `},
		{[]string{"dag", "get", missing}, blockstore.ErrNotFound,
			"block not found: " + missing + " in " + filepath.Join(home, "data", "blocks") +
				", and no peer to ask (give --peer, or set [dag-p2p] bootstrap in app.toml)"},
		{[]string{"dag", "get", missing, "--peer", "/ip4/127.0.0.1/tcp/1"}, nil,
			`--peer: p2p: bootstrap address "/ip4/127.0.0.1/tcp/1" has no /p2p/<peer id>`},
		{[]string{"dag", "get", missing, "--peer", "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWQ4SwHaqxKvAjVEfMPPjrrkE5qZqUgFmsZtr6pStJUMEd"}, nil,
			"fetching from peers needs the chain id: give --chain-id (the home has no genesis.json)"},
		{[]string{"dag", "export-car", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", filepath.Join(dir, "x.car")}, nil,
			"bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi is neither a receipt (dag-cbor) nor a job id (raw)"},
		{[]string{"dag", "export-car", missing, filepath.Join(dir, "x.car"), "--node", "tcp://127.0.0.1:1"}, nil,
			"read job " + missing + " from the chain: "},
	} {
		_, err := run(t, home, tc.args...)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || (tc.err != nil && !errors.Is(err, tc.err)) {
			t.Errorf("%v:\n got %v\nwant %s (%v)", tc.args[:2], err, tc.want, tc.err)
		}
	}
	// Exactly the limit is taken.
	if _, err := run(t, home, "dag", "put", filepath.Join(dir, "max.bin")); err != nil {
		t.Fatalf("put of 4 MiB: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.car")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed export left a file: %v", err)
	}
}

// TestDagGetFromPeer: a block only a peer has is fetched over libp2p, checked
// and kept in the local store.
func TestDagGetFromPeer(t *testing.T) {
	peerStore, err := blockstore.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := p2p.New(context.Background(), p2p.Config{ChainID: "icn-dag-test", ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}}, peerStore, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	block := bytes.Repeat([]byte("module "), 1000)
	c, err := peerStore.Put(block)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	out, err := run(t, home, "dag", "get", c.String(), "--peer", h.Addrs()[0], "--chain-id", "icn-dag-test")
	if err != nil || out != string(block) {
		t.Fatalf("dag get from a peer: %d bytes, %v", len(out), err)
	}
	if out, err := run(t, home, "dag", "get", c.String()); err != nil || out != string(block) {
		t.Fatalf("fetched block not kept in the store: %v", err)
	}
	missing := blockstore.RawCID([]byte("nobody"))
	_, err = run(t, t.TempDir(), "dag", "get", missing.String(), "--peer", h.Addrs()[0], "--chain-id", "icn-dag-test")
	want := "fetch " + missing.String() + ": no peer served the block: " + h.ID().String() + ": does not have it"
	if !errors.Is(err, p2p.ErrNoProvider) || err == nil || err.Error() != want {
		t.Fatalf("missing block: %v\nwant %s", err, want)
	}
}

// jobDAG puts a signed receipt and its job, module, input and output blocks
// in a store and returns the receipt's CID and every block by CID.
func jobDAG(t *testing.T, store *blockstore.Store) (cid.Cid, map[cid.Cid][]byte) {
	t.Helper()
	blocks := map[cid.Cid][]byte{}
	put := func(data []byte) cid.Cid {
		c, err := store.Put(data)
		if err != nil {
			t.Fatal(err)
		}
		blocks[c] = data
		return c
	}
	module, input, output := put([]byte("\x00asm\x01\x00\x00\x00")), put([]byte("the input")), put([]byte("the output"))
	poster := "did:icn:z6Mkposter"
	spec := &meshv1.MsgPostJob{Module: module.Bytes(), Input: input.Bytes(), FuelLimit: 1000, MaxPrice: 1,
		Replication: 1, BidWindow: 2, Deadline: 8, Sequence: 3}
	jobCID := mesh.JobCID(mesh.JobID(poster, spec))
	preimage := jobPreimage(&meshv1.Job{Poster: poster, Spec: spec})
	if err := store.PutBlock(jobCID, preimage); err != nil {
		t.Fatalf("the rebuilt preimage does not hash to mesh.JobID: %v", err)
	}
	blocks[jobCID] = preimage
	seed := sha256.Sum256([]byte("dag export test executor"))
	r := &receipt.Receipt{ChainID: "icn-dag-test", Job: jobCID, Executor: "did:icn:z6Mkexecutor", KeyID: "key-1",
		Module: module, Input: input, Output: output, Fuel: 77}
	if err := r.Sign(ed25519.NewKeyFromSeed(seed[:])); err != nil {
		t.Fatal(err)
	}
	block, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	rc := receipt.CID(block)
	if err := store.PutBlock(rc, block); err != nil {
		t.Fatal(err)
	}
	blocks[rc] = block
	return rc, blocks
}

// TestExportCAR writes a job's DAG and reads it back with go-car's own
// reader, checking the root and every block's CID against its bytes.
func TestExportCAR(t *testing.T) {
	dir := t.TempDir()
	store, err := blockstore.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	rc, blocks := jobDAG(t, store)
	carPath := filepath.Join(t.TempDir(), "job.car")
	out, err := run(t, t.TempDir(), "dag", "export-car", rc.String(), carPath, "--store", dir)
	if err != nil || out != "wrote "+carPath+": 5 blocks, root "+rc.String()+"\n" {
		t.Fatalf("export-car: %q, %v", out, err)
	}
	f, err := os.Open(carPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br, err := carv2.NewBlockReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if br.Version != 1 || !reflect.DeepEqual(br.Roots, []cid.Cid{rc}) {
		t.Fatalf("CAR version %d roots %v, want 1 [%s]", br.Version, br.Roots, rc)
	}
	got := map[cid.Cid]bool{}
	var order []cid.Cid
	for {
		b, err := br.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b.RawData())
		if !bytes.HasSuffix(b.Cid().Bytes(), sum[:]) || !bytes.Equal(b.RawData(), blocks[b.Cid()]) {
			t.Fatalf("block %s does not match its bytes", b.Cid())
		}
		got[b.Cid()] = true
		order = append(order, b.Cid())
	}
	if len(got) != len(blocks) || order[0] != rc {
		t.Fatalf("CAR holds %v, want the %d blocks with the receipt first", order, len(blocks))
	}

	// Without the output block, nothing is written and the output is named.
	r, err := receipt.Decode(blocks[rc])
	if err != nil {
		t.Fatal(err)
	}
	name := r.Output.String()
	if err := os.Remove(filepath.Join(dir, name[len(name)-2:], name)); err != nil {
		t.Fatal(err)
	}
	carPath2 := filepath.Join(t.TempDir(), "partial.car")
	_, err = run(t, t.TempDir(), "dag", "export-car", rc.String(), carPath2, "--store", dir)
	want := "cannot export: 1 block(s) missing:\n  output " + name + ": block not found: " + name + " in " + dir
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("export without the output: %v\nwant %s", err, want)
	}
	if _, err := os.Stat(carPath2); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed export left a file: %v", err)
	}
}

// TestExportCARBadPath: a CAR file that cannot be created is named as the
// user gave it, not by the temporary file written beside it.
func TestExportCARBadPath(t *testing.T) {
	dir := t.TempDir()
	store, err := blockstore.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := jobDAG(t, store)
	carPath := filepath.Join(t.TempDir(), "no such dir", "job.car")
	_, err = run(t, t.TempDir(), "dag", "export-car", rc.String(), carPath, "--store", dir)
	want := "write " + carPath + ": open " + filepath.Dir(carPath) + "/"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), ": no such file or directory") {
		t.Fatalf("export-car into a missing directory: %v\nwant %s...", err, want)
	}
}
