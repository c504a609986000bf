// Package p2p is the network of the mesh (docs/executor.md, section 2): a libp2p
// host that executors, and nodes that switch it on, run to hear about jobs and to
// exchange blocks (modules, inputs, outputs, receipts) by CID.
//
// Per chain id it joins two gossipsub topics, /icn/<chain-id>/jobs/1 (a job was
// posted) and /icn/<chain-id>/blocks/1 (a peer has a block), serves the stream
// protocol /icn/<chain-id>/block/1.0.0 (one CID in, one block out) from a
// blockstore.Store, and runs a Kademlia DHT under the protocol prefix /icn (never
// the public IPFS DHT) to find peers and the providers of a block.
//
// Nothing a peer sends is trusted. Announcements are hints: they are checked for
// shape and size, garbage is dropped and not forwarded (no gossipsub peer
// scoring is configured, so its sender is not penalised), and a job
// announcement only tells the receiver which job to look up on the chain. A
// fetched block is read up to the size bound and hashed before it is stored or
// returned; a peer that sends bytes that do not match the CID it was asked for is
// not asked again for the life of the Host.
package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"
	"golang.org/x/time/rate"

	"github.com/intercooperative/icnd/executor/blockstore"
)

// DHTPrefix is the protocol prefix of the DHT: its protocol is /icn/kad/1.0.0,
// so it never joins the public IPFS DHT.
const DHTPrefix = "/icn"

// DefaultListenAddr is where a Host listens when Config.ListenAddrs is empty.
const DefaultListenAddr = "/ip4/0.0.0.0/tcp/0"

// MaxChainIDLength bounds the chain id, as receipts do.
const MaxChainIDLength = 64

// Bounds and timeouts. Every stream has a deadline; a Host serves at most
// MaxConcurrentServes block requests at once and answers "busy" beyond that.
const (
	// MaxConcurrentServes bounds the block requests served at once.
	MaxConcurrentServes = 32
	// MaxServesPerPeer bounds the block requests of one peer served at
	// once, so that one peer cannot take every slot.
	MaxServesPerPeer = 4
	// RequestTimeout bounds reading a block request from a peer.
	RequestTimeout = 10 * time.Second
	// ServeTimeout bounds a whole served request, the block's bytes included.
	ServeTimeout = 60 * time.Second
	// PeerFetchTimeout bounds fetching a block from one peer.
	PeerFetchTimeout = 30 * time.Second
	// FindProvidersTimeout bounds the DHT search for a block's providers.
	FindProvidersTimeout = 30 * time.Second
	// ConnectTimeout bounds connecting to one bootstrap peer.
	ConnectTimeout = 10 * time.Second
	// MaxFetchPeers bounds the peers asked for one block: those that
	// announced it and connected peers first, then DHT providers.
	MaxFetchPeers = 16
	// JobQueue is the capacity of the Jobs channel; announcements that
	// arrive when it is full are dropped.
	JobQueue = 256
	// bootstrapInterval is how often a Host with no peer re-dials its
	// bootstrap peers.
	bootstrapInterval = 30 * time.Second
	// distrustMemory bounds the peers remembered as untrusted, and
	// haveMemory the blocks whose announcers are remembered.
	distrustMemory = 4096
	haveMemory     = 4096
	// limitMemory bounds the per-peer announcement rate limiters kept.
	limitMemory = 4096
	// maxAnnouncers is how many announcers of one block are remembered.
	maxAnnouncers = 8
)

// Config configures a Host.
type Config struct {
	// ChainID names the topics and the block protocol; hosts of different
	// chains do not exchange announcements or blocks.
	ChainID string
	// ListenAddrs are multiaddrs to listen on; empty means
	// DefaultListenAddr.
	ListenAddrs []string
	// Bootstrap are full multiaddrs (with /p2p/<peer id>) of peers to join
	// the network through; one reachable peer is enough.
	Bootstrap []string
	// KeyFile holds the host's libp2p identity (an Ed25519 key), created
	// with mode 0600 if missing. Empty gives a new identity each start.
	KeyFile string
	// ClientOnly makes a host that does not listen and runs the DHT in
	// client mode: a short-lived fetcher such as `icnd dag get`, which
	// should not enter other peers' routing tables.
	ClientOnly bool
}

// JobAnnouncement says that a job was posted. It is a hint only: a receiver
// looks the job up on the chain before it does anything.
type JobAnnouncement struct {
	// Job is the job's CID (CIDv1, raw, sha2-256).
	Job string `json:"job"`
	// Height is the height of the block the job was posted in.
	Height int64 `json:"height"`
}

// BlockAnnouncement says "I have this block": the sender will serve it.
type BlockAnnouncement struct {
	// CID is the block's CID.
	CID string `json:"cid"`
	// Size is the block's size in bytes.
	Size int `json:"size"`
}

