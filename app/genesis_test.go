package app

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	idb "github.com/cosmos/iavl/db"

	"github.com/intercooperative/icnd/store"
)

// TestGenesisStateListsTheModules: the typed GenesisState that tools edit
// has one field per module, named as the module, in module order, so that
// what tools write is what InitChain reads.
func TestGenesisStateListsTheModules(t *testing.T) {
	var fields []string
	st := reflect.TypeOf(GenesisState{})
	for i := 0; i < st.NumField(); i++ {
		name, _, _ := strings.Cut(st.Field(i).Tag.Get("json"), ",")
		fields = append(fields, name)
	}
	var names []string
	for _, m := range newModuleSet().modules {
		names = append(names, m.Name())
	}
	if strings.Join(fields, " ") != strings.Join(names, " ") {
		t.Fatalf("GenesisState fields %v, modules %v", fields, names)
	}
}

// TestGenesisSectionsAreExact: a section named in another case, listed
// twice, unknown, or followed by more data is refused by ParseGenesis (and
// so by `icnd genesis validate`) and by InitChain alike.
func TestGenesisSectionsAreExact(t *testing.T) {
	good, err := json.Marshal(DefaultGenesis())
	if err != nil {
		t.Fatal(err)
	}
	dag := `{"entries":[]}`
	body := strings.TrimSuffix(strings.TrimPrefix(string(good), "{"), "}")
	cases := map[string]string{
		"other case": `{"DAG":` + dag + `,` + strings.Replace(body, `"dag":`+dag+`,`, "", 1) + `}`,
		"twice":      `{` + body + `,"dag":` + dag + `}`,
		"unknown":    `{` + body + `,"governance":{}}`,
		"trailing":   `{` + body + `} {}`,
		"not object": `[]`,
	}
	for name, raw := range cases {
		if _, err := ParseGenesis([]byte(raw)); err == nil {
			t.Errorf("%s: ParseGenesis accepted %s", name, raw)
		}
		cms, err := store.Open(idb.NewMemDB(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		a, err := New(cms, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.InitChain("c", 1, time.Unix(0, 0), []byte(raw)); err == nil {
			t.Errorf("%s: InitChain accepted it", name)
		}
	}
	if _, err := ParseGenesis(good); err != nil {
		t.Fatalf("default genesis refused: %v", err)
	}
}
