package p2p

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	ds "github.com/ipfs/go-datastore"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/intercooperative/icnd/executor/blockstore"
)

const testChain = "icn-p2p-test"

// jobCID is a job id as the chain makes them: a raw CID.
var jobCID = blockstore.RawCID([]byte("a job preimage")).String()

func testStore(t *testing.T, max int) *blockstore.Store {
	t.Helper()
	s, err := blockstore.Open(t.TempDir(), max)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newHost starts a Host on 127.0.0.1 with a free port.
func newHost(t *testing.T, store *blockstore.Store, bootstrap ...string) *Host {
	t.Helper()
	if store == nil {
		store = testStore(t, 0)
	}
	h, err := New(context.Background(), Config{
		ChainID:     testChain,
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
		Bootstrap:   bootstrap,
	}, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// rawHost is a plain libp2p host, for peers that do not follow the protocol.
func rawHost(t *testing.T) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func connect(t *testing.T, from host.Host, to host.Host) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := from.Connect(ctx, peer.AddrInfo{ID: to.ID(), Addrs: to.Addrs()}); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func fetch(t *testing.T, h *Host, c cid.Cid) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return h.Fetch(ctx, c)
}

func TestExchangeBlock(t *testing.T) {
	a := newHost(t, nil)
	b := newHost(t, nil, a.Addrs()[0])
	if len(b.Peers()) != 1 || b.Peers()[0] != a.ID() {
		t.Fatalf("b's peers %v, want [%s]", b.Peers(), a.ID())
	}
	block := bytes.Repeat([]byte("wasm module "), 10_000)
	c, err := a.Store().Put(block)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fetch(t, b, c)
	if err != nil || !bytes.Equal(got, block) {
		t.Fatalf("Fetch: %d bytes, %v", len(got), err)
	}
	if stored, err := b.Store().Get(c); err != nil || !bytes.Equal(stored, block) {
		t.Fatalf("b's store after Fetch: %v", err)
	}

	missing := blockstore.RawCID([]byte("nobody has this"))
	_, err = fetch(t, b, missing)
	want := "fetch " + missing.String() + ": no peer served the block: " + a.ID().String() + ": does not have it"
	if !errors.Is(err, ErrNoProvider) || err.Error() != want {
		t.Fatalf("Fetch missing: %v\nwant %s", err, want)
	}
	if _, err := fetch(t, b, cid.Undef); !errors.Is(err, blockstore.ErrUnsupportedCID) {
		t.Fatalf("Fetch undefined CID: %v", err)
	}
}

// TestOtherChain: a host of another chain neither serves nor fetches this
// chain's blocks.
func TestOtherChain(t *testing.T) {
	a := newHost(t, nil)
	other, err := New(context.Background(), Config{
		ChainID:     "another-chain",
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
		Bootstrap:   a.Addrs()[:1],
	}, testStore(t, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	c, err := a.Store().Put([]byte("chain a only"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = fetch(t, other, c)
	if !errors.Is(err, ErrNoProvider) || !strings.Contains(err.Error(), "protocols not supported") {
		t.Fatalf("Fetch across chains: %v", err)
	}
}

// TestFindProviderViaDHT: c knows only the bootstrap host x; the block is on
// a, which provided it in the DHT. c finds a through x and fetches.
func TestFindProviderViaDHT(t *testing.T) {
	x := newHost(t, nil)
	boot := x.Addrs()[0]
	a := newHost(t, nil, boot)
	waitFor(t, "a's routing table to hold x", func() bool { return a.dht.RoutingTable().Size() > 0 })
	block := []byte("an input block only a has")
	id, err := a.Store().Put(block)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Provide(ctx, id); err != nil {
		t.Fatal(err)
	}
	c := newHost(t, nil, boot)
	// New waits for that only up to ConnectTimeout; a lookup from an empty
	// routing table ends at once with nothing.
	waitFor(t, "c's routing table to hold x", func() bool { return c.dht.RoutingTable().Size() > 0 })
	// The DHT's provider records name a (c may also have met a through
	// the DHT's own lookups; it was told only x's address).
	var found []peer.ID
	for ai := range c.dht.FindProvidersAsync(ctx, id, 4) {
		found = append(found, ai.ID)
	}
	if len(found) != 1 || found[0] != a.ID() {
		t.Fatalf("providers %v, want [%s]", found, a.ID())
	}
	got, err := fetch(t, c, id)
	if err != nil || !bytes.Equal(got, block) {
		t.Fatalf("Fetch through the DHT: %q, %v", got, err)
	}
	if !c.Store().Has(id) {
		t.Fatal("fetched block not stored")
	}
}

// serveFixed makes h answer every block request with resp, counting requests.
func serveFixed(h host.Host, resp []byte, count *atomic.Int32) {
	h.SetStreamHandler(protocolID(), func(s network.Stream) {
		defer s.Close()
		count.Add(1)
		if _, err := readRequest(s); err != nil {
			_ = s.Reset()
			return
		}
		_, _ = s.Write(resp)
	})
}

func protocolID() protocol.ID { return protocol.ID(BlockProtocol(testChain)) }

func okResponse(data []byte) []byte {
	resp := make([]byte, 5, 5+len(data))
	binary.BigEndian.PutUint32(resp[1:], uint32(len(data)))
	return append(resp, data...)
}

// TestMaliciousPeer: a peer that serves wrong bytes is caught, named in the
// error, never asked again, and the block comes from an honest peer.
func TestMaliciousPeer(t *testing.T) {
	block := []byte("the honest module")
	c := blockstore.RawCID(block)
	bad := rawHost(t)
	var badRequests atomic.Int32
	serveFixed(bad, okResponse([]byte("the forged module")), &badRequests)

	f := newHost(t, nil)
	connect(t, f.host, bad)
	_, err := fetch(t, f, c)
	if !errors.Is(err, ErrNoProvider) || badRequests.Load() != 1 ||
		!strings.Contains(err.Error(), bad.ID().String()+": peer sent wrong bytes (not trusted again): block does not match its CID: "+c.String()) {
		t.Fatalf("Fetch from a liar: %v (%d requests)", err, badRequests.Load())
	}
	if f.Store().Has(c) {
		t.Fatal("wrong bytes were stored")
	}
	// Not asked again, even though still connected.
	_, err = fetch(t, f, c)
	want := "fetch " + c.String() + ": no peer served the block: no peer has it"
	if err == nil || err.Error() != want || badRequests.Load() != 1 {
		t.Fatalf("second Fetch: %v (%d requests)\nwant %s", err, badRequests.Load(), want)
	}

	honest := newHost(t, nil)
	if _, err := honest.Store().Put(block); err != nil {
		t.Fatal(err)
	}
	connect(t, f.host, honest.host)
	got, err := fetch(t, f, c)
	if err != nil || !bytes.Equal(got, block) || badRequests.Load() != 1 {
		t.Fatalf("Fetch with an honest peer: %q, %v (%d requests to the liar)", got, err, badRequests.Load())
	}

	// A fetcher connected to a liar and an honest peer at once gets the
	// block in one call, whichever it asks first.
	g := newHost(t, nil)
	connect(t, g.host, bad)
	connect(t, g.host, honest.host)
	if got, err := fetch(t, g, c); err != nil || !bytes.Equal(got, block) {
		t.Fatalf("Fetch with a liar and an honest peer: %q, %v", got, err)
	}
}

// TestOversizedResponse: a block announced over the fetcher's bound is cut off
// before any of it is read; one shorter than announced fails.
func TestOversizedResponse(t *testing.T) {
	const limit = 1024
	c := blockstore.RawCID(bytes.Repeat([]byte{1}, 2048))
	big := rawHost(t)
	var requests atomic.Int32
	serveFixed(big, okResponse(bytes.Repeat([]byte{1}, 2048)), &requests)
	f := newHost(t, testStore(t, limit))
	connect(t, f.host, big)
	_, err := fetch(t, f, c)
	if !errors.Is(err, ErrNoProvider) ||
		!strings.HasSuffix(err.Error(), big.ID().String()+": block too large: offered 2048 bytes, limit 1024") {
		t.Fatalf("oversized: %v", err)
	}

	short := rawHost(t)
	resp := okResponse([]byte("0123456789"))
	serveFixed(short, resp[:len(resp)-3], &requests)
	g := newHost(t, nil)
	connect(t, g.host, short)
	_, err = fetch(t, g, blockstore.RawCID([]byte("0123456789")))
	if !errors.Is(err, ErrNoProvider) || !strings.HasSuffix(err.Error(), short.ID().String()+": reading block: unexpected EOF") {
		t.Fatalf("short: %v", err)
	}
}

// request sends raw request bytes to h's block protocol and returns the
// response.
func request(t *testing.T, from host.Host, h *Host, req []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := from.NewStream(ctx, h.ID(), h.blockProto)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Write(req); err != nil {
		t.Fatal(err)
	}
	_ = s.CloseWrite()
	resp, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestServeBadRequests: the server answers malformed requests with a status,
// stays up, and answers "busy" when all its slots are taken.
func TestServeBadRequests(t *testing.T) {
	h := newHost(t, nil)
	c, err := h.Store().Put([]byte("served"))
	if err != nil {
		t.Fatal(err)
	}
	client := rawHost(t)
	connect(t, client, h.host)
	v0, _ := cid.Decode("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR")
	for name, req := range map[string][]byte{
		"empty":       {},
		"zero length": {0},
		"too long":    append([]byte{101}, make([]byte, 101)...),
		"not a CID":   {3, 1, 2, 3},
		"CIDv0":       append([]byte{byte(len(v0.Bytes()))}, v0.Bytes()...),
		"cut short":   append([]byte{36}, c.Bytes()[:20]...),
		"codec 0x85":  append([]byte{36}, cid.NewCidV1(0x85, c.Hash()).Bytes()...),
	} {
		if resp := request(t, client, h, req); !bytes.Equal(resp, []byte{StatusBadRequest}) {
			t.Errorf("%s: response %x, want %x", name, resp, StatusBadRequest)
		}
	}
	missing := blockstore.RawCID([]byte("missing"))
	if resp := request(t, client, h, append([]byte{36}, missing.Bytes()...)); !bytes.Equal(resp, []byte{StatusNotFound}) {
		t.Errorf("missing: response %x", resp)
	}
	want := append([]byte{StatusOK, 0, 0, 0, 6}, "served"...)
	if resp := request(t, client, h, append([]byte{36}, c.Bytes()...)); !bytes.Equal(resp, want) {
		t.Errorf("present: response %x, want %x", resp, want)
	}
	for range MaxConcurrentServes {
		h.serving <- struct{}{}
	}
	if resp := request(t, client, h, append([]byte{36}, c.Bytes()...)); !bytes.Equal(resp, []byte{StatusBusy}) {
		t.Errorf("busy: response %x", resp)
	}
	for range MaxConcurrentServes {
		<-h.serving
	}
	if resp := request(t, client, h, append([]byte{36}, c.Bytes()...)); !bytes.Equal(resp, want) {
		t.Errorf("after busy: response %x", resp)
	}
}

func waitTopicPeer(t *testing.T, topic *pubsub.Topic, p peer.ID) {
	t.Helper()
	waitFor(t, "a topic peer", func() bool {
		for _, q := range topic.ListPeers() {
			if q == p {
				return true
			}
		}
		return false
	})
}

func receive(t *testing.T, h *Host) JobAnnouncement {
	t.Helper()
	select {
	case a := <-h.Jobs():
		return a
	case <-time.After(20 * time.Second):
		t.Fatal("no job announcement")
		return JobAnnouncement{}
	}
}

func TestGossipJobs(t *testing.T) {
	a := newHost(t, nil)
	b := newHost(t, nil, a.Addrs()[0])
	waitTopicPeer(t, a.jobsTopic, b.ID())
	waitTopicPeer(t, b.jobsTopic, a.ID())
	ctx := context.Background()
	want := JobAnnouncement{Job: jobCID, Height: 42}
	if err := a.AnnounceJob(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, b); got != want {
		t.Fatalf("b received %+v, want %+v", got, want)
	}
	select {
	case got := <-a.Jobs():
		t.Fatalf("a received its own announcement %+v", got)
	case <-time.After(200 * time.Millisecond):
	}
	err := a.AnnounceJob(ctx, JobAnnouncement{Job: jobCID})
	if !errors.Is(err, ErrBadAnnouncement) || err.Error() != "bad announcement: height 0, want > 0" {
		t.Fatalf("AnnounceJob height 0: %v", err)
	}

	// A block announcement tells b whom to ask first.
	id, err := a.Store().Put([]byte("announced"))
	if err != nil {
		t.Fatal(err)
	}
	waitTopicPeer(t, a.blockTopic, b.ID())
	waitTopicPeer(t, b.blockTopic, a.ID())
	if err := a.Provide(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b to hear the block announcement", func() bool {
		got := b.candidates(id)
		return len(got) > 0 && got[0] == a.ID()
	})
}

// TestGarbageGossipDropped: a peer publishing malformed announcements on the
// topics reaches nobody and is graylisted for it: even its well-formed
// announcements are then dropped, while an honest peer's get through.
func TestGarbageGossipDropped(t *testing.T) {
	b := newHost(t, nil)
	g := rawHost(t)
	ps, err := pubsub.NewGossipSub(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := ps.Join(JobsTopic(testChain))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := ps.Join(BlocksTopic(testChain))
	if err != nil {
		t.Fatal(err)
	}
	connect(t, g, b.host)
	waitFor(t, "g to see b on the topics", func() bool {
		return len(jobs.ListPeers()) > 0 && len(blocks.ListPeers()) > 0
	})
	dagCBOR := cid.NewCidV1(cid.DagCBOR, blockstore.RawCID(nil).Hash()).String()
	garbage := []string{
		``,
		`not json`,
		`{"job":"` + jobCID + `","height":7,"extra":1}`,
		`{"job":"` + jobCID + `","height":7}{}`,
		`{"job":"bafkrei","height":7}`,
		`{"job":"` + dagCBOR + `","height":7}`,
		`{"job":"` + jobCID + `","height":0}`,
		`{"job":"` + jobCID + `","height":-5}`,
		`{"job":"` + jobCID + `","height":"7"}`,
		`{"job":"` + jobCID + `","height":7,"pad":"` + strings.Repeat("x", MaxAnnouncementSize) + `"}`,
		`[1,2,3]`,
	}
	ctx := context.Background()
	for _, m := range garbage {
		if err := jobs.Publish(ctx, []byte(m)); err != nil {
			t.Fatal(err)
		}
		if err := blocks.Publish(ctx, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{
		`{"cid":"` + jobCID + `","size":-1}`,
		`{"cid":"` + jobCID + `","size":4194305}`,
		`{"cid":"QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR","size":1}`,
	} {
		if err := blocks.Publish(ctx, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	// The rejected messages graylist g at b: b drops what g sends unread.
	waitFor(t, "b to graylist g", func() bool {
		score, ok := b.PeerScore(g.ID())
		return ok && score < graylistThreshold
	})
	if err := jobs.Publish(ctx, []byte(`{"job":"`+jobCID+`","height":8}`)); err != nil {
		t.Fatal(err)
	}
	// An honest peer that joins later is heard, and keeps a score of at
	// least 0.
	c := newHost(t, nil, b.Addrs()[0])
	waitTopicPeer(t, c.jobsTopic, b.ID())
	waitTopicPeer(t, b.jobsTopic, c.ID())
	good := JobAnnouncement{Job: jobCID, Height: 9}
	if err := c.AnnounceJob(ctx, good); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, b); got != good {
		t.Fatalf("first announcement received: %+v, want c's %+v (garbage or g's after its graylisting got through)", got, good)
	}
	select {
	case got := <-b.Jobs():
		t.Fatalf("garbage, or g's announcement after its graylisting, got through: %+v", got)
	case <-time.After(500 * time.Millisecond):
	}
	waitFor(t, "b to score c", func() bool {
		_, ok := b.PeerScore(c.ID())
		return ok
	})
	if score, _ := b.PeerScore(c.ID()); score < 0 {
		t.Fatalf("b scores the honest c %v, want >= 0", score)
	}
	if got := b.candidates(blockstore.RawCID([]byte("a job preimage"))); len(got) != 2 {
		// g and c are connected, so they are candidates as connected
		// peers only; no announcement of g's was recorded.
		t.Fatalf("candidates %v", got)
	}
	b.havesMu.Lock()
	n := b.haves.Len()
	b.havesMu.Unlock()
	if n != 0 {
		t.Fatalf("garbage block announcements recorded: %d", n)
	}
}

func TestParseJobAnnouncement(t *testing.T) {
	for in, want := range map[string]string{
		`{"job":"` + jobCID + `","height":1}x`:      "bad announcement: data after the object",
		`{"job":"` + jobCID + `","height":1,"a":1}`: `bad announcement: json: unknown field "a"`,
		`{"job":"","height":1}`:                     `bad announcement: job: unsupported CID: "": invalid cid: cid too short`,
		`{"job":"` + jobCID + `","height":0}`:       "bad announcement: height 0, want > 0",
		strings.Repeat(" ", 513):                    "bad announcement: 513 bytes, limit 512",
	} {
		if _, err := ParseJobAnnouncement([]byte(in)); err == nil || err.Error() != want {
			t.Errorf("%.40s: %v, want %s", in, err, want)
		}
	}
	a, err := ParseJobAnnouncement([]byte(`{"job":"` + jobCID + `","height":3}`))
	if err != nil || a != (JobAnnouncement{Job: jobCID, Height: 3}) {
		t.Fatalf("good: %+v, %v", a, err)
	}
}

func TestConfigErrors(t *testing.T) {
	store := testStore(t, 0)
	for name, tc := range map[string]struct {
		cfg  Config
		want string
	}{
		"no chain":       {Config{}, "p2p: chain id of 0 bytes, want 1 to 64"},
		"slash in chain": {Config{ChainID: "a/b"}, `p2p: chain id "a/b": only printable ASCII characters other than '/' are allowed`},
		"bad bootstrap":  {Config{ChainID: "c", Bootstrap: []string{"nonsense"}}, `p2p: bootstrap address "nonsense": `},
		"no peer id":     {Config{ChainID: "c", Bootstrap: []string{"/ip4/127.0.0.1/tcp/1"}}, `p2p: bootstrap address "/ip4/127.0.0.1/tcp/1" has no /p2p/<peer id>`},
		"bad listen":     {Config{ChainID: "c", ListenAddrs: []string{"tcp://x"}}, `p2p: listen address "tcp://x": `},
	} {
		h, err := New(context.Background(), tc.cfg, store, nil)
		if err == nil {
			_ = h.Close()
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
}

func TestIdentityFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config", "p2p_key")
	id1, err := PeerIDFromKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, fi.Mode())
	}
	id2, err := PeerIDFromKeyFile(path)
	if err != nil || id1 != id2 {
		t.Fatalf("second load: %s, %v; want %s", id2, err, id1)
	}
	h, err := New(context.Background(), Config{ChainID: testChain, KeyFile: path, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}}, testStore(t, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if h.ID() != id1 || !strings.HasSuffix(h.Addrs()[0], "/p2p/"+id1.String()) {
		t.Fatalf("host id %s addrs %v, want %s", h.ID(), h.Addrs(), id1)
	}
	_ = h.Close()
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := PeerIDFromKeyFile(path); err == nil || !strings.HasPrefix(err.Error(), "p2p: key file "+path+": ") {
		t.Fatalf("garbage key file: %v", err)
	}
}

func TestParseBlockAnnouncement(t *testing.T) {
	for in, want := range map[string]string{
		`{"cid":"` + jobCID + `","size":11}`:          "bad announcement: size 11, want 0 to 10",
		`{"cid":"` + jobCID + `","size":-1}`:          "bad announcement: size -1, want 0 to 10",
		`{"cid":"x","size":1}`:                        `bad announcement: cid: unsupported CID: "x": `,
		`{"cid":"` + jobCID + `","size":1,"job":"x"}`: `bad announcement: json: unknown field "job"`,
		`{"cid":"` + jobCID + `","size":1.5}`:         "bad announcement: json: cannot unmarshal number 1.5",
	} {
		if _, err := ParseBlockAnnouncement([]byte(in), 10); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %s", in, err, want)
		}
	}
	a, err := ParseBlockAnnouncement([]byte(`{"cid":"`+jobCID+`","size":10}`), 10)
	if err != nil || a != (BlockAnnouncement{CID: jobCID, Size: 10}) {
		t.Fatalf("good: %+v, %v", a, err)
	}
}

// TestStallingPeerDoesNotBlockFetch: a peer that announced a block, answers
// "ok" with its size and then sends nothing holds its request until
// PeerFetchTimeout; Fetch asks the next peer meanwhile and gets the block
// from an honest one within a deadline shorter than that timeout (an
// executor's fetch-timeout defaults to 30 s, PeerFetchTimeout's value).
func TestStallingPeerDoesNotBlockFetch(t *testing.T) {
	block := []byte("a module every executor needs")
	c := blockstore.RawCID(block)
	staller := rawHost(t)
	release := make(chan struct{})
	defer close(release)
	var stalls atomic.Int32
	staller.SetStreamHandler(protocolID(), func(s network.Stream) {
		defer s.Close()
		stalls.Add(1)
		if _, err := readRequest(s); err != nil {
			_ = s.Reset()
			return
		}
		_, _ = s.Write(okResponse(block)[:5]) // status and size, then nothing
		<-release
	})
	honest := newHost(t, nil)
	if _, err := honest.Store().Put(block); err != nil {
		t.Fatal(err)
	}
	f := newHost(t, nil)
	connect(t, f.host, staller)
	connect(t, f.host, honest.host)
	// The staller announced the block, so it is asked first.
	f.haves.Add(c.String(), []peer.ID{staller.ID()})
	if got := f.candidates(c); len(got) != 2 || got[0] != staller.ID() {
		t.Fatalf("candidates %v, want the staller first", got)
	}
	// The staller holds its request until the test ends, so a fetch that
	// succeeds within half of PeerFetchTimeout asked the honest peer while
	// the staller's request was still open: the hedge, not the staller's
	// timeout, got the block. No bound on the time itself: on a loaded
	// machine the fetch may take seconds more than FetchHedgeDelay.
	ctx, cancel := context.WithTimeout(context.Background(), PeerFetchTimeout/2)
	defer cancel()
	start := time.Now()
	got, err := f.Fetch(ctx, c)
	if err != nil || !bytes.Equal(got, block) {
		t.Fatalf("Fetch behind a stalling peer: %q, %v (after %s)", got, err, time.Since(start))
	}
	if stalls.Load() != 1 {
		t.Fatalf("the staller was asked %d times, want 1", stalls.Load())
	}
	t.Logf("fetched behind the staller in %s (FetchHedgeDelay %s)", time.Since(start), FetchHedgeDelay)
}

// TestOnePeerCannotTakeAllServeSlots: a peer that opens many block streams
// and sends nothing gets "busy" beyond its own share of the serve slots; the
// others are left for other peers, which are served at once.
func TestOnePeerCannotTakeAllServeSlots(t *testing.T) {
	h := newHost(t, nil)
	c, err := h.Store().Put([]byte("served to all"))
	if err != nil {
		t.Fatal(err)
	}
	hog := rawHost(t)
	connect(t, hog, h.host)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var idle []network.Stream
	for range MaxConcurrentServes {
		s, err := hog.NewStream(ctx, h.ID(), h.blockProto)
		if err != nil {
			t.Fatal(err)
		}
		// A byte of the request, so that the stream reaches the server.
		if _, err := s.Write([]byte{36}); err != nil {
			t.Fatal(err)
		}
		idle = append(idle, s)
	}
	defer func() {
		for _, s := range idle {
			_ = s.Reset()
		}
	}()
	// The streams reach the server in any order and at any pace (a loaded
	// machine may take seconds): wait until the hog holds its
	// MaxServesPerPeer slots and every other stream was answered "busy".
	// The ones holding a slot answer nothing until the server's
	// RequestTimeout, or until they are reset below.
	var busy atomic.Int32
	done := make(chan struct{}, len(idle))
	for _, s := range idle {
		go func() {
			defer func() { done <- struct{}{} }()
			var b [1]byte
			if _, err := io.ReadFull(s, b[:]); err == nil && b[0] == StatusBusy {
				busy.Add(1)
			}
		}()
	}
	held := func() int {
		h.servingMu.Lock()
		defer h.servingMu.Unlock()
		return h.servingPeers[hog.ID()]
	}
	wantBusy := MaxConcurrentServes - MaxServesPerPeer
	waitFor(t, "the hog's streams to be served or refused", func() bool {
		return int(busy.Load()) >= wantBusy && held() == MaxServesPerPeer
	})
	for _, s := range idle {
		_ = s.Reset()
	}
	for range idle {
		<-done
	}
	if n := int(busy.Load()); n != wantBusy {
		t.Fatalf("the hog got %d busy answers, want %d", n, wantBusy)
	}
	other := rawHost(t)
	connect(t, other, h.host)
	want := append([]byte{StatusOK, 0, 0, 0, 13}, "served to all"...)
	if resp := request(t, other, h, append([]byte{36}, c.Bytes()...)); !bytes.Equal(resp, want) {
		t.Fatalf("another peer: response %x, want %x", resp, want)
	}
}

// TestIdentityFileConcurrentCreate: processes that start at once on a home
// without a key all end up with the one key written, none with an error
// (a loser used to read the winner's file before its bytes were in it).
func TestIdentityFileConcurrentCreate(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "config", "p2p_key")
		const n = 8
		ids := make([]peer.ID, n)
		errs := make([]error, n)
		done := make(chan struct{})
		for i := range n {
			go func() {
				defer func() { done <- struct{}{} }()
				ids[i], errs[i] = PeerIDFromKeyFile(path)
			}()
		}
		for range n {
			<-done
		}
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("round %d, caller %d: %s, %v; caller 0: %s", round, i, ids[i], errs[i], ids[0])
			}
		}
		if id, err := PeerIDFromKeyFile(path); err != nil || id != ids[0] {
			t.Fatalf("round %d: the key on disk is %s, %v; the callers got %s", round, id, err, ids[0])
		}
	}
}

// TestProviderRecordsBounded: a peer that sends ADD_PROVIDER for ever new
// keys (what the DHT's handler stores, for any key of the sender's) cannot
// grow the host's provider records without bound: beyond the limit new
// records are not kept; those held are served.
func TestProviderRecordsBounded(t *testing.T) {
	old := maxProviderRecords
	maxProviderRecords = 100
	defer func() { maxProviderRecords = old }()
	h := newHost(t, nil)
	attacker := rawHost(t)
	ps := h.dht.ProviderStore()
	ctx := context.Background()
	const n = 2000
	keys := make([][]byte, n)
	for i := range n {
		keys[i] = blockstore.RawCID([]byte{byte(i), byte(i >> 8), 'k'}).Hash()
		if err := ps.AddProvider(ctx, keys[i], peer.AddrInfo{ID: attacker.ID(), Addrs: attacker.Addrs()}); err != nil {
			t.Fatal(err)
		}
	}
	held := 0
	for _, k := range keys {
		provs, err := ps.GetProviders(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		held += len(provs)
	}
	// The DHT buffers up to 320 writes before it stores them.
	if held > maxProviderRecords+320 {
		t.Fatalf("%d provider records held, want at most %d (+320 buffered)", held, maxProviderRecords)
	}
	if got := h.dhtStore.len(); got != maxProviderRecords {
		t.Fatalf("the DHT's datastore holds %d keys, want %d", got, maxProviderRecords)
	}
	if held < maxProviderRecords {
		t.Fatalf("%d provider records held, want the %d the bound allows", held, maxProviderRecords)
	}
}

// TestBoundedDatastore: past its bound new keys are dropped, held keys are
// overwritten, and a delete (the DHT's expiry sweep) makes room again, also
// through a batch.
func TestBoundedDatastore(t *testing.T) {
	ctx := context.Background()
	d := newBoundedDatastore(2)
	b, err := d.Batch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"/a", "/b", "/c"} {
		if err := b.Put(ctx, ds.NewKey(k), []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if d.len() != 2 {
		t.Fatalf("%d keys after 3 puts, want 2", d.len())
	}
	var held, dropped ds.Key
	for _, k := range []string{"/a", "/b", "/c"} {
		if ok, _ := d.Has(ctx, ds.NewKey(k)); ok {
			held = ds.NewKey(k)
		} else {
			dropped = ds.NewKey(k)
		}
	}
	if err := d.Put(ctx, held, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if v, err := d.Get(ctx, held); err != nil || string(v) != "new" {
		t.Fatalf("overwrite of a held key: %q, %v", v, err)
	}
	if err := d.Delete(ctx, held); err != nil || d.len() != 1 {
		t.Fatalf("delete: %v, %d keys", err, d.len())
	}
	if err := d.Delete(ctx, held); err != nil || d.len() != 1 {
		t.Fatalf("second delete: %v, %d keys", err, d.len())
	}
	if err := d.Put(ctx, dropped, []byte("x")); err != nil || d.len() != 2 {
		t.Fatalf("put after a delete: %v, %d keys", err, d.len())
	}
	if ok, _ := d.Has(ctx, dropped); !ok {
		t.Fatal("the key put after a delete is not held")
	}
}

// TestAnnouncementFloodThrottled: a peer that floods well-formed job
// announcements gets at most announceBurst of them through at once, and
// then announceRate a second: the rest are neither delivered nor
// forwarded.
func TestAnnouncementFloodThrottled(t *testing.T) {
	b := newHost(t, nil)
	g := rawHost(t)
	ps, err := pubsub.NewGossipSub(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := ps.Join(JobsTopic(testChain))
	if err != nil {
		t.Fatal(err)
	}
	connect(t, g, b.host)
	waitFor(t, "g to see b on the jobs topic", func() bool { return len(jobs.ListPeers()) > 0 })
	var received atomic.Int32
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-b.Jobs():
				received.Add(1)
			case <-stop:
				return
			}
		}
	}()
	// Paced under gossipsub's own outbound queue (32 messages), so that
	// the flood reaches b.
	const n = 600
	start := time.Now()
	for i := range n {
		m := `{"job":"` + jobCID + `","height":` + strconv.Itoa(i+1) + `}`
		if err := jobs.Publish(context.Background(), []byte(m)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	elapsed := time.Since(start)
	max := announceBurst + int(elapsed.Seconds()+1)*announceRate
	// Some of the burst may be lost on a loaded machine (gossipsub's queues
	// drop too); the bound above is what matters.
	if got := int(received.Load()); got < announceBurst/2 || got > max {
		t.Fatalf("%d of %d announcements delivered in %s, want %d to %d", got, n, elapsed, announceBurst/2, max)
	}
}

// TestLocalBlockLimitNotScored: a block announcement within the protocol's
// 4 MiB but over a host's smaller store limit is ignored, not rejected, so
// its sender loses no score for it; garbage costs score.
func TestLocalBlockLimitNotScored(t *testing.T) {
	b := newHost(t, testStore(t, 1024))
	g := rawHost(t)
	ps, err := pubsub.NewGossipSub(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := ps.Join(BlocksTopic(testChain))
	if err != nil {
		t.Fatal(err)
	}
	connect(t, g, b.host)
	waitFor(t, "g to see b on the blocks topic", func() bool { return len(blocks.ListPeers()) > 0 })
	ctx := context.Background()
	for range 5 {
		if err := blocks.Publish(ctx, []byte(`{"cid":"`+jobCID+`","size":2048}`)); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if err := blocks.Publish(ctx, []byte(`not json`)); err != nil {
			t.Fatal(err)
		}
	}
	// Three rejections score -10 * 3^2 = -90 (a little less as it decays);
	// eight would score -640.
	waitFor(t, "b to score g's garbage", func() bool {
		score, ok := b.PeerScore(g.ID())
		return ok && score < graylistThreshold
	})
	if score, _ := b.PeerScore(g.ID()); score < -100 {
		t.Fatalf("g's score %v: the announcements over b's own block limit were scored as invalid", score)
	}
	b.havesMu.Lock()
	n := b.haves.Len()
	b.havesMu.Unlock()
	if n != 0 {
		t.Fatalf("announcements over b's block limit recorded: %d", n)
	}
}
