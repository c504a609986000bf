package client

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/ipfs/go-cid"

	"github.com/intercooperative/icnd/modules/dag"
	didmod "github.com/intercooperative/icnd/modules/did"
	"github.com/intercooperative/icnd/modules/mesh"
	dagv1 "github.com/intercooperative/icnd/proto/icn/dag/v1"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
	txv1 "github.com/intercooperative/icnd/proto/icn/tx/v1"
	"github.com/intercooperative/icnd/protocol/receipt"
)

// Offer is what an executor registers or updates: capabilities, price
// floor per unit of fuel and bond.
type Offer struct {
	MaxFuel     uint64
	MemoryPages uint64
	Kinds       []string
	PriceFloor  uint64
	Bond        uint64
}

func (o Offer) capabilities() *meshv1.Capabilities {
	kinds := append([]string(nil), o.Kinds...)
	// The chain wants them sorted and unique; users should not have to.
	for i := 1; i < len(kinds); i++ {
		for j := i; j > 0 && kinds[j] < kinds[j-1]; j-- {
			kinds[j], kinds[j-1] = kinds[j-1], kinds[j]
		}
	}
	out := kinds[:0]
	for i, k := range kinds {
		if i == 0 || k != kinds[i-1] {
			out = append(out, k)
		}
	}
	return &meshv1.Capabilities{MaxFuel: o.MaxFuel, MemoryPages: o.MemoryPages, Kinds: out}
}

// RegisterExecutor returns a MsgRegisterExecutor for o, checked as the
// chain checks it.
func RegisterExecutor(o Offer) (*txv1.Msg, error) {
	m := &meshv1.MsgRegisterExecutor{Capabilities: o.capabilities(), PriceFloor: o.PriceFloor, Bond: o.Bond}
	if err := mesh.ValidateRegisterExecutor(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_RegisterExecutor{RegisterExecutor: m}}, nil
}

// UpdateExecutor returns a MsgUpdateExecutor for o.
func UpdateExecutor(o Offer) (*txv1.Msg, error) {
	m := &meshv1.MsgUpdateExecutor{Capabilities: o.capabilities(), PriceFloor: o.PriceFloor, Bond: o.Bond}
	if err := mesh.ValidateUpdateExecutor(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_UpdateExecutor{UpdateExecutor: m}}, nil
}

// LeaveExecutor returns a MsgLeaveExecutor.
func LeaveExecutor() *txv1.Msg {
	return &txv1.Msg{Sum: &txv1.Msg_LeaveExecutor{LeaveExecutor: &meshv1.MsgLeaveExecutor{}}}
}

// PostJob returns a MsgPostJob for spec, checked as the chain checks it,
// and the CID of the job it posts for poster.
func PostJob(poster string, spec *meshv1.MsgPostJob) (*txv1.Msg, cid.Cid, error) {
	if err := mesh.ValidatePostJob(spec); err != nil {
		return nil, cid.Undef, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_PostJob{PostJob: spec}}, mesh.JobCID(mesh.JobID(poster, spec)), nil
}

// CancelJob returns a MsgCancelJob for the job named by its CID string.
func CancelJob(job string) (*txv1.Msg, error) {
	id, err := mesh.ParseJob(job)
	if err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_CancelJob{CancelJob: &meshv1.MsgCancelJob{Job: id}}}, nil
}

// Bid returns a MsgBid on job at price per unit of fuel.
func Bid(job string, price uint64) (*txv1.Msg, error) {
	id, err := mesh.ParseJob(job)
	if err != nil {
		return nil, err
	}
	m := &meshv1.MsgBid{Job: id, Price: price}
	if err := mesh.ValidateBid(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_Bid{Bid: m}}, nil
}

// SubmitReceipt returns a MsgSubmitReceipt for a receipt block, checked as
// the chain checks it before it reads state (docs/receipts.md).
func SubmitReceipt(block []byte) (*txv1.Msg, error) {
	m := &meshv1.MsgSubmitReceipt{Receipt: block}
	if err := mesh.ValidateSubmitReceipt(m); err != nil {
		return nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_SubmitReceipt{SubmitReceipt: m}}, nil
}

