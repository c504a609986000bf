package mana

import "github.com/intercooperative/icnd/modules"

// Codespace is the mana module's result codespace.
const Codespace = "mana"

// Result codes. Stable: never renumber or reuse a code.
var (
	// ErrInsufficientMana: the account's regenerated balance is below the cost.
	ErrInsufficientMana = modules.Register(Codespace, 2, "insufficient mana")
	// ErrNoAccount: the DID has no mana account.
	ErrNoAccount = modules.Register(Codespace, 3, "no mana account")
	// ErrInvalidParams: params are inconsistent (unsorted or duplicate cost rows, unknown message names).
	ErrInvalidParams = modules.Register(Codespace, 4, "invalid mana params")
	// ErrInvalidGenesis: the mana genesis state is inconsistent.
	ErrInvalidGenesis = modules.Register(Codespace, 5, "invalid mana genesis")
)

// Escrow result codes. The escrow API is called by other modules, so these
// reach a transaction's result through the message that triggered it.
var (
	// ErrInvalidEscrowID: an escrow id is empty or longer than MaxEscrowIDLength.
	ErrInvalidEscrowID = modules.Register(Codespace, 6, "invalid escrow id")
	// ErrEscrowExists: an escrow with the id is already open.
	ErrEscrowExists = modules.Register(Codespace, 7, "escrow already exists")
	// ErrEscrowNotFound: no escrow with the id is open.
	ErrEscrowNotFound = modules.Register(Codespace, 8, "escrow not found")
	// ErrInvalidAmount: a lock of zero mana.
	ErrInvalidAmount = modules.Register(Codespace, 9, "invalid mana amount")
)
