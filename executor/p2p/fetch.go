package p2p

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"

	"github.com/intercooperative/icnd/executor/blockstore"
)

// The block protocol, /icn/<chain-id>/block/1.0.0. One request per stream:
//
//	request  = len:uint8 (1..MaxCIDLength) || CID (binary)
//	response = status:uint8 [ || len:uint32 big-endian || block ]   (block only for StatusOK)
//
// The server closes the stream after the response.
const (
	// StatusOK: the block follows.
	StatusOK byte = 0
	// StatusNotFound: the server does not have the block.
	StatusNotFound byte = 1
	// StatusBadRequest: the request was not a supported CID.
	StatusBadRequest byte = 2
	// StatusBusy: the server is serving MaxConcurrentServes requests.
	StatusBusy byte = 3
)

// MaxCIDLength bounds a CID in a request, as the dag module does.
const MaxCIDLength = 100

// Errors of Fetch, wrapped with the details.
var (
	// ErrNoProvider: no peer served the block. The message lists each peer
	// asked and what went wrong with it.
	ErrNoProvider = errors.New("no peer served the block")
	// ErrWrongBytes: a peer sent bytes that do not hash to the CID asked
	// for. The peer is not asked again for the life of the Host.
	ErrWrongBytes = errors.New("peer sent wrong bytes")
)

// serveBlock answers one block request.
func (h *Host) serveBlock(s network.Stream) {
	defer s.Close()
	remote := s.Conn().RemotePeer()
	if !h.takeServeSlot(remote) {
		_ = s.SetWriteDeadline(time.Now().Add(RequestTimeout))
		_, _ = s.Write([]byte{StatusBusy})
		return
	}
	defer h.releaseServeSlot(remote)
	_ = s.SetDeadline(time.Now().Add(ServeTimeout))
	_ = s.SetReadDeadline(time.Now().Add(RequestTimeout))
	c, err := readRequest(s)
	if err != nil {
		h.log.Debug("p2p: bad block request", "peer", remote, "err", err)
		_, _ = s.Write([]byte{StatusBadRequest})
		return
	}
	data, err := h.store.Get(c)
	if err != nil {
		if !errors.Is(err, blockstore.ErrNotFound) {
			h.log.Warn("p2p: cannot serve block", "cid", c, "err", err)
		}
		_, _ = s.Write([]byte{StatusNotFound})
		return
	}
	resp := make([]byte, 5, 5+len(data))
	resp[0] = StatusOK
	binary.BigEndian.PutUint32(resp[1:], uint32(len(data)))
	if _, err := s.Write(append(resp, data...)); err != nil {
		h.log.Debug("p2p: serving block", "cid", c, "peer", remote, "err", err)
		_ = s.Reset()
		return
	}
	h.log.Debug("p2p: served block", "cid", c, "peer", remote, "bytes", len(data))
}

// takeServeSlot takes one of the MaxConcurrentServes slots for a request of
// p, unless they are all taken or p already holds MaxServesPerPeer of them.
func (h *Host) takeServeSlot(p peer.ID) bool {
	h.servingMu.Lock()
	defer h.servingMu.Unlock()
	if h.servingPeers[p] >= MaxServesPerPeer {
		return false
	}
	select {
	case h.serving <- struct{}{}:
	default:
		return false
	}
	h.servingPeers[p]++
	return true
}

// releaseServeSlot gives back a slot takeServeSlot gave p. The map holds
// only the peers being served, at most MaxConcurrentServes.
func (h *Host) releaseServeSlot(p peer.ID) {
	h.servingMu.Lock()
	defer h.servingMu.Unlock()
	<-h.serving
	if h.servingPeers[p]--; h.servingPeers[p] <= 0 {
		delete(h.servingPeers, p)
	}
}