// SignReceipt signs r through sign (the executor's key) and returns its
// block and CID. sign must sign with the key r.KeyID names.
func SignReceipt(r *receipt.Receipt, sign Signer) ([]byte, cid.Cid, error) {
	msg, err := r.SignBytes()
	if err != nil {
		return nil, cid.Undef, err
	}
	if r.Sig, err = sign(msg); err != nil {
		return nil, cid.Undef, fmt.Errorf("sign the receipt: %w", err)
	}
	if len(r.Sig) != ed25519.SignatureSize {
		return nil, cid.Undef, fmt.Errorf("the signer returned %d bytes, want an Ed25519 signature", len(r.Sig))
	}
	block, err := r.Encode()
	if err != nil {
		return nil, cid.Undef, err
	}
	return block, receipt.CID(block), nil
}

// CommitReceipt returns the MsgCommitReceipt that commits its executor to
// a receipt block before revealing it with SubmitReceipt, and the
// commitment (receipt.Commitment: the job id, the executor's DID and the
// block's CID). The block is checked as SubmitReceipt checks it, so that
// one commits only to a receipt the chain can take.
func CommitReceipt(block []byte) (*txv1.Msg, []byte, error) {
	if err := mesh.ValidateSubmitReceipt(&meshv1.MsgSubmitReceipt{Receipt: block}); err != nil {
		return nil, nil, err
	}
	c, r, err := receipt.BlockCommitment(block)
	if err != nil {
		return nil, nil, err
	}
	id, err := mesh.JobIDFromCID(r.Job)
	if err != nil {
		return nil, nil, err
	}
	m := &meshv1.MsgCommitReceipt{Job: id, Commitment: c}
	if err := mesh.ValidateCommitReceipt(m); err != nil {
		return nil, nil, err
	}
	return &txv1.Msg{Sum: &txv1.Msg_CommitReceipt{CommitReceipt: m}}, c, nil
}

// ReceiptResult is what an executor reports about a job: the output
// block's CID, the fuel used and the exit status.
type ReceiptResult struct {
	Output string
	Fuel   uint64
	Exit   uint64
}

// ReceiptSigner is who signs a receipt: the executor's DID, the key id of
// its DID document that signs, and the signer for that key, on chainID.
type ReceiptSigner struct {
	ChainID  string
	Executor string
	KeyID    string
	Sign     Signer
}

// ReceiptFor builds and signs s's receipt of res for job (as a query
// returned it: its module and input come from the job). Ed25519 signatures
// are deterministic, so the same job, result and key always give the same
// block: an executor can build it once to commit and again to reveal.
func ReceiptFor(job *JobView, res ReceiptResult, s ReceiptSigner) ([]byte, error) {
	out, err := ParseCID(res.Output)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	var links [3]cid.Cid
	for i, c := range []string{job.ID, job.Module, job.Input} {
		if links[i], err = ParseCID(c); err != nil {
			return nil, fmt.Errorf("job %s: %w", job.ID, err)
		}
	}
	r := &receipt.Receipt{ChainID: s.ChainID, Job: links[0], Executor: s.Executor, KeyID: s.KeyID,
		Module: links[1], Input: links[2], Output: out, Fuel: res.Fuel, Exit: res.Exit}
	block, _, err := SignReceipt(r, s.Sign)
	return block, err
}

// BuildReceipt reads job (its CID) from the chain and returns s's signed
// receipt of res for it (ReceiptFor).
func (q *Querier) BuildReceipt(ctx context.Context, job string, res ReceiptResult, s ReceiptSigner) ([]byte, error) {
	j, _, err := q.Job(ctx, job, 0)
	if err != nil {
		return nil, err
	}
	return ReceiptFor(j, res, s)
}

// JobStatuses are the job statuses as the CLI and JSON name them.
var JobStatuses = []string{"open", "assigned", "completed", "failed", "cancelled"}

// ParseJobStatus reads a status name.
func ParseJobStatus(s string) (meshv1.JobStatus, error) {
	for i, name := range JobStatuses {
		if s == name {
			return meshv1.JobStatus(i + 1), nil
		}
	}
	return 0, fmt.Errorf("job status %q: want one of %s", s, strings.Join(JobStatuses, ", "))
}

func jobStatusName(s meshv1.JobStatus) string {
	if s >= 1 && int(s) <= len(JobStatuses) {
		return JobStatuses[s-1]
	}
	return s.String()
}

