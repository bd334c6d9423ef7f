package unwind

import (
	"errors"
	"fmt"
)

// maxExprSteps bounds the operations one expression may run (DW_OP_skip
// and DW_OP_bra can loop).
const maxExprSteps = 1000

// DW_OP_* opcodes the call frame information of x86-64 code uses.
const (
	opAddr       = 0x03
	opDeref      = 0x06
	opConst1u    = 0x08
	opConst1s    = 0x09
	opConst2u    = 0x0a
	opConst2s    = 0x0b
	opConst4u    = 0x0c
	opConst4s    = 0x0d
	opConst8u    = 0x0e
	opConst8s    = 0x0f
	opConstu     = 0x10
	opConsts     = 0x11
	opDup        = 0x12
	opDrop       = 0x13
	opOver       = 0x14
	opPick       = 0x15
	opSwap       = 0x16
	opRot        = 0x17
	opAbs        = 0x19
	opAnd        = 0x1a
	opDiv        = 0x1b
	opMinus      = 0x1c
	opMod        = 0x1d
	opMul        = 0x1e
	opNeg        = 0x1f
	opNot        = 0x20
	opOr         = 0x21
	opPlus       = 0x22
	opPlusUconst = 0x23
	opShl        = 0x24
	opShr        = 0x25
	opShra       = 0x26
	opXor        = 0x27
	opBra        = 0x28
	opEq         = 0x29
	opGe         = 0x2a
	opGt         = 0x2b
	opLe         = 0x2c
	opLt         = 0x2d
	opNe         = 0x2e
	opSkip       = 0x2f
	opLit0       = 0x30
	opLit31      = 0x4f
	opBreg0      = 0x70
	opBreg31     = 0x8f
	opBregx      = 0x92
	opNop        = 0x96
)

