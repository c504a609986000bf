package executor

import (
	"errors"
	"fmt"
)

// Limits of the structural pre-check.
const (
	// MaxLocals bounds the locals one function may declare.
	MaxLocals = 10000
)

// precheck walks the module's section framing before the decoder sees it. The
// decoder allocates every vector at the length the bytes claim, so a few hostile
// bytes could ask it for gigabytes; here every length is checked against the bytes
// that remain. It returns the module without its custom sections, which a job does
// not need and which are not decoded at all.
func precheck(module []byte) ([]byte, error) {
	if len(module) < 8 || string(module[:4]) != "\x00asm" || string(module[4:8]) != "\x01\x00\x00\x00" {
		return nil, errors.New("not a WebAssembly 1.0 binary")
	}
	out := append(make([]byte, 0, len(module)), module[:8]...)
	r := &reader{b: module, pos: 8}
	for r.pos < len(module) {
		start := r.pos
		id, _ := r.byte()
		size, err := r.u32()
		if err != nil {
			return nil, fmt.Errorf("section header: %w", err)
		}
		if uint64(size) > uint64(len(module)-r.pos) {
			return nil, fmt.Errorf("section %d of %d bytes overruns the module", id, size)
		}
		body := module[r.pos : r.pos+int(size)]
		r.pos += int(size)
		if id == 0 {
			continue
		}
		if err := checkSection(id, body); err != nil {
			return nil, fmt.Errorf("section %d: %w", id, err)
		}
		out = append(out, module[start:r.pos]...)
	}
	return out, nil
}

// vec reads a vector length no greater than the bytes left.
func (r *reader) vec() (uint32, error) {
	n, err := r.u32()
	if err == nil && uint64(n) > uint64(len(r.b)-r.pos) {
		err = fmt.Errorf("vector of %d overruns its section", n)
	}
	return n, err
}

func (r *reader) bytes() error {
	n, err := r.vec()
	if err != nil {
		return err
	}
	return r.skip(int(n))
}

func (r *reader) limits() error {
	flag, err := r.byte()
	if err != nil {
		return err
	}
	if _, err := r.u32(); err != nil {
		return err
	}
	if flag == 1 {
		_, err = r.u32()
	}
	return err
}

// constExpr skips a constant expression of one instruction and its end.
func (r *reader) constExpr() error {
	op, err := r.byte()
	if err != nil {
		return err
	}
	switch op {
	case 0x41:
		_, err = r.leb(32)
	case 0x42:
		_, err = r.leb(64)
	case 0x43:
		err = r.skip(4)
	case 0x44:
		err = r.skip(8)
	case 0x23, 0xd2:
		_, err = r.u32()
	case 0xd0:
		_, err = r.byte()
	default:
		return fmt.Errorf("constant expression opcode %#x", op)
	}
	if err != nil {
		return err
	}
	return r.zeroEnd()
}

func (r *reader) zeroEnd() error {
	c, err := r.byte()
	if err == nil && c != 0x0b {
		err = errors.New("constant expression without end")
	}
	return err
}

// checkSection walks the sections whose decoding allocates by a length in the bytes.
func checkSection(id byte, body []byte) error {
	r := &reader{b: body}
	switch id {
	case 1, 2, 3, 4, 6, 7, 9, 10, 11: // sections that are a vector
	default:
		return nil
	}
	n, err := r.vec()
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		switch id {
		case 1: // type: 0x60 params results
			if err = r.zeroFunc(); err == nil {
				if err = r.bytes(); err == nil {
					err = r.bytes()
				}
			}
		case 2: // import: module name kind desc
			if err = r.bytes(); err == nil {
				if err = r.bytes(); err == nil {
					err = r.importDesc()
				}
			}
		case 7: // export: name kind index
			if err = r.bytes(); err == nil {
				if _, err = r.byte(); err == nil {
					_, err = r.u32()
				}
			}
		case 9: // element: the MVP form only
			err = r.element()
		case 10: // code: size, locals
			err = r.codeLocals()
		case 11: // data
			err = r.data()
		default: // function, table, global: fixed shapes the decoder reads item by item
			return nil
		}
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return nil
}

func (r *reader) zeroFunc() error {
	c, err := r.byte()
	if err == nil && c != 0x60 {
		err = fmt.Errorf("function type tag %#x", c)
	}
	return err
}

func (r *reader) importDesc() error {
	kind, err := r.byte()
	if err != nil {
		return err
	}
	switch kind {
	case 0:
		_, err = r.u32()
	case 1:
		if _, err = r.byte(); err == nil {
			err = r.limits()
		}
	case 2:
		err = r.limits()
	case 3:
		err = r.skip(2)
	default:
		err = fmt.Errorf("import kind %d", kind)
	}
	return err
}

func (r *reader) element() error {
	flag, err := r.u32()
	if err != nil {
		return err
	}
	if flag != 0 {
		return fmt.Errorf("element segment form %d (only active segments of function indices in table 0 are accepted)", flag)
	}
	if err := r.constExpr(); err != nil {
		return err
	}
	n, err := r.vec()
	for i := uint32(0); err == nil && i < n; i++ {
		_, err = r.u32()
	}
	return err
}

func (r *reader) data() error {
	flag, err := r.u32()
	if err != nil {
		return err
	}
	switch flag {
	case 0:
		err = r.constExpr()
	case 1:
	case 2:
		if _, err = r.u32(); err == nil {
			err = r.constExpr()
		}
	default:
		err = fmt.Errorf("data segment form %d", flag)
	}
	if err != nil {
		return err
	}
	return r.bytes()
}

func (r *reader) codeLocals() error {
	size, err := r.vec()
	if err != nil {
		return err
	}
	end := r.pos + int(size)
	sub := &reader{b: r.b[:end], pos: r.pos}
	decls, err := sub.vec()
	var total uint64
	for i := uint32(0); err == nil && i < decls; i++ {
		var c uint32
		if c, err = sub.u32(); err == nil {
			total += uint64(c)
			_, err = sub.byte()
		}
	}
	if err != nil {
		return err
	}
	if total > MaxLocals {
		return fmt.Errorf("%d locals, over %d", total, MaxLocals)
	}
	r.pos = end
	return nil
}
