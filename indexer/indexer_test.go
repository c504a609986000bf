package indexer

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/intercooperative/icnd/internal/pgtest"
)

// cluster is one PostgreSQL cluster for the package's tests; each test
// gets a database of its own.
var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	c, err := pgtest.Start("")
	if err != nil {
		fmt.Fprintln(os.Stderr, "start PostgreSQL:", err)
		os.Exit(1)
	}
	cluster = c
	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stop PostgreSQL:", err)
	}
	os.Exit(code)
}

// openTest opens an indexer over a fresh database and a node address that
// nothing listens on: enough for everything but following a chain.
func openTest(t *testing.T) *Indexer {
	t.Helper()
	ix, err := Open(context.Background(), Config{Node: "tcp://127.0.0.1:9", DB: cluster.NewDatabase(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ix.Close)
	return ix
}

func TestMigrateOnceAndRoles(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	again, err := Migrate(ctx, ix.pool)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v (%v)", again, err)
	}
	var version int
	var roles int
	if err := ix.pool.QueryRow(ctx, "SELECT max(version) FROM schema_migrations").Scan(&version); err != nil || version != 3 {
		t.Fatalf("schema version %d, %v", version, err)
	}
	if err := ix.pool.QueryRow(ctx, "SELECT count(*) FROM pg_roles WHERE rolname IN ('icn_mirror_reader', 'icn_contacts_reader')").Scan(&roles); err != nil || roles != 2 {
		t.Fatalf("reader roles: %d, %v", roles, err)
	}
	var can bool
	if err := ix.pool.QueryRow(ctx, "SELECT has_table_privilege('icn_mirror_reader', 'member_contacts', 'SELECT')").Scan(&can); err != nil || can {
		t.Fatalf("icn_mirror_reader may read member_contacts: %v, %v", can, err)
	}
	if err := ix.pool.QueryRow(ctx, "SELECT has_table_privilege('icn_contacts_reader', 'member_contacts', 'SELECT')").Scan(&can); err != nil || !can {
		t.Fatalf("icn_contacts_reader may not read member_contacts: %v, %v", can, err)
	}
	for _, tab := range []string{"mesh_executors", "mesh_jobs", "mesh_bids", "mesh_receipts", "dag_entries",
		"gov_proposals", "gov_voters", "gov_delegations", "gov_policies"} {
		if err := ix.pool.QueryRow(ctx, "SELECT has_table_privilege('icn_mirror_reader', $1, 'SELECT')", tab).Scan(&can); err != nil || !can {
			t.Fatalf("icn_mirror_reader may not read %s: %v, %v", tab, can, err)
		}
	}
	// A database migrated by a newer icnd is refused.
	if _, err := ix.pool.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')"); err != nil {
		t.Fatal(err)
	}
	if _, err := Migrate(ctx, ix.pool); err == nil || !strings.Contains(err.Error(), "use a newer icnd") {
		t.Fatalf("migrate a newer schema: %v", err)
	}
}

func block(h int64, erased ...string) *heightData {
	return &heightData{height: h, hash: fmt.Sprintf("%064X", h), appHash: "AA", proposer: "P", time: time.Unix(1_800_000_000+h, 0).UTC(), erased: erased}
}

// TestApplyExactlyOnce: heights apply in order only, once each, and only
// for the chain the mirror holds.
func TestApplyExactlyOnce(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	if err := apply(ctx, ix.pool, "c", block(1)); err != nil {
		t.Fatal(err)
	}
	if err := apply(ctx, ix.pool, "c", block(2)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		chain string
		h     int64
		want  string
	}{
		{"c", 2, "heights must follow"},
		{"c", 4, "heights must follow"},
		{"other", 3, "mirrors another chain"},
	} {
		if err := apply(ctx, ix.pool, tc.chain, block(tc.h)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("apply %s/%d: %v, want %q", tc.chain, tc.h, err, tc.want)
		}
	}
	chain, last, err := lastHeight(ctx, ix.pool)
	var n int
	ix.pool.QueryRow(ctx, "SELECT count(*) FROM blocks").Scan(&n) //nolint:errcheck // n stays 0 on error
	if err != nil || chain != "c" || last != 2 || n != 2 {
		t.Fatalf("after refusals: chain %q last %d blocks %d (%v)", chain, last, n, err)
	}
}

