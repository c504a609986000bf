package indexer

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mesh"
)

// The mesh's part of the API: jobs with their bids, receipts and the dag
// entries that link to them, and executors with their bids and earnings.
// Amounts the chain keeps as uint64 are decimal strings, as mana's are.

// Rows of the mesh API, named like the columns they are read from.
type (
	Executor struct {
		DID              string   `json:"did" db:"did"`
		Status           string   `json:"status" db:"status"`
		MaxFuel          string   `json:"max_fuel" db:"max_fuel"`
		MemoryPages      string   `json:"memory_pages" db:"memory_pages"`
		Kinds            []string `json:"kinds" db:"kinds"`
		PriceFloor       string   `json:"price_floor" db:"price_floor"`
		Bond             string   `json:"bond" db:"bond"`
		Reserved         string   `json:"reserved" db:"reserved"`
		Reputation       string   `json:"reputation" db:"reputation"`
		Open             int64    `json:"open" db:"open"`
		RegisteredHeight int64    `json:"registered_height" db:"registered_height"`
		LastGainHeight   int64    `json:"last_gain_height" db:"last_gain_height"`
	}
	Job struct {
		ID             string   `json:"id" db:"id"`
		Poster         string   `json:"poster" db:"poster"`
		Status         string   `json:"status" db:"status"`
		Module         string   `json:"module" db:"module"`
		Input          string   `json:"input" db:"input"`
		Kind           string   `json:"kind" db:"kind"`
		MemoryPages    string   `json:"memory_pages" db:"memory_pages"`
		MinReputation  string   `json:"min_reputation" db:"min_reputation"`
		FuelLimit      string   `json:"fuel_limit" db:"fuel_limit"`
		MaxPrice       string   `json:"max_price" db:"max_price"`
		Replication    int64    `json:"replication" db:"replication"`
		Agreement      int64    `json:"agreement" db:"agreement"`
		BidWindow      string   `json:"bid_window" db:"bid_window"`
		DeadlineBlocks string   `json:"deadline_blocks" db:"deadline_blocks"`
		Sequence       string   `json:"sequence" db:"sequence"`
		Escrow         string   `json:"escrow" db:"escrow"`
		PostedHeight   int64    `json:"posted_height" db:"posted_height"`
		WindowClose    int64    `json:"window_close" db:"window_close"`
		CommitDeadline int64    `json:"commit_deadline" db:"commit_deadline"`
		DeadlineHeight int64    `json:"deadline_height" db:"deadline_height"`
		Executors      []string `json:"executors" db:"executors"`
		Output         string   `json:"output" db:"output"`
		Fuel           string   `json:"fuel" db:"fuel"`
		Exit           string   `json:"exit" db:"exit"`
		Refunded       string   `json:"refunded" db:"refunded"`
		Reason         string   `json:"reason" db:"reason"`
		ClosedHeight   int64    `json:"closed_height" db:"closed_height"`
	}
	JobBid struct {
		Job        string `json:"job" db:"job"`
		Executor   string `json:"executor" db:"executor"`
		Index      int    `json:"index" db:"idx"`
		Price      string `json:"price" db:"price"`
		Reserved   string `json:"reserved" db:"reserved"`
		Height     int64  `json:"height" db:"bid_height"`
		Assigned   bool   `json:"assigned" db:"assigned"`
		Commitment string `json:"commitment" db:"commitment"`
		Paid       string `json:"paid" db:"paid"`
		Slashed    string `json:"slashed" db:"slashed"`
		JobStatus  string `json:"job_status,omitempty" db:"job_status"`
	}
	Receipt struct {
		Job            string `json:"job" db:"job"`
		Executor       string `json:"executor" db:"executor"`
		CID            string `json:"cid" db:"cid"`
		Output         string `json:"output" db:"output"`
		Fuel           string `json:"fuel" db:"fuel"`
		Exit           string `json:"exit" db:"exit"`
		AnchoredHeight int64  `json:"anchored_height" db:"anchored_height"`
	}
	DAGEntry struct {
		CID            string   `json:"cid" db:"cid"`
		Anchorer       string   `json:"anchorer" db:"anchorer"`
		Kind           string   `json:"kind" db:"kind"`
		Links          []string `json:"links" db:"links"`
		AnchoredHeight int64    `json:"anchored_height" db:"anchored_height"`
	}
	// JobDetail is a job with its bids, its receipts and the dag entries
	// that link to it.
	JobDetail struct {
		Job      Job        `json:"job"`
		Bids     []JobBid   `json:"bids"`
		Receipts []Receipt  `json:"receipts"`
		Links    []DAGEntry `json:"links"`
	}
	// ExecutorDetail is an executor with its latest bids and what its
	// settled jobs paid it and burned of its bond.
	ExecutorDetail struct {
		Executor Executor `json:"executor"`
		Earned   string   `json:"earned"`
		Slashed  string   `json:"slashed"`
		Bids     []JobBid `json:"bids"`
	}
)

