package p2p

import (
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Gossipsub peer scoring (docs/executor.md, section 2.2). Honest peers never
// lose score: they validate before they forward, so they relay no invalid
// message, and no topic is busy enough to expect deliveries of. A message's
// id covers its data (messageID), so an author who signs a valid and an
// invalid message with one sequence number cannot make an honest peer's
// relay of the valid one count as a copy of the invalid one. Only two
// things cost score, each squared, so that a mistake or two is forgiven
// while a pattern is not:
//   - an invalid message (one the topic's validator rejects) costs its
//     sender invalidWeight times the square of its count;
//   - misbehaviour in the protocol itself (a GRAFT during backoff, an IWANT
//     promise not kept) beyond behaviourThreshold costs behaviourWeight
//     times the square of the excess.
//
// Both counts decay to nothing over scoreMemory, and a peer's score is kept
// that long after it disconnects, so reconnecting does not clear it.
// With these figures two invalid messages on a topic cut a peer off from
// gossip (score below gossipThreshold), and a third graylists it (five
// spread over both topics): everything it sends is dropped unread until
// its counts decay. A flood of rejected messages therefore costs the
// receiver a handful of JSON decodes, not one per message.
//
// IP colocation is not scored: cooperatives run several executors behind
// one address, and on a localnet every peer is on the loopback.
const (
	invalidWeight      = -10
	behaviourWeight    = -10
	behaviourThreshold = 6
	scoreMemory        = 10 * time.Minute

	gossipThreshold   = -10
	publishThreshold  = -50
	graylistThreshold = -80

	// scoreInspectPeriod is how often PeerScores' snapshot is refreshed.
	scoreInspectPeriod = time.Second
)

// scoreParams returns the peer score parameters and thresholds for the
// given topics.
func scoreParams(topics ...string) (*pubsub.PeerScoreParams, *pubsub.PeerScoreThresholds) {
	decay := pubsub.ScoreParameterDecay(scoreMemory)
	params := &pubsub.PeerScoreParams{
		SkipAtomicValidation:      true,
		Topics:                    make(map[string]*pubsub.TopicScoreParams, len(topics)),
		BehaviourPenaltyWeight:    behaviourWeight,
		BehaviourPenaltyThreshold: behaviourThreshold,
		BehaviourPenaltyDecay:     decay,
		DecayInterval:             pubsub.DefaultDecayInterval,
		DecayToZero:               pubsub.DefaultDecayToZero,
		RetainScore:               scoreMemory,
	}
	for _, t := range topics {
		params.Topics[t] = &pubsub.TopicScoreParams{
			SkipAtomicValidation: true,
			TopicWeight:          1,
			// Time in the mesh earns nothing (weight 0), but gossipsub
			// divides by the quantum whenever a peer is in the mesh.
			TimeInMeshQuantum:              time.Second,
			InvalidMessageDeliveriesWeight: invalidWeight,
			InvalidMessageDeliveriesDecay:  decay,
		}
	}
	thresholds := &pubsub.PeerScoreThresholds{
		SkipAtomicValidation: true,
		GossipThreshold:      gossipThreshold,
		PublishThreshold:     publishThreshold,
		GraylistThreshold:    graylistThreshold,
	}
	return params, thresholds
}

// scores is the last snapshot of the peers' gossipsub scores.
type scores struct {
	mu sync.Mutex
	m  map[peer.ID]float64
}

func (s *scores) set(m map[peer.ID]float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = m
}

// PeerScore returns p's gossipsub score as of the last snapshot (taken
// every second), and whether p was scored then. A score below -80 means p
// is graylisted: what it sends is dropped unread.
func (h *Host) PeerScore(p peer.ID) (float64, bool) {
	h.scores.mu.Lock()
	defer h.scores.mu.Unlock()
	s, ok := h.scores.m[p]
	return s, ok
}
