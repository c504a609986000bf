// Command icnd is the node and command-line client of the InterCooperative
// Network. The commands are cobra wiring only: they read flags, call
// packages abci, client, node/home and node/testnet, and print the result.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time: -ldflags "-X main.version=$(git describe --always --dirty)".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal asks for a clean stop; a second one, with the
	// handlers released, kills the process.
	context.AfterFunc(ctx, stop)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		var quiet *reportedError
		if errors.As(err, &quiet) {
			fmt.Fprintln(os.Stderr, oneLine(quiet.msg))
		} else {
			fmt.Fprintln(os.Stderr, "Error: "+oneLine(err.Error()))
		}
		os.Exit(1)
	}
}

// reportedError fails the command with msg printed as it is, without the
// "Error: " prefix: for outcomes that are answers rather than faults, such
// as a verified absence.
type reportedError struct{ msg string }

func (e *reportedError) Error() string { return e.msg }

// oneLine folds a multi-line message (errors.Join, cobra's suggestions)
// into one line.
func oneLine(s string) string {
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	var kept []string
	for _, l := range lines {
		if l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "; ")
}