// Host is a running libp2p host. Its methods are safe for concurrent use.
type Host struct {
	host     host.Host
	dht      *dht.IpfsDHT
	dhtStore *boundedDatastore
	ps       *pubsub.PubSub
	store    *blockstore.Store
	log      *slog.Logger
	chainID  string

	blockProto protocol.ID
	jobsTopic  *pubsub.Topic
	blockTopic *pubsub.Topic

	bootstrap []peer.AddrInfo
	jobs      chan JobAnnouncement
	serving   chan struct{}
	// servingPeers counts the requests served to each peer right now.
	servingMu    sync.Mutex
	servingPeers map[peer.ID]int

	// distrusted maps a peer that sent wrong bytes to what it sent.
	distrusted *lru.Cache[peer.ID, string]
	// haves maps a block's CID to the peers that announced it.
	havesMu sync.Mutex
	haves   *lru.Cache[string, []peer.ID]
	// limits are the announcement rate limiters, by topic and peer.
	limits *lru.Cache[string, *rate.Limiter]
	// scores is the last snapshot of the gossipsub peer scores.
	scores scores

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Topic and protocol names of a chain.
func JobsTopic(chainID string) string     { return "/icn/" + chainID + "/jobs/1" }
func BlocksTopic(chainID string) string   { return "/icn/" + chainID + "/blocks/1" }
func BlockProtocol(chainID string) string { return "/icn/" + chainID + "/block/1.0.0" }

// ValidateChainID checks that a chain id can name topics and protocols: 1 to
// MaxChainIDLength printable ASCII characters other than '/'.
func ValidateChainID(id string) error {
	if id == "" || len(id) > MaxChainIDLength {
		return fmt.Errorf("p2p: chain id of %d bytes, want 1 to %d", len(id), MaxChainIDLength)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || c == '/' {
			return fmt.Errorf("p2p: chain id %q: only printable ASCII characters other than '/' are allowed", id)
		}
	}
	return nil
}

// ParseBootstrap parses bootstrap multiaddrs, each with a /p2p/<peer id>.
func ParseBootstrap(addrs []string) ([]peer.AddrInfo, error) {
	var maddrs []ma.Multiaddr
	for _, s := range addrs {
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("p2p: bootstrap address %q: %w", s, err)
		}
		if _, err := m.ValueForProtocol(ma.P_P2P); err != nil {
			return nil, fmt.Errorf("p2p: bootstrap address %q has no /p2p/<peer id>", s)
		}
		maddrs = append(maddrs, m)
	}
	infos, err := peer.AddrInfosFromP2pAddrs(maddrs...)
	if err != nil {
		return nil, fmt.Errorf("p2p: bootstrap: %w", err)
	}
	return infos, nil
}

