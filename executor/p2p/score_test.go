package p2p

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"
)

// injector writes gossipsub frames of its own making to one peer, as an
// attacker's modified client would, each on a fresh stream: the receiver
// keeps one inbound stream per peer, and the injecting host's own
// gossipsub may replace an older one.
type injector struct {
	t  *testing.T
	h  host.Host
	to peer.ID
}

func newInjector(t *testing.T, h host.Host, to peer.ID) *injector {
	return &injector{t: t, h: h, to: to}
}

// publish sends one message on topic, authored and strictly signed by the
// injector's host, with the given sequence number.
func (in *injector) publish(topic string, seqno uint64, data []byte) {
	in.t.Helper()
	m := &pb.Message{From: []byte(in.h.ID()), Data: data, Seqno: binary.BigEndian.AppendUint64(nil, seqno), Topic: &topic}
	unsigned, err := proto.Marshal(m)
	if err != nil {
		in.t.Fatal(err)
	}
	key := in.h.Peerstore().PrivKey(in.h.ID())
	if m.Signature, err = key.Sign(append([]byte("libp2p-pubsub:"), unsigned...)); err != nil {
		in.t.Fatal(err)
	}
	if pk, _ := in.h.ID().ExtractPublicKey(); pk == nil {
		// A key too large to be inlined in the peer ID travels along.
		if m.Key, err = crypto.MarshalPublicKey(key.GetPublic()); err != nil {
			in.t.Fatal(err)
		}
	}
	frame, err := proto.Marshal(&pb.RPC{Publish: []*pb.Message{m}})
	if err != nil {
		in.t.Fatal(err)
	}
	out, err := in.h.NewStream(context.Background(), in.to, pubsub.GossipSubID_v11)
	if err != nil {
		in.t.Fatal(err)
	}
	in.t.Cleanup(func() { _ = out.Reset() })
	if _, err := out.Write(append(binary.AppendUvarint(nil, uint64(len(frame))), frame...)); err != nil {
		in.t.Fatal(err)
	}
}

// TestEquivocationDoesNotPenalizeRelay: an attacker signs two messages
// with one sequence number, an invalid one for c and a valid one for b.
// b validates its copy and relays it to c. c must judge that relay on its
// own content: deliver it, and not count it against b as a copy of the
// invalid message it rejected, which would let any peer graylist honest
// relays at will (three such pairs per topic).
func TestEquivocationDoesNotPenalizeRelay(t *testing.T) {
	b := newHost(t, nil)
	c := newHost(t, nil, b.Addrs()[0])
	a := rawHost(t)
	// a is a gossipsub peer of both, so that c scores it too.
	aps, err := pubsub.NewGossipSub(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	topic := JobsTopic(testChain)
	at, err := aps.Join(topic)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := at.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	connect(t, a, b.host)
	connect(t, a, c.host)
	waitTopicPeer(t, c.jobsTopic, b.ID())
	waitTopicPeer(t, b.jobsTopic, c.ID())
	waitTopicPeer(t, c.jobsTopic, a.ID())
	waitTopicPeer(t, b.jobsTopic, a.ID())
	waitFor(t, "c to score a and b", func() bool {
		_, okA := c.PeerScore(a.ID())
		_, okB := c.PeerScore(b.ID())
		return okA && okB
	})
	toB, toC := newInjector(t, a, b.ID()), newInjector(t, a, c.ID())

	const seqno = 1001
	// a sends c the invalid message; c rejects it, which a's score
	// shows (-10 for one rejection). The frame is sent again until then, in
	// case a's own gossipsub replaced the stream before c read it.
	deadline := time.Now().Add(20 * time.Second)
	var sent time.Time
	for ; ; time.Sleep(50 * time.Millisecond) {
		if s, ok := c.PeerScore(a.ID()); ok && s < -5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("c never rejected a's invalid message")
		}
		if time.Since(sent) > 2*time.Second {
			toC.publish(topic, seqno, []byte(`not json`))
			sent = time.Now()
		}
	}
	// b takes the valid one and relays it to c, which delivers it.
	want := JobAnnouncement{Job: jobCID, Height: 1}
	valid := []byte(`{"job":"` + jobCID + `","height":1}`)
	deadline = time.Now().Add(20 * time.Second)
	sent = time.Time{}
relay:
	for {
		if time.Since(sent) > 2*time.Second {
			toB.publish(topic, seqno, valid)
			sent = time.Now()
		}
		select {
		case got := <-c.Jobs():
			if got != want {
				t.Fatalf("c received %+v, want %+v", got, want)
			}
			break relay
		case <-time.After(50 * time.Millisecond):
		}
		if s, ok := c.PeerScore(b.ID()); ok && s < 0 {
			t.Fatalf("c scores the honest relay b %v: b's valid relay was counted as the invalid message", s)
		}
		if time.Now().After(deadline) {
			t.Fatal("c never received b's relay of the valid message")
		}
	}
	if s, _ := c.PeerScore(b.ID()); s < 0 {
		t.Fatalf("c scores the honest relay b %v", s)
	}
}
