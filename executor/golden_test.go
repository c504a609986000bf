package executor

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/wasm"
)

// richModule exercises every path of the instrumenter in one module: imports, a
// table and an element segment, a start function, a function of two results,
// locals of several types in runs, float arithmetic of both widths, memory.grow,
// bulk instructions, br_table, if/else, select, return and a data segment. It is
// checked only for its instrumented bytes, never run.
func richModule() []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, sect(1, []byte{4,
		0x60, 0, 0, // 0: () -> ()
		0x60, 1, 0x7f, 0, // 1: (i32) -> ()
		0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f, // 2: fd_write
		0x60, 1, 0x7c, 2, 0x7f, 0x7e, // 3: (f64) -> (i32 i64)
	})...)
	imp := []byte{1}
	imp = append(append(imp, name("wasi_snapshot_preview1")...), name("fd_write")...)
	m = append(m, sect(2, append(imp, 0, 2))...)
	m = append(m, sect(3, []byte{3, 0, 3, 0})...)                // _start, f, init
	m = append(m, sect(4, []byte{1, 0x70, 0, 1})...)             // table funcref min 1
	m = append(m, sect(5, []byte{1, 0, 1})...)                   // memory min 1
	m = append(m, sect(6, []byte{1, 0x7f, 1, 0x41, 0, 0x0b})...) // global mut i32 = 0
	exp := []byte{2}
	exp = append(append(exp, name("_start")...), 0, 1)
	exp = append(append(exp, name("memory")...), 2, 0)
	m = append(m, sect(7, exp)...)
	m = append(m, sect(8, []byte{3})...)                         // start: init
	m = append(m, sect(9, []byte{1, 0, 0x41, 0, 0x0b, 1, 2})...) // elem: table 0 at 0: f
	start := []byte{0,                                           // no locals
		0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, // f64.const 1
		0x10, 2, 0x1a, 0x1a, // call f; drop; drop
		0x41, 1, 0x40, 0, 0x1a, // i32.const 1; memory.grow; drop
		0x41, 0, 0x41, 0, 0x41, 0x80, 1, 0xfc, 10, 0, 0, // memory.copy of 128
		0x41, 0, 0x41, 7, 0x41, 0xc0, 0, 0xfc, 11, 0, // memory.fill of 64
		0x02, 0x40, 0x02, 0x40, 0x41, 2, 0x0e, 2, 0, 1, 0, 0x0b, 0x0b, // br_table
		0x0b}
	f := []byte{3, 1, 0x7f, 2, 0x7d, 2, 0x7f, // locals: i32, f32 f32, i32 i32
		0x20, 0, 0x9f, 0x20, 0, 0xa2, 0xb6, 0x21, 2, // f64.sqrt, f64.mul, f32.demote
		0x20, 2, 0x20, 2, 0x92, 0x8d, 0x21, 3, // f32.add, f32.ceil
		0x20, 1, 0x04, 0x7f, 0x41, 1, 0x05, 0x41, 2, 0x0b, // if (result i32) else end
		0x41, 3, 0x41, 4, 0x1b, // select
		0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, // i64.const 2^35
		0x0f, // return
		0x0b}
	init := []byte{0, 0x23, 0, 0x41, 1, 0x6a, 0x24, 0, 0x0b} // global += 1
	code := []byte{3}
	for _, b := range [][]byte{start, f, init} {
		code = append(append(code, uleb(len(b))...), b...)
	}
	m = append(m, sect(10, code)...)
	m = append(m, sect(11, []byte{1, 0, 0x41, 8, 0x0b, 5, 'h', 'e', 'l', 'l', 'o'})...)
	return m
}

