package executor

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzInstrument: whatever the bytes, Instrument never panics, refuses with an
// error wrapping ErrRefused, or returns a module that passes the structural
// pre-check, is encoded exactly as wabin encodes it and carries the fuel export.
// Seeds: testdata/fuzz/FuzzInstrument.
func FuzzInstrument(f *testing.F) {
	for _, m := range [][]byte{progLoop, progGrow, progBomb, progSpin, progTrap, progExit, progNaN, progFill, progRecurse, progReturn} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, module []byte) {
		out, err := Instrument(module)
		if err != nil {
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("error not wrapping ErrRefused: %v", err)
			}
			return
		}
		if _, err := precheck(out); err != nil {
			t.Fatalf("instrumented module fails the pre-check: %v", err)
		}
		if err := wabinFixpoint(out); err != nil {
			t.Fatal(err)
		}
		if _, err := Instrument(out); !errors.Is(err, ErrRefused) {
			t.Fatalf("re-instrumenting an instrumented module was not refused: %v", err)
		}
	})
}

// TestWriteFuzzSeeds regenerates the seed corpus when ICN_WRITE_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("ICN_WRITE_SEEDS") != "1" {
		t.Skip("set ICN_WRITE_SEEDS=1 to regenerate testdata/fuzz/FuzzInstrument")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzInstrument")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{
		"loop": progLoop, "grow": progGrow, "bomb": progBomb, "spin": progSpin,
		"trap": progTrap, "exit": progExit, "nan": progNaN,
		"simd":        buildModule(nil, noLocals, append(append([]byte{0xfd, 0x0c}, make([]byte, 16)...), 0x1a, 0x0b)),
		"huge-locals": buildModule(nil, []byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f}, []byte{0x0b}),
		"huge-vector": []byte("\x00asm\x01\x00\x00\x00\x01\x05\xff\xff\xff\xff\x0f"),
		"empty":       []byte("\x00asm\x01\x00\x00\x00"),
	}
	for name, b := range seeds {
		content := "go test fuzz v1\n[]byte(" + quote(b) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func quote(b []byte) string {
	const hexdigits = "0123456789abcdef"
	s := []byte{'"'}
	for _, c := range b {
		s = append(s, '\\', 'x', hexdigits[c>>4], hexdigits[c&15])
	}
	return string(append(s, '"'))
}
