package executor

import (
	"errors"
	"fmt"

	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/wasm"
)

// Fuel prices beyond one unit per instruction (docs/executor.md, "Fuel").
const (
	// PageFuel is charged per 64 KiB page a memory.grow asks for, granted or not.
	PageFuel = 1024
	// BulkShift sets the price of bulk memory and table instructions: one unit per
	// 2^BulkShift bytes or elements of their length operand, rounded down.
	BulkShift = 6
	// MaxCallDepth bounds the nesting of calls to the module's functions; the next
	// call traps with StatusCallDepth. wazero's own limits (2000 frames in the
	// interpreter, 400 MB of stack in the compiler) differ, so they must never be hit.
	MaxCallDepth = 1000
	// DepthExport is the name of the exported mutable i32 global counting the depth.
	DepthExport = "icn_depth"
	// FuelExport is the name of the exported mutable i64 global holding the fuel left.
	FuelExport = "icn_fuel"
	// StartExport names the module's start function, moved out of the start section
	// so that it runs after the fuel is set.
	StartExport = "icn_start"
	// exhausted is the value the fuel global holds after a job ran out of fuel.
	exhausted = ^uint64(0)
	// MaxFuel is the largest fuel limit a job may have.
	MaxFuel = uint64(1) << 62
	// maxModuleSize bounds the module bytes the instrumenter accepts.
	maxModuleSize = 64 << 20
)

// wasiModule is the only import module a job may import from.
const wasiModule = "wasi_snapshot_preview1"

// ErrRefused wraps every reason a module is refused before it runs.
var ErrRefused = errors.New("module refused")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

// Instrument checks a WASI command module against the determinism rules and returns
// it with fuel metering added: the exported global FuelExport, a charge at the start
// of every basic block, a charge before every memory.grow and bulk instruction, and
// canonical NaNs after every float instruction that may produce one. Any failure
// wraps ErrRefused. It never panics, whatever the bytes.
func Instrument(module []byte) ([]byte, error) {
	if len(module) > maxModuleSize {
		return nil, refuse("module of %d bytes is over %d", len(module), maxModuleSize)
	}
	stripped, err := precheck(module)
	if err != nil {
		return nil, refuse("%v", err)
	}
	features := wasm.CoreFeaturesV2 &^ wasm.CoreFeatureSIMD
	m, err := decode(stripped, features)
	if err != nil {
		return nil, refuse("decode: %v", err)
	}
	if err := checkModule(m); err != nil {
		return nil, err
	}
	code, err := instrumentModule(m)
	if err != nil {
		return nil, err
	}
	return encode(m, code), nil
}

// decode runs the third-party decoder on untrusted bytes: a panic in it is a
// refusal of the module, never a crash of the executor. The instrumenter's own
// code runs outside this recover, so the fuzz test sees its panics.
func decode(b []byte, features wasm.CoreFeatures) (m *wasm.Module, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("decoder panic: %v", r)
		}
	}()
	return binary.DecodeModule(b, features)
}

func isV128(t wasm.ValueType) bool { return t == 0x7b }

// checkModule applies the module-level rules: function imports from WASI only, no
// v128 values anywhere, the code section matching the function section.
func checkModule(m *wasm.Module) error {
	for _, imp := range m.ImportSection {
		if imp.Module != wasiModule || imp.Type != wasm.ExternTypeFunc {
			return refuse("import %s.%s: only functions of %s may be imported", imp.Module, imp.Name, wasiModule)
		}
		if int(imp.DescFunc) >= len(m.TypeSection) {
			return refuse("import %s.%s: type %d out of range", imp.Module, imp.Name, imp.DescFunc)
		}
	}
	for i, ft := range m.TypeSection {
		for _, t := range append(append([]wasm.ValueType(nil), ft.Params...), ft.Results...) {
			if isV128(t) {
				return refuse("type %d uses v128 (SIMD)", i)
			}
		}
	}
	for i, g := range m.GlobalSection {
		if isV128(g.Type.ValType) {
			return refuse("global %d is v128 (SIMD)", i)
		}
	}
	if len(m.FunctionSection) != len(m.CodeSection) {
		return refuse("%d functions but %d bodies", len(m.FunctionSection), len(m.CodeSection))
	}
	for i, ti := range m.FunctionSection {
		if int(ti) >= len(m.TypeSection) {
			return refuse("function %d: type %d out of range", i, ti)
		}
	}
	for _, e := range m.ExportSection {
		if e.Name == FuelExport || e.Name == StartExport || e.Name == DepthExport {
			return refuse("the module already exports %q", e.Name)
		}
	}
	for i, c := range m.CodeSection {
		for _, t := range c.LocalTypes {
			if isV128(t) {
				return refuse("function %d has a v128 local (SIMD)", i)
			}
		}
	}
	return nil
}

