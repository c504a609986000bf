package executor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/ipfs/go-cid"
)

func TestCompare(t *testing.T) {
	res := Result{Status: StatusExitBase + 7, Fuel: 3, OutputID: rawCID(nil)}
	other := rawCID([]byte("x"))
	cases := []struct {
		name  string
		claim Claim
		want  []Mismatch
	}{
		{"match", Claim{Output: rawCID(nil), Fuel: 3, Exit: 263}, nil},
		{"exit", Claim{Output: rawCID(nil), Fuel: 3, Exit: 1}, []Mismatch{{"exit", "1 (out of fuel)", "263 (exit 7)"}}},
		{"all", Claim{Output: other, Fuel: 4, Exit: 0}, []Mismatch{
			{"exit", "0 (ok)", "263 (exit 7)"}, {"fuel", "4", "3"}, {"output", other.String(), rawCID(nil).String()}}},
		{"no output", Claim{Fuel: 3, Exit: 263}, []Mismatch{{"output", "none", rawCID(nil).String()}}},
	}
	for _, c := range cases {
		if got := Compare(res, c.claim); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestRerun runs a job from blocks fetched by CID, as an executor does, and gives
// the result of Run; a block that cannot be fetched is an error naming it.
func TestRerun(t *testing.T) {
	blocks := map[cid.Cid][]byte{ModuleID(progNaN): progNaN, rawCID([]byte("in")): []byte("in")}
	fetch := func(_ context.Context, c cid.Cid) ([]byte, error) {
		if b, ok := blocks[c]; ok {
			return b, nil
		}
		return nil, errors.New("no such block")
	}
	job := Rerun{Module: ModuleID(progNaN), Input: rawCID([]byte("in")), FuelLimit: 1000, MemoryPages: 16}
	res, err := job.Run(context.Background(), fetch)
	if err != nil || res.Status != StatusOK || res.Fuel != fuelNaN || !res.OutputID.Equals(rawCID([]byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f})) {
		t.Fatalf("%+v, %v", res, err)
	}
	job.Input = rawCID([]byte("missing"))
	if _, err := job.Run(context.Background(), fetch); !errors.Is(err, ErrFetch) || err.Error() != "cannot fetch input "+job.Input.String()+": no such block" {
		t.Fatalf("missing input: %v", err)
	}
}

// TestJobConfig: the limits every executor and icnd job verify run a job with
// come from the job alone, and a job no runtime can run is named.
func TestJobConfig(t *testing.T) {
	cfg, err := JobConfig(EngineInterpreter, 512)
	if err != nil || cfg != (Config{Engine: EngineInterpreter, MemoryPages: 512, MaxOutput: 4 << 20}) {
		t.Fatalf("JobConfig(512) = %+v, %v", cfg, err)
	}
	for _, pages := range []uint64{0, MaxMemoryPages + 1} {
		if _, err := JobConfig(EngineCompiler, pages); err == nil ||
			err.Error() != fmt.Sprintf("the job asks for %d memory pages, want 1 to 65536", pages) {
			t.Errorf("JobConfig(%d): %v", pages, err)
		}
	}
}
