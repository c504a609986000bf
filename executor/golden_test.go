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
		{"loop", progLoop, "4a275afd29f281fd0c97c3923d0d6d277e38dcd19a9bbcb490070bf5aa99e834"},
		{"grow", progGrow, "fc11e48dd334a7ff8be808fb574f5fd0d658366d64e673c238460f693f7b82b3"},
		{"bomb", progBomb, "7f6bb377fef432faae5638eb1ed57d3083bfd6acb89d1d37c356c2ff4d9c421e"},
		{"spin", progSpin, "0d4cf76709454f54c49f5574e248b39e826ca91731517e9adf5458d3a54e9ed3"},
		{"trap", progTrap, "64e845039713ceafeb680c7d959a8e1b60c46fa4d8253d1ec1cdff2ffdb6a2e6"},
		{"exit", progExit, "b2d9bd628731595231715312be6142ef332876a0de0c23134a52a8e5b8da9f29"},
		{"fill", progFill, "788c68a6a01d45c9b5de2f8ed2189d000861b3d91e64ab43041984057b26d155"},
		{"recurse", progRecurse, "20c54310fa007fc9f658401da8f76f74ba067c8ad22fa66a11c61e5451cd512b"},
		{"return", progReturn, "de9ef17068d3254c9821450804a0e17f0bed3092b78ff73532cbf415d8ac8894"},
		{"nan", progNaN, "2e216844bf1d3252c263ede5a00d8ac28920a02be822c969648d8787612ff53e"},
		{"rich", richModule(), "21cc8f929bdef41209e628e9d375ee8bd6cef932c15a88a2cfd2519ac48d7407"},
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

// wabinFixpoint checks that wabin decodes b and encodes it back to b.
func wabinFixpoint(b []byte) error {
	m, err := decode(b, wasm.CoreFeaturesV2&^wasm.CoreFeatureSIMD)
	if err != nil {
		return fmt.Errorf("wabin does not decode the instrumented module: %v", err)
	}
	if re := binary.EncodeModule(m); !bytes.Equal(re, b) {
		i := 0
		for i < len(re) && i < len(b) && re[i] == b[i] {
			i++
		}
		return fmt.Errorf("wabin re-encodes the instrumented module differently from byte %d (%d bytes, wabin %d)", i, len(b), len(re))
	}
	return nil
}
