package executor

import (
	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/wasm"
)

// The instrumented module is encoded as binary.EncodeModule would encode it, byte
// for byte but for the data count section (TestEncodeMatchesWabin), without
// EncodeModule's copies of the two
// large sections: a Go program's code section grows to about 4 MB once metered and
// its data section is about 1 MB, and EncodeModule copies each several times.

// encode encodes the instrumented module, section by section in EncodeModule's
// order: every section before the code section by EncodeModule itself, then the
// data count section, which EncodeModule omits although memory.init and data.drop
// need it, then the code section from its encoded contents, then the data
// section. precheck dropped the custom sections.
func encode(m *wasm.Module, code []byte) []byte {
	head := *m
	head.CodeSection, head.DataSection = nil, nil
	out := binary.EncodeModule(&head)
	if n := m.DataCountSection; n != nil {
		out = append(out, wasm.SectionIDDataCount, byte(ulebLen(*n)))
		out = appendULEB(out, *n)
	}
	dataSize := 0
	if len(m.DataSection) > 0 {
		dataSize = ulebLen(uint32(len(m.DataSection)))
		for _, d := range m.DataSection {
			if d.OffsetExpression != nil {
				dataSize += 1 + 1 + len(d.OffsetExpression.Data) + 1
			} else {
				dataSize++
			}
			dataSize += ulebLen(uint32(len(d.Init))) + len(d.Init)
		}
	}
	res := make([]byte, 0, len(out)+1+5+len(code)+1+5+dataSize)
	res = append(res, out...)
	res = append(res, wasm.SectionIDCode)
	res = appendULEB(res, uint32(len(code)))
	res = append(res, code...)
	if len(m.DataSection) == 0 {
		return res
	}
	res = append(res, wasm.SectionIDData)
	res = appendULEB(res, uint32(dataSize))
	res = appendULEB(res, uint32(len(m.DataSection)))
	for _, d := range m.DataSection {
		if e := d.OffsetExpression; e != nil { // active, memory 0: flag 0
			res = append(res, 0, e.Opcode)
			res = append(res, e.Data...)
			res = append(res, wasm.OpcodeEnd)
		} else { // passive: flag 1
			res = append(res, 1)
		}
		res = appendULEB(res, uint32(len(d.Init)))
		res = append(res, d.Init...)
	}
	return res
}

// encodeCode appends one entry of the code section: its size, its locals (the
// function's, then extra) as runs of one type, and the body. runs is scratch
// space, returned for the next call.
func encodeCode(b []byte, runs [][2]uint32, locals, extra []wasm.ValueType, body []byte) ([]byte, [][2]uint32) {
	runs = runs[:0] // (count, type)
	for _, ts := range [][]wasm.ValueType{locals, extra} {
		for _, t := range ts {
			if n := len(runs); n > 0 && runs[n-1][1] == uint32(t) {
				runs[n-1][0]++
			} else {
				runs = append(runs, [2]uint32{1, uint32(t)})
			}
		}
	}
	size := ulebLen(uint32(len(runs))) + len(body)
	for _, r := range runs {
		size += ulebLen(r[0]) + ulebLen(r[1])
	}
	b = appendULEB(b, uint32(size))
	b = appendULEB(b, uint32(len(runs)))
	for _, r := range runs {
		b = appendULEB(appendULEB(b, r[0]), r[1])
	}
	return append(b, body...), runs
}

func ulebLen(v uint32) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
