package mesh

import "github.com/intercooperative/icnd/modules"

// Event types of this package, as CometBFT and clients see them. A job is
// named by its CID string (JobCID) in every event.
const (
	EventTypeExecutorRegistered = "icn.mesh.executor_registered"
	EventTypeExecutorUpdated    = "icn.mesh.executor_updated"
	EventTypeExecutorLeft       = "icn.mesh.executor_left"
	EventTypeJobPosted          = "icn.mesh.job_posted"
	EventTypeJobCancelled       = "icn.mesh.job_cancelled"
	EventTypeBid                = "icn.mesh.bid"
	EventTypeBidEvicted         = "icn.mesh.bid_evicted"
	EventTypeJobAssigned        = "icn.mesh.job_assigned"
	EventTypeReceiptAccepted    = "icn.mesh.receipt_accepted"
	EventTypeReceiptCommitted   = "icn.mesh.receipt_committed"
	EventTypeJobCompleted       = "icn.mesh.job_completed"
	EventTypeJobFailed          = "icn.mesh.job_failed"
	EventTypeExecutorSettled    = "icn.mesh.executor_settled"
	EventTypeParamsSet          = "icn.mesh.params_set"
)

func init() {
	modules.RegisterEvent(EventExecutorRegistered{})
	modules.RegisterEvent(EventExecutorUpdated{})
	modules.RegisterEvent(EventExecutorLeft{})
	modules.RegisterEvent(EventJobPosted{})
	modules.RegisterEvent(EventJobCancelled{})
	modules.RegisterEvent(EventBid{})
	modules.RegisterEvent(EventBidEvicted{})
	modules.RegisterEvent(EventJobAssigned{})
	modules.RegisterEvent(EventReceiptAccepted{})
	modules.RegisterEvent(EventReceiptCommitted{})
	modules.RegisterEvent(EventJobCompleted{})
	modules.RegisterEvent(EventJobFailed{})
	modules.RegisterEvent(EventExecutorSettled{})
	modules.RegisterEvent(EventParamsSet{})
}

// EventExecutorRegistered is emitted when a DID registers (or re-registers
// after leaving) as an executor.
type EventExecutorRegistered struct {
	DID        string `event:"did,index"`
	Bond       uint64 `event:"bond"`
	PriceFloor uint64 `event:"price_floor"`
	Reputation uint64 `event:"reputation"`
}

// EventType implements modules.TypedEvent.
func (EventExecutorRegistered) EventType() string { return EventTypeExecutorRegistered }

// EventExecutorUpdated is emitted when an executor changes its offer.
type EventExecutorUpdated struct {
	DID        string `event:"did,index"`
	Bond       uint64 `event:"bond"`
	PriceFloor uint64 `event:"price_floor"`
}

// EventType implements modules.TypedEvent.
func (EventExecutorUpdated) EventType() string { return EventTypeExecutorUpdated }

// EventExecutorLeft is emitted when an executor leaves ("leaving": its bond
// waits for open bids and assignments) and when its bond is returned
// ("left").
type EventExecutorLeft struct {
	DID      string `event:"did,index"`
	Status   string `event:"status"`
	Returned uint64 `event:"returned"`
}

// EventType implements modules.TypedEvent.
func (EventExecutorLeft) EventType() string { return EventTypeExecutorLeft }

// EventJobPosted is emitted when a job is posted: what an executor needs
// to decide whether to bid.
type EventJobPosted struct {
	Job           string `event:"job,index"`
	Poster        string `event:"poster,index"`
	Module        string `event:"module"`
	Input         string `event:"input"`
	Kind          string `event:"kind"`
	MemoryPages   uint64 `event:"memory_pages"`
	FuelLimit     uint64 `event:"fuel_limit"`
	MaxPrice      uint64 `event:"max_price"`
	Replication   uint32 `event:"replication"`
	Agreement     uint32 `event:"agreement"`
	Escrow        uint64 `event:"escrow"`
	WindowClose   int64  `event:"window_close"`
	Deadline      int64  `event:"deadline"`
	MinReputation uint64 `event:"min_reputation"`
}

// EventType implements modules.TypedEvent.
func (EventJobPosted) EventType() string { return EventTypeJobPosted }

