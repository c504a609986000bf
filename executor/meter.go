package executor

import (
	"errors"
	"fmt"

	"github.com/tetratelabs/wabin/wasm"
)

// Opcodes the instrumenter emits or looks for that wabin does not name.
const (
	opI32GtU        = 0x4b
	opI32Add        = 0x6a
	opI32Sub        = 0x6b
	opI64LtU        = 0x54
	opI64LtS        = 0x53
	opI64Sub        = 0x7d
	opI64Mul        = 0x7e
	opI64ShrU       = 0x88
	opI64ExtendI32U = 0xad
	opF32Eq         = 0x5b
	opF64Eq         = 0x61
	opSelect        = 0x1b
	prefixMisc      = 0xfc
	prefixSIMD      = 0xfd
	prefixThreads   = 0xfe
)

// kind says what the instrumenter does around one instruction.
type kind uint8

const (
	kindPlain   kind = iota
	kindSplit        // a new basic block starts after it
	kindGrow         // memory.grow: charged per page before it runs
	kindBulk         // bulk memory or table instruction: charged by its length operand
	kindCanon32      // f32 result that may be a NaN: canonicalized after it
	kindCanon64      // f64 result that may be a NaN: canonicalized after it
	kindCall         // call or call_indirect: the callee may charge fuel
)

// instr is one instruction of a body; compact, since a large module has millions.
// Offsets and depths fit in 32 bits: a body is shorter than maxModuleSize.
type instr struct {
	start, end uint32 // byte offsets in the body
	depth      uint32 // labels open around it, the function's own not counted
	kind       kind
	ret        bool
}

var errTruncated = errors.New("truncated instruction")

// reader walks a function body; every read is bounds-checked.
type reader struct {
	b   []byte
	pos int
	idx *indexLimits // when walking a function body: the indices it may use
}

// indexLimits are the numbers of locals, globals, functions and types a function
// body may refer to: those of the module as the job wrote it. The instrumenter
// adds locals, globals, functions and types after them, so an index past them
// would become valid once the module is instrumented and let the job read or
// write its own fuel left or call depth; such a body is refused.
type indexLimits struct {
	locals, globals, funcs, types uint32
}

// index reads an index and refuses it unless it is less than limit.
func (r *reader) index(what string, limit uint32) error {
	i, err := r.u32()
	if err == nil && i >= limit {
		err = fmt.Errorf("%s index %d out of range (%d)", what, i, limit)
	}
	return err
}

