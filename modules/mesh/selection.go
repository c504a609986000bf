package mesh

import (
	"bytes"
	"crypto/sha256"
	"math/bits"
	"sort"
)

// Candidate is one bid as selection sees it: the bidder, its price per
// unit of fuel and its reputation (basis points) at the window's close.
type Candidate struct {
	Executor   string
	Price      uint64
	Reputation uint64
}

// ReputationWeight is added to a bidder's reputation before it divides
// the price: a bid's rank is price / (reputation + ReputationWeight). With
// the neutral 10000 the weight of a neutral bidder is 20000, of one with
// no reputation left 10000 (its price counts double), and of one at 20000
// 30000 (its price counts two thirds).
const ReputationWeight = NeutralReputation

// TieBreak is the hash that orders bids of equal rank:
// sha2-256(job id || executor DID), smaller first. Nobody can choose a
// job's id after seeing the bids, so nobody can buy the tie in advance.
func TieBreak(jobID []byte, executor string) [32]byte {
	h := sha256.New()
	h.Write(jobID)
	h.Write([]byte(executor))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Select orders the candidates of job jobID best first and returns the
// first n (all of them when fewer). Candidate a ranks before b when
//
//	a.Price × (b.Reputation + W) < b.Price × (a.Reputation + W)
//
// (that is, a.Price / (a.Reputation + W) is smaller; W = ReputationWeight),
// computed exactly in 128 bits; equal ranks are ordered by TieBreak, then
// by DID. It is a pure, integer-only function of its arguments and does
// not modify cs.
func Select(jobID []byte, cs []Candidate, n int) []Candidate {
	type ranked struct {
		Candidate
		tie [32]byte
	}
	rs := make([]ranked, len(cs))
	for i, c := range cs {
		rs[i] = ranked{c, TieBreak(jobID, c.Executor)}
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if c := compareRank(a.Candidate, b.Candidate); c != 0 {
			return c < 0
		}
		if c := bytes.Compare(a.tie[:], b.tie[:]); c != 0 {
			return c < 0
		}
		return a.Executor < b.Executor
	})
	out := make([]Candidate, 0, min(n, len(rs)))
	for i := 0; i < len(rs) && i < n; i++ {
		out = append(out, rs[i].Candidate)
	}
	return out
}

// compareRank returns -1 when a ranks before b, 1 after, 0 for equal rank.
func compareRank(a, b Candidate) int {
	wa := satAdd(a.Reputation, ReputationWeight)
	wb := satAdd(b.Reputation, ReputationWeight)
	ahi, alo := bits.Mul64(a.Price, wb)
	bhi, blo := bits.Mul64(b.Price, wa)
	switch {
	case ahi < bhi || ahi == bhi && alo < blo:
		return -1
	case ahi > bhi || alo > blo:
		return 1
	}
	return 0
}

func satAdd(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return ^uint64(0)
	}
	return s
}
