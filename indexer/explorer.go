package indexer

import (
	"bytes"
	"embed"
	_ "embed" // openapi.json
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/intercooperative/icnd/client"
	didmod "github.com/intercooperative/icnd/modules/did"
)

//go:embed openapi.json
var openAPI []byte

//go:embed templates/*.html
var templateFiles embed.FS

const syncPath = client.SyncPath

// The explorer: server-rendered pages with no script, readable on a phone.
// It shows what the chain holds and never member contacts: profiles appear
// as field names only.

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"short": func(s string) string {
		if len(s) > 16 {
			return s[:8] + "…" + s[len(s)-6:]
		}
		return s
	},
	"attrs": func(m map[string]string) string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for i, k := range keys {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(k + "=" + m[k])
		}
		return b.String()
	},
}).ParseFS(templateFiles, "templates/*.html"))

// orgNode is an organization and the organizations under it.
type orgNode struct {
	Org      Org
	Children []*orgNode
}

// pageData is what every page shows in its header, plus its own fields.
type pageData struct {
	Title   string
	ChainID string
	Indexed int64
	Message string
	Blocks  []Block
	Txs     []Tx
	Tree    []*orgNode
	Org     Org
	Members []Member
	More    bool
	DID     *DID
	Tx      Tx
	Events  []Event
	Block   Block
	// The mesh's pages.
	Jobs      []Job
	Executors []Executor
	Job       *JobDetail
	Executor  *ExecutorDetail
	Status    string
	Statuses  []string
	// Governance's.
	Proposals []Proposal
	Proposal  *ProposalDetail
	Gov       *OrgGovernance
}

func (ix *Indexer) explorerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", ix.pageHome)
	mux.HandleFunc("GET /orgs/{did}", ix.pageOrg)
	mux.HandleFunc("GET /dids/{did}", ix.pageDID)
	mux.HandleFunc("GET /txs/{hash}", ix.pageTx)
	mux.HandleFunc("GET /blocks/{height}", ix.pageBlock)
	mux.HandleFunc("GET /search", ix.pageSearch)
	mux.HandleFunc("GET /jobs", ix.pageJobs)
	mux.HandleFunc("GET /jobs/{id}", ix.pageJob)
	mux.HandleFunc("GET /executors/{did}", ix.pageExecutor)
	mux.HandleFunc("GET /proposals", ix.pageProposals)
	mux.HandleFunc("GET /proposals/{id}", ix.pageProposal)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		ix.render(w, r, http.StatusNotFound, "error.html", &pageData{Title: "Not found", Message: "There is no page " + r.URL.Path + "."})
	})
}

func (ix *Indexer) render(w http.ResponseWriter, r *http.Request, status int, name string, d *pageData) {
	d.ChainID, d.Indexed, _ = lastHeight(r.Context(), ix.pool)
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, d); err != nil {
		ix.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

func (ix *Indexer) pageError(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		ix.log.Error("explorer", "path", r.URL.Path, "err", err)
		e = refuse(http.StatusInternalServerError, "internal", "internal error")
	}
	title := "Not found"
	if e.status == http.StatusBadRequest {
		title = "Bad request"
	} else if e.status != http.StatusNotFound {
		title = "Error"
	}
	ix.render(w, r, e.status, "error.html", &pageData{Title: title, Message: e.msg})
}