// evalExpr runs a DWARF expression over the registers of the frame being
// unwound, with initial on the stack (the CFA, for register rules), and
// returns the value on top at its end.
func evalExpr(expr []byte, regs *Regs, mem Memory, initial []uint64) (uint64, error) {
	st := append([]uint64(nil), initial...)
	pop := func() (uint64, error) {
		if len(st) == 0 {
			return 0, errors.New("DWARF expression stack underflow")
		}
		v := st[len(st)-1]
		st = st[:len(st)-1]
		return v, nil
	}
	breg := func(reg uint64, off int64) error {
		v, ok := regs.Get(reg)
		if !ok {
			return fmt.Errorf("DWARF expression reads register %d, which is not known", reg)
		}
		st = append(st, v+uint64(off))
		return nil
	}
	r := &reader{data: expr}
	for steps := 0; !r.done(); steps++ {
		if steps == maxExprSteps {
			return 0, errors.New("DWARF expression runs too long")
		}
		op := r.u8()
		switch {
		case op >= opLit0 && op <= opLit31:
			st = append(st, uint64(op-opLit0))
			continue
		case op >= opBreg0 && op <= opBreg31:
			if err := breg(uint64(op-opBreg0), r.sleb()); err != nil {
				return 0, err
			}
			continue
		}
		switch op {
		case opNop:
		case opAddr, opConst8u, opConst8s:
			st = append(st, r.u64())
		case opConst1u:
			st = append(st, uint64(r.u8()))
		case opConst1s:
			st = append(st, uint64(int64(int8(r.u8()))))
		case opConst2u:
			st = append(st, uint64(r.u16()))
		case opConst2s:
			st = append(st, uint64(int64(int16(r.u16()))))
		case opConst4u:
			st = append(st, uint64(r.u32()))
		case opConst4s:
			st = append(st, uint64(int64(int32(r.u32()))))
		case opConstu:
			st = append(st, r.uleb())
		case opConsts:
			st = append(st, uint64(r.sleb()))
		case opBregx:
			reg := r.uleb()
			if err := breg(reg, r.sleb()); err != nil {
				return 0, err
			}
		case opDup, opOver, opPick:
			n := 0
			switch op {
			case opOver:
				n = 1
			case opPick:
				n = int(r.u8())
			}
			if n >= len(st) {
				return 0, errors.New("DWARF expression stack underflow")
			}
			st = append(st, st[len(st)-1-n])
		case opDrop:
			if _, err := pop(); err != nil {
				return 0, err
			}
		case opSwap:
			if len(st) < 2 {
				return 0, errors.New("DWARF expression stack underflow")
			}
			st[len(st)-1], st[len(st)-2] = st[len(st)-2], st[len(st)-1]
		case opRot:
			if len(st) < 3 {
				return 0, errors.New("DWARF expression stack underflow")
			}
			n := len(st)
			st[n-1], st[n-2], st[n-3] = st[n-2], st[n-3], st[n-1]
		case opDeref:
			a, err := pop()
			if err != nil {
				return 0, err
			}
			v, ok := mem.ReadU64(a)
			if !ok {
				return 0, fmt.Errorf("DWARF expression reads %#x, outside the stack copy", a)
			}
			st = append(st, v)
		case opAbs, opNeg, opNot, opPlusUconst:
			a, err := pop()
			if err != nil {
				return 0, err
			}
			switch op {
			case opAbs:
				if int64(a) < 0 {
					a = -a
				}
			case opNeg:
				a = -a
			case opNot:
				a = ^a
			case opPlusUconst:
				a += r.uleb()
			}
			st = append(st, a)
		case opAnd, opDiv, opMinus, opMod, opMul, opOr, opPlus, opShl, opShr, opShra, opXor,
			opEq, opGe, opGt, opLe, opLt, opNe:
			b, err := pop()
			if err != nil {
				return 0, err
			}
			a, err := pop()
			if err != nil {
				return 0, err
			}
			v, err := binop(op, a, b)
			if err != nil {
				return 0, err
			}
			st = append(st, v)
		case opSkip:
			off := int64(int16(r.u16()))
			r.pos = uint64(int64(r.pos) + off)
		case opBra:
			off := int64(int16(r.u16()))
			c, err := pop()
			if err != nil {
				return 0, err
			}
			if c != 0 {
				r.pos = uint64(int64(r.pos) + off)
			}
		default:
			return 0, fmt.Errorf("DWARF expression opcode %#x is not supported", op)
		}
		if r.err != nil {
			return 0, fmt.Errorf("DWARF expression: %w", r.err)
		}
	}
	return pop()
}

// binop applies a two-operand DW_OP to a (pushed first) and b.
func binop(op byte, a, b uint64) (uint64, error) {
	cmp := func(ok bool) uint64 {
		if ok {
			return 1
		}
		return 0
	}
	switch op {
	case opAnd:
		return a & b, nil
	case opOr:
		return a | b, nil
	case opXor:
		return a ^ b, nil
	case opPlus:
		return a + b, nil
	case opMinus:
		return a - b, nil
	case opMul:
		return a * b, nil
	case opDiv, opMod:
		if b == 0 {
			return 0, errors.New("DWARF expression divides by zero")
		}
		if op == opDiv {
			return uint64(int64(a) / int64(b)), nil
		}
		return a % b, nil
	case opShl:
		return a << b, nil
	case opShr:
		return a >> b, nil
	case opShra:
		return uint64(int64(a) >> b), nil
	case opEq:
		return cmp(a == b), nil
	case opNe:
		return cmp(a != b), nil
	case opGe:
		return cmp(int64(a) >= int64(b)), nil
	case opGt:
		return cmp(int64(a) > int64(b)), nil
	case opLe:
		return cmp(int64(a) <= int64(b)), nil
	case opLt:
		return cmp(int64(a) < int64(b)), nil
	}
	return 0, fmt.Errorf("DWARF expression opcode %#x is not a binary operation", op)
}