const executorCols = `did, status, max_fuel::text AS max_fuel, memory_pages::text AS memory_pages, kinds,
	price_floor::text AS price_floor, bond::text AS bond, reserved::text AS reserved, reputation::text AS reputation,
	open, registered_height, last_gain_height`
const jobCols = `id, poster, status, module, input, kind, memory_pages::text AS memory_pages, min_reputation::text AS min_reputation,
	fuel_limit::text AS fuel_limit, max_price::text AS max_price, replication, agreement, bid_window::text AS bid_window,
	deadline_blocks::text AS deadline_blocks, sequence::text AS sequence, escrow::text AS escrow, posted_height, window_close,
	commit_deadline, deadline_height, executors, output, fuel::text AS fuel, exit::text AS exit, refunded::text AS refunded, reason, closed_height`
const bidCols = `b.job, b.executor, b.idx, b.price::text AS price, b.reserved::text AS reserved, b.bid_height, b.assigned, b.commitment,
	b.paid::text AS paid, b.slashed::text AS slashed`
const receiptCols = `job, executor, cid, output, fuel::text AS fuel, exit::text AS exit, anchored_height`
const dagCols = `cid, anchorer, kind, links, anchored_height`

// maxDetailRows bounds the bids, receipts and links one answer lists (a
// job holds at most the params' max_bids_per_job bids; links are anyone's).
const maxDetailRows = 100

var (
	jobStatuses      = []string{"open", "assigned", "completed", "failed", "cancelled"}
	executorStatuses = []string{"active", "leaving", "left"}
)

func (ix *Indexer) meshRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/jobs", ix.handleJobs)
	mux.HandleFunc("GET /v1/jobs/{id}", ix.handleJob)
	mux.HandleFunc("GET /v1/executors", ix.handleExecutors)
	mux.HandleFunc("GET /v1/executors/{did}", ix.handleExecutor)
}