// instrumentModule adds the fuel global, the two charging helpers and the metered
// bodies. Appending globals, types and functions shifts no existing index. It
// returns the contents of the new code section, encoded; m.CodeSection is left as
// decoded.
func instrumentModule(m *wasm.Module) ([]byte, error) {
	var importedFuncs, importedGlobals uint32
	for _, imp := range m.ImportSection {
		if imp.Type == wasm.ExternTypeFunc {
			importedFuncs++
		} else if imp.Type == wasm.ExternTypeGlobal {
			importedGlobals++
		}
	}
	fuel := importedGlobals + uint32(len(m.GlobalSection))
	m.GlobalSection = append(m.GlobalSection, &wasm.Global{
		Type: &wasm.GlobalType{ValType: wasm.ValueTypeI64, Mutable: true},
		Init: &wasm.ConstantExpression{Opcode: wasm.OpcodeI64Const, Data: []byte{0}},
	})
	depth := fuel + 1
	m.GlobalSection = append(m.GlobalSection, &wasm.Global{
		Type: &wasm.GlobalType{ValType: wasm.ValueTypeI32, Mutable: true},
		Init: &wasm.ConstantExpression{Opcode: wasm.OpcodeI32Const, Data: []byte{0}},
	})
	m.ExportSection = append(m.ExportSection,
		&wasm.Export{Name: FuelExport, Type: wasm.ExternTypeGlobal, Index: fuel},
		&wasm.Export{Name: DepthExport, Type: wasm.ExternTypeGlobal, Index: depth})

	first := importedFuncs + uint32(len(m.FunctionSection))
	h := helpers{fuel: fuel, depth: depth, grow: first, bulk: first + 1, types: uint32(len(m.TypeSection))}
	// Every body is metered into one scratch buffer and appended from there to the
	// section: nothing is allocated per function. Metering makes a body two to
	// three times longer.
	total := 0
	for _, c := range m.CodeSection {
		total += len(c.Body)
	}
	code := make([]byte, 0, 3*total+64*len(m.CodeSection)+256)
	code = appendULEB(code, uint32(len(m.CodeSection)+2))
	var (
		scratch []byte
		ins     []instr
		runs    [][2]uint32
	)
	for i, c := range m.CodeSection {
		ft := m.TypeSection[m.FunctionSection[i]]
		var bt []byte
		switch len(ft.Results) {
		case 0:
			bt = []byte{0x40}
		case 1:
			bt = []byte{ft.Results[0]}
		default: // a type of no parameters and the function's results
			bt = appendSLEB(nil, int64(len(m.TypeSection)))
			m.TypeSection = append(m.TypeSection, &wasm.FunctionType{Results: ft.Results})
		}
		var (
			extra []wasm.ValueType
			err   error
		)
		scratch, ins, extra, err = meterBody(scratch[:0], ins, c.Body, h, uint32(len(ft.Params))+countLocals(c.LocalTypes), bt)
		if err != nil {
			return nil, refuse("function %d: %v", importedFuncs+uint32(i), err)
		}
		code, runs = encodeCode(code, runs, c.LocalTypes, extra, scratch)
	}

	helperType := uint32(len(m.TypeSection))
	m.TypeSection = append(m.TypeSection, &wasm.FunctionType{
		Params: []wasm.ValueType{wasm.ValueTypeI32}, Results: []wasm.ValueType{wasm.ValueTypeI32},
	})
	// grow(n) charges n*PageFuel and returns n; bulk(n) charges n>>BulkShift.
	growCost := []byte{wasm.OpcodeLocalGet, 0, opI64ExtendI32U, wasm.OpcodeI64Const}
	growCost = appendSLEB(growCost, PageFuel)
	growCost = append(growCost, opI64Mul)
	bulkCost := []byte{wasm.OpcodeLocalGet, 0, opI64ExtendI32U, wasm.OpcodeI64Const}
	bulkCost = appendSLEB(bulkCost, BulkShift)
	bulkCost = append(bulkCost, opI64ShrU)
	for _, cost := range [][]byte{growCost, bulkCost} {
		body := append(cost, wasm.OpcodeLocalSet, 1)
		body = appendCharge(body, fuel, []byte{wasm.OpcodeLocalGet, 1})
		body = append(body, wasm.OpcodeLocalGet, 0, wasm.OpcodeEnd)
		m.FunctionSection = append(m.FunctionSection, helperType)
		code, runs = encodeCode(code, runs, []wasm.ValueType{wasm.ValueTypeI64}, nil, body)
	}

	if m.StartSection != nil {
		m.ExportSection = append(m.ExportSection, &wasm.Export{Name: StartExport, Type: wasm.ExternTypeFunc, Index: *m.StartSection})
		m.StartSection = nil
	}
	return code, nil
}

