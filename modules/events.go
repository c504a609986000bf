package modules

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Event is a typed event flattened for CometBFT: a type and ordered
// attributes. Attribute order is the order the event struct declares its
// fields, never a map's order, so events are identical on every node.
type Event struct {
	Type       string
	Attributes []Attribute
}

// Attribute is one key/value pair of an Event. Index asks CometBFT's
// indexer to make the attribute searchable (tx_search); only identifiers a
// client would search by are indexed, since indexing costs every node time
// and disk on every block.
type Attribute struct {
	Key   string
	Value string
	Index bool
}

// TypedEvent is a module's event: a struct whose exported fields carry an
// `event:"key"` or `event:"key,index"` tag, registered once with
// RegisterEvent. Off-chain code (executor, indexer, CLI) reads events back
// into the same structs with DecodeEvent, never by attribute strings.
//
// Field types: string, bool, int, int64, uint32, uint64 (decimal), []byte
// (lower-case hex) and []string (joined by ","; the elements are
// identifiers that never contain a comma).
type TypedEvent interface {
	// EventType is the event's type, "icn.<module>.<what happened>" (the
	// app's own: "icn.tx", "icn.tx.sponsored"), a constant declared beside
	// the struct.
	EventType() string
}

type eventField struct {
	field int // the struct field's number
	key   string
	index bool
	kind  reflect.Kind
	slice reflect.Kind // element kind of a slice field
}

type eventInfo struct {
	typ    string
	goType reflect.Type
	fields []eventField
}

var (
	eventsByGoType = map[reflect.Type]*eventInfo{}
	eventsByType   = map[string]*eventInfo{}
)

// RegisterEvent registers the event struct of which e is a value, at
// package initialisation (events.go of each module). It panics on a second
// registration of the type name or struct, on a field without a tag and on
// a field type the codec does not know: programming errors caught when the
// binary starts.
func RegisterEvent(e TypedEvent) {
	t := reflect.TypeOf(e)
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("modules: event %T is not a struct", e))
	}
	info := &eventInfo{typ: e.EventType(), goType: t}
	if !strings.HasPrefix(info.typ, "icn.") || len(info.typ) == len("icn.") {
		panic(fmt.Sprintf("modules: event type %q does not start with icn.", info.typ))
	}
	if _, dup := eventsByType[info.typ]; dup {
		panic(fmt.Sprintf("modules: event type %q registered twice", info.typ))
	}
	if _, dup := eventsByGoType[t]; dup {
		panic(fmt.Sprintf("modules: event struct %v registered twice", t))
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("event")
		if !ok || !f.IsExported() {
			panic(fmt.Sprintf("modules: event %v field %s has no event tag or is unexported", t, f.Name))
		}
		key, opt, _ := strings.Cut(tag, ",")
		if key == "" || (opt != "" && opt != "index") {
			panic(fmt.Sprintf("modules: event %v field %s has a malformed tag %q", t, f.Name, tag))
		}
		for _, prev := range info.fields {
			if prev.key == key {
				panic(fmt.Sprintf("modules: event %v has two fields with the key %q", t, key))
			}
		}
		ef := eventField{field: i, key: key, index: opt == "index", kind: f.Type.Kind()}
		switch ef.kind {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Uint32, reflect.Uint64:
		case reflect.Slice:
			ef.slice = f.Type.Elem().Kind()
			if ef.slice != reflect.Uint8 && ef.slice != reflect.String {
				panic(fmt.Sprintf("modules: event %v field %s: slices of %v are not supported", t, f.Name, f.Type.Elem()))
			}
		default:
			panic(fmt.Sprintf("modules: event %v field %s: type %v is not supported", t, f.Name, f.Type))
		}
		info.fields = append(info.fields, ef)
	}
	eventsByType[info.typ] = info
	eventsByGoType[t] = info
}

// Flatten turns a registered typed event (or a pointer to one) into an
// Event. It panics for an unregistered struct: every event a module emits
// is registered in its events.go, and a test emits each one.
func Flatten(e TypedEvent) Event {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	info, ok := eventsByGoType[v.Type()]
	if !ok {
		panic(fmt.Sprintf("modules: event %T is not registered", e))
	}
	attrs := make([]Attribute, len(info.fields))
	for i, f := range info.fields {
		attrs[i] = Attribute{Key: f.key, Value: formatField(v.Field(f.field), f), Index: f.index}
	}
	return Event{Type: info.typ, Attributes: attrs}
}

func formatField(v reflect.Value, f eventField) string {
	switch f.kind {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	default: // slice
		if f.slice == reflect.Uint8 {
			return hex.EncodeToString(v.Bytes())
		}
		return strings.Join(v.Interface().([]string), ",")
	}
}

// DecodeEvent fills out, a pointer to a registered event struct, from ev.
// It fails when ev is of another type, when an attribute the struct
// declares is missing or malformed; attributes the struct does not declare
// are ignored, so that older readers keep working when an event grows.
func DecodeEvent(ev Event, out TypedEvent) error {
	p := reflect.ValueOf(out)
	if p.Kind() != reflect.Pointer || p.IsNil() {
		return fmt.Errorf("modules: decode event into %T: want a non-nil pointer", out)
	}
	info, ok := eventsByGoType[p.Elem().Type()]
	if !ok {
		return fmt.Errorf("modules: decode event into %T: not a registered event", out)
	}
	if ev.Type != info.typ {
		return fmt.Errorf("modules: event of type %q, want %q", ev.Type, info.typ)
	}
	return decodeInto(ev, info, p.Elem())
}

// DecodeAnyEvent decodes ev into a new value of the registered struct of its
// type. It returns ok=false, and no error, for a type nobody registered (an
// event of CometBFT's or of a later version).
func DecodeAnyEvent(ev Event) (e TypedEvent, ok bool, err error) {
	info, found := eventsByType[ev.Type]
	if !found {
		return nil, false, nil
	}
	v := reflect.New(info.goType).Elem()
	if err := decodeInto(ev, info, v); err != nil {
		return nil, true, err
	}
	return v.Interface().(TypedEvent), true, nil
}

func decodeInto(ev Event, info *eventInfo, v reflect.Value) error {
	for _, f := range info.fields {
		raw, found := "", false
		for _, a := range ev.Attributes {
			if a.Key == f.key {
				raw, found = a.Value, true
				break
			}
		}
		if !found {
			return fmt.Errorf("modules: event %s has no attribute %q", info.typ, f.key)
		}
		if err := parseField(v.Field(f.field), f, raw); err != nil {
			return fmt.Errorf("modules: event %s attribute %q: %w", info.typ, f.key, err)
		}
	}
	return nil
}

func parseField(v reflect.Value, f eventField, raw string) error {
	switch f.kind {
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(raw, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetUint(n)
	default:
		if f.slice == reflect.Uint8 {
			b, err := hex.DecodeString(raw)
			if err != nil {
				return err
			}
			v.SetBytes(b)
			return nil
		}
		var parts []string
		if raw != "" {
			parts = strings.Split(raw, ",")
		}
		v.Set(reflect.ValueOf(parts))
	}
	return nil
}

// RegisteredEvents returns a zero value of every registered event struct,
// sorted by event type, for documentation and tests.
func RegisteredEvents() []TypedEvent {
	out := make([]TypedEvent, 0, len(eventsByType))
	for _, info := range eventsByType {
		out = append(out, reflect.Zero(info.goType).Interface().(TypedEvent))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].EventType() < out[j].EventType() })
	return out
}