// jobFilter reads /v1/jobs' optional status and poster into a WHERE
// clause whose parameters start at $1.
func jobFilter(r *http.Request) (string, []any, error) {
	var conds []string
	var args []any
	if s := r.URL.Query().Get("status"); s != "" {
		if !slices.Contains(jobStatuses, s) {
			return "", nil, refuse(http.StatusBadRequest, "bad_status", "status must be one of %s, got %q", strings.Join(jobStatuses, ", "), s)
		}
		args = append(args, s)
		conds = append(conds, "status = $1")
	}
	if p := r.URL.Query().Get("poster"); p != "" {
		if err := didmod.ParseDID(p); err != nil {
			return "", nil, refuse(http.StatusBadRequest, "bad_did", "poster: %v", err)
		}
		args = append(args, p)
		conds = append(conds, "poster = $"+strconv.Itoa(len(args)))
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func (ix *Indexer) handleJobs(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	where, args, err := jobFilter(r)
	if err != nil {
		writeError(w, err)
		return
	}
	n := len(args)
	out, err := listPage[Job](r, ix, p, "SELECT "+jobCols+" FROM mesh_jobs"+where+
		" ORDER BY posted_height DESC, id LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), args...)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// pathJob reads a job CID from the path, in the form the chain's events
// give it.
func pathJob(r *http.Request) (string, error) {
	s := r.PathValue("id")
	id, err := mesh.ParseJob(s)
	if err != nil {
		return "", refuse(http.StatusBadRequest, "bad_job", "a job is named by its CID (CIDv1, raw, sha2-256): %q is not one", s)
	}
	return mesh.JobCID(id).String(), nil
}

// jobDetail gathers a job and what hangs off it; pgx.ErrNoRows when the
// job is not indexed.
func (ix *Indexer) jobDetail(r *http.Request, id string) (*JobDetail, error) {
	j, err := one[Job](r, ix, "SELECT "+jobCols+" FROM mesh_jobs WHERE id = $1", id)
	if err != nil {
		return nil, err
	}
	out := &JobDetail{Job: j}
	if out.Bids, err = all[JobBid](r, ix, "SELECT "+bidCols+" FROM mesh_bids b WHERE b.job = $1 ORDER BY b.idx LIMIT $2", id, maxDetailRows); err != nil {
		return nil, err
	}
	if out.Receipts, err = all[Receipt](r, ix, "SELECT "+receiptCols+" FROM mesh_receipts WHERE job = $1 ORDER BY anchored_height, executor LIMIT $2", id, maxDetailRows); err != nil {
		return nil, err
	}
	if out.Links, err = all[DAGEntry](r, ix, "SELECT "+dagCols+" FROM dag_entries WHERE links @> ARRAY[$1::text] ORDER BY anchored_height, cid, anchorer LIMIT $2", id, maxDetailRows); err != nil {
		return nil, err
	}
	return out, nil
}

func (ix *Indexer) handleJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathJob(r)
	if err != nil {
		writeError(w, err)
		return
	}
	d, err := ix.jobDetail(r, id)
	if err != nil {
		writeError(w, notFound(err, "job %s is not indexed", id))
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (ix *Indexer) handleExecutors(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	q, args := "SELECT "+executorCols+" FROM mesh_executors ORDER BY did LIMIT $1 OFFSET $2", []any{}
	if s := r.URL.Query().Get("status"); s != "" {
		if !slices.Contains(executorStatuses, s) {
			writeError(w, refuse(http.StatusBadRequest, "bad_status", "status must be one of %s, got %q", strings.Join(executorStatuses, ", "), s))
			return
		}
		q, args = "SELECT "+executorCols+" FROM mesh_executors WHERE status = $1 ORDER BY did LIMIT $2 OFFSET $3", []any{s}
	}
	out, err := listPage[Executor](r, ix, p, q, args...)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// executorDetail gathers an executor's record, earnings and latest bids;
// pgx.ErrNoRows when it never registered.
func (ix *Indexer) executorDetail(r *http.Request, did string) (*ExecutorDetail, error) {
	e, err := one[Executor](r, ix, "SELECT "+executorCols+" FROM mesh_executors WHERE did = $1", did)
	if err != nil {
		return nil, err
	}
	out := &ExecutorDetail{Executor: e}
	if err := ix.pool.QueryRow(r.Context(), "SELECT coalesce(sum(paid), 0)::text, coalesce(sum(slashed), 0)::text FROM mesh_bids WHERE executor = $1", did).
		Scan(&out.Earned, &out.Slashed); err != nil {
		return nil, err
	}
	if out.Bids, err = all[JobBid](r, ix, "SELECT "+bidCols+`, j.status AS job_status FROM mesh_bids b JOIN mesh_jobs j ON j.id = b.job
		WHERE b.executor = $1 ORDER BY b.bid_height DESC, b.job LIMIT $2`, did, maxDetailRows); err != nil {
		return nil, err
	}
	return out, nil
}

func (ix *Indexer) handleExecutor(w http.ResponseWriter, r *http.Request) {
	d, err := pathDID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := ix.executorDetail(r, d)
	if err != nil {
		writeError(w, notFound(err, "%s is not an indexed executor", d))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// isJob reports whether s names a job (its CID).
func isJob(s string) bool {
	_, err := mesh.ParseJob(s)
	return err == nil
}

// maxPageJobs bounds the jobs the explorer's job list draws.
const maxPageJobs = 50

func (ix *Indexer) pageJobs(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Title: "Jobs", Statuses: jobStatuses, Status: r.URL.Query().Get("status")}
	q, args := "SELECT "+jobCols+" FROM mesh_jobs ORDER BY posted_height DESC, id LIMIT $1", []any{maxPageJobs + 1}
	if d.Status != "" {
		if !slices.Contains(jobStatuses, d.Status) {
			ix.pageError(w, r, refuse(http.StatusBadRequest, "bad_status", "A job's status is one of %s.", strings.Join(jobStatuses, ", ")))
			return
		}
		q, args = "SELECT "+jobCols+" FROM mesh_jobs WHERE status = $2 ORDER BY posted_height DESC, id LIMIT $1", []any{maxPageJobs + 1, d.Status}
	}
	var err error
	if d.Jobs, err = all[Job](r, ix, q, args...); err != nil {
		ix.pageError(w, r, err)
		return
	}
	if len(d.Jobs) > maxPageJobs {
		d.Jobs, d.More = d.Jobs[:maxPageJobs], true
	}
	if d.Executors, err = all[Executor](r, ix, "SELECT "+executorCols+" FROM mesh_executors ORDER BY did LIMIT $1", maxPageJobs); err != nil {
		ix.pageError(w, r, err)
		return
	}
	ix.render(w, r, http.StatusOK, "jobs.html", d)
}

func (ix *Indexer) pageJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathJob(r)
	if err != nil {
		ix.pageError(w, r, refuse(http.StatusBadRequest, "bad_job", "A job is named by its CID (bafkrei…)."))
		return
	}
	d, err := ix.jobDetail(r, id)
	if err != nil {
		ix.pageError(w, r, notFound(err, "Job %s is not indexed.", id))
		return
	}
	ix.render(w, r, http.StatusOK, "job.html", &pageData{Title: "Job " + id, Job: d})
}

func (ix *Indexer) pageExecutor(w http.ResponseWriter, r *http.Request) {
	did, err := pathDID(r)
	if err != nil {
		ix.pageError(w, r, err)
		return
	}
	d, err := ix.executorDetail(r, did)
	if err != nil {
		ix.pageError(w, r, notFound(err, "%s is not an indexed executor.", did))
		return
	}
	ix.render(w, r, http.StatusOK, "executor.html", &pageData{Title: "Executor " + did, Executor: d})
}
