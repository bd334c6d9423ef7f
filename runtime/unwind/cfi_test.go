package unwind

import (
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"
)

// x86CIE is the CIE GCC writes for x86-64: code alignment 1, data
// alignment -8, return address in column 16, CFA = rsp+8, return address
// at CFA-8.
func x86CIE() *cie {
	return &cie{codeAlign: 1, dataAlign: -8, raReg: RegRA,
		initial: []byte{cfaDefCFA, RegSP, 8, cfaOffset | RegRA, 1}}
}

// TestRowAt runs CFA programs up to addresses and checks the rules there.
func TestRowAt(t *testing.T) {
	// A function at 0x1000: push rbx (at +1), sub rsp,16 (at +5),
	// remember; an early return path at +0x20 restores, the rest of
	// the body at +0x21 keeps CFA=rsp+32.
	body := []byte{
		cfaAdvanceLoc | 1, cfaDefCFAOffset, 16, cfaOffset | 3, 2, // push rbx: CFA=rsp+16, rbx at CFA-16
		cfaAdvanceLoc | 4, cfaDefCFAOffset, 32, // sub rsp,16: CFA=rsp+32
		cfaAdvanceLoc1, 0x1b, cfaRememberState, cfaDefCFAOffset, 8, cfaRestore | 3, // +0x20: ret path
		cfaAdvanceLoc | 1, cfaRestoreState, // +0x21: back in the body
	}
	tab := &Table{fdes: []fde{{start: 0x1000, end: 0x1040, cie: x86CIE(), insns: body}}}
	for _, tc := range []struct {
		pc     uint64
		cfaOff int64
		rbx    ruleKind
	}{
		{0x1000, 8, ruleSame},
		{0x1001, 16, ruleOffset},
		{0x1004, 16, ruleOffset},
		{0x1005, 32, ruleOffset},
		{0x1020, 8, ruleSame},
		{0x1021, 32, ruleOffset},
		{0x103f, 32, ruleOffset},
	} {
		rw, err := tab.rowAt(tc.pc)
		if err != nil {
			t.Fatalf("%#x: %v", tc.pc, err)
		}
		if rw.cfa.reg != RegSP || rw.cfa.off != tc.cfaOff || rw.regs[3].kind != tc.rbx || rw.regs[RegRA].kind != ruleOffset || rw.regs[RegRA].n != -8 {
			t.Errorf("%#x: CFA r%d%+d, rbx %v, ra %+v; want rsp%+d, rbx %v, ra at CFA-8", tc.pc, rw.cfa.reg, rw.cfa.off, rw.regs[3].kind, rw.regs[RegRA], tc.cfaOff, tc.rbx)
		}
	}
	if _, err := tab.rowAt(0x1040); err == nil {
		t.Errorf("rowAt past the FDE: no error")
	}
}

// pltCFA is the CFA expression of a PLT: rsp+8, plus 8 in the second half
// of each 16-byte entry (after its push).
var pltCFA = []byte{opBreg0 + RegSP, 8, opBreg0 + RegRA, 0, opLit0 + 15, opAnd, opLit0 + 11, opGe, opLit0 + 3, opShl, opPlus}

func TestEvalExpr(t *testing.T) {
	var regs Regs
	regs.Set(RegSP, 0x7000)
	mem := StackCopy{Addr: 0x7000, Data: binary.LittleEndian.AppendUint64(nil, 0xdeadbeef)}
	for _, tc := range []struct {
		name    string
		expr    []byte
		ip      uint64
		initial []uint64
		want    uint64
		err     string
	}{
		{name: "plt first half", expr: pltCFA, ip: 0x1020 + 6, want: 0x7008},
		{name: "plt second half", expr: pltCFA, ip: 0x1020 + 11, want: 0x7010},
		{name: "deref", expr: []byte{opBreg0 + RegSP, 0, opDeref}, want: 0xdeadbeef},
		{name: "initial CFA", expr: []byte{opLit0 + 8, opMinus}, initial: []uint64{0x7010}, want: 0x7008},
		{name: "constants", expr: []byte{opConst1s, 0xff, opConst2u, 0x10, 0x00, opPlus, opPlusUconst, 0x81, 0x01}, want: 15 + 129},
		{name: "bra taken", expr: []byte{opLit0 + 1, opBra, 4, 0, opLit0 + 5, opSkip, 1, 0, opLit0 + 7}, want: 7},
		{name: "bra not taken", expr: []byte{opLit0, opBra, 4, 0, opLit0 + 5, opSkip, 1, 0, opLit0 + 7}, want: 5},
		{name: "unknown register", expr: []byte{opBreg0 + 3, 0}, err: "register 3"},
		{name: "read outside the copy", expr: []byte{opBreg0 + RegSP, 16, opDeref}, err: "outside the stack copy"},
		{name: "underflow", expr: []byte{opPlus}, err: "underflow"},
		{name: "loop", expr: []byte{opSkip, 0xfd, 0xff}, err: "too long"},
		{name: "unsupported", expr: []byte{0xe0}, err: "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := regs
			r.Set(RegRA, tc.ip)
			got, err := evalExpr(tc.expr, &r, mem, tc.initial)
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want one saying %q", err, tc.err)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case got != tc.want:
				t.Errorf("got %#x, want %#x", got, tc.want)
			}
		})
	}
}

