package p2p

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ipfs/go-cid"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"

	"github.com/intercooperative/icnd/executor/blockstore"
)

// MaxAnnouncementSize bounds one announcement's JSON; a larger message is
// rejected before it is decoded.
const MaxAnnouncementSize = 512

// maxRPCSize bounds one gossipsub frame (several messages and control
// entries), far above what announcements need.
const maxRPCSize = 64 << 10

// announceRate and announceBurst bound the announcements accepted on each
// topic from one peer (the one that sent them to this host, their author or
// a relay).
const (
	announceRate  = 20
	announceBurst = 200
)

// ErrBadAnnouncement: an announcement is not well formed.
var ErrBadAnnouncement = errors.New("bad announcement")

// decodeStrict decodes exactly one JSON object with only v's fields.
func decodeStrict(data []byte, v any) error {
	if len(data) > MaxAnnouncementSize {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrBadAnnouncement, len(data), MaxAnnouncementSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrBadAnnouncement, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after the object", ErrBadAnnouncement)
	}
	return nil
}

// ParseJobAnnouncement decodes and checks a job announcement: JSON
// {"job": CID, "height": n} with a job CID (CIDv1, raw, sha2-256) and a
// positive height.
func ParseJobAnnouncement(data []byte) (JobAnnouncement, error) {
	var a JobAnnouncement
	if err := decodeStrict(data, &a); err != nil {
		return a, err
	}
	return a, a.Validate()
}

// Validate checks the announcement's fields.
func (a JobAnnouncement) Validate() error {
	c, err := blockstore.ParseCID(a.Job)
	if err != nil {
		return fmt.Errorf("%w: job: %v", ErrBadAnnouncement, err)
	}
	if c.Type() != cid.Raw {
		return fmt.Errorf("%w: job %s is not a raw CID", ErrBadAnnouncement, a.Job)
	}
	if a.Height <= 0 {
		return fmt.Errorf("%w: height %d, want > 0", ErrBadAnnouncement, a.Height)
	}
	return nil
}

// ParseBlockAnnouncement decodes and checks a block announcement: JSON
// {"cid": CID, "size": n} with a supported CID and 0 <= n <= max.
func ParseBlockAnnouncement(data []byte, max int) (BlockAnnouncement, error) {
	var a BlockAnnouncement
	if err := decodeStrict(data, &a); err != nil {
		return a, err
	}
	return a, a.validate(max)
}

func (a BlockAnnouncement) validate(max int) error {
	if _, err := blockstore.ParseCID(a.CID); err != nil {
		return fmt.Errorf("%w: cid: %v", ErrBadAnnouncement, err)
	}
	if a.Size < 0 || a.Size > max {
		return fmt.Errorf("%w: size %d, want 0 to %d", ErrBadAnnouncement, a.Size, max)
	}
	return nil
}

// messageID identifies a message by its topic, author, sequence number and
// data: everything a validator's verdict depends on. Gossipsub's default,
// author and sequence number, lets an author sign two different messages
// with one identity, a valid one for one peer and an invalid one for
// another: the second peer rejects its copy, then takes the valid one an
// honest peer relays as a duplicate of the rejected message, drops it and
// counts it against that relay as an invalid delivery. Three such pairs on
// a topic would graylist an honest relay (docs/executor.md, section 2.2).
func messageID(m *pb.Message) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, f := range [][]byte{[]byte(m.GetTopic()), m.GetFrom(), m.GetSeqno(), m.GetData()} {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		h.Write(f)
	}
	return string(h.Sum(nil))
}

// startGossip starts gossipsub, joins the chain's topics with validators and
// reads them.
func (h *Host) startGossip(ctx context.Context) error {
	jobs, blocks := JobsTopic(h.chainID), BlocksTopic(h.chainID)
	params, thresholds := scoreParams(jobs, blocks)
	ps, err := pubsub.NewGossipSub(ctx, h.host,
		pubsub.WithMaxMessageSize(maxRPCSize),
		pubsub.WithMessageSignaturePolicy(pubsub.StrictSign),
		// An announcement is published once. Without flood publishing it
		// goes only to the topic's mesh, which is empty until the first
		// heartbeat after a peer joins, and the announcement is lost.
		pubsub.WithFloodPublish(true),
		pubsub.WithMessageIdFn(messageID),
		pubsub.WithPeerScore(params, thresholds),
		pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(h.scores.set), scoreInspectPeriod),
	)
	if err != nil {
		return fmt.Errorf("p2p: gossipsub: %w", err)
	}
	h.ps = ps
	err = ps.RegisterTopicValidator(jobs, func(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		if !h.allowAnnouncement(jobs, from) {
			return pubsub.ValidationIgnore
		}
		a, err := ParseJobAnnouncement(m.Data)
		if err != nil {
			h.log.Debug("p2p: dropped job announcement", "from", from, "err", err)
			return pubsub.ValidationReject
		}
		m.ValidatorData = a
		return pubsub.ValidationAccept
	})
	if err != nil {
		return fmt.Errorf("p2p: %w", err)
	}
	err = ps.RegisterTopicValidator(blocks, func(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		if !h.allowAnnouncement(blocks, from) {
			return pubsub.ValidationIgnore
		}
		// Rejected (and scored) only against the protocol's limit: a host
		// configured with a smaller one ignores what it would not fetch.
		a, err := ParseBlockAnnouncement(m.Data, blockstore.DefaultMaxBlockSize)
		if err != nil {
			h.log.Debug("p2p: dropped block announcement", "from", from, "err", err)
			return pubsub.ValidationReject
		}
		if a.Size > h.store.MaxBlockSize() {
			return pubsub.ValidationIgnore
		}
		if !h.trusted(m.GetFrom()) {
			return pubsub.ValidationIgnore
		}
		m.ValidatorData = a
		return pubsub.ValidationAccept
	})
	if err != nil {
		return fmt.Errorf("p2p: %w", err)
	}
	if h.jobsTopic, err = ps.Join(jobs); err != nil {
		return fmt.Errorf("p2p: join %s: %w", jobs, err)
	}
	if h.blockTopic, err = ps.Join(blocks); err != nil {
		return fmt.Errorf("p2p: join %s: %w", blocks, err)
	}
	jobsSub, err := h.jobsTopic.Subscribe()
	if err != nil {
		return fmt.Errorf("p2p: subscribe %s: %w", jobs, err)
	}
	blocksSub, err := h.blockTopic.Subscribe()
	if err != nil {
		jobsSub.Cancel()
		return fmt.Errorf("p2p: subscribe %s: %w", blocks, err)
	}
	h.wg.Add(2)
	go h.readJobs(ctx, jobsSub)
	go h.readBlocks(ctx, blocksSub)
	return nil
}

