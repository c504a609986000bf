// Package upgrades is icnd's registry of software upgrade handlers. When
// the root federation's governance schedules an upgrade plan {name,
// height}, every node stops at that height unless its binary registers a
// handler under the plan's name here: then the handler runs its migration
// at that height, in the block's state, and the node carries on.
//
// A handler is registered at package initialisation by the release that
// introduces it (Register in an init function of a file of this package).
package upgrades

import (
	"fmt"
	"sort"

	"github.com/intercooperative/icnd/modules"
)

// Handler migrates the state at the upgrade height. It runs before the
// block's transactions, in the block's state; its error stops the node.
// It must be deterministic like any module code.
type Handler func(ctx modules.Context) error

var handlers = map[string]Handler{}

// Register registers h under name. It panics on a second registration: a
// programming error caught when the binary starts.
func Register(name string, h Handler) {
	if _, dup := handlers[name]; dup {
		panic(fmt.Sprintf("upgrades: %q registered twice", name))
	}
	handlers[name] = h
}

// Get returns the handler registered under name.
func Get(name string) (Handler, bool) {
	h, ok := handlers[name]
	return h, ok
}

// Names lists the registered upgrades, sorted.
func Names() []string {
	out := make([]string, 0, len(handlers))
	for n := range handlers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
