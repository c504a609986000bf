package modules_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/modules"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	"github.com/intercooperative/icnd/store"
)

type sampleEvent struct {
	Org   string   `event:"org,index"`
	Roles []string `event:"roles"`
	ID    []byte   `event:"id"`
	N     uint64   `event:"n"`
	H     int64    `event:"h"`
	Small uint32   `event:"small"`
	Links int      `event:"links"`
	OK    bool     `event:"ok"`
}

func (sampleEvent) EventType() string { return "icn.test.sample" }

func init() { modules.RegisterEvent(sampleEvent{}) }

func TestEventRoundTrip(t *testing.T) {
	in := sampleEvent{Org: "did:icn:x", Roles: []string{"founder", "member"}, ID: []byte{0xAB, 1}, N: 1 << 63, H: -4, Small: 7, Links: 3, OK: true}
	ev := modules.Flatten(in)
	want := "icn.test.sample org=did:icn:x* roles=founder,member id=ab01 n=9223372036854775808 h=-4 small=7 links=3 ok=true"
	got := ev.Type
	for _, a := range ev.Attributes {
		got += " " + a.Key + "=" + a.Value
		if a.Index {
			got += "*"
		}
	}
	if got != want {
		t.Fatalf("flattened:\n got %s\nwant %s", got, want)
	}
	var out sampleEvent
	if err := modules.DecodeEvent(ev, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip: %+v != %+v", out, in)
	}
	any, ok, err := modules.DecodeAnyEvent(ev)
	if err != nil || !ok || !reflect.DeepEqual(any, in) {
		t.Fatalf("DecodeAnyEvent = %+v, %v, %v", any, ok, err)
	}
	if _, ok, err := modules.DecodeAnyEvent(modules.Event{Type: "tm.event"}); ok || err != nil {
		t.Fatalf("unregistered type: ok=%v err=%v", ok, err)
	}
}