// TestInstrumentGolden pins the instrumented bytes of the sample programs. The
// fuel a module is charged is decided by these bytes: a change of the
// instrumenter that changes them must be deliberate, with the fuel model of
// docs/executor.md ("Fuel") and the golden fuel of TestHandProgramsGoldenFuel
// checked again, and every executor upgraded at once.
func TestInstrumentGolden(t *testing.T) {
	cases := []struct {
		name string
		mod  []byte
		sum  string
	}{
		{"loop", progLoop, "af28c309b1e711f7d0660001f8e8a9f06ec5240c7329ea09078eb3270b5cfd88"},
		{"grow", progGrow, "c60d5c79597b69819f5e71c345208f1865fb7da83dc0e7724c75cc6b3d9e2047"},
		{"bomb", progBomb, "816658437a5c1d664f03b252a2e0de7bcaf4a14fe243c6db5f26b9ec242d6dcb"},
		{"spin", progSpin, "cca8f56ac362c882e2d0ccca0f34f4a63c6dc1256a156a1063f04106c7e8f51b"},
		{"trap", progTrap, "f2b0e4bdc9093925255890c58a9e33f20afe4e83f27b0896b5271e3bfff813e9"},
		{"exit", progExit, "1d4952580bdcd1430f46299c82998160736483a5d051cdcfa69a838603e2cef5"},
		{"fill", progFill, "a865a5aee341d838752ba8db952f2bc0f3da30164be07d4ba3e016e6afa830b7"},
		{"recurse", progRecurse, "fcf295067f9f42a87cba950cbd7c392662300aa36d0e878e141f1932e7c5f373"},
		{"return", progReturn, "6f415e5e643e9a50e33e5002f1a8e6e0f3b78f2a70cd51d54380edcd530280b2"},
		{"nan", progNaN, "6f031c1691e1cfa3a25ab2b7014e7433d63dde9127a3f3aa51421a52fc441535"},
		{"rich", richModule(), "2754632b6d873a12e9d4ae57291e4e51a67631b72d2f03125ae9e66664ca717b"},
	}
	for _, c := range cases {
		out, err := Instrument(c.mod)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		sum := sha256.Sum256(out)
		if got := hex.EncodeToString(sum[:]); got != c.sum {
			t.Errorf("%s: instrumented sha2-256 %s, want %s", c.name, got, c.sum)
		}
	}
}

// TestEncodeMatchesWabin: the instrumenter encodes the code and data sections
// itself, for speed; its output must be exactly what wabin's encoder makes of the
// same module, so that decoding and re-encoding it with wabin changes nothing.
func TestEncodeMatchesWabin(t *testing.T) {
	mods := map[string][]byte{"rich": richModule(), "loop": progLoop, "nan": progNaN, "exit": progExit}
	if !testing.Short() {
		mods["go"] = buildGoProgram(t)
	}
	for name, mod := range mods {
		out, err := Instrument(mod)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := wabinFixpoint(out); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// wabinFixpoint checks that wabin decodes b and encodes it back to b, but for the
// data count section, which wabin's encoder does not write.
func wabinFixpoint(b []byte) error {
	m, err := decode(b, wasm.CoreFeaturesV2&^wasm.CoreFeatureSIMD)
	if err != nil {
		return fmt.Errorf("wabin does not decode the instrumented module: %v", err)
	}
	want := b
	if m.DataCountSection != nil {
		want = withoutSection(b, wasm.SectionIDDataCount)
	}
	if re := binary.EncodeModule(m); !bytes.Equal(re, want) {
		i := 0
		for i < len(re) && i < len(want) && re[i] == want[i] {
			i++
		}
		return fmt.Errorf("wabin re-encodes the instrumented module differently from byte %d (%d bytes, wabin %d)", i, len(want), len(re))
	}
	return nil
}

// withoutSection returns the well-framed module b without its sections of id.
func withoutSection(b []byte, id byte) []byte {
	out := append([]byte(nil), b[:8]...)
	r := &reader{b: b, pos: 8}
	for r.pos < len(b) {
		start := r.pos
		sid, _ := r.byte()
		size, _ := r.u32()
		r.pos += int(size)
		if sid != id {
			out = append(out, b[start:r.pos]...)
		}
	}
	return out
}

// TestDataCountKept: a module that uses memory.init needs its data count section,
// which wabin's encoder drops; the instrumenter keeps it, before the code section.
//
//	_start: i32.const 0; i32.const 0; i32.const 2; memory.init 0; end
//	        [5 instructions] + 2 bytes >> 6 = 0: fuel 5
//	data 0: passive, "hi"
func TestDataCountKept(t *testing.T) {
	base := buildModule(nil, noLocals, []byte{0x41, 0, 0x41, 0, 0x41, 2, 0xfc, 8, 0, 0, 0x0b})
	code := len(withoutSection(base, wasm.SectionIDCode)) // the code section is the last one
	mod := append(append(append([]byte{}, base[:code]...), sect(12, []byte{1})...), base[code:]...)
	mod = append(mod, sect(11, []byte{1, 1, 2, 'h', 'i'})...)
	out, err := Instrument(mod)
	if err != nil {
		t.Fatal(err)
	}
	if err := wabinFixpoint(out); err != nil {
		t.Fatal(err)
	}
	for _, eng := range engines {
		r := newRuntime(t, eng.e, 64)
		if res := run(t, r, mod, nil, 100); res.Status != StatusOK || res.Fuel != 5 {
			t.Errorf("%s: %v fuel %d (%s)", eng.name, res.Status, res.Fuel, res.Detail)
		}
	}
}