// TestEraseInBlockTransaction: the block that erases a profile nulls the
// DID's plaintext in every organization and its audit sources, but not a
// sync newer than the block (a rebuild replaying an old erasure).
func TestEraseInBlockTransaction(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	const did, org1, org2 = "did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "did:icn:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "did:icn:cccccccccccccccccccccccccccccccc"
	erasedAt := block(1, did)
	for i, org := range []string{org1, org2} {
		ts := erasedAt.time.Unix() - 10
		if org == org2 {
			ts = erasedAt.time.Unix() + 10 // synced after the erasing block
		}
		if _, err := ix.pool.Exec(ctx, `INSERT INTO member_contacts (org, did, email, fields, gdpr_consent, gdpr_marketing_consent, request_time, request_hash, updated_at)
			VALUES ($1, $2, 'ada@example.org', '{"phone":"+1 555"}', true, true, $3, $4, now())`, org, did, ts, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := ix.pool.Exec(ctx, `INSERT INTO sync_audit (action, did, org, request_hash, at, source) VALUES ('sync', $1, $2, $3, now(), '192.0.2.7')`,
			did, org, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := apply(ctx, ix.pool, "c", erasedAt); err != nil {
		t.Fatal(err)
	}
	var email *string
	var deleted, consent bool
	if err := ix.pool.QueryRow(ctx, "SELECT email, gdpr_deleted, gdpr_marketing_consent FROM member_contacts WHERE org = $1", org1).Scan(&email, &deleted, &consent); err != nil {
		t.Fatal(err)
	}
	if email != nil || !deleted || consent {
		t.Fatalf("erased row: email %v deleted %v marketing %v", email, deleted, consent)
	}
	if err := ix.pool.QueryRow(ctx, "SELECT email, gdpr_deleted FROM member_contacts WHERE org = $1", org2).Scan(&email, &deleted); err != nil {
		t.Fatal(err)
	}
	if email == nil || deleted {
		t.Fatalf("a sync newer than the erasure was wiped: %v %v", email, deleted)
	}
	var sources, erasures int
	ix.pool.QueryRow(ctx, "SELECT count(source), count(*) FILTER (WHERE action = 'erase') FROM sync_audit WHERE did = $1", did).Scan(&sources, &erasures) //nolint:errcheck // checked below
	if sources != 0 || erasures != 1 {
		t.Fatalf("audit after erasure: %d sources, %d erase rows", sources, erasures)
	}
}

// TestAPIRefusals: bad parameters get 400, unknown things 404, unsigned
// contact reads 401, never a 500; bodies are bounded.
func TestAPIRefusals(t *testing.T) {
	ix := openTest(t)
	srv := httptest.NewServer(ix.Handler())
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		body         string
		want         int
	}{
		{"GET", "/v1/orgs?limit=abc", "", 400},
		{"GET", "/v1/orgs?limit=101", "", 400},
		{"GET", "/v1/orgs?offset=-1", "", 400},
		{"GET", "/v1/orgs", "", 200},
		{"GET", "/v1/blocks?limit=5", "", 200},
		{"GET", "/v1/blocks/abc", "", 400},
		{"GET", "/v1/blocks/-3", "", 400},
		{"GET", "/v1/blocks/7", "", 404},
		{"GET", "/v1/txs/12", "", 400},
		{"GET", "/v1/txs/" + strings.Repeat("0", 64), "", 404},
		{"GET", "/v1/txs?signer=bob", "", 400},
		{"GET", "/v1/dids/did:icn:x", "", 400},
		{"GET", "/v1/dids/did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "", 404},
		{"GET", "/v1/orgs/did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/members", "", 404},
		{"GET", "/v1/orgs/did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/contacts", "", 503},
		{"GET", "/v1/nothing", "", 404},
		{"POST", "/v1/sync", "{", 400},
		{"POST", "/v1/sync", `{"org":"did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","consent":true}`, 400},
		{"POST", "/v1/sync", `{"org":"did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","consent":false,"email":"a@b"}`, 400},
		{"POST", "/v1/sync", `{"org":"x","consent":false}`, 400},
		{"POST", "/v1/sync", `{"org":"did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","bogus":1}`, 400},
		{"POST", "/v1/sync", strings.Repeat(" ", 20<<10), 413},
		{"GET", "/", "", 200},
		{"GET", "/dids/nope", "", 400},
		{"GET", "/blocks/3", "", 404},
		{"GET", "/search?q=zzz", "", 400},
		{"GET", "/no/such/page", "", 404},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.want)
		}
	}
}

// FuzzParseSyncRequest: no body makes the parser panic, and what it
// accepts respects the limits.
func FuzzParseSyncRequest(f *testing.F) {
	f.Add([]byte(`{"org":"did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","consent":true,"email":"a@b.c","fields":{"phone":"1"}}`))
	f.Add([]byte(`{"org":"did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","consent":false}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseSyncRequest(body)
		if err != nil {
			return
		}
		if len(req.Fields) > maxContactFields || (req.Consent && req.Email == "") || (!req.Consent && req.Email != "") {
			t.Fatalf("accepted %+v", req)
		}
	})
}

// FuzzAPIPaths: no path or query a client sends makes the API answer 500
// or panic.
func FuzzAPIPaths(f *testing.F) {
	ix, err := Open(context.Background(), Config{Node: "tcp://127.0.0.1:9", DB: cluster.DSN("postgres")})
	if err != nil {
		f.Fatal(err)
	}
	defer ix.Close()
	h := ix.Handler()
	for _, seed := range []string{"/v1/orgs?limit=5&offset=2", "/v1/blocks/9223372036854775807", "/v1/txs?signer=did:icn:",
		"/v1/dids/did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/search?q=%00", "/orgs/did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"/v1/orgs/x/members?limit=1e9", "/txs/" + strings.Repeat("f", 64), "/v1/jobs?status=open&poster=did:icn:",
		"/v1/jobs/bafkreiabc", "/v1/executors/did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/v1/proposals/18446744073709551615/votes",
		"/v1/orgs/did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/proposals?status=voting", "/proposals/1", "/jobs?status=%ff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "/v1/orgs/") && strings.HasSuffix(strings.SplitN(target, "?", 2)[0], "/contacts") {
			return // contacts asks the node for proofs
		}
		req, err := http.NewRequest("GET", "http://indexer"+target, nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %q: %d %s", target, rec.Code, rec.Body.String())
		}
	})
}

// TestApplyAtomic: a height that fails halfway (its block and transactions
// written, then a record that does not decode) leaves nothing behind, as a
// crash at that point would: the next attempt starts from the same height.
func TestApplyAtomic(t *testing.T) {
	ix := openTest(t)
	ctx := context.Background()
	if err := apply(ctx, ix.pool, "c", block(1)); err != nil {
		t.Fatal(err)
	}
	bad := block(2)
	bad.txs = []txRow{{hash: strings.Repeat("AB", 32), msgs: []string{"anchor"}}}
	bad.events = []eventRow{{txIdx: 0, typ: "icn.tx", attrs: map[string]string{"signer": "x"}}}
	bad.records = []record{{ref: didRef("did:icn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), value: []byte{0xff, 0xff}}}
	if err := apply(ctx, ix.pool, "c", bad); err == nil {
		t.Fatal("a height with an undecodable record applied")
	}
	var blocks, txs, events int
	var last int64
	if err := ix.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM blocks), (SELECT count(*) FROM txs), (SELECT count(*) FROM events),
		(SELECT last_height FROM indexer_state)`).Scan(&blocks, &txs, &events, &last); err != nil {
		t.Fatal(err)
	}
	if blocks != 1 || txs != 0 || events != 0 || last != 1 {
		t.Fatalf("after a failed height: %d blocks, %d txs, %d events, last height %d", blocks, txs, events, last)
	}
	bad.records = nil
	if err := apply(ctx, ix.pool, "c", bad); err != nil {
		t.Fatalf("the same height again: %v", err)
	}
}
