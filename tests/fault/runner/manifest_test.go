package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The shipped manifests parse and pass Check.
func TestShippedManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "manifests", "*.toml"))
	if err != nil || len(files) < 2 {
		t.Fatalf("manifests: %v %v", files, err)
	}
	for _, f := range files {
		m, err := ReadManifest(f)
		if err != nil {
			t.Fatal(err)
		}
		ops := map[string]bool{}
		halt := false
		for _, p := range m.Perturbations {
			ops[p.Op] = true
			halt = halt || 3*(m.Validators-len(p.Nodes)) <= 2*m.Validators
		}
		for _, op := range Ops {
			if !ops[op] {
				t.Errorf("%s has no %s", f, op)
			}
		}
		if !halt {
			t.Errorf("%s never takes down enough validators to halt the chain", f)
		}
	}
	long, err := ReadManifest(filepath.Join("..", "manifests", "long.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if long.Duration() < 30*time.Minute {
		t.Errorf("long.toml runs %s of load, want 30 minutes or more", long.Duration())
	}
}

const base = `name = "t"
period = "100s"
`

func TestParseManifestRefuses(t *testing.T) {
	for _, tc := range []struct{ name, toml, want string }{
		{"unknown field", base + "colour = 1\n", "colour"},
		{"no name", `period = "10s"`, "name is empty"},
		{"no period", `name = "x"`, "period is missing"},
		{"bad duration", `name = "x"` + "\nperiod = \"ten\"\n", "ten"},
		{"three validators", base + "validators = 3\n", "validators = 3"},
		{"no snapshots", base + "snapshot_interval = 0\n", "snapshot_interval"},
		{"unknown op", base + "[[perturbation]]\nat=\"1s\"\nfor=\"1s\"\nop=\"explode\"\nnodes=[\"node0\"]\n", "explode"},
		{"unknown node", base + "[[perturbation]]\nat=\"1s\"\nfor=\"1s\"\nop=\"kill\"\nnodes=[\"node4\"]\n", "no node \"node4\""},
		{"no nodes", base + "[[perturbation]]\nat=\"1s\"\nfor=\"1s\"\nop=\"kill\"\n", "no nodes"},
		{"past the period", base + "[[perturbation]]\nat=\"95s\"\nfor=\"10s\"\nop=\"kill\"\nnodes=[\"node0\"]\n", "inside the period"},
		{"zero for", base + "[[perturbation]]\nat=\"5s\"\nop=\"kill\"\nnodes=[\"node0\"]\n", "inside the period"},
		{"overlap", base + "catch_up = \"20s\"\n" +
			"[[perturbation]]\nat=\"5s\"\nfor=\"10s\"\nop=\"kill\"\nnodes=[\"node0\"]\n" +
			"[[perturbation]]\nat=\"30s\"\nfor=\"10s\"\nop=\"pause\"\nnodes=[\"node1\",\"node0\"]\n", "overlap on node0"},
		{"overlap with the next cycle", base + "cycles = 2\ncatch_up = \"20s\"\n" +
			"[[perturbation]]\nat=\"5s\"\nfor=\"10s\"\nop=\"kill\"\nnodes=[\"node0\"]\n" +
			"[[perturbation]]\nat=\"80s\"\nfor=\"10s\"\nop=\"pause\"\nnodes=[\"node0\"]\n", "overlap on node0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tc.toml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestScheduleAndWindows(t *testing.T) {
	m, err := ParseManifest([]byte(base + `cycles = 2
catch_up = "10s"
[[perturbation]]
at = "50s"
for = "20s"
op = "kill"
nodes = ["node2", "node3"]

[[perturbation]]
at = "10s"
for = "10s"
op = "pause"
nodes = ["node1"]
`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Duration() != 200*time.Second {
		t.Fatalf("duration %s", m.Duration())
	}
	ev := m.Schedule()
	var got []string
	for _, e := range ev {
		got = append(got, e.Op+"@"+e.Begin.String()+"-"+e.End.String())
	}
	want := "pause@10s-20s kill@50s-1m10s pause@1m50s-2m0s kill@2m30s-2m50s"
	if strings.Join(got, " ") != want {
		t.Fatalf("schedule %v, want %s", got, want)
	}
	if ev[3].Seq != 4 || ev[3].Cycle != 2 {
		t.Fatalf("last event %+v", ev[3])
	}
	var ws []string
	for _, w := range Windows(m, ev, 200*time.Second) {
		live := "live"
		if !w.Live {
			live = "halt"
		}
		ws = append(ws, w.From.String()+"-"+w.To.String()+":"+live)
	}
	want = "0s-10s:live 10s-20s:live 20s-50s:live 50s-1m10s:halt 1m10s-1m50s:live 1m50s-2m0s:live 2m0s-2m30s:live 2m30s-2m50s:halt 2m50s-3m20s:live"
	if strings.Join(ws, " ") != want {
		t.Fatalf("windows\n%s\nwant\n%s", strings.Join(ws, " "), want)
	}
	// Five validators: two down leaves three of five, 60%: a halt; one
	// down leaves 80%: live.
	m.Validators = 5
	w := Windows(m, ev[:2], 100*time.Second)
	if !w[1].Live || w[3].Live || w[3].Down != 2 {
		t.Fatalf("five validators: %+v", w)
	}
}

func TestReadManifestMissing(t *testing.T) {
	if _, err := ReadManifest(filepath.Join(t.TempDir(), "none.toml")); !os.IsNotExist(err) {
		t.Fatalf("error %v", err)
	}
}
