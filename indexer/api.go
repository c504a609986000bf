package indexer

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	didmod "github.com/intercooperative/icnd/modules/did"
)

// The public API serves only what the chain holds; contacts need a signed
// request (sync.go).

// httpServer returns the API and explorer's server, with timeouts and
// header limits so that no client can hold it or exhaust it.
func (ix *Indexer) httpServer() *http.Server {
	return &http.Server{
		Handler:           ix.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

// Handler is the indexer's HTTP API and explorer.
func (ix *Indexer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI) //nolint:errcheck // the client went away
	})
	mux.HandleFunc("GET /v1/status", ix.handleStatus)
	mux.HandleFunc("GET /v1/blocks", ix.handleBlocks)
	mux.HandleFunc("GET /v1/blocks/{height}", ix.handleBlock)
	mux.HandleFunc("GET /v1/txs", ix.handleTxs)
	mux.HandleFunc("GET /v1/txs/{hash}", ix.handleTx)
	mux.HandleFunc("GET /v1/orgs", ix.handleOrgs)
	mux.HandleFunc("GET /v1/orgs/{did}", ix.handleOrg)
	mux.HandleFunc("GET /v1/orgs/{did}/members", ix.handleMembers)
	mux.HandleFunc("GET /v1/orgs/{did}/contacts", ix.handleContacts)
	mux.HandleFunc("GET /v1/dids/{did}", ix.handleDID)
	mux.HandleFunc("POST "+syncPath, ix.handleSync)
	ix.meshRoutes(mux)
	ix.governanceRoutes(mux)
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, refuse(http.StatusNotFound, "not_found", "no API route %s %s; see /v1/openapi.json", r.Method, r.URL.Path))
	})
	ix.explorerRoutes(mux)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v) //nolint:errcheck // the client went away
}

// writeError answers an *apiError with its status and code; any other
// error is the indexer's own (500), its text not shown to the client.
func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = refuse(http.StatusInternalServerError, "internal", "internal error")
	}
	writeJSON(w, e.status, map[string]string{"code": e.code, "error": e.msg})
}

// page is a request's pagination: limit (1-100, default 20) and offset.
type page struct{ limit, offset int }

func pageOf(r *http.Request) (page, error) {
	p := page{limit: 20}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return p, refuse(http.StatusBadRequest, "bad_limit", "limit must be an integer from 1 to 100, got %q", s)
		}
		p.limit = n
	}
	if s := r.URL.Query().Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 1_000_000_000 {
			return p, refuse(http.StatusBadRequest, "bad_offset", "offset must be a non-negative integer, got %q", s)
		}
		p.offset = n
	}
	return p, nil
}

// paged is a list answer: the items and, when more follow, the offset of
// the next page.
type paged[T any] struct {
	Items      []T  `json:"items"`
	NextOffset *int `json:"next_offset"`
}

// listPage runs q with limit+1 rows to learn whether a next page exists.
func listPage[T any](r *http.Request, ix *Indexer, p page, q string, args ...any) (paged[T], error) {
	args = append(args, p.limit+1, p.offset)
	rows, err := ix.pool.Query(r.Context(), q, args...)
	if err != nil {
		return paged[T]{}, err
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[T])
	if err != nil {
		return paged[T]{}, err
	}
	out := paged[T]{Items: nonNilSlice(items)}
	if len(items) > p.limit {
		out.Items = items[:p.limit]
		next := p.offset + p.limit
		out.NextOffset = &next
	}
	return out, nil
}