func TestDecodeEventRefusesMismatches(t *testing.T) {
	good := modules.Flatten(sampleEvent{Org: "o"})
	drop := func(key string) modules.Event {
		e := modules.Event{Type: good.Type}
		for _, a := range good.Attributes {
			if a.Key != key {
				e.Attributes = append(e.Attributes, a)
			}
		}
		return e
	}
	set := func(key, value string) modules.Event {
		e := modules.Event{Type: good.Type, Attributes: append([]modules.Attribute(nil), good.Attributes...)}
		for i := range e.Attributes {
			if e.Attributes[i].Key == key {
				e.Attributes[i].Value = value
			}
		}
		return e
	}
	cases := map[string]modules.Event{
		"other type":    {Type: "icn.test.other", Attributes: good.Attributes},
		"missing":       drop("n"),
		"bad uint":      set("n", "-1"),
		"uint overflow": set("small", "4294967296"),
		"bad bool":      set("ok", "yes"),
		"bad hex":       set("id", "zz"),
		"bad int":       set("h", "1.5"),
	}
	for name, ev := range cases {
		var out sampleEvent
		if err := modules.DecodeEvent(ev, &out); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	var out sampleEvent
	if err := modules.DecodeEvent(good, out); err == nil {
		t.Error("decoded into a non-pointer")
	}
}

func newKV(t *testing.T) store.KVStore {
	t.Helper()
	cms, err := store.Open(idb.NewMemDB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return store.NewCache(cms.Working())
}

func TestScheduleDrainsInOrderWithinLimit(t *testing.T) {
	kv := newKV(t)
	s := modules.Schedule{Prefix: 0x7F, Sub: 0x01}
	add := func(h int64, id string, v byte) {
		t.Helper()
		if err := s.Add(kv, h, []byte(id), []byte{v}); err != nil {
			t.Fatal(err)
		}
	}
	add(10, "b", 2)
	add(3, "z", 1)
	add(10, "aa", 3) // ids sort by bytes, not by length: "aa" before "b"
	add(11, "c", 4)
	add(256, "d", 5) // height bytes sort numerically
	add(20, "gone", 6)
	if err := s.Remove(kv, 20, []byte("gone")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		h  int64
		id []byte
	}{{0, []byte("x")}, {-1, []byte("x")}, {5, nil}, {5, make([]byte, 256)}} {
		if err := s.Add(kv, bad.h, bad.id, []byte{1}); !errors.Is(err, modules.ErrBadSchedule) {
			t.Errorf("Add(%d, %d-byte id) = %v, want ErrBadSchedule", bad.h, len(bad.id), err)
		}
	}

	if due, err := s.Drain(kv, 2, 10); err != nil || len(due) != 0 {
		t.Fatalf("nothing is due at 2: %v %v", due, err)
	}
	due, err := s.Drain(kv, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].Height != 3 || string(due[0].ID) != "z" || due[1].Height != 10 || string(due[1].ID) != "aa" {
		t.Fatalf("first drain: %+v", due)
	}
	due, _ = s.Drain(kv, 10, 2)
	if len(due) != 1 || string(due[0].ID) != "b" || !bytes.Equal(due[0].Value, []byte{2}) {
		t.Fatalf("second drain: %+v", due)
	}
	due, _ = s.Drain(kv, 1000, 10)
	if len(due) != 2 || string(due[0].ID) != "c" || due[1].Height != 256 {
		t.Fatalf("last drain: %+v", due)
	}
}

func TestRecordHelpers(t *testing.T) {
	kv := newKV(t)
	key := []byte{0x7F, 0x01, 0x01}
	if v, found, err := modules.Load[dagv1.Entry](kv, key); v != nil || found || err != nil {
		t.Fatalf("absent: %v %v %v", v, found, err)
	}
	if err := modules.Save(kv, key, &dagv1.Entry{Kind: "doc", AnchoredBy: "me"}); err != nil {
		t.Fatal(err)
	}
	v, found, err := modules.Load[dagv1.Entry](kv, key)
	if err != nil || !found || v.Kind != "doc" {
		t.Fatalf("load: %v %v %v", v, found, err)
	}
	if err := modules.Save(kv, []byte{0x7F, 0x01, 0x02}, &dagv1.Entry{}); err == nil {
		t.Fatal("a record that encodes to no bytes was saved")
	}
	kv.Set([]byte{0x7F, 0x01, 0x03}, []byte{0xFF, 0xFF})
	var kinds []string
	err = modules.Walk[dagv1.Entry](kv, []byte{0x7F, 0x01}, func(_ []byte, e *dagv1.Entry) (bool, error) {
		kinds = append(kinds, e.Kind)
		return false, nil
	})
	if err == nil || len(kinds) != 1 {
		t.Fatalf("walk over a corrupt record: kinds %v, err %v", kinds, err)
	}
	if _, _, err := modules.Load[dagv1.Entry](kv, []byte{0x7F, 0x01, 0x03}); err == nil {
		t.Fatal("corrupt record loaded")
	}
}

// TestContextEvents: events are kept in emission order past the log's inline
// room, copies of a Context share its log, WithStore starts a new one, and
// JoinEvents concatenates logs in order into a slice the caller owns.
func TestContextEvents(t *testing.T) {
	kv := store.NewCache(nil)
	outer := modules.NewContext("c", 1, time.Time{}, kv)
	inner := outer.WithStore(kv)
	for i := range 5 {
		outer.Emit(sampleEvent{N: uint64(i)})
	}
	copyOfInner := inner
	copyOfInner.Emit(sampleEvent{N: 100})
	inner.Emit(sampleEvent{N: 101})
	ns := func(evs []modules.Event) []string {
		var out []string
		for _, e := range evs {
			for _, a := range e.Attributes {
				if a.Key == "n" {
					out = append(out, a.Value)
				}
			}
		}
		return out
	}
	if got := ns(outer.Events()); !reflect.DeepEqual(got, []string{"0", "1", "2", "3", "4"}) {
		t.Errorf("outer events %v", got)
	}
	joined := modules.JoinEvents(outer, inner)
	if got := ns(joined); !reflect.DeepEqual(got, []string{"0", "1", "2", "3", "4", "100", "101"}) {
		t.Errorf("joined events %v", got)
	}
	joined[0] = modules.Event{Type: "changed"}
	if outer.Events()[0].Type != "icn.test.sample" {
		t.Error("JoinEvents returned the context's own storage")
	}
	if got := modules.JoinEvents(); got == nil || len(got) != 0 {
		t.Errorf("JoinEvents() = %#v, want an empty non-nil slice", got)
	}
}