func executorStatusName(s meshv1.ExecutorStatus) string {
	switch s {
	case meshv1.ExecutorStatus_EXECUTOR_STATUS_ACTIVE:
		return "active"
	case meshv1.ExecutorStatus_EXECUTOR_STATUS_LEAVING:
		return "leaving"
	case meshv1.ExecutorStatus_EXECUTOR_STATUS_LEFT:
		return "left"
	}
	return s.String()
}

func cidOrEmpty(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	c, err := cid.Cast(b)
	if err != nil {
		return fmt.Sprintf("invalid:%x", b)
	}
	return c.String()
}

// BidView is a bid as the CLI shows it.
type BidView struct {
	Executor string `json:"executor"`
	Price    uint64 `json:"price"`
	Reserved uint64 `json:"reserved"`
	Height   int64  `json:"height"`
	Assigned bool   `json:"assigned"`
	// Commitment is the executor's receipt commitment (hex), once committed.
	Commitment string `json:"commitment,omitempty"`
	Receipt    string `json:"receipt,omitempty"`
	Output     string `json:"output,omitempty"`
	Fuel       uint64 `json:"fuel,omitempty"`
	Exit       uint64 `json:"exit,omitempty"`
	Paid       uint64 `json:"paid"`
	Slashed    uint64 `json:"slashed"`
}

// JobView is a job with its CIDs as strings.
type JobView struct {
	ID             string `json:"id"`
	Poster         string `json:"poster"`
	Status         string `json:"status"`
	Module         string `json:"module"`
	Input          string `json:"input"`
	Kind           string `json:"kind"`
	MemoryPages    uint64 `json:"memory_pages"`
	MinReputation  uint64 `json:"min_reputation"`
	FuelLimit      uint64 `json:"fuel_limit"`
	MaxPrice       uint64 `json:"max_price"`
	Replication    uint32 `json:"replication"`
	Agreement      uint32 `json:"agreement"`
	Sequence       uint64 `json:"sequence"`
	Escrow         uint64 `json:"escrow"`
	PostedHeight   int64  `json:"posted_height"`
	WindowClose    int64  `json:"window_close"`
	DeadlineHeight int64  `json:"deadline_height"`
	CommitDeadline int64  `json:"commit_deadline,omitempty"`
	// Terms are the bid limit and slashes the job was posted under, which
	// it keeps whatever the params become; nil only for a record without
	// them, which InitChain gives any job from an older genesis file.
	Terms        *JobTermsView `json:"terms,omitempty"`
	Bids         []*BidView    `json:"bids"`
	Output       string        `json:"output,omitempty"`
	Fuel         uint64        `json:"fuel,omitempty"`
	Exit         uint64        `json:"exit,omitempty"`
	Refunded     uint64        `json:"refunded"`
	Reason       string        `json:"reason,omitempty"`
	ClosedHeight int64         `json:"closed_height,omitempty"`
}

// JobTermsView is a job's terms (docs/mesh.md section 8.1): its bid limit
// and the basis points of a bid's hold burned from a disagreeing and an
// absent assigned executor.
type JobTermsView struct {
	MaxBids        uint32 `json:"max_bids"`
	SlashBps       uint64 `json:"slash_bps"`
	SlashAbsentBps uint64 `json:"slash_absent_bps"`
}

// NewJobView renders j.
func NewJobView(j *meshv1.Job) *JobView {
	s := j.Spec
	if s == nil {
		s = &meshv1.MsgPostJob{}
	}
	req := s.Requirements
	if req == nil {
		req = &meshv1.Requirements{}
	}
	v := &JobView{ID: mesh.JobCID(j.Id).String(), Poster: j.Poster, Status: jobStatusName(j.Status),
		Module: cidOrEmpty(s.Module), Input: cidOrEmpty(s.Input), Kind: req.Kind, MemoryPages: req.MemoryPages,
		MinReputation: req.MinReputation, FuelLimit: s.FuelLimit, MaxPrice: s.MaxPrice, Replication: s.Replication,
		Agreement: j.Agreement, Sequence: s.Sequence, Escrow: j.Escrow, PostedHeight: j.PostedHeight,
		WindowClose: j.WindowClose, DeadlineHeight: j.DeadlineHeight, CommitDeadline: j.CommitDeadline, Bids: []*BidView{}, Output: cidOrEmpty(j.Output),
		Fuel: j.Fuel, Exit: j.Exit, Refunded: j.Refunded, Reason: j.Reason, ClosedHeight: j.ClosedHeight}
	if t := j.Terms; t != nil {
		v.Terms = &JobTermsView{MaxBids: t.MaxBids, SlashBps: t.SlashBps, SlashAbsentBps: t.SlashAbsentBps}
	}
	for _, b := range j.Bids {
		v.Bids = append(v.Bids, &BidView{Executor: b.Executor, Price: b.Price, Reserved: b.Reserved, Height: b.Height,
			Assigned: b.Assigned, Commitment: hex.EncodeToString(b.Commitment), Receipt: cidOrEmpty(b.Receipt), Output: cidOrEmpty(b.Output), Fuel: b.Fuel, Exit: b.Exit,
			Paid: b.Paid, Slashed: b.Slashed})
	}
	return v
}

