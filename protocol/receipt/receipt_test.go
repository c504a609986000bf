package receipt

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/ipld/go-ipld-prime/codec/dagcbor"
	"github.com/ipld/go-ipld-prime/datamodel"
	"github.com/ipld/go-ipld-prime/fluent/qp"
	cidlink "github.com/ipld/go-ipld-prime/linking/cid"
	"github.com/ipld/go-ipld-prime/node/basicnode"
	"github.com/multiformats/go-multihash"
)

// testPub is the public key of the executor that signed the blocks in
// testdata/: Ed25519 from the seed sha256("icn receipt test executor").
const testPub = "96a2428526ce8a8b097f3dbda32c57792bf35ee74e6d916f64cab7ea6148e6b7"

func testKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("icn receipt test executor"))
	return ed25519.NewKeyFromSeed(seed[:])
}

func mkCID(codec uint64, s string) cid.Cid {
	sum := sha256.Sum256([]byte(s))
	mh, err := multihash.Encode(sum[:], multihash.SHA2_256)
	if err != nil {
		panic(err)
	}
	return cid.NewCidV1(codec, mh)
}

func sample() *Receipt {
	return &Receipt{ChainID: "icn-localnet", Job: mkCID(cid.Raw, "job-1"), Executor: "did:icn:z6Mkexecutor1", KeyID: "key-1",
		Module: mkCID(cid.Raw, "module"), Input: mkCID(cid.Raw, "input"), Output: mkCID(cid.Raw, "output"), Fuel: 12345}
}

// golden reads testdata/cids.txt: each shipped block and its CID, which
// were computed with Python's hashlib, not by this package.
func golden(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "cids.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, c, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		out[name] = c
	}
	if len(out) < 3 {
		t.Fatalf("only %d golden receipts", len(out))
	}
	return out
}

// ipldRoundTrip decodes block with go-ipld-prime's dagcbor codec (an
// implementation independent of ours), re-encodes it and returns the bytes
// and the CID go-ipld-prime computes for them.
func ipldRoundTrip(t testing.TB, block []byte) ([]byte, cid.Cid, datamodel.Node) {
	t.Helper()
	nb := basicnode.Prototype.Any.NewBuilder()
	if err := dagcbor.Decode(nb, bytes.NewReader(block)); err != nil {
		t.Fatalf("go-ipld-prime cannot decode the block: %v", err)
	}
	n := nb.Build()
	var buf bytes.Buffer
	if err := dagcbor.Encode(n, &buf); err != nil {
		t.Fatal(err)
	}
	lp := cidlink.LinkPrototype{Prefix: cid.Prefix{Version: 1, Codec: cid.DagCBOR, MhType: multihash.SHA2_256, MhLength: 32}}
	sum := sha256.Sum256(buf.Bytes())
	l := lp.BuildLink(sum[:])
	return buf.Bytes(), l.(cidlink.Link).Cid, n
}

func hashOf(b []byte) []byte {
	mh, err := multihash.Sum(b, multihash.SHA2_256, -1)
	if err != nil {
		panic(err)
	}
	return mh
}

// TestGoldenReceipts: each shipped block decodes, carries a valid
// signature of the test key, has the golden CID, and go-ipld-prime reads
// it back and re-encodes it to the same bytes.
func TestGoldenReceipts(t *testing.T) {
	pub, _ := hex.DecodeString(testPub)
	for name, want := range golden(t) {
		t.Run(name, func(t *testing.T) {
			block, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Decode(block)
			if err != nil {
				t.Fatal(err)
			}
			if got := CID(block).String(); got != want {
				t.Fatalf("CID %s, want %s", got, want)
			}
			if !r.Verify(ed25519.PublicKey(pub)) {
				t.Fatal("signature does not verify")
			}
			again, err := r.Encode()
			if err != nil || !bytes.Equal(again, block) {
				t.Fatalf("re-encoding differs: %v", err)
			}
			ipldBytes, ipldCID, n := ipldRoundTrip(t, block)
			if !bytes.Equal(ipldBytes, block) {
				t.Fatalf("go-ipld-prime re-encodes to other bytes:\n%x\n%x", ipldBytes, block)
			}
			if ipldCID.String() != want {
				t.Fatalf("go-ipld-prime CID %s, want %s", ipldCID, want)
			}
			// go-ipld-prime sees the links as links.
			for _, f := range []struct {
				key  string
				want cid.Cid
			}{{"job", r.Job}, {"module", r.Module}, {"input", r.Input}, {"output", r.Output}} {
				v, err := n.LookupByString(f.key)
				if err != nil {
					t.Fatal(err)
				}
				l, err := v.AsLink()
				if err != nil {
					t.Fatalf("%s is not a link for go-ipld-prime: %v", f.key, err)
				}
				if l.(cidlink.Link).Cid != f.want {
					t.Fatalf("%s: %s, want %s", f.key, l, f.want)
				}
			}
		})
	}
}