// TestStep unwinds one frame: the return address at CFA-8, rbx saved,
// the caller's stack pointer the CFA.
func TestStep(t *testing.T) {
	var regs Regs
	regs.Set(RegSP, 0x7000)
	regs.Set(RegRA, 0x1010)
	regs.Set(3, 1) // rbx, clobbered
	stack := make([]byte, 32)
	binary.LittleEndian.PutUint64(stack[16:], 42)     // saved rbx at CFA-16
	binary.LittleEndian.PutUint64(stack[24:], 0x2345) // return address at CFA-8
	rw := &row{cfa: cfaRule{reg: RegSP, off: 32}}
	rw.regs[3] = rule{kind: ruleOffset, n: -16}
	rw.regs[RegRA] = rule{kind: ruleOffset, n: -8}
	rw.regs[RegBP] = rule{kind: ruleUndefined}
	next, err := step(rw, &regs, StackCopy{Addr: 0x7000, Data: stack})
	if err != nil {
		t.Fatal(err)
	}
	get := func(reg uint64) any {
		if v, ok := next.Get(reg); ok {
			return v
		}
		return "unknown"
	}
	if get(RegSP) != uint64(0x7020) || get(RegRA) != uint64(0x2345) || get(3) != uint64(42) || get(RegBP) != "unknown" {
		t.Errorf("sp %v ra %v rbx %v rbp %v; want 0x7020 0x2345 42 unknown", get(RegSP), get(RegRA), get(3), get(RegBP))
	}
	if _, err := step(rw, &regs, StackCopy{Addr: 0x7000, Data: stack[:24]}); err == nil {
		t.Errorf("step with the return address outside the copy: no error")
	}
}

func TestRegsFromPtRegs(t *testing.T) {
	b := make([]byte, PtRegsSize)
	binary.LittleEndian.PutUint64(b[128:], 0x401000) // ip
	binary.LittleEndian.PutUint64(b[152:], 0x7ff0)   // sp
	binary.LittleEndian.PutUint64(b[32:], 0x8000)    // bp
	binary.LittleEndian.PutUint64(b[40:], 3)         // bx
	r, err := RegsFromPtRegs(b)
	if err != nil {
		t.Fatal(err)
	}
	for reg, want := range map[uint64]uint64{RegRA: 0x401000, RegSP: 0x7ff0, RegBP: 0x8000, 3: 3, 0: 0} {
		if v, ok := r.Get(reg); !ok || v != want {
			t.Errorf("register %d: %#x, %v; want %#x", reg, v, ok, want)
		}
	}
	if _, err := RegsFromPtRegs(b[:100]); err == nil {
		t.Errorf("short pt_regs: no error")
	}
}

// FuzzParseFrames: call frame information from a file is untrusted; no
// input may crash the parser or the CFA machine.
func FuzzParseFrames(f *testing.F) {
	if ef, err := elf.Open("/bin/true"); err == nil {
		if sec := ef.Section(".eh_frame"); sec != nil {
			if data, err := sec.Data(); err == nil {
				f.Add(data[:min(len(data), 512)], false)
			}
		}
		ef.Close()
	}
	f.Add([]byte{0x14, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 1, 0x78, 0x10, 0x0c, 7, 8, 0x90, 1, 0, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, data []byte, debug bool) {
		fdes, err := parseFrames(data, 0x1000, debug)
		if err != nil {
			return
		}
		tab := &Table{fdes: fdes}
		for _, fd := range fdes {
			tab.rowAt(fd.start)   //nolint:errcheck // only crashes matter
			tab.rowAt(fd.end - 1) //nolint:errcheck
		}
	})
}

// TestParseFramesTruncated parses every prefix of a real .eh_frame: an
// error or fewer entries, never a crash.
func TestParseFramesTruncated(t *testing.T) {
	ef, err := elf.Open("/bin/true")
	if err != nil {
		t.Skipf("no /bin/true to read: %v", err)
	}
	defer ef.Close()
	tab, err := ReadTable(ef)
	if err != nil || len(tab.fdes) == 0 {
		t.Fatalf("ReadTable(/bin/true): %d FDEs, %v", len(tab.fdes), err)
	}
	data, _ := ef.Section(".eh_frame").Data()
	for n := 0; n < min(len(data), 4096); n += 7 {
		parseFrames(data[:n], ef.Section(".eh_frame").Addr, false) //nolint:errcheck // only crashes matter
	}
}

// FuzzEvalExpr: no DWARF expression may crash the evaluator.
func FuzzEvalExpr(f *testing.F) {
	f.Add(pltCFA)
	f.Add([]byte{opLit0 + 1, opBra, 4, 0, opLit0 + 5, opSkip, 1, 0, opLit0 + 7})
	f.Fuzz(func(t *testing.T, expr []byte) {
		var regs Regs
		regs.Set(RegSP, 0x7000)
		regs.Set(RegRA, 0x1000)
		evalExpr(expr, &regs, StackCopy{Addr: 0x7000, Data: make([]byte, 64)}, []uint64{0x7010}) //nolint:errcheck // only crashes matter
	})
}