// New starts a host: it listens, joins the chain's topics, serves blocks from
// store, starts the DHT and connects to the bootstrap peers. A bootstrap peer
// that cannot be reached is logged, not an error: the host keeps re-dialling
// its bootstrap peers while it has no peer. ctx bounds the start only (its
// values are kept, its cancellation is not): the host runs until Close. New
// returns once the bootstrap peers have been dialled and, if one answered,
// once it is in the DHT's routing table (at most ConnectTimeout). log may be
// nil.
func New(ctx context.Context, cfg Config, store *blockstore.Store, log *slog.Logger) (*Host, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if store == nil {
		return nil, errors.New("p2p: no block store")
	}
	if err := ValidateChainID(cfg.ChainID); err != nil {
		return nil, err
	}
	boot, err := ParseBootstrap(cfg.Bootstrap)
	if err != nil {
		return nil, err
	}
	key, err := LoadOrCreateIdentity(cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	opts := []libp2p.Option{libp2p.Identity(key), libp2p.UserAgent("icnd")}
	if cfg.ClientOnly {
		opts = append(opts, libp2p.NoListenAddrs)
	} else {
		listen := cfg.ListenAddrs
		if len(listen) == 0 {
			listen = []string{DefaultListenAddr}
		}
		for _, a := range listen {
			if _, err := ma.NewMultiaddr(a); err != nil {
				return nil, fmt.Errorf("p2p: listen address %q: %w", a, err)
			}
		}
		opts = append(opts, libp2p.ListenAddrStrings(listen...))
	}
	lh, err := libp2p.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("p2p: %w", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h := &Host{
		host:         lh,
		store:        store,
		log:          log,
		chainID:      cfg.ChainID,
		blockProto:   protocol.ID(BlockProtocol(cfg.ChainID)),
		bootstrap:    boot,
		jobs:         make(chan JobAnnouncement, JobQueue),
		serving:      make(chan struct{}, MaxConcurrentServes),
		servingPeers: map[peer.ID]int{},
		cancel:       cancel,
	}
	h.distrusted, _ = lru.New[peer.ID, string](distrustMemory)
	h.haves, _ = lru.New[string, []peer.ID](haveMemory)
	h.limits, _ = lru.New[string, *rate.Limiter](limitMemory)
	h.dhtStore = newBoundedDatastore(maxProviderRecords)
	if err := h.start(ctx, cfg.ClientOnly); err != nil {
		_ = h.Close()
		return nil, err
	}
	return h, nil
}

func (h *Host) start(ctx context.Context, clientOnly bool) error {
	mode := dht.ModeServer
	if clientOnly {
		mode = dht.ModeClient
	}
	d, err := dht.New(h.host,
		dht.Mode(mode),
		dht.ProtocolPrefix(DHTPrefix),
		dht.BootstrapPeers(h.bootstrap...),
		// Only provider records are used; no value records means no
		// validator to get wrong.
		dht.DisableValues(),
		// Provider records from any peer, for any key: bounded.
		dht.Datastore(h.dhtStore),
	)
	if err != nil {
		return fmt.Errorf("p2p: dht: %w", err)
	}
	h.dht = d
	h.host.SetStreamHandler(h.blockProto, h.serveBlock)
	if err := h.startGossip(ctx); err != nil {
		return err
	}
	h.connectBootstrap(ctx)
	h.waitRoutingTable(ctx)
	if err := d.Bootstrap(ctx); err != nil {
		h.log.Warn("p2p: dht bootstrap", "err", err)
	}
	h.wg.Add(1)
	go h.keepBootstrapped(ctx)
	return nil
}

// connectBootstrap dials the bootstrap peers, each with ConnectTimeout.
func (h *Host) connectBootstrap(ctx context.Context) {
	var wg sync.WaitGroup
	for _, ai := range h.bootstrap {
		if ai.ID == h.host.ID() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
			defer cancel()
			if err := h.host.Connect(cctx, ai); err != nil {
				h.log.Warn("p2p: bootstrap peer unreachable", "peer", ai.ID, "err", err)
			}
		}()
	}
	wg.Wait()
}

// waitRoutingTable waits, at most ConnectTimeout, until a connected peer is in
// the DHT's routing table: peers enter it once identify has shown they speak
// the DHT protocol, a little after the connection, and a DHT search with an
// empty table ends at once with nothing.
func (h *Host) waitRoutingTable(ctx context.Context) {
	deadline := time.Now().Add(ConnectTimeout)
	for len(h.host.Network().Peers()) > 0 && h.dht.RoutingTable().Size() == 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// keepBootstrapped re-dials the bootstrap peers while the host has no peer.
func (h *Host) keepBootstrapped(ctx context.Context) {
	defer h.wg.Done()
	t := time.NewTicker(bootstrapInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if len(h.host.Network().Peers()) == 0 && len(h.bootstrap) > 0 {
				h.connectBootstrap(ctx)
				h.waitRoutingTable(ctx)
				if err := h.dht.Bootstrap(ctx); err != nil {
					h.log.Warn("p2p: dht bootstrap", "err", err)
				}
			}
		}
	}
}

// ID returns the host's peer id.
func (h *Host) ID() peer.ID { return h.host.ID() }

// Addrs returns the host's addresses as full multiaddrs ending in
// /p2p/<peer id>, which other hosts can use as bootstrap addresses. A host
// listening on 0.0.0.0 lists an address for each of the machine's interfaces.
func (h *Host) Addrs() []string {
	suffix := "/p2p/" + h.host.ID().String()
	var out []string
	for _, a := range h.host.Addrs() {
		out = append(out, a.String()+suffix)
	}
	return out
}

// Peers returns the peers the host is connected to.
func (h *Host) Peers() []peer.ID { return h.host.Network().Peers() }

// Store returns the block store the host serves and fills.
func (h *Host) Store() *blockstore.Store { return h.store }

// Close stops the host: subscriptions, the DHT and every connection.
func (h *Host) Close() error {
	h.closeOnce.Do(func() {
		h.cancel()
		var errs []error
		for _, t := range []*pubsub.Topic{h.jobsTopic, h.blockTopic} {
			if t != nil {
				// A topic with a subscription refuses to close; the
				// subscriptions end with the context and the host.
				_ = t.Close()
			}
		}
		if h.dht != nil {
			errs = append(errs, h.dht.Close())
		}
		errs = append(errs, h.host.Close())
		h.wg.Wait()
		h.closeErr = errors.Join(errs...)
	})
	return h.closeErr
}

// distrust marks p as untrusted for the life of the host.
func (h *Host) distrust(p peer.ID, why string) {
	h.distrusted.Add(p, why)
	if h.ps != nil {
		h.ps.BlacklistPeer(p)
	}
}

// trusted reports whether p has not been caught sending wrong bytes.
func (h *Host) trusted(p peer.ID) bool {
	return !h.distrusted.Contains(p)
}