func (r *reader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, errTruncated
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

// leb reads an unsigned or signed LEB128 of at most bits bits and returns its value
// as unsigned (only u32 values are ever used).
func (r *reader) leb(bits int) (uint64, error) {
	var v uint64
	maxBytes := (bits + 6) / 7
	for i := 0; i < maxBytes; i++ {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if i < 10 {
			v |= uint64(c&0x7f) << (7 * uint(i))
		}
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errors.New("LEB128 too long")
}

func (r *reader) u32() (uint32, error) {
	v, err := r.leb(32)
	if v > 0xffffffff {
		return 0, errors.New("u32 out of range")
	}
	return uint32(v), err
}

func (r *reader) skip(n int) error {
	if len(r.b)-r.pos < n {
		return errTruncated
	}
	r.pos += n
	return nil
}

func (r *reader) zero() error {
	c, err := r.byte()
	if err == nil && c != 0 {
		err = fmt.Errorf("reserved byte %#x is not 0", c)
	}
	return err
}

// blockType skips a block type: 0x40, a value type, or an s33 type index.
func (r *reader) blockType() error {
	if r.pos >= len(r.b) {
		return errTruncated
	}
	switch c := r.b[r.pos]; c {
	case 0x40, wasm.ValueTypeI32, wasm.ValueTypeI64, wasm.ValueTypeF32, wasm.ValueTypeF64, wasm.ValueTypeFuncref, wasm.ValueTypeExternref:
		r.pos++
		return nil
	case 0x7b:
		return errors.New("v128 block type (SIMD)")
	}
	t, err := r.leb(33)
	if err == nil && (t>>32 != 0 || uint32(t) >= r.idx.types) { // a negative s33 is no type index
		err = fmt.Errorf("block type index %d out of range (%d)", t, r.idx.types)
	}
	return err
}

// decodeBody splits a function body into instructions, refusing every opcode that
// is not in the allowed set (docs/executor.md, "Determinism"). It appends them to
// out[:0], so that one buffer serves every body of a module.
func decodeBody(body []byte, out []instr, idx *indexLimits) ([]instr, error) {
	r := &reader{b: body, idx: idx}
	out = out[:0]
	depth := 0
	for {
		if r.pos >= len(body) {
			return nil, errors.New("body ends before its final end")
		}
		start := r.pos
		op, _ := r.byte()
		k, err := r.operands(op)
		if err != nil {
			return nil, fmt.Errorf("at byte %d (opcode %#x): %w", start, op, err)
		}
		out = append(out, instr{start: uint32(start), end: uint32(r.pos), kind: k, depth: uint32(depth), ret: op == 0x0f})
		switch op {
		case wasm.OpcodeBlock, wasm.OpcodeLoop, wasm.OpcodeIf:
			depth++
		case wasm.OpcodeEnd:
			depth--
			if depth < 0 {
				if r.pos != len(body) {
					return nil, errors.New("bytes after the final end")
				}
				return out, nil
			}
		}
	}
}

// operands skips the immediates of op and classifies it.
func (r *reader) operands(op byte) (kind, error) {
	switch {
	case op == 0x00 || op == 0x01 || op == 0x0f || op == 0x1a || op == 0x1b || op == 0xd1:
		// unreachable, nop, return, drop, select, ref.is_null
		return kindPlain, nil
	case op == 0x02 || op == 0x03 || op == 0x04: // block, loop, if
		return kindSplit, r.blockType()
	case op == 0x05 || op == 0x0b: // else, end
		return kindSplit, nil
	case op == 0x0c: // br
		_, err := r.u32()
		return kindPlain, err
	case op == 0x0d: // br_if
		_, err := r.u32()
		return kindSplit, err
	case op == 0x0e: // br_table
		n, err := r.u32()
		for i := uint64(0); err == nil && i <= uint64(n); i++ {
			_, err = r.u32()
		}
		return kindPlain, err
	case op == 0x10: // call
		return kindCall, r.index("function", r.idx.funcs)
	case op == 0x11: // call_indirect
		if err := r.index("type", r.idx.types); err != nil {
			return 0, err
		}
		_, err := r.u32()
		return kindCall, err
	case op == 0x1c: // select t*
		n, err := r.u32()
		if err == nil && n != 1 {
			return 0, errors.New("typed select must have one type")
		}
		if err != nil {
			return 0, err
		}
		t, err := r.byte()
		if err == nil && t == 0x7b {
			err = errors.New("v128 select (SIMD)")
		}
		return kindPlain, err
	case op >= 0x20 && op <= 0x22: // local.get, local.set, local.tee
		return kindPlain, r.index("local", r.idx.locals)
	case op == 0x23 || op == 0x24: // global.get, global.set
		return kindPlain, r.index("global", r.idx.globals)
	case op == 0x25 || op == 0x26: // table.get, table.set
		_, err := r.u32()
		return kindPlain, err
	case op >= 0x28 && op <= 0x3e: // loads and stores: memarg
		if _, err := r.u32(); err != nil {
			return 0, err
		}
		_, err := r.u32()
		return kindPlain, err
	case op == 0x3f: // memory.size
		return kindPlain, r.zero()
	case op == 0x40: // memory.grow
		return kindGrow, r.zero()
	case op == 0x41: // i32.const
		_, err := r.leb(32)
		return kindPlain, err
	case op == 0x42: // i64.const
		_, err := r.leb(64)
		return kindPlain, err
	case op == 0x43:
		return kindPlain, r.skip(4)
	case op == 0x44:
		return kindPlain, r.skip(8)
	case op >= 0x45 && op <= 0xc4:
		return numericKind(op), nil
	case op == 0xd0: // ref.null t
		t, err := r.byte()
		if err == nil && t != wasm.ValueTypeFuncref && t != wasm.ValueTypeExternref {
			err = fmt.Errorf("ref.null of type %#x", t)
		}
		return kindPlain, err
	case op == 0xd2: // ref.func
		return kindPlain, r.index("function", r.idx.funcs)
	case op == prefixMisc:
		return r.misc()
	case op == prefixSIMD:
		return 0, errors.New("SIMD instruction refused")
	case op == prefixThreads:
		return 0, errors.New("threads/atomics instruction refused")
	}
	return 0, errors.New("unknown or refused opcode")
}

// misc handles the 0xfc prefix: saturating truncation, bulk memory, table ops.
func (r *reader) misc() (kind, error) {
	sub, err := r.u32()
	if err != nil {
		return 0, err
	}
	switch sub {
	case 0, 1, 2, 3, 4, 5, 6, 7: // i32/i64.trunc_sat_f32/f64_s/u
		return kindPlain, nil
	case 8: // memory.init data 0
		if _, err := r.u32(); err != nil {
			return 0, err
		}
		return kindBulk, r.zero()
	case 9, 13: // data.drop, elem.drop
		_, err := r.u32()
		return kindPlain, err
	case 10: // memory.copy 0 0
		if err := r.zero(); err != nil {
			return 0, err
		}
		return kindBulk, r.zero()
	case 11: // memory.fill 0
		return kindBulk, r.zero()
	case 12, 14: // table.init elem table, table.copy table table
		if _, err := r.u32(); err != nil {
			return 0, err
		}
		_, err := r.u32()
		return kindBulk, err
	case 15, 17: // table.grow, table.fill
		_, err := r.u32()
		return kindBulk, err
	case 16: // table.size
		_, err := r.u32()
		return kindPlain, err
	}
	return 0, fmt.Errorf("unknown 0xfc instruction %d", sub)
}

// numericKind picks out the float instructions whose result may be a NaN with a
// payload or sign the specification leaves open: arithmetic, rounding, min/max,
// promotion and demotion. abs, neg, copysign, comparisons, conversions from
// integers, reinterpretations, loads and constants are exact bit operations.
func numericKind(op byte) kind {
	switch op {
	case 0x8d, 0x8e, 0x8f, 0x90, 0x91, // f32.ceil floor trunc nearest sqrt
		0x92, 0x93, 0x94, 0x95, 0x96, 0x97, // f32.add sub mul div min max
		0xb6: // f32.demote_f64
		return kindCanon32
	case 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, // f64.ceil floor trunc nearest sqrt
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, // f64.add sub mul div min max
		0xbb: // f64.promote_f32
		return kindCanon64
	}
	return kindPlain
}

// Canonical NaNs: positive sign, quiet bit set, zero payload.
var (
	canonNaN32 = []byte{0x00, 0x00, 0xc0, 0x7f}
	canonNaN64 = []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}
)

type helpers struct {
	fuel, depth, grow, bulk uint32
	types                   uint32 // the module's types before any is added
}

// meterBody appends the metered body to dst and returns it with the locals it adds
// after the function's nLocals parameters and locals. blockType is the block type
// of the function's results: the body runs inside a block of that type so that
// every way out of the function passes the call-depth decrement after it. ins is a
// scratch buffer for the body's instructions, returned for the next body.
func meterBody(dst []byte, ins []instr, body []byte, h helpers, nLocals uint32, blockType []byte) ([]byte, []instr, []wasm.ValueType, error) {
	// fuel is the first global the instrumenter added, grow its first function.
	ins, err := decodeBody(body, ins, &indexLimits{locals: nLocals, globals: h.fuel, funcs: h.grow, types: h.types})
	if err != nil {
		return dst, ins, nil, err
	}
	// Added locals: an i64 and an i32 for the charges and the depth, then an f32 and
	// an f64 for canonicalizing NaNs when the body has float arithmetic.
	extra := []wasm.ValueType{wasm.ValueTypeI64, wasm.ValueTypeI32}
	left, d := nLocals, nLocals+1
	f32, f64 := nLocals+2, nLocals+3
	for _, in := range ins {
		if in.kind == kindCanon32 || in.kind == kindCanon64 {
			extra = append(extra, wasm.ValueTypeF32, wasm.ValueTypeF64)
			break
		}
	}
	out := dst
	// global.get D; i32.const 1; i32.add; local.tee d; global.set D; local.get d;
	// i32.const MaxCallDepth; i32.gt_u; if; i32.const -1; global.set D; unreachable;
	// end; block bt
	out = append(out, wasm.OpcodeGlobalGet)
	out = appendULEB(out, h.depth)
	out = append(out, wasm.OpcodeI32Const, 1, opI32Add, wasm.OpcodeLocalTee)
	out = appendULEB(out, d)
	out = append(out, wasm.OpcodeGlobalSet)
	out = appendULEB(out, h.depth)
	out = append(out, wasm.OpcodeLocalGet)
	out = appendULEB(out, d)
	out = append(out, wasm.OpcodeI32Const)
	out = appendSLEB(out, MaxCallDepth)
	out = append(out, opI32GtU, wasm.OpcodeIf, 0x40, wasm.OpcodeI32Const, 0x7f, wasm.OpcodeGlobalSet)
	out = appendULEB(out, h.depth)
	out = append(out, wasm.OpcodeUnreachable, wasm.OpcodeEnd)
	out = append(out, wasm.OpcodeBlock)
	out = append(out, blockType...)
	out = appendLoadFuel(out, h.fuel, left)
	// Instructions copied as they are accumulate in body[copyFrom:] and are
	// appended in one piece before anything the instrumenter inserts.
	segStart := true
	copyFrom := uint32(0)
	charged := 0 // the instructions before ins[charged] are paid for
	for i, in := range ins {
		if segStart && i >= charged {
			out = append(out, body[copyFrom:in.start]...)
			copyFrom = in.start
			charged = chargeEnd(body, ins, i)
			out = appendBlockCharge(out, h.fuel, left, charged-i)
		}
		segStart = false
		switch in.kind {
		case kindPlain:
			if !in.ret {
				continue
			}
		case kindSplit:
			segStart = true
			continue
		}
		out = append(out, body[copyFrom:in.start]...)
		copyFrom = in.end
		switch in.kind {
		case kindGrow:
			out = append(out, wasm.OpcodeCall)
			out = appendULEB(out, h.grow)
			out = appendLoadFuel(out, h.fuel, left)
		case kindBulk:
			out = append(out, wasm.OpcodeCall)
			out = appendULEB(out, h.bulk)
			out = appendLoadFuel(out, h.fuel, left)
		}
		if in.ret {
			// return would skip the decrement: branch to the wrapping block instead.
			out = append(out, wasm.OpcodeBr)
			out = appendULEB(out, in.depth)
		} else {
			out = append(out, body[in.start:in.end]...)
		}
		switch in.kind {
		case kindCall:
			out = appendLoadFuel(out, h.fuel, left)
		case kindCanon32:
			out = appendCanon(out, f32, wasm.OpcodeF32Const, canonNaN32, opF32Eq)
		case kindCanon64:
			out = appendCanon(out, f64, wasm.OpcodeF64Const, canonNaN64, opF64Eq)
		}
	}
	out = append(out, body[copyFrom:]...)
	// The body's own final end closed the wrapping block: the depth goes back to
	// what it was on entry (every call returned has restored it), then end:
	// local.get d; i32.const 1; i32.sub; global.set D; end.
	out = append(out, wasm.OpcodeLocalGet)
	out = appendULEB(out, d)
	out = append(out, wasm.OpcodeI32Const, 1, opI32Sub, wasm.OpcodeGlobalSet)
	out = appendULEB(out, h.depth)
	return append(out, wasm.OpcodeEnd), ins, extra, nil
}

// blockLen is the instruction count of the basic block starting at ins[0]: up to
// and including the first instruction after which a new block starts.
func blockLen(ins []instr) int {
	for i, in := range ins {
		if in.kind == kindSplit {
			return i + 1
		}
	}
	return len(ins)
}

// chargeEnd returns the end (an index in ins) of what the charge at the basic block
// starting at ins[i] pays for: that block and, as long as the last block paid for
// ends with a block instruction and holds only instructions that can neither trap,
// branch nor call, the block after it. Such a following block is entered only by
// falling through from the block instruction, and always is once its predecessor
// has been entered, so paying for both on entering the first gives every run the
// same fuel and the same status as paying for each as it is entered: the fuel
// model of docs/executor.md with fewer charges (Go programs open every function
// with a block instruction for each point where a goroutine resumes).
func chargeEnd(body []byte, ins []instr, i int) int {
	end := i + blockLen(ins[i:])
	for {
		if end >= len(ins) || body[ins[end-1].start] != wasm.OpcodeBlock {
			return end
		}
		for j := i; j < end; j++ {
			if !cannotTrap(body[ins[j].start]) {
				return end
			}
		}
		i, end = end, end+blockLen(ins[end:])
	}
}

// cannotTrap reports whether an instruction of opcode op can neither trap, branch,
// call nor charge fuel: block, nop, drop, select, locals, globals, constants,
// memory.size, and the numeric instructions other than integer division and
// remainder and float-to-integer truncation. Prefixed instructions are treated as
// if they could.
func cannotTrap(op byte) bool {
	switch {
	case op == wasm.OpcodeBlock || op == 0x01 || op == 0x1a || op == 0x1b || op == 0x1c:
		return true
	case op >= 0x20 && op <= 0x24: // local.get, local.set, local.tee, global.get, global.set
		return true
	case op == 0x3f || (op >= 0x41 && op <= 0x44): // memory.size, constants
		return true
	case op >= 0x6d && op <= 0x70, op >= 0x7f && op <= 0x82: // i32, i64 div and rem
		return false
	case op >= 0xa8 && op <= 0xab, op >= 0xae && op <= 0xb1: // trunc to i32, i64
		return false
	case op >= 0x45 && op <= 0xc4:
		return true
	}
	return false
}

// appendCanon replaces the float x on the stack by the canonical NaN when x is a NaN:
// local.tee t; fN.const nan; local.get t; local.get t; fN.eq; select.
func appendCanon(b []byte, local uint32, constOp byte, nan []byte, eqOp byte) []byte {
	b = append(b, wasm.OpcodeLocalTee)
	b = appendULEB(b, local)
	b = append(b, constOp)
	b = append(b, nan...)
	b = append(b, wasm.OpcodeLocalGet)
	b = appendULEB(b, local)
	b = append(b, wasm.OpcodeLocalGet)
	b = appendULEB(b, local)
	return append(b, eqOp, opSelect)
}
