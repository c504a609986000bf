// Package benchjob is the compute-heavy job of the executor's benchmark
// (executor/bench_test.go): the same code runs natively in the benchmark and, built
// for wasip1 from ./cmd/benchjob, as a WASM job, metered and not.
package benchjob

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
)

// Work hashes, sieves, sorts and counts; it depends only on in and returns one
// line of text. It uses integers only, so its output is the same everywhere.
func Work(in []byte) []byte {
	// A chain of SHA-256 over the input.
	h := sha256.Sum256(in)
	for i := 0; i < 500; i++ {
		h = sha256.Sum256(append(h[:], in[:min(len(in), 256)]...))
	}
	// The primes below 2^18.
	const n = 1 << 18
	composite := make([]bool, n)
	primes := 0
	for i := 2; i < n; i++ {
		if composite[i] {
			continue
		}
		primes++
		for j := i * i; j < n; j += i {
			composite[j] = true
		}
	}
	// 50 000 pseudo-random numbers (xorshift64, seeded by the hash), sorted.
	x := uint64(h[0])<<56 | uint64(h[1])<<48 | uint64(h[2])<<40 | uint64(h[3]) | 1
	nums := make([]uint64, 50_000)
	for i := range nums {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		nums[i] = x
	}
	slices.Sort(nums)
	// Byte pairs of the input, counted in a map.
	pairs := map[uint16]int{}
	for i := 0; i+1 < len(in); i++ {
		pairs[uint16(in[i])<<8|uint16(in[i+1])]++
	}
	return fmt.Appendf(nil, "%s %d %d %d\n", hex.EncodeToString(h[:]), primes, nums[len(nums)/2], len(pairs))
}
