package app

// Protocol limits checked before any state is read. They are part of the
// protocol: changing one is a consensus change.
const (
	// MaxTxBytes is the largest encoded transaction accepted.
	MaxTxBytes = 16 * 1024
	// MaxMessages is the most messages one transaction may carry.
	MaxMessages = 16
	// MaxMemoBytes bounds the memo.
	MaxMemoBytes = 256
	// MaxChainIDLength bounds the chain id (CometBFT's own limit is 50).
	MaxChainIDLength = 50
)