// readRequest reads and checks one request.
func readRequest(r io.Reader) (cid.Cid, error) {
	var n [1]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return cid.Undef, err
	}
	if n[0] == 0 || n[0] > MaxCIDLength {
		return cid.Undef, fmt.Errorf("CID length %d, want 1 to %d", n[0], MaxCIDLength)
	}
	b := make([]byte, n[0])
	if _, err := io.ReadFull(r, b); err != nil {
		return cid.Undef, err
	}
	c, err := cid.Cast(b)
	if err != nil {
		return cid.Undef, err
	}
	return c, blockstore.Check(c)
}

// FetchHedgeDelay is how long Fetch waits for a peer's answer before it asks
// the next peer as well: a peer that stalls (answers "ok" and then sends
// nothing, or trickles) cannot hold a fetch up for its PeerFetchTimeout.
const FetchHedgeDelay = time.Second

// fetchResult is one peer's answer in Fetch.
type fetchResult struct {
	peer peer.ID
	data []byte
	err  error
}

// Fetch returns the block c: from the store if it holds it intact, otherwise
// from peers, in this order: peers that announced c, connected peers, then
// providers found in the DHT, at most MaxFetchPeers of the first two kinds.
// A peer is asked when the one before it failed, or has not answered within
// FetchHedgeDelay (at most MaxFetchPeers requests at once); the first block
// that checks out wins and the other requests are cut off. A block from a
// peer is read up to the store's size bound, checked against c and stored
// before it is returned. A peer that sends wrong bytes is logged and never
// asked again (ErrWrongBytes). When no peer serves c the error wraps
// ErrNoProvider and names each peer asked.
func (h *Host) Fetch(ctx context.Context, c cid.Cid) ([]byte, error) {
	if err := blockstore.Check(c); err != nil {
		return nil, err
	}
	data, err := h.store.Get(c)
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, blockstore.ErrNotFound) {
		h.log.Warn("p2p: local copy unusable, fetching again", "cid", c, "err", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	asked := map[peer.ID]bool{h.host.ID(): true}
	var reasons []string
	// Each request sends one result; at most MaxFetchPeers are in flight,
	// so no request blocks on the channel after Fetch has returned.
	results := make(chan fetchResult, MaxFetchPeers)
	inflight := 0
	launch := func(ai peer.AddrInfo) bool {
		if asked[ai.ID] || !h.trusted(ai.ID) {
			return false
		}
		asked[ai.ID] = true
		inflight++
		go func() {
			data, err := h.fetchFrom(ctx, ai, c)
			results <- fetchResult{peer: ai.ID, data: data, err: err}
		}()
		return true
	}
	queue := h.candidates(c)
	var providers <-chan peer.AddrInfo // the DHT's, once the queue is empty
	providersDone := false
	hedge := time.NewTimer(FetchHedgeDelay)
	defer hedge.Stop()
	hedge.Stop()
	wantMore := true // ask another peer as soon as there is one
loop:
	for {
		if wantMore && inflight < MaxFetchPeers {
			for len(queue) > 0 && wantMore {
				p := queue[0]
				queue = queue[1:]
				if launch(peer.AddrInfo{ID: p}) {
					wantMore = false
					hedge.Reset(FetchHedgeDelay)
				}
			}
			if wantMore && providers == nil && !providersDone {
				pctx, pcancel := context.WithTimeout(ctx, FindProvidersTimeout)
				defer pcancel()
				providers = h.dht.FindProvidersAsync(pctx, c, MaxFetchPeers)
			}
		}
		if inflight == 0 && len(queue) == 0 && providersDone {
			break
		}
		var more <-chan peer.AddrInfo
		if wantMore && inflight < MaxFetchPeers {
			more = providers
		}
		select {
		case r := <-results:
			inflight--
			if r.err == nil {
				return r.data, nil
			}
			reasons = append(reasons, fmt.Sprintf("%s: %v", r.peer, r.err))
			wantMore = true
		case ai, ok := <-more:
			if !ok {
				providers, providersDone = nil, true
				continue
			}
			if launch(ai) {
				wantMore = false
				hedge.Reset(FetchHedgeDelay)
			}
		case <-hedge.C:
			wantMore = true
		case <-ctx.Done():
			break loop
		}
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "no peer has it")
	}
	if err := ctx.Err(); err != nil {
		reasons = append(reasons, err.Error())
	}
	return nil, fmt.Errorf("fetch %s: %w: %s", c, ErrNoProvider, strings.Join(reasons, "; "))
}

