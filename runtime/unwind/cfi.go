package unwind

import (
	"errors"
	"fmt"
)

// numRegs is how many x86-64 DWARF registers an unwind follows: rax, rdx,
// rcx, rbx, rsi, rdi, rbp, rsp, r8-r15 and the return address column (16).
// Rules for other registers (the vector ones) are read and dropped.
const numRegs = 17

// DWARF register numbers of x86-64.
const (
	RegBP = 6
	RegSP = 7
	RegRA = 16 // the return address column: the caller's instruction pointer
)

// ruleKind is how a register of the caller is found (DWARF 6.4.1).
type ruleKind uint8

const (
	ruleSame      ruleKind = iota // unchanged: the callee did not touch it
	ruleUndefined                 // not recoverable (the outermost frame's return address)
	ruleOffset                    // saved at CFA+n
	ruleValOffset                 // is CFA+n
	ruleRegister                  // is in register n
	ruleExpr                      // saved at the address expr computes
	ruleValExpr                   // is what expr computes
)

type rule struct {
	kind ruleKind
	n    int64
	expr []byte
}

// cfaRule computes the canonical frame address: register reg plus off, or
// expr when it is not nil.
type cfaRule struct {
	reg  uint64
	off  int64
	expr []byte
}

// row is the rules at one address.
type row struct {
	cfa  cfaRule
	regs [numRegs]rule
}

// rowAt runs the call frame instructions of the FDE covering pc up to pc
// and returns the rules there.
func (t *Table) rowAt(pc uint64) (*row, error) {
	f, ok := t.find(pc)
	if !ok {
		return nil, fmt.Errorf("no FDE covers %#x", pc)
	}
	m := &machine{c: f.cie, loc: f.start, target: pc}
	if err := m.run(f.cie.initial); err != nil {
		return nil, fmt.Errorf("CIE instructions: %w", err)
	}
	m.initial = m.row
	if err := m.run(f.insns); err != nil {
		return nil, fmt.Errorf("FDE of %#x: %w", f.start, err)
	}
	return &m.row, nil
}

// machine executes DW_CFA_* instructions.
type machine struct {
	c       *cie
	loc     uint64 // the address the current row starts at
	target  uint64 // stop at the first row past it
	row     row
	initial row // after the CIE's instructions, for DW_CFA_restore
	stack   []row
}

// DW_CFA_* opcodes without an operand in the low six bits.
const (
	cfaNop              = 0x00
	cfaSetLoc           = 0x01
	cfaAdvanceLoc1      = 0x02
	cfaAdvanceLoc2      = 0x03
	cfaAdvanceLoc4      = 0x04
	cfaOffsetExtended   = 0x05
	cfaRestoreExtended  = 0x06
	cfaUndefined        = 0x07
	cfaSameValue        = 0x08
	cfaRegister         = 0x09
	cfaRememberState    = 0x0a
	cfaRestoreState     = 0x0b
	cfaDefCFA           = 0x0c
	cfaDefCFARegister   = 0x0d
	cfaDefCFAOffset     = 0x0e
	cfaDefCFAExpression = 0x0f
	cfaExpression       = 0x10
	cfaOffsetExtendedSF = 0x11
	cfaDefCFASF         = 0x12
	cfaDefCFAOffsetSF   = 0x13
	cfaValOffset        = 0x14
	cfaValOffsetSF      = 0x15
	cfaValExpression    = 0x16
	cfaGNUArgsSize      = 0x2e
	cfaGNUNegOffsetExt  = 0x2f
	// The high two bits of these carry the opcode, the low six an operand.
	cfaAdvanceLoc = 0x40
	cfaOffset     = 0x80
	cfaRestore    = 0xc0
)

func (m *machine) setReg(reg uint64, r rule) {
	if reg < numRegs {
		m.row.regs[reg] = r
	}
}

func (m *machine) restoreReg(reg uint64) {
	if reg < numRegs {
		m.row.regs[reg] = m.initial.regs[reg]
	}
}

// advance moves to the next row; it reports false once that row starts
// past the target.
func (m *machine) advance(delta uint64) bool {
	m.loc += delta * m.c.codeAlign
	return m.loc <= m.target
}

