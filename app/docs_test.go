package app

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestDocsListEveryMessage checks the message table of docs/tx-format.md
// (section 2.3) against the rows the modules declare: the same messages,
// with their oneof field numbers, modules, default costs, frozen exemptions
// and governance use. The doc is what clients read; the rows are what the
// chain does.
func TestDocsListEveryMessage(t *testing.T) {
	raw, err := os.ReadFile("../docs/tx-format.md")
	if err != nil {
		t.Fatal(err)
	}
	header := "| # | oneof member | type | module | default cost | frozen may send | governance |"
	doc := string(raw)
	i := strings.Index(doc, header)
	if i < 0 {
		t.Fatalf("docs/tx-format.md has no message table with the header %q", header)
	}
	var documented []string
	for _, line := range strings.Split(doc[i:], "\n")[2:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		documented = append(documented, strings.Join(strings.Fields(line), " "))
	}

	numbers := map[string]string{}
	for wt, name := range oneofCases() {
		tag := wt.Elem().Field(0).Tag.Get("protobuf")
		numbers[name] = strings.Split(tag, ",")[1]
	}
	a := newModuleSet()
	var want []string
	for _, m := range a.modules {
		for _, r := range m.Messages() {
			frozen := "no"
			if r.FrozenMaySend {
				frozen = "yes"
			}
			want = append(want, fmt.Sprintf("| %s | `%s` | | %s | %d | %s | %s |", numbers[r.Name], r.Name, m.Name(), r.Cost, frozen, r.Governance))
		}
	}
	byNumber := func(rows []string) map[string]string {
		out := map[string]string{}
		for _, r := range rows {
			cells := strings.Split(r, "|")
			// Drop the type column: it is the proto type, checked by the
			// compiler through the rows' getters.
			cells[3] = " "
			out[strings.TrimSpace(cells[2])] = strings.Join(strings.Fields(strings.Join(cells, "|")), " ")
		}
		return out
	}
	got, exp := byNumber(documented), byNumber(want)
	for name, row := range exp {
		if got[name] != row {
			t.Errorf("docs/tx-format.md section 2.3 for %s:\n got %s\nwant %s", name, got[name], row)
		}
	}
	for name := range got {
		if _, ok := exp[name]; !ok {
			t.Errorf("docs/tx-format.md section 2.3 lists %s, which no module declares", name)
		}
	}
	if len(exp) == 0 {
		t.Fatal("no rows")
	}
}
