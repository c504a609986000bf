package app

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/intercooperative/icnd/modules"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// msgTable is the app's message table: the modules' rows, found by the
// case of the Msg oneof they handle. Decoding, dispatch, the default cost
// table and the frozen exemptions all read it; nothing else lists
// messages.
type msgTable struct {
	// rows are sorted by name.
	rows   []modules.Msg
	byCase map[reflect.Type]*modules.Msg
	byName map[string]*modules.Msg
}

// oneofCases returns the name of every case of the Msg oneof, as in
// tx.proto, by the wrapper type gogoproto generates for it.
func oneofCases() map[reflect.Type]string {
	cases := make(map[reflect.Type]string)
	for _, w := range (*txv1.Msg)(nil).XXX_OneofWrappers() {
		t := reflect.TypeOf(w)
		tag := t.Elem().Field(0).Tag.Get("protobuf")
		for _, part := range strings.Split(tag, ",") {
			if name, ok := strings.CutPrefix(part, "name="); ok {
				cases[t] = name
			}
		}
	}
	return cases
}

// newMsgTable builds the table from the modules' rows. Every case of the
// Msg oneof must have exactly one row, every row a case, and every row a
// cost: a table that breaks this is a programming error, reported when the
// App is built (and by TestMsgTableCoversOneof).
func newMsgTable(rows []modules.Msg) (*msgTable, error) {
	t := &msgTable{
		rows:   append([]modules.Msg(nil), rows...),
		byCase: make(map[reflect.Type]*modules.Msg),
		byName: make(map[string]*modules.Msg),
	}
	sort.Slice(t.rows, func(i, j int) bool { return t.rows[i].Name < t.rows[j].Name })
	for i := range t.rows {
		r := &t.rows[i]
		if _, dup := t.byName[r.Name]; dup {
			return nil, fmt.Errorf("app: message %q has two rows", r.Name)
		}
		if r.Cost == 0 {
			return nil, fmt.Errorf("app: message %q has no cost", r.Name)
		}
		t.byName[r.Name] = r
	}
	cases := oneofCases()
	byName := make(map[string]reflect.Type, len(cases))
	names := make([]string, 0, len(cases))
	for typ, name := range cases {
		byName[name] = typ
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r, ok := t.byName[name]
		if !ok {
			return nil, fmt.Errorf("app: oneof case %q has no row", name)
		}
		t.byCase[byName[name]] = r
	}
	for _, r := range t.rows {
		if _, ok := byName[r.Name]; !ok {
			return nil, fmt.Errorf("app: row %q matches no oneof case", r.Name)
		}
	}
	return t, nil
}

// row returns the row of m's case; ErrUnknownMessage when m carries no
// case (or an empty one) that the table knows.
func (t *msgTable) row(m *txv1.Msg) (*modules.Msg, error) {
	if m == nil || m.Sum == nil {
		return nil, ErrUnknownMessage
	}
	r, ok := t.byCase[reflect.TypeOf(m.Sum)]
	if !ok || !r.Present(m) {
		return nil, ErrUnknownMessage
	}
	return r, nil
}

// specs returns every row's spec, sorted by name.
func (t *msgTable) specs() []modules.MsgSpec {
	out := make([]modules.MsgSpec, len(t.rows))
	for i, r := range t.rows {
		out[i] = r.MsgSpec
	}
	return out
}

var _ modules.Router = (*msgTable)(nil)

// Decode implements modules.Router: one canonically encoded Msg, its row,
// and the row's stateless check.
func (t *msgTable) Decode(bz []byte) (*txv1.Msg, modules.MsgSpec, error) {
	m := new(txv1.Msg)
	if err := unmarshalCanonical(bz, m, "message"); err != nil {
		return nil, modules.MsgSpec{}, err
	}
	r, err := t.row(m)
	if err != nil {
		return nil, modules.MsgSpec{}, err
	}
	if err := r.Validate(m); err != nil {
		return nil, modules.MsgSpec{}, err
	}
	return m, r.MsgSpec, nil
}

// Run implements modules.Router.
func (t *msgTable) Run(ctx modules.Context, m *txv1.Msg) error {
	r, err := t.row(m)
	if err != nil {
		return err
	}
	return r.Handle(ctx, m)
}

// Specs implements modules.Router.
func (t *msgTable) Specs() []modules.MsgSpec { return t.specs() }