func (m *machine) run(insns []byte) error {
	r := &reader{data: insns}
	for !r.done() {
		op := r.u8()
		switch op & 0xc0 {
		case cfaAdvanceLoc:
			if !m.advance(uint64(op & 0x3f)) {
				return nil
			}
			continue
		case cfaOffset:
			m.setReg(uint64(op&0x3f), rule{kind: ruleOffset, n: int64(r.uleb()) * m.c.dataAlign})
			continue
		case cfaRestore:
			m.restoreReg(uint64(op & 0x3f))
			continue
		}
		switch op {
		case cfaNop:
		case cfaSetLoc:
			loc := r.pointer(m.c.fdeEnc &^ 0x70)
			if loc > m.target {
				return r.err
			}
			m.loc = loc
		case cfaAdvanceLoc1:
			if !m.advance(uint64(r.u8())) {
				return r.err
			}
		case cfaAdvanceLoc2:
			if !m.advance(uint64(r.u16())) {
				return r.err
			}
		case cfaAdvanceLoc4:
			if !m.advance(uint64(r.u32())) {
				return r.err
			}
		case cfaOffsetExtended:
			reg := r.uleb()
			m.setReg(reg, rule{kind: ruleOffset, n: int64(r.uleb()) * m.c.dataAlign})
		case cfaOffsetExtendedSF:
			reg := r.uleb()
			m.setReg(reg, rule{kind: ruleOffset, n: r.sleb() * m.c.dataAlign})
		case cfaGNUNegOffsetExt:
			reg := r.uleb()
			m.setReg(reg, rule{kind: ruleOffset, n: -int64(r.uleb()) * m.c.dataAlign})
		case cfaValOffset:
			reg := r.uleb()
			m.setReg(reg, rule{kind: ruleValOffset, n: int64(r.uleb()) * m.c.dataAlign})
		case cfaValOffsetSF:
			reg := r.uleb()
			m.setReg(reg, rule{kind: ruleValOffset, n: r.sleb() * m.c.dataAlign})
		case cfaRestoreExtended:
			m.restoreReg(r.uleb())
		case cfaUndefined:
			m.setReg(r.uleb(), rule{kind: ruleUndefined})
		case cfaSameValue:
			m.setReg(r.uleb(), rule{kind: ruleSame})
		case cfaRegister:
			reg := r.uleb()
			m.setReg(reg, rule{kind: ruleRegister, n: int64(r.uleb())})
		case cfaRememberState:
			m.stack = append(m.stack, m.row)
		case cfaRestoreState:
			if len(m.stack) == 0 {
				return errors.New("DW_CFA_restore_state without a remembered state")
			}
			// The whole row comes back, the CFA rule included.
			m.row = m.stack[len(m.stack)-1]
			m.stack = m.stack[:len(m.stack)-1]
		case cfaDefCFA:
			m.row.cfa = cfaRule{reg: r.uleb(), off: int64(r.uleb())}
		case cfaDefCFASF:
			m.row.cfa = cfaRule{reg: r.uleb(), off: r.sleb() * m.c.dataAlign}
		case cfaDefCFARegister:
			m.row.cfa.reg, m.row.cfa.expr = r.uleb(), nil
		case cfaDefCFAOffset:
			m.row.cfa.off, m.row.cfa.expr = int64(r.uleb()), nil
		case cfaDefCFAOffsetSF:
			m.row.cfa.off, m.row.cfa.expr = r.sleb()*m.c.dataAlign, nil
		case cfaDefCFAExpression:
			m.row.cfa = cfaRule{expr: r.block()}
		case cfaExpression:
			reg := r.uleb()
			m.setReg(reg, rule{kind: ruleExpr, expr: r.block()})
		case cfaValExpression:
			reg := r.uleb()
			m.setReg(reg, rule{kind: ruleValExpr, expr: r.block()})
		case cfaGNUArgsSize:
			r.uleb()
		default:
			return fmt.Errorf("unknown DW_CFA opcode %#x", op)
		}
		if r.err != nil {
			return r.err
		}
	}
	return r.err
}

// block reads a ULEB128 length and that many bytes.
func (r *reader) block() []byte {
	n := r.uleb()
	if !r.need(n) {
		return nil
	}
	r.pos += n
	return r.data[r.pos-n : r.pos]
}