// Rows of the API, named like the columns they are read from.
type (
	Block struct {
		Height   int64     `json:"height" db:"height"`
		Hash     string    `json:"hash" db:"hash"`
		Time     time.Time `json:"time" db:"time"`
		Proposer string    `json:"proposer" db:"proposer"`
		AppHash  string    `json:"app_hash" db:"app_hash"`
		NumTxs   int       `json:"num_txs" db:"num_txs"`
	}
	Tx struct {
		Hash      string   `json:"hash" db:"hash"`
		Height    int64    `json:"height" db:"height"`
		Index     int      `json:"index" db:"idx"`
		Signer    string   `json:"signer" db:"signer"`
		KeyID     string   `json:"key_id" db:"key_id"`
		Sequence  string   `json:"sequence" db:"sequence"`
		Msgs      []string `json:"msgs" db:"msgs"`
		Memo      string   `json:"memo" db:"memo"`
		Code      int      `json:"code" db:"code"`
		Codespace string   `json:"codespace" db:"codespace"`
		Log       string   `json:"log" db:"log"`
	}
	Event struct {
		TxIndex int               `json:"tx_index" db:"tx_idx"`
		Index   int               `json:"index" db:"idx"`
		Type    string            `json:"type" db:"type"`
		Attrs   map[string]string `json:"attributes" db:"attrs"`
	}
	Org struct {
		DID                      string `json:"did" db:"did"`
		Name                     string `json:"name" db:"name"`
		Kind                     string `json:"kind" db:"kind"`
		Parent                   string `json:"parent" db:"parent"`
		Founder                  string `json:"founder" db:"founder"`
		Control                  string `json:"control" db:"control"`
		CreatedHeight            int64  `json:"created_height" db:"created_height"`
		ControlTransferredHeight int64  `json:"control_transferred_height" db:"control_transferred_height"`
		Members                  int64  `json:"members" db:"members"`
	}
	Member struct {
		Member       string   `json:"member" db:"member"`
		Roles        []string `json:"roles" db:"roles"`
		JoinedHeight int64    `json:"joined_height" db:"joined_height"`
		Seated       bool     `json:"seated" db:"seated"`
	}
	Membership struct {
		Org          string   `json:"org" db:"org"`
		Name         string   `json:"name" db:"name"`
		Roles        []string `json:"roles" db:"roles"`
		JoinedHeight int64    `json:"joined_height" db:"joined_height"`
	}
	Key struct {
		ID            string `json:"id" db:"key_id"`
		PublicKey     string `json:"public_key" db:"public_key"`
		AddedHeight   int64  `json:"added_height" db:"added_height"`
		RevokedHeight int64  `json:"revoked_height" db:"revoked_height"`
	}
	Credential struct {
		Issuer        string `json:"issuer" db:"issuer"`
		CID           string `json:"cid" db:"cid"`
		Subject       string `json:"subject" db:"subject"`
		Type          string `json:"type" db:"type"`
		IssuedHeight  int64  `json:"issued_height" db:"issued_height"`
		RevokedHeight int64  `json:"revoked_height" db:"revoked_height"`
	}
	DID struct {
		DID               string       `json:"did"`
		RegisteredBy      string       `json:"registered_by"`
		CreatedHeight     int64        `json:"created_height"`
		UpdatedHeight     int64        `json:"updated_height"`
		DeactivatedHeight int64        `json:"deactivated_height"`
		Controllers       []string     `json:"controllers"`
		Keys              []Key        `json:"keys"`
		Organization      *Org         `json:"organization,omitempty"`
		Memberships       []Membership `json:"memberships"`
		Credentials       []Credential `json:"credentials"`
		Profile           *ProfileInfo `json:"profile,omitempty"`
		Mana              *ManaInfo    `json:"mana,omitempty"`
		RecentTxs         []Tx         `json:"recent_txs"`
	}
	// ProfileInfo is what the chain shows of an encrypted profile: field
	// names, never values.
	ProfileInfo struct {
		Fields        []string `json:"fields"`
		HasEmailHash  bool     `json:"has_email_hash"`
		UpdatedHeight int64    `json:"updated_height"`
	}
	ManaInfo struct {
		Balance    string `json:"balance"`
		Capacity   string `json:"capacity"`
		Rate       string `json:"rate"`
		LastHeight int64  `json:"last_height"`
	}
)

const blockCols = "height, hash, time, proposer, app_hash, num_txs"
const txCols = "hash, height, idx, signer, key_id, sequence::text AS sequence, msgs, memo, code, codespace, log"
const orgCols = `o.did, o.name, o.kind, o.parent, o.founder, o.control, o.created_height, o.control_transferred_height,
	(SELECT count(*) FROM memberships m WHERE m.org = o.did) AS members`

