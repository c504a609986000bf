package app

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/store"
)

// tickModule is a test-only module with an end-of-block hook: its genesis
// schedules work at heights, and its hook drains at most one due entry per
// block, counts it in state and emits an event. A value of 0xFF makes the
// hook fail.
type tickModule struct {
	// calls counts the hook's runs, when set.
	calls *int
}

const tickPrefix byte = 0xF0 // test-only; no real module uses it

var tickSchedule = modules.Schedule{Prefix: tickPrefix, Sub: 0x02}

type tickGenesis struct {
	Heights []int64 `json:"heights"`
	Fail    bool    `json:"fail,omitempty"`
}

type eventTick struct {
	Height int64  `event:"height"`
	Due    int64  `event:"due"`
	ID     []byte `event:"id,index"`
	Count  uint64 `event:"count"`
}

func (eventTick) EventType() string { return "icn.tick.tick" }

func init() { modules.RegisterEvent(eventTick{}) }

func (tickModule) Name() string                                           { return "tick" }
func (tickModule) StorePrefix() byte                                      { return tickPrefix }
func (tickModule) Messages() []modules.Msg                                { return nil }
func (tickModule) ExportGenesis(modules.Context) (json.RawMessage, error) { return nil, nil }
func (tickModule) DefaultGenesis(modules.GenesisFacts) (json.RawMessage, error) {
	return json.Marshal(tickGenesis{})
}
func (tickModule) ValidateGenesis(raw json.RawMessage, _ modules.GenesisFacts) error {
	var g tickGenesis
	return modules.DecodeGenesis(raw, &g)
}
func (tickModule) InitGenesis(ctx modules.Context, raw json.RawMessage, _ modules.GenesisFacts) error {
	var g tickGenesis
	if err := modules.DecodeGenesis(raw, &g); err != nil {
		return err
	}
	for i, h := range g.Heights {
		value := []byte{0x01}
		if g.Fail {
			value = []byte{0xFF}
		}
		if err := tickSchedule.Add(ctx.Store, h, []byte{byte(i)}, value); err != nil {
			return err
		}
	}
	return nil
}

var tickCountKey = []byte{tickPrefix, 0x01}

func (m tickModule) EndBlock(ctx modules.Context) error {
	if m.calls != nil {
		*m.calls++
	}
	due, err := tickSchedule.Drain(ctx.Store, ctx.Height, 1)
	if err != nil {
		return err
	}
	for _, d := range due {
		if d.Value[0] == 0xFF {
			return errors.New("tick: told to fail")
		}
		var count uint64
		if bz := ctx.Store.Get(tickCountKey); bz != nil {
			count = binary.BigEndian.Uint64(bz)
		}
		count++
		ctx.Store.Set(tickCountKey, binary.BigEndian.AppendUint64(nil, count))
		ctx.Emit(eventTick{Height: ctx.Height, Due: d.Height, ID: d.ID, Count: count})
	}
	return nil
}

// newTickApp returns an App with the tick module appended to its modules,
// initialised with the tick section g.
func newTickApp(t *testing.T, g tickGenesis, calls *int) *App {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cms, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.modules = append(a.modules, tickModule{calls: calls})
	state := DefaultGenesis()
	raw, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sections); err != nil {
		t.Fatal(err)
	}
	if sections["tick"], err = json.Marshal(g); err != nil {
		t.Fatal(err)
	}
	if raw, err = json.Marshal(sections); err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain("tick-chain", 1, time.Unix(0, 0).UTC(), raw); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestEndBlockHooksDeterministic runs blocks whose end-of-block hook
// changes state on two apps, one through ProcessProposal and the reuse of
// its result by FinalizeBlock, the other by FinalizeBlock alone: the block
// events and app hashes must agree at every height, and the events must be
// the scheduled work in height and id order, one entry per block.
func TestEndBlockHooksDeterministic(t *testing.T) {
	g := tickGenesis{Heights: []int64{5, 2, 3, 3}}
	var proposalCalls, directCalls int
	viaProposal, direct := newTickApp(t, g, &proposalCalls), newTickApp(t, g, &directCalls)
	want := map[int64]string{
		2: "due=2 id=01 count=1",
		3: "due=3 id=02 count=2",
		4: "due=3 id=03 count=3", // the second entry due at 3 waits a block: one per block
		5: "due=5 id=00 count=4",
	}
	var prevHash []byte
	for h := int64(1); h <= 6; h++ {
		ts := time.Unix(h, 0).UTC()
		blockHash := []byte(fmt.Sprint("block", h))
		if err := viaProposal.ProcessProposal(h, ts, nil, blockHash); err != nil {
			t.Fatal(err)
		}
		a, err := viaProposal.FinalizeBlock(h, ts, nil, blockHash)
		if err != nil {
			t.Fatal(err)
		}
		b, err := direct.FinalizeBlock(h, ts, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(a.AppHash) != string(b.AppHash) || fmt.Sprint(a.Events) != fmt.Sprint(b.Events) {
			t.Fatalf("height %d: the two paths disagree:\n%x %v\n%x %v", h, a.AppHash, a.Events, b.AppHash, b.Events)
		}
		got := ""
		for _, ev := range a.Events {
			var tick eventTick
			if err := modules.DecodeEvent(ev, &tick); err != nil {
				t.Fatal(err)
			}
			if tick.Height != h {
				t.Fatalf("height %d: event says height %d", h, tick.Height)
			}
			got += fmt.Sprintf("due=%d id=%x count=%d", tick.Due, tick.ID, tick.Count)
		}
		if got != want[h] {
			t.Fatalf("height %d: block events %q, want %q", h, got, want[h])
		}
		if changed := string(a.AppHash) != string(prevHash); changed != (want[h] != "" || h == 1) {
			t.Fatalf("height %d: app hash changed=%v with events %q", h, changed, got)
		}
		prevHash = a.AppHash
		for _, app := range []*App{viaProposal, direct} {
			if _, err := app.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// FinalizeBlock reused what ProcessProposal executed, hook included:
	// the hook ran once a block on each path.
	if proposalCalls != 6 || directCalls != 6 {
		t.Fatalf("hook ran %d times through proposals and %d directly, want 6 each", proposalCalls, directCalls)
	}
	ro, err := direct.CommittedState(6)
	if err != nil {
		t.Fatal(err)
	}
	if n := binary.BigEndian.Uint64(ro.Get(tickCountKey)); n != 4 {
		t.Fatalf("count = %d, want 4", n)
	}
	if rest, err := tickSchedule.Drain(store.NewCache(ro), 1<<40, 10); err != nil || len(rest) != 0 {
		t.Fatalf("schedule not drained: %v %v", rest, err)
	}
}

// TestEndBlockHookErrorStopsTheNode: a hook's error is a broken invariant
// in both paths, never a rejected proposal or a dropped result.
func TestEndBlockHookErrorStopsTheNode(t *testing.T) {
	g := tickGenesis{Heights: []int64{1}, Fail: true}
	a := newTickApp(t, g, nil)
	err := a.ProcessProposal(1, time.Unix(1, 0).UTC(), nil, []byte("b"))
	if err == nil || errors.Is(err, ErrRejectProposal) {
		t.Fatalf("ProcessProposal: %v, want a node-stopping error", err)
	}
	if _, err := newTickApp(t, g, nil).FinalizeBlock(1, time.Unix(1, 0).UTC(), nil, nil); err == nil {
		t.Fatal("FinalizeBlock ignored the hook's error")
	}
}
