package main

import (
	"testing"

	"github.com/spf13/cobra"
)

// TestHelpTexts checks that every command documents itself: a Short line
// and a Long text or an Example.
func TestHelpTexts(t *testing.T) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Short == "" {
			t.Errorf("%s has no Short", c.CommandPath())
		}
		if c.Long == "" && c.Example == "" {
			t.Errorf("%s has neither Long nor Example", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub)
			}
		}
	}
	walk(newRootCmd())
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain",
		"unknown command \"x\"\n\nDid you mean this?\n\tstatus\n": "unknown command \"x\"; Did you mean this?; status",
		"a\r\nb": "a; b",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestQueriesIgnoreSigningFlags checks that every query accepts the signing
// flags of tx commands that users keep in one variable with --home and
// --node (the README's $N0), and hides them from its help.
func TestQueriesIgnoreSigningFlags(t *testing.T) {
	root := newRootCmd()
	var queries []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.RunE != nil {
			queries = append(queries, c)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	for _, c := range root.Commands() {
		if c.Name() == "query" {
			walk(c)
		}
	}
	verify, _, err := root.Find([]string{"credential", "verify"})
	if err != nil {
		t.Fatal(err)
	}
	queries = append(queries, verify)
	if len(queries) < 10 {
		t.Fatalf("found %d query commands, want at least 10", len(queries))
	}
	for _, c := range queries {
		if err := c.ParseFlags([]string{"--keyring-backend", "test", "--from", "node0", "--node", "tcp://127.0.0.2:26657"}); err != nil {
			t.Errorf("%s: %v", c.CommandPath(), err)
		}
		for _, name := range ignoredQueryFlags {
			if f := c.Flags().Lookup(name); f == nil || !f.Hidden {
				t.Errorf("%s: --%s is not a hidden flag", c.CommandPath(), name)
			}
		}
	}
}