// allowAnnouncement reports whether one more announcement on topic from the
// peer that sent it is within announceRate and announceBurst. Beyond that it
// is ignored: neither delivered nor forwarded. The host's own are not
// counted. The limiters of the peers heard from most recently are kept.
func (h *Host) allowAnnouncement(topic string, from peer.ID) bool {
	if from == h.host.ID() {
		return true
	}
	key := topic + "\x00" + string(from)
	l, ok := h.limits.Get(key)
	if !ok {
		fresh := rate.NewLimiter(announceRate, announceBurst)
		if prev, found, _ := h.limits.PeekOrAdd(key, fresh); found {
			l = prev
		} else {
			l = fresh
		}
	}
	if !l.Allow() {
		h.log.Debug("p2p: announcement over the rate limit, ignored", "topic", topic, "from", from)
		return false
	}
	return true
}

// readJobs queues the job announcements of other peers on the Jobs channel,
// dropping them when it is full.
func (h *Host) readJobs(ctx context.Context, sub *pubsub.Subscription) {
	defer h.wg.Done()
	defer sub.Cancel()
	for {
		m, err := sub.Next(ctx)
		if err != nil {
			return
		}
		a, ok := m.ValidatorData.(JobAnnouncement)
		if !ok || m.ReceivedFrom == h.host.ID() {
			continue
		}
		select {
		case h.jobs <- a:
		default:
			h.log.Debug("p2p: job queue full, announcement dropped", "job", a.Job)
		}
	}
}

// readBlocks remembers which peers announced which blocks, for Fetch.
func (h *Host) readBlocks(ctx context.Context, sub *pubsub.Subscription) {
	defer h.wg.Done()
	defer sub.Cancel()
	for {
		m, err := sub.Next(ctx)
		if err != nil {
			return
		}
		a, ok := m.ValidatorData.(BlockAnnouncement)
		from := m.GetFrom()
		if !ok || from == h.host.ID() {
			continue
		}
		h.havesMu.Lock()
		peers, _ := h.haves.Get(a.CID)
		known := false
		for _, p := range peers {
			known = known || p == from
		}
		if !known {
			if len(peers) >= maxAnnouncers {
				peers = peers[1:]
			}
			h.haves.Add(a.CID, append(append([]peer.ID(nil), peers...), from))
		}
		h.havesMu.Unlock()
	}
}

// Jobs returns the job announcements received from other peers. The channel
// holds JobQueue announcements; newer ones are dropped while it is full. It is
// never closed.
func (h *Host) Jobs() <-chan JobAnnouncement { return h.jobs }

// AnnounceJob publishes a job announcement on the chain's jobs topic.
func (h *Host) AnnounceJob(ctx context.Context, a JobAnnouncement) error {
	if err := a.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return h.jobsTopic.Publish(ctx, data)
}

// Provide announces that the host has the block c, which must be in its
// store: on the blocks topic, and as a provider record in the DHT. The
// announcement is published even when the DHT has no peer yet; the DHT's
// error is returned then.
func (h *Host) Provide(ctx context.Context, c cid.Cid) error {
	data, err := h.store.Get(c)
	if err != nil {
		return err
	}
	msg, err := json.Marshal(BlockAnnouncement{CID: c.String(), Size: len(data)})
	if err != nil {
		return err
	}
	if err := h.blockTopic.Publish(ctx, msg); err != nil {
		return fmt.Errorf("p2p: announce %s: %w", c, err)
	}
	if err := h.dht.Provide(ctx, c, true); err != nil {
		return fmt.Errorf("p2p: provide %s in the DHT: %w", c, err)
	}
	return nil
}

// Providers returns the peers the DHT names as providers of c, at most max.
func (h *Host) Providers(ctx context.Context, c cid.Cid, max int) []peer.ID {
	var out []peer.ID
	for ai := range h.dht.FindProvidersAsync(ctx, c, max) {
		out = append(out, ai.ID)
	}
	return out
}
