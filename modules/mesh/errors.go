package mesh

import "github.com/intercooperative/icnd/modules"

// Codespace is the mesh module's result codespace.
const Codespace = "mesh"

// Result codes. Stable: never renumber or reuse a code.
var (
	// ErrInvalidCapabilities: capabilities missing, zero, or kinds not sorted, unique and well-formed.
	ErrInvalidCapabilities = modules.Register(Codespace, 2, "invalid executor capabilities")
	// ErrInvalidBond: a bond below the params' min_bond.
	ErrInvalidBond = modules.Register(Codespace, 3, "invalid bond")
	// ErrAlreadyRegistered: the DID is an active (or leaving) executor.
	ErrAlreadyRegistered = modules.Register(Codespace, 4, "executor already registered")
	// ErrNotExecutor: the DID is not an active executor (never registered, leaving or left).
	ErrNotExecutor = modules.Register(Codespace, 5, "not an active executor")
	// ErrInvalidJob: a job's fields are out of range (replication, agreement, fuel, price, windows, escrow overflow).
	ErrInvalidJob = modules.Register(Codespace, 6, "invalid job")
	// ErrInvalidCID: a malformed CID (not a canonical CIDv1 with a sha2-256 multihash and an allowed codec).
	ErrInvalidCID = modules.Register(Codespace, 7, "invalid cid")
	// ErrJobExists: the poster already posted a job with this id.
	ErrJobExists = modules.Register(Codespace, 8, "job already exists")
	// ErrJobNotFound: no job has this id.
	ErrJobNotFound = modules.Register(Codespace, 9, "job not found")
	// ErrUnauthorized: the authority may not act on this job or receipt.
	ErrUnauthorized = modules.Register(Codespace, 10, "unauthorized")
	// ErrJobNotOpen: the job no longer takes bids or cancellation (assigned or closed).
	ErrJobNotOpen = modules.Register(Codespace, 11, "job is not open")
	// ErrBidWindowClosed: the bid came after the job's window closed.
	ErrBidWindowClosed = modules.Register(Codespace, 12, "bid window closed")
	// ErrPriceAboveMax: the bid's price exceeds the job's max_price.
	ErrPriceAboveMax = modules.Register(Codespace, 13, "price above the job's maximum")
	// ErrPriceBelowFloor: the bid's price is below the executor's price floor.
	ErrPriceBelowFloor = modules.Register(Codespace, 14, "price below the executor's floor")
	// ErrRequirementsNotMet: the executor lacks a capability or the reputation the job requires.
	ErrRequirementsNotMet = modules.Register(Codespace, 15, "job requirements not met")
	// ErrInsufficientBond: the executor's free bond does not cover the bid.
	ErrInsufficientBond = modules.Register(Codespace, 16, "insufficient bond")
	// ErrAlreadyBid: the executor already bid on the job.
	ErrAlreadyBid = modules.Register(Codespace, 17, "already bid")
	// ErrTooManyBids: the job holds max_bids_per_job bids.
	ErrTooManyBids = modules.Register(Codespace, 18, "too many bids")
	// ErrMalformedReceipt: the receipt block is not a canonical receipt (docs/receipts.md).
	ErrMalformedReceipt = modules.Register(Codespace, 19, "malformed receipt")
	// ErrNotAssigned: the executor is not assigned to the job.
	ErrNotAssigned = modules.Register(Codespace, 20, "executor not assigned to the job")
	// ErrDuplicateReceipt: the executor already submitted a receipt for the job.
	ErrDuplicateReceipt = modules.Register(Codespace, 21, "duplicate receipt")
	// ErrAfterDeadline: the receipt came after the job's deadline.
	ErrAfterDeadline = modules.Register(Codespace, 22, "receipt after deadline")
	// ErrFuelOverLimit: the receipt claims more fuel than the job's fuel_limit.
	ErrFuelOverLimit = modules.Register(Codespace, 23, "fuel over limit")
	// ErrForgedReceipt: the receipt's signature does not verify under the executor's key.
	ErrForgedReceipt = modules.Register(Codespace, 24, "forged receipt")
	// ErrReceiptMismatch: the receipt names another chain, module or input than the job's.
	ErrReceiptMismatch = modules.Register(Codespace, 25, "receipt does not match the job")
	// ErrJobClosed: the job is not taking receipts (not assigned yet, or already closed).
	ErrJobClosed = modules.Register(Codespace, 26, "job not taking receipts")
	// ErrBondHeld: a smaller bond than open bids and assignments hold.
	ErrBondHeld = modules.Register(Codespace, 27, "bond held by open bids")
	// ErrInvalidPrice: a price of 0.
	ErrInvalidPrice = modules.Register(Codespace, 28, "invalid price")
	// ErrInvalidGenesis: the mesh genesis section is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 29, "invalid mesh genesis")
	// ErrInvalidJobID: a job id that is not 32 bytes.
	ErrInvalidJobID = modules.Register(Codespace, 30, "invalid job id")
	// ErrSelfDealing: the executor bids on a job it posted.
	ErrSelfDealing = modules.Register(Codespace, 31, "executor bids on its own job")
	// ErrInvalidCommitment: a receipt commitment that is not 32 bytes.
	ErrInvalidCommitment = modules.Register(Codespace, 32, "invalid receipt commitment")
	// ErrAlreadyCommitted: the executor already committed to a receipt for the job.
	ErrAlreadyCommitted = modules.Register(Codespace, 33, "receipt already committed")
	// ErrCommitClosed: the commitment came after the job's commit deadline.
	ErrCommitClosed = modules.Register(Codespace, 34, "commit phase closed")
	// ErrNoCommitment: a receipt revealed by an executor that did not commit to one.
	ErrNoCommitment = modules.Register(Codespace, 35, "receipt without commitment")
	// ErrRevealTooEarly: a receipt revealed while the job's commit phase is open.
	ErrRevealTooEarly = modules.Register(Codespace, 36, "receipt revealed before the commit phase closed")
	// ErrCommitmentMismatch: the revealed receipt does not open the executor's commitment.
	ErrCommitmentMismatch = modules.Register(Codespace, 37, "receipt does not match the commitment")
	// ErrNotRoot: set_mesh_params from an authority other than the root federation.
	ErrNotRoot = modules.Register(Codespace, 38, "not the root federation")
	// ErrInvalidParams: params out of the ranges ValidateParams checks.
	ErrInvalidParams = modules.Register(Codespace, 39, "invalid mesh params")
)
