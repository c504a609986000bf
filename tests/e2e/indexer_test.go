package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/client"
	"github.com/intercooperative/icnd/client/keyring"
	"github.com/intercooperative/icnd/internal/pgtest"
	orgmod "github.com/intercooperative/icnd/modules/org"
	"github.com/intercooperative/icnd/node/testnet"
)

// indexerProc is a running `icnd indexer` process.
type indexerProc struct {
	cmd *exec.Cmd
	log string
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startIndexer(t *testing.T, logDir string, args ...string) *indexerProc {
	t.Helper()
	log := filepath.Join(logDir, fmt.Sprintf("indexer-%d.log", time.Now().UnixNano()))
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(icndBin, append([]string{"indexer"}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &indexerProc{cmd: cmd, log: log}
	t.Cleanup(func() {
		p.stop(syscall.SIGKILL)
		f.Close()
		if t.Failed() {
			t.Logf("---- %s ----\n%s", log, tail(log, 30))
		}
	})
	return p
}

// stop signals the indexer and waits for it to exit; it returns the exit error.
func (p *indexerProc) stop(sig syscall.Signal) error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(sig)
	return p.cmd.Wait()
}

// indexedHeight reads the mirror's last height (0 when empty).
func indexedHeight(t *testing.T, db *pgx.Conn) int64 {
	t.Helper()
	var h int64
	err := db.QueryRow(context.Background(), "SELECT coalesce((SELECT last_height FROM indexer_state), 0)").Scan(&h)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func waitIndexed(t *testing.T, db *pgx.Conn, h int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for indexedHeight(t, db) < h {
		if time.Now().After(deadline) {
			t.Fatalf("height %d not indexed within %s (at %d)", h, timeout, indexedHeight(t, db))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// mirrorTables are the tables rebuilt from the chain.
var mirrorTables = []string{"blocks", "txs", "events", "dids", "did_keys", "orgs", "memberships", "invitations",
	"freezes", "credentials", "mana_accounts", "profiles", "indexer_state"}

// tableDigests returns, per table, its row count and the SHA-256 of its
// rows' text forms in sorted order.
func tableDigests(t *testing.T, db *pgx.Conn, tables []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tab := range tables {
		rows, err := db.Query(context.Background(), fmt.Sprintf("SELECT t::text FROM %s t ORDER BY 1", tab))
		if err != nil {
			t.Fatal(err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(strings.Join(texts, "\n")))
		out[tab] = fmt.Sprintf("%d rows %s", len(texts), hex.EncodeToString(sum[:8]))
	}
	return out
}

// dumpAll returns the text of every row of every table in the database.
func dumpAll(t *testing.T, db *pgx.Conn) string {
	t.Helper()
	rows, err := db.Query(context.Background(), "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, tab := range tables {
		rows, err := db.Query(context.Background(), fmt.Sprintf("SELECT t::text FROM %s t", pgx.Identifier{tab}.Sanitize()))
		if err != nil {
			t.Fatal(err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join(texts, "\n"))
	}
	return b.String()
}

// TestIndexer runs a network, PostgreSQL and the indexer binary: a member
// sets a profile, syncs it with consent, the organization reads it from SQL
// and through the signed API; a replay changes nothing; an expired
// timestamp, an unknown key, a revoked key, a wrong signature, a non-member
// and a mismatching email are each refused with their code; the indexer is
// killed mid-run and resumes without gaps; erasure on chain wipes the
// plaintext from every table; a rebuild equals the live mirror; the
// explorer renders in headless Chromium.
func TestIndexer(t *testing.T) {
	pg := pgtest.New(t)
	ctx := context.Background()
	dbName, err := pg.CreateDatabase(ctx, "indexer_live")
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgx.Connect(ctx, pg.DSN(dbName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)

	n := startNetwork(t, 1)
	n.waitHeight(2, 60*time.Second, 0)
	node0 := n.manifest.Nodes[0]
	logDir := t.TempDir()
	listen := freeAddr(t)
	api := "http://" + listen
	ixArgs := []string{"--node", node0.RPC, "--db", pg.URL(dbName), "--listen", listen,
		"--home", node0.Home, "--trust-dir", filepath.Join(logDir, "trust"), "--log-level", "debug"}
	ix := startIndexer(t, logDir, append([]string{"start"}, ixArgs...)...)

	txFlags := []string{"--from", node0.KeyName, "--keyring-backend", "test", "--yes", "--output", "json"}
	sponsored := func(key string) []string {
		return []string{"--from", key, "--sponsor", node0.KeyName, "--keyring-backend", "test", "--yes", "--output", "json"}
	}
	tx := func(flags []string, args ...string) txOut {
		t.Helper()
		res := n.txJSON(t, 0, append(args, flags...)...)
		if res.Code != 0 {
			t.Fatalf("icnd %s: %+v", strings.Join(args, " "), res)
		}
		return res
	}
	newDID := func(name string) string {
		t.Helper()
		var key struct {
			DID string `json:"did"`
		}
		decodeJSON(t, runCLI(t, "keys", "add", name, "--keyring-backend", "test", "--output", "json", "--home", node0.Home), &key)
		tx(txFlags, "tx", "identity", "register", "--key", name)
		return key.DID
	}
	alice, bob := newDID("alice"), newDID("bob")
	// Killed mid-run (SIGKILL: no chance to finish a height), the indexer
	// resumes without gaps or duplicates: once while blocks pass, once
	// right after a restart, while it catches up.
	if err := ix.stop(syscall.SIGKILL); err == nil {
		t.Fatal("the indexer exited before it was killed")
	}
	killedAt := indexedHeight(t, db)
	root := orgmod.DeriveOrgDID("", testnet.RootFederation)
	var created struct {
		DID string `json:"did"`
	}
	decodeJSON(t, n.cli(t, 0, append([]string{"tx", "identity", "create-org", "bakery", "--kind", "cooperative", "--parent", root}, txFlags...)...), &created)
	coop := created.DID
	tx(txFlags, "tx", "identity", "invite", coop, alice)
	tx(sponsored("alice"), "tx", "identity", "accept", coop)
	ix = startIndexer(t, logDir, append([]string{"start"}, ixArgs...)...)
	time.Sleep(300 * time.Millisecond)
	ix.stop(syscall.SIGKILL) //nolint:errcheck // killed on purpose
	ix = startIndexer(t, logDir, append([]string{"start"}, ixArgs...)...)
	tx(txFlags, "tx", "identity", "grant-role", coop, node0.DID, "data-steward")
	pw := filepath.Join(logDir, "pw")
	if err := os.WriteFile(pw, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const email, phone = "alice@example.org", "+44 20 7946 0018"
	tx(sponsored("alice"), "tx", "identity", "set-profile", "--field", "name=Alice", "--email", email, "--password-file", pw)
	tx(sponsored("bob"), "tx", "identity", "set-profile", "--field", "name=Bob", "--email", "bob@example.org", "--password-file", pw)

	tip := n.height(0)
	waitIndexed(t, db, tip, 60*time.Second)
	t.Logf("killed at height %d, resumed to %d", killedAt, tip)
	var blocks, minH, maxH, txCount, txSum int64
	if err := db.QueryRow(ctx, "SELECT count(*), min(height), max(height), coalesce(sum(num_txs), 0) FROM blocks").Scan(&blocks, &minH, &maxH, &txSum); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, "SELECT count(*) FROM txs").Scan(&txCount); err != nil {
		t.Fatal(err)
	}
	if minH != 1 || blocks != maxH || txCount != txSum || txCount != 8 {
		t.Fatalf("blocks %d over heights %d..%d, %d transactions for %d counted in blocks", blocks, minH, maxH, txCount, txSum)
	}
	var role []string
	if err := db.QueryRow(ctx, "SELECT roles FROM memberships WHERE org = $1 AND member = $2", coop, node0.DID).Scan(&role); err != nil ||
		!strings.Contains(strings.Join(role, ","), "data-steward") {
		t.Fatalf("node0's roles in the mirror: %v, %v", role, err)
	}

	// Sync with consent through the CLI; the organization reads it in SQL.
	out := runCLI(t, "profile", "sync", "--org", coop, "--indexer", api, "--consent", "--email", email,
		"--field", "phone="+phone, "--from", "alice", "--keyring-backend", "test", "--home", node0.Home)
	if !strings.HasPrefix(out, "stored") {
		t.Fatalf("profile sync: %s", out)
	}
	var gotEmail, gotPhone string
	var consent, marketing, deleted bool
	if err := db.QueryRow(ctx, `SELECT email, fields->>'phone', gdpr_consent, gdpr_marketing_consent, gdpr_deleted
		FROM member_contacts WHERE org = $1 AND did = $2`, coop, alice).Scan(&gotEmail, &gotPhone, &consent, &marketing, &deleted); err != nil {
		t.Fatal(err)
	}
	if gotEmail != email || gotPhone != phone || !consent || marketing || deleted {
		t.Fatalf("contact row: %q %q consent %v marketing %v deleted %v", gotEmail, gotPhone, consent, marketing, deleted)
	}

	kr, err := keyring.New(node0.Home, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	signer := func(did, key, keyID string, now time.Time) client.RequestSigner {
		return client.RequestSigner{DID: did, KeyID: keyID, Now: func() time.Time { return now },
			Sign: func(b []byte) ([]byte, error) { return kr.Sign(key, b) }}
	}
	// The data steward reads the contacts; alice, a plain member, may not.
	contacts, err := signer(node0.DID, node0.KeyName, "key-1", time.Now()).Contacts(ctx, api, coop)
	if err != nil || len(contacts) != 1 || contacts[0].Email != email || contacts[0].Fields["phone"] != phone {
		t.Fatalf("steward's read: %+v, %v", contacts, err)
	}
	if _, err := signer(alice, "alice", "key-1", time.Now()).Contacts(ctx, api, coop); !client.IsAPIError(err, "not_reader") {
		t.Fatalf("a member without the role reads contacts: %v", err)
	}

	// A replayed request (the same bytes, inside the window) changes nothing.
	countAudit := func() (n int) {
		if err := db.QueryRow(ctx, "SELECT count(*) FROM sync_audit").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	fixed := signer(alice, "alice", "key-1", time.Now().Add(time.Second))
	req := client.SyncRequest{Org: coop, Consent: true, MarketingConsent: true, Email: email, Fields: map[string]string{"phone": phone}}
	if res, err := fixed.Sync(ctx, api, req); err != nil || res.Status != "stored" {
		t.Fatalf("sync with marketing consent: %+v, %v", res, err)
	}
	before := tableDigests(t, db, []string{"member_contacts", "sync_audit"})
	audits := countAudit()
	if res, err := fixed.Sync(ctx, api, req); err != nil || res.Status != "unchanged" {
		t.Fatalf("replayed sync: %+v, %v", res, err)
	}
	if after := tableDigests(t, db, []string{"member_contacts", "sync_audit"}); fmt.Sprint(after) != fmt.Sprint(before) || countAudit() != audits {
		t.Fatalf("a replay changed the database: %v -> %v", before, after)
	}

	// Refusals, each with its code, in the order the checks run.
	tx(sponsored("alice"), "tx", "identity", "add-key", "key-2", "--key", "bob")
	tx(sponsored("alice"), "tx", "identity", "revoke-key", "key-2")
	refusals := []struct {
		name string
		s    client.RequestSigner
		req  client.SyncRequest
		code string
	}{
		{"expired timestamp", signer(alice, "alice", "key-1", time.Now().Add(-6*time.Minute)), req, "timestamp_expired"},
		{"unknown key", signer(alice, "alice", "key-9", time.Now()), req, "unknown_key"},
		{"revoked key", signer(alice, "bob", "key-2", time.Now()), req, "key_revoked"},
		{"wrong key", signer(alice, "bob", "key-1", time.Now()), req, "bad_signature"},
		{"mismatching email hash", signer(alice, "alice", "key-1", time.Now()),
			client.SyncRequest{Org: coop, Consent: true, Email: "mallory@example.org"}, "email_mismatch"},
		{"non-member", signer(bob, "bob", "key-1", time.Now()),
			client.SyncRequest{Org: coop, Consent: true, Email: "bob@example.org"}, "not_member"},
	}
	for _, r := range refusals {
		if _, err := r.s.Sync(ctx, api, r.req); !client.IsAPIError(err, r.code) {
			t.Errorf("%s: got %v, want code %s", r.name, err, r.code)
		}
	}
	if countAudit() != audits {
		t.Fatalf("refused requests wrote audit rows")
	}
	var bobRows int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM member_contacts WHERE did = $1", bob).Scan(&bobRows); err != nil || bobRows != 0 {
		t.Fatalf("a refused sync stored %d rows (%v)", bobRows, err)
	}

	// Public API: pages, 400s and 404s; never the plaintext.
	getJSON := func(path string, want int) map[string]any {
		t.Helper()
		resp, err := http.Get(api + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		if resp.StatusCode != want {
			t.Fatalf("GET %s: %d %v, want %d", path, resp.StatusCode, v, want)
		}
		return v
	}
	members := getJSON("/v1/orgs/"+coop+"/members?limit=1", 200)
	if items := members["items"].([]any); len(items) != 1 || members["next_offset"] == nil {
		t.Fatalf("first page of members: %v", members)
	}
	getJSON("/v1/orgs/"+coop+"/members?limit=1&offset=1", 200)
	getJSON("/v1/orgs?limit=0", 400)
	getJSON("/v1/orgs/did:icn:nope", 400)
	getJSON("/v1/orgs/"+alice, 404)
	getJSON("/v1/blocks/0", 400)
	getJSON("/v1/blocks/99999999", 404)
	getJSON("/v1/txs/zz", 400)
	getJSON("/v1/txs/"+strings.Repeat("ab", 32), 404)
	doc := getJSON("/v1/dids/"+alice, 200)
	raw, _ := json.Marshal(doc)
	if bytes.Contains(raw, []byte(email)) || !bytes.Contains(raw, []byte(coop)) {
		t.Fatalf("public DID answer: %s", raw)
	}
	if spec := getJSON("/v1/openapi.json", 200); spec["openapi"] == nil {
		t.Fatalf("openapi: %v", spec)
	}

	t.Run("explorer in headless Chromium", func(t *testing.T) {
		testExplorer(t, api, coop, alice, email, phone)
	})

	// Erasure on chain wipes the plaintext everywhere, in the block's
	// database transaction.
	erased := tx(sponsored("alice"), "tx", "identity", "erase-profile")
	waitIndexed(t, db, erased.Height, 30*time.Second)
	if err := db.QueryRow(ctx, `SELECT gdpr_deleted FROM member_contacts WHERE org = $1 AND did = $2`, coop, alice).Scan(&deleted); err != nil || !deleted {
		t.Fatalf("gdpr_deleted after erasure: %v, %v", deleted, err)
	}
	all := dumpAll(t, db)
	for _, secret := range []string{email, phone} {
		if strings.Contains(all, secret) {
			t.Errorf("%q remains in the database after erasure", secret)
		}
	}
	if !strings.Contains(all, alice) {
		t.Fatal("the dump does not hold alice's DID: the check reads nothing")
	}
	var sources int
	if err := db.QueryRow(ctx, "SELECT count(source) FROM sync_audit WHERE did = $1", alice).Scan(&sources); err != nil || sources != 0 {
		t.Fatalf("alice's audit rows keep %d source addresses (%v)", sources, err)
	}

	// A rebuild equals the live mirror, table by table.
	if err := ix.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("the indexer did not stop cleanly on SIGTERM: %v", err)
	}
	last := indexedHeight(t, db)
	live := tableDigests(t, db, mirrorTables)
	kept := tableDigests(t, db, []string{"member_contacts", "sync_audit"})
	rb := startIndexer(t, logDir, append([]string{"rebuild", "--stop-height", fmt.Sprint(last)}, ixArgs...)...)
	if err := rb.cmd.Wait(); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	rebuilt := tableDigests(t, db, mirrorTables)
	for _, tab := range mirrorTables {
		if live[tab] != rebuilt[tab] {
			t.Errorf("table %s: live %s, rebuilt %s", tab, live[tab], rebuilt[tab])
		}
	}
	if now := tableDigests(t, db, []string{"member_contacts", "sync_audit"}); fmt.Sprint(now) != fmt.Sprint(kept) {
		t.Errorf("rebuild changed the contacts or the audit log: %v -> %v", kept, now)
	}
	t.Logf("rebuilt %d heights: %v", last, rebuilt)

	// The state tables, kept up to date from events, equal the state read
	// whole at the last height (a mirror started there): no event that
	// changes a record was missed.
	scanDB, err := pg.CreateDatabase(ctx, "indexer_scan")
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
	for _, tab := range []string{"dids", "did_keys", "orgs", "memberships", "invitations", "freezes", "credentials", "mana_accounts", "profiles"} {
		a, b := stateDigest(t, db, tab), stateDigest(t, sdb, tab)
		if a != b {
			t.Errorf("table %s kept from events differs from the state read at height %d:\n%s\n%s", tab, last, a, b)
		}
	}

	// A mirror whose last block is not the node's (another chain under the
	// same chain id) is refused, not extended.
	if _, err := sdb.Exec(ctx, "UPDATE blocks SET hash = 'AA' WHERE height = $1", last); err != nil {
		t.Fatal(err)
	}
	scanArgs[2] = fmt.Sprint(last + 1) // --from-height is ignored for a mirror that is not empty
	scanArgs[4] = fmt.Sprint(last + 1)
	stdout, stderr, err := runCLIResult(append([]string{"indexer"}, scanArgs...)...)
	if err == nil || !strings.Contains(stderr, "mirrors another chain") {
		t.Fatalf("extending another chain's mirror: err %v\n%s%s", err, stdout, stderr)
	}
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	panic(v)
}

// stateDigest is the text of a state table's rows without the height at
// which each row was last read.
func stateDigest(t *testing.T, db *pgx.Conn, table string) string {
	t.Helper()
	rows, err := db.Query(context.Background(), fmt.Sprintf("SELECT (to_jsonb(t) - 'height')::text FROM %s t ORDER BY 1", table))
	if err != nil {
		t.Fatal(err)
	}
	texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(texts, "\n")
}

// testExplorer loads the explorer's pages in headless Chromium (Debian's
// package), checks what they show and saves screenshots in the test's
// artifact folder (kept with go test -artifacts).
func testExplorer(t *testing.T, api, coop, member, email, phone string) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (make install-chromium): %v", err)
	}
	dir := t.ArtifactDir()
	profile := t.TempDir()
	chrome := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
			"--user-data-dir=" + profile, "--window-size=412,915", "--hide-scrollbars"}
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String()
	}
	pages := []struct {
		name, path string
		want       []string
	}{
		{"home", "/", []string{"Organizations", "bakery", "Recent blocks", "Recent transactions", "create_organization"}},
		{"org", "/orgs/" + coop, []string{"bakery", "cooperative", member, "data-steward"}},
		{"did", "/dids/" + member, []string{member, "key-1", "bakery", "encrypted profile", "never shown"}},
	}
	for _, p := range pages {
		dom := chrome("--dump-dom", api+p.path)
		for _, w := range p.want {
			if !strings.Contains(dom, w) {
				t.Errorf("%s page lacks %q", p.name, w)
			}
		}
		for _, secret := range []string{email, phone} {
			if strings.Contains(dom, secret) {
				t.Errorf("%s page shows plaintext %q", p.name, secret)
			}
		}
		shot := filepath.Join(dir, p.name+".png")
		chrome("--screenshot="+shot, api+p.path)
		if st, err := os.Stat(shot); err != nil || st.Size() < 1000 {
			t.Errorf("screenshot %s: %v", shot, err)
		}
	}
	t.Logf("screenshots in %s", dir)
}