// Job reads the job named by its CID string. When there is none the error
// wraps ErrNotFound and the result is still returned.
func (q *Querier) Job(ctx context.Context, job string, height int64) (*JobView, *QueryResult, error) {
	id, err := mesh.ParseJob(job)
	if err != nil {
		return nil, nil, err
	}
	return q.jobByID(ctx, id, height)
}

func (q *Querier) jobByID(ctx context.Context, id []byte, height int64) (*JobView, *QueryResult, error) {
	res, err := q.Get(ctx, mesh.JobKey(id), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: job %s at height %d", ErrNotFound, mesh.JobCID(id), res.Height)
	}
	j := new(meshv1.Job)
	if err := j.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode job %s: %w", mesh.JobCID(id), err)
	}
	return NewJobView(j), res, nil
}

// Jobs lists jobs by id, reading at most limit: those of poster when it is
// not empty, else those with status, filtered by status too when both are
// given, and every job when neither is. With a Prover the index listing is proven
// complete and each job proven at the same height.
func (q *Querier) Jobs(ctx context.Context, status, poster string, height int64, limit int) ([]*JobView, *QueryResult, error) {
	var prefix []byte
	var want meshv1.JobStatus
	if status != "" {
		s, err := ParseJobStatus(status)
		if err != nil {
			return nil, nil, err
		}
		want, prefix = s, mesh.JobsByStatusPrefix(s)
	}
	if poster != "" {
		if err := didmod.ParseDID(poster); err != nil {
			return nil, nil, fmt.Errorf("poster: %w", err)
		}
		prefix = mesh.JobsByPosterPrefix(poster)
	}
	if prefix == nil {
		return q.allJobs(ctx, height, limit)
	}
	entries, res, err := q.Scan(ctx, prefix, height, limit)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*JobView, 0, len(entries))
	for _, e := range entries {
		id, ok := mesh.JobIDFromIndexKey(e.Key)
		if !ok {
			return nil, res, fmt.Errorf("malformed job index key %X", e.Key)
		}
		j, _, err := q.jobByID(ctx, id, res.Height)
		if err != nil {
			return nil, res, fmt.Errorf("indexed job %s: %w", mesh.JobCID(id), err)
		}
		if want != 0 && j.Status != jobStatusName(want) {
			continue
		}
		out = append(out, j)
	}
	return out, res, nil
}

// allJobs lists every job, by id.
func (q *Querier) allJobs(ctx context.Context, height int64, limit int) ([]*JobView, *QueryResult, error) {
	entries, res, err := q.Scan(ctx, mesh.JobsPrefix(), height, limit)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*JobView, 0, len(entries))
	for _, e := range entries {
		j := new(meshv1.Job)
		if err := j.Unmarshal(e.Value); err != nil {
			return nil, res, fmt.Errorf("decode the job under key %X: %w", e.Key, err)
		}
		out = append(out, NewJobView(j))
	}
	return out, res, nil
}

// ExecutorView is an executor record.
type ExecutorView struct {
	DID              string   `json:"did"`
	Status           string   `json:"status"`
	MaxFuel          uint64   `json:"max_fuel"`
	MemoryPages      uint64   `json:"memory_pages"`
	Kinds            []string `json:"kinds"`
	PriceFloor       uint64   `json:"price_floor"`
	Bond             uint64   `json:"bond"`
	Reserved         uint64   `json:"reserved"`
	Open             uint32   `json:"open"`
	Reputation       uint64   `json:"reputation"`
	RegisteredHeight int64    `json:"registered_height"`
}

