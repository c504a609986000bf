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
