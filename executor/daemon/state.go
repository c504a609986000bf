package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// JobState is what the daemon did for one job, kept in
// <state dir>/jobs/<job CID>.json. Every change is written durably (temp
// file, fsync, rename, fsync of the directory) before the transaction it
// announces is broadcast, so that after a crash the daemon knows which
// transactions may already be in a mempool or a block and asks the chain
// before sending anything again.
type JobState struct {
	Job string `json:"job"`
	// Seen is the height at which the daemon first looked at the job.
	Seen int64 `json:"seen"`
	// Skipped says why the daemon did not bid (the policy, the window).
	Skipped string `json:"skipped,omitempty"`
	// Price is the bid's price per unit of fuel.
	Price  uint64   `json:"price,omitempty"`
	Bid    TxRecord `json:"bid"`
	Commit TxRecord `json:"commit"`
	Reveal TxRecord `json:"reveal"`
	// Run is the outcome of running the job, once it ran.
	Run *RunRecord `json:"run,omitempty"`
	// NoReceipt says why the run gave no result (the wall-clock safety
	// net): no receipt is sent. A fetch or a host error is retried instead.
	NoReceipt string `json:"no_receipt,omitempty"`
	// Receipt is the signed receipt block committed to and revealed, and
	// ReceiptCID its CID.
	Receipt    []byte `json:"receipt,omitempty"`
	ReceiptCID string `json:"receipt_cid,omitempty"`
	// Closed is the job's final status on chain (completed, failed,
	// cancelled) or "not assigned"; a closed job is forgotten.
	Closed string `json:"closed,omitempty"`
	// Outcome is the executor's settlement outcome (agreed, disagreed,
	// absent, unresolved) and Paid what it was paid.
	Outcome string `json:"outcome,omitempty"`
	Paid    uint64 `json:"paid,omitempty"`
}

// RunRecord is the result of one run: the receipt's fields.
type RunRecord struct {
	Output   string `json:"output"`
	Fuel     uint64 `json:"fuel"`
	Exit     uint64 `json:"exit"`
	Status   string `json:"status"`
	Millis   int64  `json:"millis"`
	Detail   string `json:"detail,omitempty"`
	Provided bool   `json:"provided,omitempty"`
}

// TxRecord is one kind of transaction (bid, commit, reveal) for a job:
// every attempt broadcast, and whether its effect is on chain.
type TxRecord struct {
	Attempts []TxAttempt `json:"attempts,omitempty"`
	// Done is set once the chain shows the effect (the bid, the
	// commitment, the receipt), at height DoneHeight.
	Done       bool  `json:"done,omitempty"`
	DoneHeight int64 `json:"done_height,omitempty"`
	// Failed says why the daemon gave up on it.
	Failed string `json:"failed,omitempty"`
}

// TxAttempt is one signed transaction. It is recorded before it is
// broadcast; until TimeoutHeight has passed without it in a block it may
// still be included, and nothing is sent in its place.
type TxAttempt struct {
	Hash          string `json:"hash"`
	Sequence      uint64 `json:"sequence"`
	TimeoutHeight int64  `json:"timeout_height"`
	// Height is the height the daemon had processed when it signed it.
	Height int64 `json:"height,omitempty"`
	// Refused is set when the node refused it in CheckTx: it is in no
	// mempool and can never be included.
	Refused string `json:"refused,omitempty"`
	// Code and Log are its result once found in a block.
	Code uint32 `json:"code,omitempty"`
	Log  string `json:"log,omitempty"`
}

// last returns the latest attempt, or nil.
func (r *TxRecord) last() *TxAttempt {
	if len(r.Attempts) == 0 {
		return nil
	}
	return &r.Attempts[len(r.Attempts)-1]
}

// Sent is the number of attempts the node accepted into its mempool (or
// that may have reached it): what "sent" means for a transaction.
func (r *TxRecord) Sent() int {
	n := 0
	for _, a := range r.Attempts {
		if a.Refused == "" {
			n++
		}
	}
	return n
}

// stateDir keeps the daemon's state: the last height processed and one
// file per job.
type stateDir struct {
	dir string
}

func openState(dir string) (*stateDir, error) {
	if err := os.MkdirAll(filepath.Join(dir, "jobs"), 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	return &stateDir{dir: dir}, nil
}

const heightFile = "height"

// LastHeight is the last height whose events were processed (0: none).
func (s *stateDir) LastHeight() (int64, error) {
	bz, err := os.ReadFile(filepath.Join(s.dir, heightFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	h, err := strconv.ParseInt(strings.TrimSpace(string(bz)), 10, 64)
	if err != nil || h < 0 {
		return 0, fmt.Errorf("state file %s holds %q, not a height", filepath.Join(s.dir, heightFile), bz)
	}
	return h, nil
}

// SetLastHeight records h as processed.
func (s *stateDir) SetLastHeight(h int64) error {
	return writeFileAtomic(filepath.Join(s.dir, heightFile), []byte(strconv.FormatInt(h, 10)+"\n"))
}

func (s *stateDir) jobPath(job string) string {
	return filepath.Join(s.dir, "jobs", job+".json")
}

// Save writes st durably.
func (s *stateDir) Save(st *JobState) error {
	bz, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.jobPath(st.Job), append(bz, '\n'))
}

// Load reads the state of job; ok is false when there is none.
func (s *stateDir) Load(job string) (*JobState, bool, error) {
	bz, err := os.ReadFile(s.jobPath(job))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	st := new(JobState)
	if err := json.Unmarshal(bz, st); err != nil {
		return nil, false, fmt.Errorf("state of job %s: %w", job, err)
	}
	if st.Job != job {
		return nil, false, fmt.Errorf("state file %s names job %q", s.jobPath(job), st.Job)
	}
	return st, true, nil
}

// Open lists the jobs whose state is not closed, by CID.
func (s *stateDir) Open() ([]*JobState, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "jobs"))
	if err != nil {
		return nil, err
	}
	var out []*JobState
	for _, e := range entries {
		job, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		st, found, err := s.Load(job)
		if err != nil {
			return nil, err
		}
		if found && st.Closed == "" {
			out = append(out, st)
		}
	}
	return out, nil
}

// writeFileAtomic replaces path with data: a temporary file in the same
// directory, synced, renamed over path, and the directory synced, so that
// after a crash path holds either the old or the new bytes, never a mix.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