// candidates are the trusted peers to ask first for c: those that announced
// it, then the connected ones, at most MaxFetchPeers.
func (h *Host) candidates(c cid.Cid) []peer.ID {
	seen := map[peer.ID]bool{}
	var out []peer.ID
	add := func(p peer.ID) {
		if len(out) < MaxFetchPeers && !seen[p] && p != h.host.ID() && h.trusted(p) {
			seen[p] = true
			out = append(out, p)
		}
	}
	h.havesMu.Lock()
	announcers, _ := h.haves.Get(c.String())
	h.havesMu.Unlock()
	for _, p := range announcers {
		add(p)
	}
	for _, p := range h.host.Network().Peers() {
		add(p)
	}
	return out
}

// fetchFrom asks one peer for c, within PeerFetchTimeout.
func (h *Host) fetchFrom(ctx context.Context, ai peer.AddrInfo, c cid.Cid) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, PeerFetchTimeout)
	defer cancel()
	if len(ai.Addrs) > 0 {
		h.host.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.TempAddrTTL)
	}
	s, err := h.host.NewStream(ctx, ai.ID, h.blockProto)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	// Fetch cancels the requests it no longer needs: cut the stream off.
	stop := context.AfterFunc(ctx, func() { _ = s.Reset() })
	defer stop()
	deadline, _ := ctx.Deadline()
	_ = s.SetDeadline(deadline)
	req := append([]byte{byte(len(c.Bytes()))}, c.Bytes()...)
	if _, err := s.Write(req); err != nil {
		_ = s.Reset()
		return nil, err
	}
	_ = s.CloseWrite()
	var head [1]byte
	if _, err := io.ReadFull(s, head[:]); err != nil {
		_ = s.Reset()
		return nil, fmt.Errorf("reading status: %w", err)
	}
	switch head[0] {
	case StatusOK:
	case StatusNotFound:
		return nil, errors.New("does not have it")
	case StatusBusy:
		return nil, errors.New("busy")
	case StatusBadRequest:
		return nil, errors.New("refused the request")
	default:
		_ = s.Reset()
		return nil, fmt.Errorf("unknown status %d", head[0])
	}
	var size [4]byte
	if _, err := io.ReadFull(s, size[:]); err != nil {
		_ = s.Reset()
		return nil, fmt.Errorf("reading size: %w", err)
	}
	n := binary.BigEndian.Uint32(size[:])
	if limit := h.store.MaxBlockSize(); uint64(n) > uint64(limit) {
		// Cut off: not one byte of the block is read.
		_ = s.Reset()
		h.log.Warn("p2p: peer offered an oversized block", "peer", ai.ID, "cid", c, "bytes", n, "limit", limit)
		return nil, fmt.Errorf("%w: offered %d bytes, limit %d", blockstore.ErrTooLarge, n, limit)
	}
	// Read as the bytes come, not into n bytes allocated up front: a peer
	// that announces a large block and sends nothing costs nothing.
	data, err := io.ReadAll(io.LimitReader(s, int64(n)))
	if err == nil && uint64(len(data)) < uint64(n) {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		_ = s.Reset()
		return nil, fmt.Errorf("reading block: %w", err)
	}
	if err := blockstore.Verify(c, data); err != nil {
		_ = s.Reset()
		h.log.Warn("p2p: peer sent wrong bytes; not trusted again", "peer", ai.ID, "cid", c, "err", err)
		h.distrust(ai.ID, err.Error())
		return nil, fmt.Errorf("%w (not trusted again): %v", ErrWrongBytes, err)
	}
	if err := h.store.PutBlock(c, data); err != nil {
		return nil, fmt.Errorf("storing: %w", err)
	}
	h.log.Debug("p2p: fetched block", "cid", c, "peer", ai.ID, "bytes", n)
	return data, nil
}