// TestEncodeMatchesIPLD builds the sample receipt with go-ipld-prime's
// builder and checks that its encoding is ours.
func TestEncodeMatchesIPLD(t *testing.T) {
	r := sample()
	if err := r.Sign(testKey()); err != nil {
		t.Fatal(err)
	}
	ours, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	n, err := qp.BuildMap(basicnode.Prototype.Any, -1, func(ma datamodel.MapAssembler) {
		qp.MapEntry(ma, "executor", qp.String(r.Executor))
		qp.MapEntry(ma, "chain", qp.String(r.ChainID))
		qp.MapEntry(ma, "job", qp.Link(cidlink.Link{Cid: r.Job}))
		qp.MapEntry(ma, "key", qp.String(r.KeyID))
		qp.MapEntry(ma, "module", qp.Link(cidlink.Link{Cid: r.Module}))
		qp.MapEntry(ma, "input", qp.Link(cidlink.Link{Cid: r.Input}))
		qp.MapEntry(ma, "output", qp.Link(cidlink.Link{Cid: r.Output}))
		qp.MapEntry(ma, "fuel", qp.Int(int64(r.Fuel)))
		qp.MapEntry(ma, "exit", qp.Int(int64(r.Exit)))
		qp.MapEntry(ma, "sig", qp.Bytes(r.Sig))
		qp.MapEntry(ma, "v", qp.Int(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := dagcbor.Encode(n, &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), ours) {
		t.Fatalf("go-ipld-prime encodes\n%x\nwe encode\n%x", buf.Bytes(), ours)
	}
}

func TestSignatureCoversEveryField(t *testing.T) {
	priv := testKey()
	pub := priv.Public().(ed25519.PublicKey)
	r := sample()
	if err := r.Sign(priv); err != nil {
		t.Fatal(err)
	}
	if !r.Verify(pub) {
		t.Fatal("own signature refused")
	}
	mutations := map[string]func(r *Receipt){
		"chain":    func(r *Receipt) { r.ChainID = "other" },
		"job":      func(r *Receipt) { r.Job = mkCID(cid.Raw, "job-2") },
		"executor": func(r *Receipt) { r.Executor += "x" },
		"key":      func(r *Receipt) { r.KeyID = "key-2" },
		"module":   func(r *Receipt) { r.Module = mkCID(cid.Raw, "m2") },
		"input":    func(r *Receipt) { r.Input = mkCID(cid.Raw, "i2") },
		"output":   func(r *Receipt) { r.Output = mkCID(cid.Raw, "o2") },
		"fuel":     func(r *Receipt) { r.Fuel++ },
		"exit":     func(r *Receipt) { r.Exit = 1 },
	}
	for name, mutate := range mutations {
		c := *r
		mutate(&c)
		if c.Verify(pub) {
			t.Errorf("signature still verifies after changing %s", name)
		}
	}
	sb, _ := r.SignBytes()
	if !bytes.HasPrefix(sb, []byte("icn-mesh-receipt-v1\x00")) {
		t.Fatalf("sign bytes lack the domain: %q", sb[:24])
	}
}

func TestDecodeRefuses(t *testing.T) {
	r := sample()
	if err := r.Sign(testKey()); err != nil {
		t.Fatal(err)
	}
	good, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// Hand-built variants of good, in CBOR diagnostic terms.
	hexBlock := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	fuelAt := bytes.Index(good, []byte("dfuel"))
	nonMinimal := append(append(bytes.Clone(good[:fuelAt+5]), 0x1a, 0, 0, 0x30, 0x39), good[fuelAt+5+3:]...) // 12345 as a 4-byte uint
	indefinite := append([]byte{0xbf}, append(bytes.Clone(good[1:]), 0xff)...)
	bad := map[string][]byte{
		"empty":            nil,
		"too large":        make([]byte, MaxSize+1),
		"not a map":        hexBlock("01"),
		"empty map":        hexBlock("a0"),
		"truncated":        good[:len(good)-1],
		"trailing byte":    append(bytes.Clone(good), 0),
		"non-minimal int":  nonMinimal,
		"indefinite map":   indefinite,
		"other version":    bytes.Replace(good, []byte{0x61, 'v', 0x01}, []byte{0x61, 'v', 0x02}, 1),
		"link tag 43":      bytes.Replace(good, []byte{0xd8, 0x2a}, []byte{0xd8, 0x2b}, 1),
		"link prefix 0x01": bytes.Replace(good, []byte{0xd8, 0x2a, 0x58, 0x25, 0x00}, []byte{0xd8, 0x2a, 0x58, 0x25, 0x01}, 1),
		"unknown key":      bytes.Replace(good, []byte("dexit"), []byte("dexiu"), 1),
	}
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
	if _, err := Decode(good); err != nil {
		t.Fatal(err)
	}
}

func TestEncodeRefuses(t *testing.T) {
	cases := map[string]func(r *Receipt){
		"no signature":  func(r *Receipt) { r.Sig = nil },
		"no chain":      func(r *Receipt) { r.ChainID = "" },
		"no executor":   func(r *Receipt) { r.Executor = "" },
		"undefined cid": func(r *Receipt) { r.Output = cid.Undef },
		"cidv0":         func(r *Receipt) { r.Input = cid.NewCidV0(hashOf([]byte("x"))) },
	}
	for name, mutate := range cases {
		r := sample()
		r.Sig = make([]byte, 64)
		mutate(r)
		if _, err := r.Encode(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

// FuzzDecode: Decode never panics, and whatever it accepts is canonical:
// it re-encodes to the same bytes, and go-ipld-prime reads it and
// re-encodes it to the same bytes too.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"receipt-1.cbor", "receipt-2.cbor", "receipt-3.cbor"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, block []byte) {
		r, err := Decode(block)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error without ErrMalformed: %v", err)
			}
			return
		}
		again, err := r.Encode()
		if err != nil || !bytes.Equal(again, block) {
			t.Fatalf("accepted block re-encodes differently: %v", err)
		}
		ipldBytes, _, _ := ipldRoundTrip(t, block)
		if !bytes.Equal(ipldBytes, block) {
			t.Fatal("accepted block is not canonical for go-ipld-prime")
		}
	})
}

// TestGoldenCommitments: each shipped block's commitment is the one
// testdata/commitments.txt gives, computed with Python's hashlib from the
// layout of docs/receipts.md, not by this package; and it changes with
// each input it binds.
func TestGoldenCommitments(t *testing.T) {
	bz, err := os.ReadFile(filepath.Join("testdata", "commitments.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(bz), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, want, _ := strings.Cut(line, " ")
		block, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		got, r, err := BlockCommitment(block)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != want || len(got) != CommitmentLength {
			t.Fatalf("%s: commitment %x, want %s", name, got, want)
		}
		job := r.Job.Hash()[2:] // the digest after the multihash code and length
		rc := CID(block)
		for what, other := range map[string][]byte{
			"job":      Commitment(bytes.Repeat([]byte{1}, 32), r.Executor, rc),
			"executor": Commitment(job, r.Executor+"x", rc),
			"receipt":  Commitment(job, r.Executor, mkCID(cid.DagCBOR, "another receipt")),
		} {
			if bytes.Equal(other, got) {
				t.Fatalf("%s: the commitment does not bind the %s", name, what)
			}
		}
		n++
	}
	if n != 3 {
		t.Fatalf("%d golden commitments, want 3", n)
	}
	if _, _, err := BlockCommitment([]byte{1}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("garbage: %v", err)
	}
}
