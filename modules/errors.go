package modules

import (
	"errors"
	"fmt"
	"sort"
)

// Error is a registered result code. Each module registers its errors once,
// at package initialisation, in its errors.go; a (codespace, code) pair is
// stable across releases and never reused for another meaning, so clients
// can branch on it.
type Error struct {
	codespace string
	code      uint32
	desc      string
}

// Codespace is the namespace of the code, usually the module name.
func (e *Error) Codespace() string { return e.codespace }

// Code is the numeric code within the codespace; never 0 (0 is success).
func (e *Error) Code() uint32 { return e.code }

// Error returns the description.
func (e *Error) Error() string { return e.desc }

// Wrapf returns an error that matches e with errors.Is and carries detail:
// "desc: detail".
func (e *Error) Wrapf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", e, fmt.Sprintf(format, args...))
}

var registry = map[string]map[uint32]*Error{}

// Register creates the error with the given codespace and code. It panics if
// the pair is taken or the code is 0: both are programming errors caught the
// first time the binary starts.
func Register(codespace string, code uint32, desc string) *Error {
	if code == 0 {
		panic(fmt.Sprintf("modules: code 0 is success, cannot register %q", desc))
	}
	if registry[codespace] == nil {
		registry[codespace] = map[uint32]*Error{}
	}
	if prev, ok := registry[codespace][code]; ok {
		panic(fmt.Sprintf("modules: code %s/%d already registered as %q", codespace, code, prev.desc))
	}
	e := &Error{codespace: codespace, code: code, desc: desc}
	registry[codespace][code] = e
	return e
}

// Registered lists every registered error sorted by codespace and code, for
// documentation and tests.
func Registered() []*Error {
	var out []*Error
	for _, byCode := range registry {
		for _, e := range byCode {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].codespace != out[j].codespace {
			return out[i].codespace < out[j].codespace
		}
		return out[i].code < out[j].code
	})
	return out
}

// CodespaceInternal and CodeInternal describe an error that carries no
// registered code: corrupt state or a bug, never the transaction's fault.
// The app stops the node on such an error rather than going on with state
// it cannot trust.
const (
	CodespaceInternal = "internal"
	CodeInternal      = 1
)

// ResultCode extracts the codespace and code of err: those of the first
// registered Error in its chain, or the internal code otherwise.
func ResultCode(err error) (codespace string, code uint32) {
	var e *Error
	if errors.As(err, &e) {
		return e.codespace, e.code
	}
	return CodespaceInternal, CodeInternal
}

// Truncate bounds a user-supplied string before it goes into an error, so
// that a long input cannot make a long log line.
func Truncate(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