// EventJobCancelled is emitted when the poster cancels an open job.
type EventJobCancelled struct {
	Job      string `event:"job,index"`
	Poster   string `event:"poster"`
	Refunded uint64 `event:"refunded"`
}

// EventType implements modules.TypedEvent.
func (EventJobCancelled) EventType() string { return EventTypeJobCancelled }

// EventBid is emitted for an accepted bid.
type EventBid struct {
	Job      string `event:"job,index"`
	Executor string `event:"executor,index"`
	Price    uint64 `event:"price"`
	Reserved uint64 `event:"reserved"`
}

// EventType implements modules.TypedEvent.
func (EventBid) EventType() string { return EventTypeBid }

// EventBidEvicted is emitted when a bid on a full job ranks before its
// worst bid and replaces it: the evicted bid's hold is released.
type EventBidEvicted struct {
	Job      string `event:"job,index"`
	Executor string `event:"executor,index"`
	By       string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventBidEvicted) EventType() string { return EventTypeBidEvicted }

// EventJobAssigned is emitted when selection assigns a job's executors,
// listed in selection order.
type EventJobAssigned struct {
	Job       string   `event:"job,index"`
	Executors []string `event:"executors"`
	Deadline  int64    `event:"deadline"`
	// CommitDeadline is the last height that takes receipt commitments.
	CommitDeadline int64 `event:"commit_deadline"`
}

// EventType implements modules.TypedEvent.
func (EventJobAssigned) EventType() string { return EventTypeJobAssigned }

// EventReceiptAccepted is emitted when an assigned executor's receipt is
// accepted and anchored.
type EventReceiptAccepted struct {
	Job      string `event:"job,index"`
	Executor string `event:"executor,index"`
	Receipt  string `event:"receipt"`
	Output   string `event:"output"`
	Fuel     uint64 `event:"fuel"`
	Exit     uint64 `event:"exit"`
}

// EventType implements modules.TypedEvent.
func (EventReceiptAccepted) EventType() string { return EventTypeReceiptAccepted }

// EventReceiptCommitted is emitted when an assigned executor commits to
// its receipt. Closed is true when the commitment was the last one the
// job waited for: the commit phase is over and receipts may be revealed.
type EventReceiptCommitted struct {
	Job        string `event:"job,index"`
	Executor   string `event:"executor,index"`
	Commitment []byte `event:"commitment"`
	Closed     bool   `event:"closed"`
}

// EventType implements modules.TypedEvent.
func (EventReceiptCommitted) EventType() string { return EventTypeReceiptCommitted }

// EventJobCompleted is emitted when k receipts agree and the job settles.
type EventJobCompleted struct {
	Job      string `event:"job,index"`
	Output   string `event:"output"`
	Fuel     uint64 `event:"fuel"`
	Exit     uint64 `event:"exit"`
	Paid     uint64 `event:"paid"`
	Refunded uint64 `event:"refunded"`
}

// EventType implements modules.TypedEvent.
func (EventJobCompleted) EventType() string { return EventTypeJobCompleted }

// EventJobFailed is emitted when a job fails: too few bids at the window's
// close, or no agreement by the deadline. The escrow is refunded.
type EventJobFailed struct {
	Job      string `event:"job,index"`
	Reason   string `event:"reason"`
	Refunded uint64 `event:"refunded"`
}

// EventType implements modules.TypedEvent.
func (EventJobFailed) EventType() string { return EventTypeJobFailed }

// EventExecutorSettled is emitted for each assigned executor when its job
// closes: its outcome ("agreed", "disagreed", "absent" or "unresolved"),
// what it was paid, what of its bond was burned, and its new reputation.
type EventExecutorSettled struct {
	Job        string `event:"job,index"`
	Executor   string `event:"executor,index"`
	Outcome    string `event:"outcome"`
	Paid       uint64 `event:"paid"`
	Slashed    uint64 `event:"slashed"`
	Reputation uint64 `event:"reputation"`
}

// EventType implements modules.TypedEvent.
func (EventExecutorSettled) EventType() string { return EventTypeExecutorSettled }

// EventParamsSet is emitted when the root federation replaces the params;
// they apply from the next block.
type EventParamsSet struct {
	By string `event:"by"`
}

// EventType implements modules.TypedEvent.
func (EventParamsSet) EventType() string { return EventTypeParamsSet }