// NewExecutorView renders e.
func NewExecutorView(e *meshv1.Executor) *ExecutorView {
	c := e.Capabilities
	if c == nil {
		c = &meshv1.Capabilities{}
	}
	return &ExecutorView{DID: e.Did, Status: executorStatusName(e.Status), MaxFuel: c.MaxFuel, MemoryPages: c.MemoryPages,
		Kinds: append([]string{}, c.Kinds...), PriceFloor: e.PriceFloor, Bond: e.Bond, Reserved: e.Reserved, Open: e.Open,
		Reputation: e.Reputation, RegisteredHeight: e.RegisteredHeight}
}

// Executor reads did's executor record. When there is none the error
// wraps ErrNotFound and the result is still returned.
func (q *Querier) Executor(ctx context.Context, did string, height int64) (*ExecutorView, *QueryResult, error) {
	if err := didmod.ParseDID(did); err != nil {
		return nil, nil, err
	}
	res, err := q.Get(ctx, mesh.ExecutorKey(did), height)
	if err != nil {
		return nil, nil, err
	}
	if res.Value == nil {
		return nil, res, fmt.Errorf("%w: executor %s at height %d", ErrNotFound, did, res.Height)
	}
	e := new(meshv1.Executor)
	if err := e.Unmarshal(res.Value); err != nil {
		return nil, res, fmt.Errorf("decode executor %s: %w", did, err)
	}
	return NewExecutorView(e), res, nil
}

// Executors lists every executor record (those that left included), by
// DID, reading at most limit. With a Prover the list is proven complete.
func (q *Querier) Executors(ctx context.Context, height int64, limit int) ([]*ExecutorView, *QueryResult, error) {
	entries, res, err := q.Scan(ctx, mesh.ExecutorsPrefix(), height, limit)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*ExecutorView, 0, len(entries))
	for _, en := range entries {
		e := new(meshv1.Executor)
		if err := e.Unmarshal(en.Value); err != nil {
			return nil, res, fmt.Errorf("decode executor under key %X: %w", en.Key, err)
		}
		out = append(out, NewExecutorView(e))
	}
	return out, res, nil
}

// LinkRef names one anchored entry: its CID and its anchorer.
type LinkRef struct {
	CID        string `json:"cid"`
	AnchoredBy string `json:"anchored_by"`
}

// LinksView is what the dag says about a CID's links: the CIDs its entries
// (one per anchorer) link to, and the entries that link to it.
type LinksView struct {
	CID string `json:"cid"`
	// To lists, for each entry anchored for CID, its links.
	To []*EntryView `json:"to"`
	// From lists the entries whose links include CID.
	From []LinkRef `json:"from"`
}

// Links reads both directions of c's links: the entries anchored for c
// (which carry the links out of it) and the reverse-link index under c
// (the entries that link to it), at one height, reading at most limit of
// each. With a Prover both listings are proven complete. When c is neither
// anchored nor linked to the error wraps ErrNotFound.
func (q *Querier) Links(ctx context.Context, c cid.Cid, height int64, limit int) (*LinksView, *QueryResult, error) {
	v := &LinksView{CID: c.String(), To: []*EntryView{}, From: []LinkRef{}}
	entries, res, err := q.Scan(ctx, dag.EntriesPrefix(c.Bytes()), height, limit)
	if err != nil {
		return nil, nil, err
	}
	for _, raw := range entries {
		e := new(dagv1.Entry)
		if err := e.Unmarshal(raw.Value); err != nil {
			return nil, res, fmt.Errorf("decode the entry under key %X: %w", raw.Key, err)
		}
		ev, err := NewEntryView(e)
		if err != nil {
			return nil, res, err
		}
		v.To = append(v.To, ev)
	}
	back, res, err := q.Scan(ctx, dag.BacklinksPrefix(c.Bytes()), res.Height, limit)
	if err != nil {
		return nil, nil, err
	}
	for _, raw := range back {
		_, src, anchorer, ok := dag.ParseBacklinkKey(raw.Key)
		if !ok {
			return nil, res, fmt.Errorf("malformed backlink key %X", raw.Key)
		}
		v.From = append(v.From, LinkRef{CID: cidOrEmpty(src), AnchoredBy: anchorer})
	}
	if len(v.To) == 0 && len(v.From) == 0 {
		return nil, res, fmt.Errorf("%w: CID %s is neither anchored nor linked to at height %d", ErrNotFound, c, res.Height)
	}
	return v, res, nil
}