// orgTree arranges orgs under their parents; roots are those whose parent
// is not among them.
func orgTree(orgs []Org) []*orgNode {
	nodes := make(map[string]*orgNode, len(orgs))
	for _, o := range orgs {
		nodes[o.DID] = &orgNode{Org: o}
	}
	var roots []*orgNode
	for _, o := range orgs { // orgs are sorted, so children keep that order
		n := nodes[o.DID]
		if p, ok := nodes[o.Parent]; ok && o.Parent != o.DID {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return roots
}

// maxTreeOrgs bounds the organizations a page draws.
const maxTreeOrgs = 500

func (ix *Indexer) pageHome(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Title: "Explorer"}
	var err error
	if d.Blocks, err = all[Block](r, ix, "SELECT "+blockCols+" FROM blocks ORDER BY height DESC LIMIT 10"); err != nil {
		ix.pageError(w, r, err)
		return
	}
	if d.Txs, err = all[Tx](r, ix, "SELECT "+txCols+" FROM txs ORDER BY height DESC, idx DESC LIMIT 10"); err != nil {
		ix.pageError(w, r, err)
		return
	}
	orgs, err := all[Org](r, ix, "SELECT "+orgCols+" FROM orgs o ORDER BY o.created_height, o.did LIMIT $1", maxTreeOrgs)
	if err != nil {
		ix.pageError(w, r, err)
		return
	}
	d.Tree = orgTree(orgs)
	if d.Jobs, err = all[Job](r, ix, "SELECT "+jobCols+" FROM mesh_jobs ORDER BY posted_height DESC, id LIMIT 10"); err != nil {
		ix.pageError(w, r, err)
		return
	}
	if d.Proposals, err = all[Proposal](r, ix, "SELECT "+proposalCols+" FROM gov_proposals ORDER BY id DESC LIMIT 10"); err != nil {
		ix.pageError(w, r, err)
		return
	}
	ix.render(w, r, http.StatusOK, "home.html", d)
}

func (ix *Indexer) pageOrg(w http.ResponseWriter, r *http.Request) {
	did, err := pathDID(r)
	if err != nil {
		ix.pageError(w, r, err)
		return
	}
	o, err := one[Org](r, ix, "SELECT "+orgCols+" FROM orgs o WHERE o.did = $1", did)
	if err != nil {
		ix.pageError(w, r, notFound(err, "Organization %s is not indexed.", did))
		return
	}
	d := &pageData{Title: o.Name, Org: o}
	if d.Members, err = all[Member](r, ix, "SELECT member, roles, joined_height, seated FROM memberships WHERE org = $1 ORDER BY joined_height, member LIMIT 201", did); err != nil {
		ix.pageError(w, r, err)
		return
	}
	if len(d.Members) > 200 {
		d.Members, d.More = d.Members[:200], true
	}
	sub, err := all[Org](r, ix, `WITH RECURSIVE t AS (SELECT did FROM orgs WHERE parent = $1
		UNION SELECT o.did FROM orgs o JOIN t ON o.parent = t.did)
		SELECT `+orgCols+` FROM orgs o WHERE o.did IN (SELECT did FROM t) ORDER BY o.created_height, o.did LIMIT $2`, did, maxTreeOrgs)
	if err != nil {
		ix.pageError(w, r, err)
		return
	}
	d.Tree = orgTree(sub)
	if d.Proposals, err = all[Proposal](r, ix, "SELECT "+proposalCols+" FROM gov_proposals WHERE org = $1 ORDER BY id DESC LIMIT 20", did); err != nil {
		ix.pageError(w, r, err)
		return
	}
	if d.Gov, err = ix.orgGovernance(r, did); err != nil {
		ix.pageError(w, r, err)
		return
	}
	ix.render(w, r, http.StatusOK, "org.html", d)
}

func (ix *Indexer) pageDID(w http.ResponseWriter, r *http.Request) {
	did, err := pathDID(r)
	if err != nil {
		ix.pageError(w, r, err)
		return
	}
	info, err := ix.didInfo(r, did)
	if err != nil {
		ix.pageError(w, r, notFound(err, "DID %s is not indexed.", did))
		return
	}
	ix.render(w, r, http.StatusOK, "did.html", &pageData{Title: did, DID: info})
}

func (ix *Indexer) pageTx(w http.ResponseWriter, r *http.Request) {
	hash := strings.ToUpper(r.PathValue("hash"))
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 {
		ix.pageError(w, r, refuse(http.StatusBadRequest, "bad_hash", "A transaction hash is 64 hex digits."))
		return
	}
	t, err := one[Tx](r, ix, "SELECT "+txCols+" FROM txs WHERE hash = $1", hash)
	if err != nil {
		ix.pageError(w, r, notFound(err, "Transaction %s is not indexed.", hash))
		return
	}
	events, err := all[Event](r, ix, "SELECT tx_idx, idx, type, attrs FROM events WHERE height = $1 AND tx_idx = $2 ORDER BY idx", t.Height, t.Index)
	if err != nil {
		ix.pageError(w, r, err)
		return
	}
	ix.render(w, r, http.StatusOK, "tx.html", &pageData{Title: "Transaction", Tx: t, Events: events})
}

func (ix *Indexer) pageBlock(w http.ResponseWriter, r *http.Request) {
	h, err := parseHeight(r.PathValue("height"))
	if err != nil {
		ix.pageError(w, r, err)
		return
	}
	b, err := one[Block](r, ix, "SELECT "+blockCols+" FROM blocks WHERE height = $1", h)
	if err != nil {
		ix.pageError(w, r, notFound(err, "Block %d is not indexed.", h))
		return
	}
	txs, err := all[Tx](r, ix, "SELECT "+txCols+" FROM txs WHERE height = $1 ORDER BY idx", h)
	if err != nil {
		ix.pageError(w, r, err)
		return
	}
	ix.render(w, r, http.StatusOK, "block.html", &pageData{Title: "Block " + strconv.FormatInt(h, 10), Block: b, Txs: txs})
}

// pageSearch sends a DID, a transaction hash or a height to its page.
func (ix *Indexer) pageSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	switch {
	case didmod.ParseDID(q) == nil:
		var isOrg bool
		err := ix.pool.QueryRow(r.Context(), "SELECT EXISTS (SELECT 1 FROM orgs WHERE did = $1)", q).Scan(&isOrg)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			ix.pageError(w, r, err)
			return
		}
		if isOrg {
			http.Redirect(w, r, "/orgs/"+url.PathEscape(q), http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/dids/"+url.PathEscape(q), http.StatusSeeOther)
		}
	case len(q) == 64:
		http.Redirect(w, r, "/txs/"+url.PathEscape(q), http.StatusSeeOther)
	case isJob(q):
		http.Redirect(w, r, "/jobs/"+url.PathEscape(q), http.StatusSeeOther)
	default:
		if h, err := strconv.ParseInt(q, 10, 64); err == nil && h > 0 {
			http.Redirect(w, r, "/blocks/"+strconv.FormatInt(h, 10), http.StatusSeeOther)
			return
		}
		ix.pageError(w, r, refuse(http.StatusBadRequest, "bad_query", "Search for a DID (did:icn:…), a transaction hash (64 hex digits), a job (its CID) or a block height."))
	}
}
