package app_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/intercooperative/icnd/app"
	"github.com/intercooperative/icnd/modules/dag"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	"github.com/intercooperative/icnd/store"
)

// BenchmarkDecodeTx measures decoding and the stateless checks of one
// ~256-byte anchor transaction.
func BenchmarkDecodeTx(b *testing.B) {
	alice := newAccount(1)
	raw := alice.signTx(b, txOpts{seq: u64(0), memo: padMemo}, anchorMsg(testCID(b, "x"), "load"))
	dec := newDecoder(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dec.DecodeTx(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// padMemo brings an anchor transaction to about 256 bytes, the size the
// throughput benchmark uses.
var padMemo = string(make([]byte, 60))

// BenchmarkPipeline measures one transaction through the whole pipeline as
// FinalizeBlock runs it: decode, signature verification (no cache hit),
// ante (sequence, mana) and execution, in blocks of 1000.
func BenchmarkPipeline(b *testing.B) {
	const perBlock = 1000
	accts := make([]*account, 100)
	for i := range accts {
		accts[i] = newAccount(byte(i))
	}
	a, _ := newTestApp(b, genesisFor(b, 1_000_000_000, accts...))
	b.ReportAllocs()
	b.StopTimer()
	for done := 0; done < b.N; {
		n := min(perBlock, b.N-done)
		txs := make([][]byte, n)
		for i := range txs {
			acct := accts[(done+i)%len(accts)]
			txs[i] = acct.signTx(b, txOpts{memo: padMemo}, anchorMsg(testCID(b, fmt.Sprint("p", done+i)), "load"))
		}
		h := a.LastCommit().Version + 1
		b.StartTimer()
		res, _, err := finalize(a, h, genesisTime, txs, nil)
		b.StopTimer()
		if err != nil || res[0].Code != 0 {
			b.Fatalf("%v %+v", err, res[0])
		}
		if _, err := a.Commit(); err != nil {
			b.Fatal(err)
		}
		done += n
	}
}

// BenchmarkPipelineChecked is BenchmarkPipeline for transactions that
// CheckTx admitted first (untimed), as on a node that takes them from its
// mempool: the decoded-tx and signature caches hit, so the block verifies
// no signature.
func BenchmarkPipelineChecked(b *testing.B) {
	const perBlock = 1000
	accts := make([]*account, 100)
	for i := range accts {
		accts[i] = newAccount(byte(i))
	}
	a, _ := newTestApp(b, genesisFor(b, 1_000_000_000, accts...))
	block(b, a) // the check state now reads a committed version
	b.ReportAllocs()
	b.StopTimer()
	for done := 0; done < b.N; {
		n := min(perBlock, b.N-done)
		txs := make([][]byte, n)
		for i := range txs {
			acct := accts[(done+i)%len(accts)]
			txs[i] = acct.signTx(b, txOpts{memo: padMemo}, anchorMsg(testCID(b, fmt.Sprint("q", done+i)), "load"))
			if r := a.CheckTx(txs[i]); r.Code != 0 {
				b.Fatalf("%+v", r)
			}
		}
		h := a.LastCommit().Version + 1
		b.StartTimer()
		res, _, err := finalize(a, h, genesisTime.Add(time.Duration(h)*time.Second), txs, nil)
		b.StopTimer()
		if err != nil || res[0].Code != 0 {
			b.Fatalf("%v %+v", err, res[0])
		}
		if _, err := a.Commit(); err != nil {
			b.Fatal(err)
		}
		done += n
	}
}

// BenchmarkCheckTx measures CheckTx per transaction against the check state
// over the last committed version, in batches of 1000 anchor transactions
// from 100 accounts (ten queued per signer): "new" is a first CheckTx (decode,
// signature verification, ante, execution), "recheck" is the mempool's
// recheck of the same transactions after a block that did not include them
// (decoded-tx and signature caches hit). Each batch is then committed in a
// block, untimed.
func BenchmarkCheckTx(b *testing.B) {
	b.Run("new", func(b *testing.B) { benchCheckTx(b, false) })
	b.Run("recheck", func(b *testing.B) { benchCheckTx(b, true) })
}

func benchCheckTx(b *testing.B, recheck bool) {
	const perBatch = 1000
	accts := make([]*account, 100)
	for i := range accts {
		accts[i] = newAccount(byte(i))
	}
	a, _ := newTestApp(b, genesisFor(b, 1_000_000_000, accts...))
	block(b, a) // the check state now reads a committed version
	b.ReportAllocs()
	b.StopTimer()
	for done := 0; done < b.N; {
		n := min(perBatch, b.N-done)
		txs := make([][]byte, n)
		for i := range txs {
			acct := accts[(done+i)%len(accts)]
			txs[i] = acct.signTx(b, txOpts{memo: padMemo}, anchorMsg(testCID(b, fmt.Sprint("k", done+i)), "load"))
		}
		check := a.CheckTx
		if recheck {
			for _, raw := range txs {
				if r := a.CheckTx(raw); r.Code != 0 {
					b.Fatalf("%+v", r)
				}
			}
			block(b, a)
			check = a.Recheck
		}
		b.StartTimer()
		for _, raw := range txs {
			if r := check(raw); r.Code != 0 {
				b.Fatalf("%+v", r)
			}
		}
		b.StopTimer()
		block(b, a, txs...)
		done += n
	}
}

// BenchmarkCommit measures Commit (IAVL SaveVersion to disk) of a block of
// 3,000 anchor transactions over a state that already holds 10k, 100k and
// 1M DAG entries, and reports the p50 and p99 per commit and what a commit
// writes to the database: records (IAVL nodes) and MiB. Run the 1M case
// with -benchtime=20x or more; preparing its state takes a while.
func BenchmarkCommit(b *testing.B) {
	for _, size := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("entries=%d", size), func(b *testing.B) {
			benchCommit(b, size)
		})
	}
}

func benchCommit(b *testing.B, entries int) {
	const perBlock = 3000
	accts := make([]*account, 100)
	for i := range accts {
		accts[i] = newAccount(byte(i))
	}
	cms, err := store.OpenDir(b.TempDir(), store.Options{CacheSize: 1_000_000})
	if err != nil {
		b.Fatal(err)
	}
	defer cms.Close()
	a, err := app.New(cms, app.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.InitChain(testChainID, 1, genesisTime, genesisFor(b, 1_000_000_000, accts...)); err != nil {
		b.Fatal(err)
	}
	// Fill the state directly, 100k entries per version.
	for done := 0; done < entries; {
		n := min(100_000, entries-done)
		kv := cms.Working()
		for i := 0; i < n; i++ {
			c := testCID(b, fmt.Sprint("fill", done+i))
			e := &dagv1.Entry{Cid: c, Kind: "fill", AnchoredBy: accts[0].did, Height: 1}
			bz, _ := e.Marshal()
			kv.Set(dag.EntryKey(c, e.AnchoredBy), bz)
		}
		if _, err := cms.Commit(); err != nil {
			b.Fatal(err)
		}
		done += n
	}
	var durations []time.Duration
	var records, size int // written to the database by the timed commits
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		txs := make([][]byte, perBlock)
		for j := range txs {
			txs[j] = accts[j%len(accts)].signTx(b, txOpts{memo: padMemo}, anchorMsg(testCID(b, fmt.Sprint("c", i, "/", j)), "load"))
		}
		h := a.LastCommit().Version + 1
		if _, _, err := finalize(a, h, genesisTime, txs, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := a.Commit(); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
		b.StopTimer()
		written := cms.LastBatch()
		records += written.Records
		size += written.Bytes
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(durations[(len(durations)*99)/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(records)/float64(b.N), "records/commit")
	b.ReportMetric(float64(size)/float64(b.N)/(1<<20), "MiB/commit")
}