func (ix *Indexer) handleStatus(w http.ResponseWriter, r *http.Request) {
	chainID, last, err := lastHeight(r.Context(), ix.pool)
	if err != nil {
		writeError(w, err)
		return
	}
	tip := ix.tip.Load()
	writeJSON(w, http.StatusOK, map[string]any{"chain_id": chainID, "indexed_height": last, "node_height": tip, "lag": max(0, tip-last)})
}

func (ix *Indexer) handleBlocks(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := listPage[Block](r, ix, p, "SELECT "+blockCols+" FROM blocks ORDER BY height DESC LIMIT $1 OFFSET $2")
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func parseHeight(s string) (int64, error) {
	h, err := strconv.ParseInt(s, 10, 64)
	if err != nil || h < 1 {
		return 0, refuse(http.StatusBadRequest, "bad_height", "a height is a positive integer, got %q", s)
	}
	return h, nil
}

func (ix *Indexer) handleBlock(w http.ResponseWriter, r *http.Request) {
	h, err := parseHeight(r.PathValue("height"))
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := one[Block](r, ix, "SELECT "+blockCols+" FROM blocks WHERE height = $1", h)
	if err != nil {
		writeError(w, notFound(err, "block %d is not indexed", h))
		return
	}
	txs, err := all[Tx](r, ix, "SELECT "+txCols+" FROM txs WHERE height = $1 ORDER BY idx", h)
	if err != nil {
		writeError(w, err)
		return
	}
	events, err := all[Event](r, ix, "SELECT tx_idx, idx, type, attrs FROM events WHERE height = $1 AND tx_idx = -1 ORDER BY idx", h)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"block": b, "txs": txs, "events": events})
}

func (ix *Indexer) handleTxs(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	q, args := "SELECT "+txCols+" FROM txs ORDER BY height DESC, idx DESC LIMIT $1 OFFSET $2", []any{}
	if s := r.URL.Query().Get("signer"); s != "" {
		if err := didmod.ParseDID(s); err != nil {
			writeError(w, refuse(http.StatusBadRequest, "bad_did", "signer: %v", err))
			return
		}
		q, args = "SELECT "+txCols+" FROM txs WHERE signer = $1 ORDER BY height DESC, idx DESC LIMIT $2 OFFSET $3", []any{s}
	}
	out, err := listPage[Tx](r, ix, p, q, args...)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (ix *Indexer) handleTx(w http.ResponseWriter, r *http.Request) {
	hash := strings.ToUpper(r.PathValue("hash"))
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 {
		writeError(w, refuse(http.StatusBadRequest, "bad_hash", "a transaction hash is 64 hex digits, got %q", r.PathValue("hash")))
		return
	}
	t, err := one[Tx](r, ix, "SELECT "+txCols+" FROM txs WHERE hash = $1", hash)
	if err != nil {
		writeError(w, notFound(err, "transaction %s is not indexed", hash))
		return
	}
	events, err := all[Event](r, ix, "SELECT tx_idx, idx, type, attrs FROM events WHERE height = $1 AND tx_idx = $2 ORDER BY idx", t.Height, t.Index)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tx": t, "events": events})
}

func (ix *Indexer) handleOrgs(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := listPage[Org](r, ix, p, "SELECT "+orgCols+" FROM orgs o ORDER BY o.created_height, o.did LIMIT $1 OFFSET $2")
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func pathDID(r *http.Request) (string, error) {
	d := r.PathValue("did")
	if err := didmod.ParseDID(d); err != nil {
		return "", refuse(http.StatusBadRequest, "bad_did", "%v", err)
	}
	return d, nil
}

func (ix *Indexer) handleOrg(w http.ResponseWriter, r *http.Request) {
	d, err := pathDID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	o, err := one[Org](r, ix, "SELECT "+orgCols+" FROM orgs o WHERE o.did = $1", d)
	if err != nil {
		writeError(w, notFound(err, "organization %s is not indexed", d))
		return
	}
	children, err := all[Org](r, ix, "SELECT "+orgCols+" FROM orgs o WHERE o.parent = $1 ORDER BY o.created_height, o.did", d)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"organization": o, "children": children})
}

