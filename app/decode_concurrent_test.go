package app_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/intercooperative/icnd/app"
)

// TestDecodeTxConcurrent: DecodeTx re-encodes into pooled scratch buffers
// and may run on several goroutines at once (the app-side mempool admits
// transactions concurrently); every decode must still accept exactly the
// canonical transactions and return what a lone decode returns. Run with
// -race.
func TestDecodeTxConcurrent(t *testing.T) {
	dec := newDecoder(t)
	alice := newAccount(1)
	var raws [][]byte
	for i := range 8 {
		raws = append(raws, alice.signTx(t, txOpts{memo: fmt.Sprint("m", i)}, anchorMsg(testCID(t, fmt.Sprint(i)), "doc"), anchorMsg(testCID(t, fmt.Sprint("b", i)), "doc")))
	}
	nonCanonical := append(append([]byte(nil), raws[0]...), 0x78, 0x01)
	want := make([]*app.DecodedTx, len(raws))
	for i, raw := range raws {
		d, err := dec.DecodeTx(raw)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = d
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 200 {
				i := (g + round) % len(raws)
				d, err := dec.DecodeTx(raws[i])
				if err != nil || d.Hash != want[i].Hash || d.Body.Memo != want[i].Body.Memo || len(d.MsgNames) != 2 {
					errs <- fmt.Errorf("goroutine %d: decode of tx %d: %v", g, i, err)
					return
				}
				if _, err := dec.DecodeTx(nonCanonical); err == nil {
					errs <- fmt.Errorf("goroutine %d: accepted a non-canonical encoding", g)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
