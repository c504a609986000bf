package app

import (
	ics23 "github.com/cosmos/ics23/go"

	"github.com/intercooperative/icnd/modules"
	"github.com/intercooperative/icnd/protocol"
)

// Query codes, in the "query" codespace.
var (
	// ErrUnknownQueryPath: the path is not protocol.QueryPathStore.
	ErrUnknownQueryPath = modules.Register("query", 2, "unknown query path")
	// ErrHeightUnavailable: the height is in the future, pruned or negative.
	ErrHeightUnavailable = modules.Register("query", 3, "height not available")
	// ErrEmptyKey: no key was given.
	ErrEmptyKey = modules.Register("query", 4, "empty key")
)

// QueryResult is the answer to a store query at Height. Value is nil when
// the key is absent; Proof, when asked for, proves membership or absence
// against the app hash of the header at Height+1.
type QueryResult struct {
	Codespace string
	Code      uint32
	Log       string
	Key       []byte
	Value     []byte
	Height    int64
	Proof     *ics23.CommitmentProof
}

// Query answers a store query at a committed height (0 = latest).
func (a *App) Query(path string, key []byte, height int64, prove bool) QueryResult {
	fail := func(err error) QueryResult {
		space, code := modules.ResultCode(err)
		return QueryResult{Codespace: space, Code: code, Log: err.Error(), Key: key, Height: height}
	}
	if path != protocol.QueryPathStore {
		return fail(ErrUnknownQueryPath.Wrapf("%q; the only path is %q", path, protocol.QueryPathStore))
	}
	if len(key) == 0 {
		return fail(ErrEmptyKey)
	}
	last := a.cms.LastCommitID().Version
	if height == 0 {
		height = last
	}
	if height <= 0 || height > last {
		return fail(ErrHeightUnavailable.Wrapf("height %d, last committed %d", height, last))
	}
	if prove {
		value, proof, err := a.cms.Prove(key, height)
		if err != nil {
			return fail(ErrHeightUnavailable.Wrapf("height %d: %v", height, err))
		}
		return QueryResult{Key: key, Value: value, Height: height, Proof: proof}
	}
	ro, err := a.cms.ReadOnlyAt(height)
	if err != nil {
		return fail(ErrHeightUnavailable.Wrapf("height %d: %v", height, err))
	}
	return QueryResult{Key: key, Value: ro.Get(key), Height: height}
}
