package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

func TestParseMempools(t *testing.T) {
	got, err := parseMempools("flood, app")
	if err != nil || strings.Join(got, ",") != "flood,app" {
		t.Fatalf("flood, app: %v %v", got, err)
	}
	for _, bad := range []string{"", "flood,flood", "clist", "app,"} {
		if _, err := parseMempools(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

// The last two ratio lines are the first mempool type's: a script that
// takes the last line with each prefix reads the default configuration.
func TestPrintRatiosEndsWithTheFirstMempool(t *testing.T) {
	rates := map[target]float64{
		{"icnd", "flood"}:   600,
		{"icnd", "app"}:     900,
		{app: "kvstore"}:    2000,
		{app: "cosmos-sdk"}: 300,
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	printRatios(rates, []string{"flood", "app"})
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	want := "icnd/kvstore committed tx/s ratio: 0.45 (app mempool)\n" +
		"icnd/cosmos-sdk committed tx/s ratio: 3.00 (app mempool)\n" +
		"icnd/kvstore committed tx/s ratio: 0.30 (flood mempool)\n" +
		"icnd/cosmos-sdk committed tx/s ratio: 2.00 (flood mempool)\n"
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}