func (ix *Indexer) handleMembers(w http.ResponseWriter, r *http.Request) {
	d, err := pathDID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	p, err := pageOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if _, err := one[Org](r, ix, "SELECT "+orgCols+" FROM orgs o WHERE o.did = $1", d); err != nil {
		writeError(w, notFound(err, "organization %s is not indexed", d))
		return
	}
	out, err := listPage[Member](r, ix, p, "SELECT member, roles, joined_height, seated FROM memberships WHERE org = $1 ORDER BY joined_height, member LIMIT $2 OFFSET $3", d)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// didInfo gathers a DID's public record; nil when it is not indexed.
func (ix *Indexer) didInfo(r *http.Request, d string) (*DID, error) {
	out := &DID{DID: d}
	err := ix.pool.QueryRow(r.Context(), `SELECT registered_by, created_height, updated_height, deactivated_height, controllers
		FROM dids WHERE did = $1`, d).Scan(&out.RegisteredBy, &out.CreatedHeight, &out.UpdatedHeight, &out.DeactivatedHeight, &out.Controllers)
	if err != nil {
		return nil, err
	}
	if out.Keys, err = all[Key](r, ix, "SELECT key_id, encode(public_key, 'hex') AS public_key, added_height, revoked_height FROM did_keys WHERE did = $1 ORDER BY key_id", d); err != nil {
		return nil, err
	}
	if o, err := one[Org](r, ix, "SELECT "+orgCols+" FROM orgs o WHERE o.did = $1", d); err == nil {
		out.Organization = &o
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	if out.Memberships, err = all[Membership](r, ix, `SELECT m.org, coalesce(o.name, '') AS name, m.roles, m.joined_height
		FROM memberships m LEFT JOIN orgs o ON o.did = m.org WHERE m.member = $1 ORDER BY m.joined_height, m.org`, d); err != nil {
		return nil, err
	}
	if out.Credentials, err = all[Credential](r, ix, `SELECT issuer, cid, subject, type, issued_height, revoked_height FROM credentials
		WHERE subject = $1 OR issuer = $1 ORDER BY issued_height, cid LIMIT 100`, d); err != nil {
		return nil, err
	}
	var pi ProfileInfo
	var hash []byte
	if err := ix.pool.QueryRow(r.Context(), "SELECT fields, email_hash, updated_height FROM profiles WHERE did = $1", d).
		Scan(&pi.Fields, &hash, &pi.UpdatedHeight); err == nil {
		pi.HasEmailHash = len(hash) > 0
		out.Profile = &pi
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	var mi ManaInfo
	if err := ix.pool.QueryRow(r.Context(), "SELECT balance::text, capacity::text, rate::text, last_height FROM mana_accounts WHERE did = $1", d).
		Scan(&mi.Balance, &mi.Capacity, &mi.Rate, &mi.LastHeight); err == nil {
		out.Mana = &mi
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	if out.RecentTxs, err = all[Tx](r, ix, "SELECT "+txCols+" FROM txs WHERE signer = $1 ORDER BY height DESC, idx DESC LIMIT 20", d); err != nil {
		return nil, err
	}
	return out, nil
}

func (ix *Indexer) handleDID(w http.ResponseWriter, r *http.Request) {
	d, err := pathDID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	info, err := ix.didInfo(r, d)
	if err != nil {
		writeError(w, notFound(err, "DID %s is not indexed", d))
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func one[T any](r *http.Request, ix *Indexer, q string, args ...any) (T, error) {
	rows, err := ix.pool.Query(r.Context(), q, args...)
	if err != nil {
		var zero T
		return zero, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByNameLax[T])
}

func all[T any](r *http.Request, ix *Indexer, q string, args ...any) ([]T, error) {
	rows, err := ix.pool.Query(r.Context(), q, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[T])
	return nonNilSlice(out), err
}

// notFound maps "no rows" to a 404 with the message.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return refuse(http.StatusNotFound, "not_found", format, args...)
	}
	return err
}
