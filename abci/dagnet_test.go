package abci

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/intercooperative/icnd/executor/blockstore"
	"github.com/intercooperative/icnd/executor/p2p"
)

const peerAddr = "/ip4/127.0.0.1/tcp/26680/p2p/12D3KooWQ4SwHaqxKvAjVEfMPPjrrkE5qZqUgFmsZtr6pStJUMEd"

func TestDagP2PConfig(t *testing.T) {
	def := DefaultAppConfig().DagP2P
	if def.Enable || !reflect.DeepEqual(def.ListenAddrs, []string{"/ip4/0.0.0.0/tcp/26680"}) || def.KeyFile != "config/dag_p2p_key" {
		t.Fatalf("defaults: %+v", def)
	}
	for name, tc := range map[string]struct {
		edit func(*DagP2PConfig)
		want string
	}{
		"bad listen":        {func(c *DagP2PConfig) { c.ListenAddrs = []string{"0.0.0.0:26680"} }, `dag-p2p.listen-addrs: "0.0.0.0:26680": `},
		"no listen, on":     {func(c *DagP2PConfig) { c.Enable, c.ListenAddrs = true, nil }, "dag-p2p.listen-addrs must not be empty when enable is set"},
		"bootstrap no id":   {func(c *DagP2PConfig) { c.Bootstrap = []string{"/ip4/127.0.0.1/tcp/26680"} }, `dag-p2p.bootstrap: p2p: bootstrap address "/ip4/127.0.0.1/tcp/26680" has no /p2p/<peer id>`},
		"bootstrap garbage": {func(c *DagP2PConfig) { c.Bootstrap = []string{"node0:26680"} }, `dag-p2p.bootstrap: p2p: bootstrap address "node0:26680": `},
		"no key file":       {func(c *DagP2PConfig) { c.KeyFile = "" }, "dag-p2p.key-file must be set"},
	} {
		cfg := DefaultAppConfig()
		tc.edit(&cfg.DagP2P)
		if err := cfg.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}

	// The section round-trips through app.toml, and a typo in it is refused.
	home := t.TempDir()
	cfg := DefaultAppConfig()
	cfg.DagP2P.Enable = true
	cfg.DagP2P.Bootstrap = []string{peerAddr}
	if err := WriteAppConfig(home, cfg); err != nil {
		t.Fatal(err)
	}
	back, err := LoadAppConfig(home)
	if err != nil || !reflect.DeepEqual(back.DagP2P, cfg.DagP2P) {
		t.Fatalf("round trip: %+v, %v", back.DagP2P, err)
	}
	path := filepath.Join(home, AppConfigFile)
	bz, _ := os.ReadFile(path)
	if !strings.Contains(string(bz), "[dag-p2p]") {
		t.Fatalf("app.toml has no [dag-p2p] section:\n%s", bz)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(bz), "bootstrap =", "boostrap =", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAppConfig(home); err == nil || !strings.Contains(err.Error(), "fields in the document are missing in the target struct") {
		t.Fatalf("typo accepted: %v", err)
	}
	if got := cfg.DagP2P.KeyPath("/h"); got != "/h/config/dag_p2p_key" {
		t.Fatalf("KeyPath: %s", got)
	}
}

// TestPostedJobs: only accepted transactions' job_posted events with a job
// CID become announcements, with the block's height.
func TestPostedJobs(t *testing.T) {
	job := blockstore.RawCID([]byte("job")).String()
	module := blockstore.RawCID([]byte("module")).String()
	ev := func(job string) abcitypes.Event {
		return abcitypes.Event{Type: "icn.mesh.job_posted", Attributes: []abcitypes.EventAttribute{
			{Key: "job", Value: job}, {Key: "poster", Value: "did:icn:x"}, {Key: "module", Value: module}, {Key: "input", Value: job},
		}}
	}
	resp := &abcitypes.ResponseFinalizeBlock{TxResults: []*abcitypes.ExecTxResult{
		{Code: 0, Events: []abcitypes.Event{{Type: "icn.mana.charged"}, ev(job)}},
		{Code: 7, Events: []abcitypes.Event{ev(job)}},
		{Code: 0, Events: []abcitypes.Event{ev("not-a-cid")}},
		nil,
	}}
	got := postedJobs(12, resp)
	want := []postedJob{{job: p2p.JobAnnouncement{Job: job, Height: 12}, blocks: []string{module, job}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("postedJobs: %+v, want %+v", got, want)
	}
}
