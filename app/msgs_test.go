package app

import (
	"reflect"
	"testing"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/modules/mana"
	"github.com/intercooperative/icnd/modules/org"
	identityv1 "github.com/intercooperative/icnd/proto/icn/identity/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
)

// TestMsgTableCoversOneof walks every case of the Msg oneof, by reflection
// over the wrappers gogoproto generates, and checks that each reaches
// exactly one row with a cost entry in the default params, and that every
// row is reached by a case.
func TestMsgTableCoversOneof(t *testing.T) {
	a := &App{}
	a.wireKeepers()
	table, err := newMsgTable(a.messageRows())
	if err != nil {
		t.Fatal(err)
	}
	params := mana.DefaultParams(table.specs())
	reached := map[string]bool{}
	cases := oneofCases()
	if len(cases) == 0 {
		t.Fatal("the Msg oneof has no cases")
	}
	for wt, name := range cases {
		// A wrapper holding an empty message of its case, as decoding
		// an empty case produces.
		wv := reflect.New(wt.Elem())
		wv.Elem().Field(0).Set(reflect.New(wt.Elem().Field(0).Type.Elem()))
		m := &txv1.Msg{}
		reflect.ValueOf(m).Elem().FieldByName("Sum").Set(wv)

		row, err := table.row(m)
		if err != nil {
			t.Errorf("case %s (%v): no row: %v", name, wt.Elem(), err)
			continue
		}
		if row.Name != name {
			t.Errorf("case %s reaches row %q", name, row.Name)
		}
		if reached[row.Name] {
			t.Errorf("row %q is reached by two cases", row.Name)
		}
		reached[row.Name] = true
		if row.Cost == 0 {
			t.Errorf("row %q has no cost", row.Name)
		}
		found := false
		for _, c := range params.MsgCosts {
			found = found || c.Msg == row.Name && c.Cost == row.Cost
		}
		if !found {
			t.Errorf("row %q has no entry in the default cost table", row.Name)
		}
	}
	for _, r := range table.rows {
		if !reached[r.Name] {
			t.Errorf("row %q is reached by no case of the oneof", r.Name)
		}
	}
	if err := mana.ValidateParams(params, table.specs()); err != nil {
		t.Fatalf("default params refused: %v", err)
	}
}

// TestMsgTableRefusesInconsistentRows checks that the app will not start
// with a table that misses a case, has a row no case reaches, lists a
// message twice or charges nothing for one.
func TestMsgTableRefusesInconsistentRows(t *testing.T) {
	a := &App{}
	a.wireKeepers()
	rows := a.messageRows()
	noop := func(*txv1.Msg_Anchor) error { return nil }
	extra := modules.NewMsg(modules.MsgSpec{Name: "teleport", Cost: 1},
		func(*txv1.Msg) *txv1.Msg_Anchor { return nil }, noop, func(modules.Context, *txv1.Msg_Anchor) error { return nil })
	zeroCost := append([]modules.Msg(nil), rows...)
	zeroCost[0].Cost = 0
	cases := map[string][]modules.Msg{
		"missing row":  rows[1:],
		"extra row":    append(append([]modules.Msg(nil), rows...), extra),
		"row twice":    append(append([]modules.Msg(nil), rows...), rows[0]),
		"cost of zero": zeroCost,
	}
	for name, rs := range cases {
		if _, err := newMsgTable(rs); err == nil {
			t.Errorf("%s: table accepted", name)
		}
	}
	if _, err := newMsgTable(rows); err != nil {
		t.Fatalf("the app's own rows refused: %v", err)
	}
}

// TestModulesAreDistinct: two modules may share neither a name (genesis
// section, codespace) nor a store prefix.
func TestModulesAreDistinct(t *testing.T) {
	a := newModuleSet()
	if err := checkModules(a.modules); err != nil {
		t.Fatal(err)
	}
	if err := checkModules(append(a.modules, a.modules[0])); err == nil {
		t.Error("a module listed twice was accepted")
	}
	if err := checkModules(append(a.modules, tickModule{})); err != nil {
		t.Errorf("a module with its own name and prefix was refused: %v", err)
	}
}

// TestKindNamesAreManas: the org module names organization kinds as the
// mana module's params and its Memberships contract do, without either
// importing the other.
func TestKindNamesAreManas(t *testing.T) {
	want := map[identityv1.OrgKind]string{
		identityv1.OrgKind_ORG_KIND_COMMUNITY:   mana.KindCommunity,
		identityv1.OrgKind_ORG_KIND_COOPERATIVE: mana.KindCooperative,
		identityv1.OrgKind_ORG_KIND_FEDERATION:  mana.KindFederation,
	}
	for kind := range identityv1.OrgKind_name {
		k := identityv1.OrgKind(kind)
		if got := org.KindName(k); got != want[k] {
			t.Errorf("org.KindName(%v) = %q, mana's kind is %q", k, got, want[k])
		}
	}
}
