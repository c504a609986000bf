package app_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/intercooperative/icnd/modules"
)

// TestRegisteredEventsRoundTrip flattens and decodes every event the
// app's modules register, with every field set, so that no event type
// escapes the codec.
func TestRegisteredEventsRoundTrip(t *testing.T) {
	for _, e := range modules.RegisteredEvents() {
		v := reflect.New(reflect.TypeOf(e)).Elem()
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.String:
				f.SetString("v")
			case reflect.Bool:
				f.SetBool(true)
			case reflect.Int, reflect.Int64:
				f.SetInt(-7)
			case reflect.Uint32, reflect.Uint64:
				f.SetUint(7)
			case reflect.Slice:
				if f.Type().Elem().Kind() == reflect.Uint8 {
					f.SetBytes([]byte{1, 2})
				} else {
					f.Set(reflect.ValueOf([]string{"a", "b"}))
				}
			}
		}
		in := v.Interface().(modules.TypedEvent)
		out, ok, err := modules.DecodeAnyEvent(modules.Flatten(in))
		if err != nil || !ok || !reflect.DeepEqual(in, out) {
			t.Errorf("%s: round trip gave %+v, %v, %v", e.EventType(), out, ok, err)
		}
		if !strings.HasPrefix(e.EventType(), "icn.") {
			t.Errorf("%s: event types start with icn.", e.EventType())
		}
	}
}
