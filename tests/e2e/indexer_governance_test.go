package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/indexer"
	"github.com/intercooperative/icnd/internal/pgtest"
	orgmod "github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/node/testnet"
)

// govTables are governance's mirror tables.
var govTables = []string{"gov_proposals", "gov_voters", "gov_delegations", "gov_policies"}

// TestIndexerGovernance runs a network, PostgreSQL and the indexer while a
// cooperative of three (node0, alice, bob, who delegates to alice) votes:
// each vote's live tally and electorate in the mirror equal the chain's
// at that height, including alice's carried weight, which bob's own vote
// takes back (no event names alice: the mirror re-reads a voter's
// delegate); the proposal executes; bob undelegates. The API and the
// explorer show the proposal with its tally; a rebuild, and a mirror that
// read the whole state at the last height, equal the live one.
func TestIndexerGovernance(t *testing.T) {
	pg := pgtest.New(t)
	ctx := context.Background()
	dbName, err := pg.CreateDatabase(ctx, "indexer_gov")
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgx.Connect(ctx, pg.DSN(dbName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)

	n := startNetworkWith(t, 1, "--voting-period", "30", "--timelock", "2")
	n.waitHeight(2, 60*time.Second, 0)
	node0 := n.manifest.Nodes[0]
	logDir := t.TempDir()
	listen := freeAddr(t)
	api := "http://" + listen
	ixArgs := []string{"--node", node0.RPC, "--db", pg.URL(dbName), "--listen", listen,
		"--home", node0.Home, "--trust-dir", filepath.Join(logDir, "trust")}
	ix := startIndexer(t, logDir, append([]string{"start"}, ixArgs...)...)

	flags := func(key string) []string {
		f := []string{"--from", key, "--keyring-backend", "test", "--yes", "--output", "json"}
		if key != node0.KeyName {
			f = append(f, "--sponsor", node0.KeyName)
		}
		return f
	}
	tx := func(key string, args ...string) txOut {
		t.Helper()
		res := n.txJSON(t, 0, append(args, flags(key)...)...)
		if res.Code != 0 {
			t.Fatalf("icnd %s: %+v", strings.Join(args, " "), res)
		}
		return res
	}
	query := func(v any, args ...string) {
		t.Helper()
		var out struct {
			Result json.RawMessage `json:"result"`
		}
		decodeJSON(t, n.cli(t, 0, append(append([]string{"query"}, args...), "--output", "json")...), &out)
		decodeJSON(t, string(out.Result), v)
	}
	newDID := func(name string) string {
		t.Helper()
		var key struct {
			DID string `json:"did"`
		}
		decodeJSON(t, runCLI(t, "keys", "add", name, "--keyring-backend", "test", "--output", "json", "--home", node0.Home), &key)
		tx(node0.KeyName, "tx", "identity", "register", "--key", name)
		return key.DID
	}
	alice, bob := newDID("alice"), newDID("bob")
	root := orgmod.DeriveOrgDID("", testnet.RootFederation)
	tx(node0.KeyName, "tx", "identity", "create-org", "bakery", "--kind", "cooperative", "--parent", root)
	coop := orgmod.DeriveOrgDID(root, "bakery")
	for _, m := range []string{"alice", "bob"} {
		did := map[string]string{"alice": alice, "bob": bob}[m]
		tx(node0.KeyName, "tx", "identity", "invite", coop, did)
		tx(m, "tx", "identity", "accept", coop)
	}
	tx("bob", "tx", "governance", "delegate", coop, alice)

	var proposed struct {
		txOut
		ProposalID uint64 `json:"proposal_id"`
	}
	decodeJSON(t, n.cli(t, 0, append([]string{"tx", "governance", "propose", "--text", "--org", coop, "--title", "Adopt the budget",
		"--summary", "bread for all"}, flags(node0.KeyName)...)...), &proposed)
	if proposed.Code != 0 || proposed.ProposalID == 0 {
		t.Fatalf("propose: %+v", proposed)
	}
	id := strconv.FormatUint(proposed.ProposalID, 10)

	// sameTally checks, at height h, the mirror's proposal and electorate
	// against the chain's.
	sameTally := func(h int64, wantYes, wantNo uint64) {
		t.Helper()
		waitIndexed(t, db, h, 30*time.Second)
		at := []string{"--height", strconv.FormatInt(h, 10)}
		var chain client.ProposalView
		query(&chain, append([]string{"governance", "proposal", id}, at...)...)
		if chain.Yes != wantYes || chain.No != wantNo {
			t.Fatalf("chain tally at %d: %+v, want yes %d no %d", h, chain, wantYes, wantNo)
		}
		var votes []client.VoteView
		query(&votes, append([]string{"governance", "votes", id}, at...)...)
		var want []string
		for _, v := range votes {
			option := v.Option
			if option == "none" {
				option = ""
			}
			want = append(want, fmt.Sprintf("%s weight %d delegate %q carries %d option %q", v.Voter, v.Weight, v.Delegate, v.Delegated, option))
		}
		sort.Strings(want)
		// The mirror's rows as of h: nothing else touches this proposal
		// before the next vote, so the latest rows are those of h.
		var detail indexer.ProposalDetail
		getAPI(t, api+"/v1/proposals/"+id, 200, &detail)
		p := detail.Proposal
		if p.Yes != fmt.Sprint(chain.Yes) || p.No != fmt.Sprint(chain.No) || p.Abstain != fmt.Sprint(chain.Abstain) ||
			p.TotalWeight != fmt.Sprint(chain.TotalWeight) || p.Status != chain.Status || p.Voters != int64(chain.Voters) {
			t.Errorf("proposal at %d: mirror %+v, chain %+v", h, p, chain)
		}
		var page struct{ Items []indexer.Vote }
		getAPI(t, api+"/v1/proposals/"+id+"/votes", 200, &page)
		var got []string
		for _, v := range page.Items {
			got = append(got, fmt.Sprintf("%s weight %s delegate %q carries %s option %q", v.Member, v.Weight, v.Delegate, v.Delegated, v.Option))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != 3 {
			t.Errorf("electorate at %d:\nmirror %s\nchain  %s", h, strings.Join(got, "\n       "), strings.Join(want, "\n       "))
		}
	}
	waitAPI(t, api)
	// node0 yes; alice no, carrying bob's weight; then bob votes yes himself.
	sameTally(tx(node0.KeyName, "tx", "governance", "vote", id, "yes").Height, 1, 0)
	sameTally(tx("alice", "tx", "governance", "vote", id, "no").Height, 1, 2)
	sameTally(tx("bob", "tx", "governance", "vote", id, "yes").Height, 2, 1)
	var detail indexer.ProposalDetail
	getAPI(t, api+"/v1/proposals/"+id, 200, &detail)
	if detail.Tally.Projected != "timelocked" || !detail.Tally.QuorumReached || len(detail.Votes) != 3 {
		t.Errorf("live tally: %+v", detail.Tally)
	}

	// The proposal passes and executes (a text proposal runs no message).
	deadline := time.Now().Add(90 * time.Second)
	var final client.ProposalView
	for query(&final, "governance", "proposal", id); final.Status != "executed"; query(&final, "governance", "proposal", id) {
		if time.Now().After(deadline) {
			t.Fatalf("proposal %s is %s", id, final.Status)
		}
		time.Sleep(500 * time.Millisecond)
	}
	undelegated := tx("bob", "tx", "governance", "undelegate", coop)
	waitIndexed(t, db, undelegated.Height, 30*time.Second)
	var executed indexer.ProposalDetail
	getAPI(t, api+"/v1/proposals/"+id, 200, &executed)
	if executed.Proposal.Status != "executed" || executed.Proposal.EndHeight != final.EndHeight || executed.Tally.Projected != "" {
		t.Errorf("executed proposal in the mirror: %+v %+v", executed.Proposal, executed.Tally)
	}
	var gov indexer.OrgGovernance
	getAPI(t, api+"/v1/orgs/"+coop+"/governance", 200, &gov)
	if len(gov.Delegations) != 0 {
		t.Errorf("delegations after bob undelegated: %+v", gov.Delegations)
	}
	var list struct{ Items []indexer.Proposal }
	getAPI(t, api+"/v1/orgs/"+coop+"/proposals?status=executed", 200, &list)
	if len(list.Items) != 1 || list.Items[0].Title != "Adopt the budget" {
		t.Errorf("the cooperative's executed proposals: %+v", list.Items)
	}

	t.Run("explorer in headless Chromium", func(t *testing.T) {
		dir := t.ArtifactDir()
		for _, p := range []struct {
			name, path string
			want       []string
		}{
			{"proposal", "/proposals/" + id, []string{"Adopt the budget", "bread for all", "executed", "Tally", alice[:14], "yes", "no"}},
			{"org-proposals", "/orgs/" + coop, []string{"Proposals", "Adopt the budget"}},
		} {
			dom := chromium(t, "--dump-dom", api+p.path)
			for _, w := range p.want {
				if !strings.Contains(dom, w) {
					t.Errorf("%s page lacks %q", p.name, w)
				}
			}
			shot := filepath.Join(dir, p.name+".png")
			chromium(t, "--screenshot="+shot, api+p.path)
			if st, err := os.Stat(shot); err != nil || st.Size() < 1000 {
				t.Errorf("screenshot %s: %v", shot, err)
			}
		}
	})

	// A rebuild equals the live mirror; so does the state read whole.
	if err := ix.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("the indexer did not stop cleanly on SIGTERM: %v", err)
	}
	last := indexedHeight(t, db)
	tables := append(append([]string{}, mirrorTables...), govTables...)
	live := tableDigests(t, db, tables)
	rb := startIndexer(t, logDir, append([]string{"rebuild", "--stop-height", fmt.Sprint(last)}, ixArgs...)...)
	if err := rb.cmd.Wait(); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	rebuilt := tableDigests(t, db, tables)
	for _, tab := range tables {
		if live[tab] != rebuilt[tab] {
			t.Errorf("table %s: live %s, rebuilt %s", tab, live[tab], rebuilt[tab])
		}
	}
	scanDB, err := pg.CreateDatabase(ctx, "indexer_gov_scan")
	if err != nil {
		t.Fatal(err)
	}
	scanArgs := append([]string{"start", "--from-height", fmt.Sprint(last), "--stop-height", fmt.Sprint(last)}, ixArgs...)
	scanArgs[slicesIndex(scanArgs, "--db")+1] = pg.URL(scanDB)
	scanArgs[slicesIndex(scanArgs, "--listen")+1] = ""
	sc := startIndexer(t, logDir, scanArgs...)
	if err := sc.cmd.Wait(); err != nil {
		t.Fatalf("index from height %d: %v", last, err)
	}
	sdb, err := pgx.Connect(ctx, pg.DSN(scanDB))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close(ctx)
	for _, tab := range append([]string{"mana_accounts", "memberships"}, govTables...) {
		if a, b := stateDigest(t, db, tab), stateDigest(t, sdb, tab); a != b {
			t.Errorf("table %s kept from events differs from the state read at height %d:\n%s\n%s", tab, last, a, b)
		}
	}
	var voters int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM gov_voters").Scan(&voters); err != nil || voters != 3 {
		t.Fatalf("gov_voters holds %d rows (%v): the comparison checks little", voters, err)
	}
}