func countLocals(ts []wasm.ValueType) uint32 { return uint32(len(ts)) }

// appendCharge appends code that takes the cost pushed by costCode from the fuel
// global, or sets the global to exhausted and traps when less fuel is left:
//
//	global.get F; <cost>; i64.lt_u; if; i64.const -1; global.set F; unreachable; end
//	global.get F; <cost>; i64.sub; global.set F
func appendCharge(b []byte, fuel uint32, costCode []byte) []byte {
	b = append(b, wasm.OpcodeGlobalGet)
	b = appendULEB(b, fuel)
	b = append(b, costCode...)
	b = append(b, opI64LtU, wasm.OpcodeIf, 0x40, wasm.OpcodeI64Const, 0x7f, wasm.OpcodeGlobalSet)
	b = appendULEB(b, fuel)
	b = append(b, wasm.OpcodeUnreachable, wasm.OpcodeEnd, wasm.OpcodeGlobalGet)
	b = appendULEB(b, fuel)
	b = append(b, costCode...)
	b = append(b, opI64Sub, wasm.OpcodeGlobalSet)
	return appendULEB(b, fuel)
}

// appendBlockCharge appends the charge of a basic block of n instructions. The
// function keeps a copy of the fuel left in its i64 local left, so that a charge
// reads no global: the copy is loaded on entry and after every call (see
// appendLoadFuel), and every charge stores the new value to the global, which thus
// always holds the fuel left when a trap or the host reads it:
//
//	local.get left; i64.const n; i64.sub; local.tee left; global.set F
//	local.get left; i64.const 0; i64.lt_s; if; i64.const -1; global.set F; unreachable; end
//
// It charges exactly as appendCharge does: the fuel left is at most MaxFuel = 2^62
// and n is less than 2^32, so the difference is negative exactly when n is more
// than the fuel left, and the global then ends as exhausted.
func appendBlockCharge(b []byte, fuel, left uint32, n int) []byte {
	b = append(b, wasm.OpcodeLocalGet)
	b = appendULEB(b, left)
	b = append(b, wasm.OpcodeI64Const)
	b = appendSLEB(b, int64(n))
	b = append(b, opI64Sub, wasm.OpcodeLocalTee)
	b = appendULEB(b, left)
	b = append(b, wasm.OpcodeGlobalSet)
	b = appendULEB(b, fuel)
	b = append(b, wasm.OpcodeLocalGet)
	b = appendULEB(b, left)
	b = append(b, wasm.OpcodeI64Const, 0, opI64LtS, wasm.OpcodeIf, 0x40, wasm.OpcodeI64Const, 0x7f, wasm.OpcodeGlobalSet)
	b = appendULEB(b, fuel)
	return append(b, wasm.OpcodeUnreachable, wasm.OpcodeEnd)
}

// appendLoadFuel appends global.get F; local.set left.
func appendLoadFuel(b []byte, fuel, left uint32) []byte {
	b = append(b, wasm.OpcodeGlobalGet)
	b = appendULEB(b, fuel)
	b = append(b, wasm.OpcodeLocalSet)
	return appendULEB(b, left)
}

func appendULEB(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
