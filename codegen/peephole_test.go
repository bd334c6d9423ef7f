package codegen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
)

func TestPeephole(t *testing.T) {
	st := func(off int16, r asm.Register) asm.Instruction { return asm.StoreMem(asm.R10, off, r, asm.DWord) }
	ld := func(dst asm.Register, off int16) asm.Instruction { return asm.LoadMem(dst, asm.R10, off, asm.DWord) }
	exit := []asm.Instruction{asm.Mov.Imm(asm.R0, 0), asm.Return()}
	call := asm.FnMapLookupElem.Call()
	for _, tc := range []struct {
		name string
		in   []asm.Instruction
		want []asm.Instruction
	}{
		{"zeroed twice", []asm.Instruction{asm.Mov.Imm(asm.R1, 0), st(-8, asm.R1), st(-8, asm.R1), asm.Mov.Reg(asm.R2, asm.R10), call},
			[]asm.Instruction{asm.Mov.Imm(asm.R1, 0), st(-8, asm.R1), asm.Mov.Reg(asm.R2, asm.R10), call}},
		{"covered by two halves", []asm.Instruction{asm.Mov.Imm(asm.R1, 0), st(-8, asm.R1),
			asm.StoreMem(asm.R10, -8, asm.R1, asm.Word), asm.StoreMem(asm.R10, -4, asm.R1, asm.Word), asm.Mov.Reg(asm.R2, asm.R10), call},
			[]asm.Instruction{asm.Mov.Imm(asm.R1, 0),
				asm.StoreMem(asm.R10, -8, asm.R1, asm.Word), asm.StoreMem(asm.R10, -4, asm.R1, asm.Word), asm.Mov.Reg(asm.R2, asm.R10), call}},
		{"half covered stays", []asm.Instruction{asm.Mov.Imm(asm.R1, 0), st(-8, asm.R1),
			asm.StoreMem(asm.R10, -8, asm.R1, asm.Word), asm.Mov.Reg(asm.R2, asm.R10), call}, nil},
		{"read between stays", []asm.Instruction{asm.Mov.Imm(asm.R1, 0), st(-8, asm.R1), ld(asm.R3, -8), st(-8, asm.R1), asm.Mov.Reg(asm.R2, asm.R10), asm.Mov.Reg(asm.R1, asm.R3), call}, nil},
		{"call between stays", []asm.Instruction{asm.Mov.Imm(asm.R1, 0), st(-8, asm.R1), asm.Mov.Reg(asm.R2, asm.R10), call, st(-8, asm.R6), asm.Mov.Reg(asm.R2, asm.R10), call}, nil},
		{"load through a pointer between stays", []asm.Instruction{asm.Mov.Imm(asm.R1, 0), st(-8, asm.R1), asm.LoadMem(asm.R3, asm.R7, 0, asm.DWord), st(-8, asm.R3), asm.Mov.Reg(asm.R2, asm.R10), call}, nil},
		{"ctx load between", []asm.Instruction{asm.Mov.Imm(asm.R1, 0), st(-8, asm.R1), asm.LoadMem(asm.R3, ctxReg, 0, asm.DWord), st(-8, asm.R3), asm.Mov.Reg(asm.R2, asm.R10), call},
			[]asm.Instruction{asm.Mov.Imm(asm.R1, 0), asm.LoadMem(asm.R3, ctxReg, 0, asm.DWord), st(-8, asm.R3), asm.Mov.Reg(asm.R2, asm.R10), call}},
		{"branch between stays", []asm.Instruction{asm.Mov.Imm(asm.R1, 0), st(-8, asm.R1), asm.JEq.Imm(asm.R6, 0, "out"), st(-8, asm.R6), asm.Mov.Reg(asm.R2, asm.R10), call,
			asm.Mov.Imm(asm.R0, 0).WithSymbol("out"), asm.Return()}, nil},
		{"constant again", []asm.Instruction{asm.Mov.Imm(asm.R1, 5), st(-8, asm.R1), asm.Mov.Imm(asm.R1, 5), st(-16, asm.R1), asm.Mov.Reg(asm.R2, asm.R10), call},
			[]asm.Instruction{asm.Mov.Imm(asm.R1, 5), st(-8, asm.R1), st(-16, asm.R1), asm.Mov.Reg(asm.R2, asm.R10), call}},
		{"constant after a label stays", []asm.Instruction{asm.Mov.Imm(asm.R1, 5), st(-8, asm.R1), asm.Mov.Imm(asm.R1, 5).WithSymbol("L"), st(-16, asm.R1), asm.Mov.Reg(asm.R2, asm.R10), call}, nil},
		{"constant after a call stays", []asm.Instruction{asm.Mov.Imm(asm.R1, 5), call, asm.Mov.Imm(asm.R1, 5), call}, nil},
		{"dead move", []asm.Instruction{asm.Mov.Imm(asm.R3, 1), asm.Mov.Imm(asm.R3, 2), st(-8, asm.R3), asm.Mov.Reg(asm.R2, asm.R10), call},
			[]asm.Instruction{asm.Mov.Imm(asm.R3, 2), st(-8, asm.R3), asm.Mov.Reg(asm.R2, asm.R10), call}},
		{"move read by a jump target stays", []asm.Instruction{asm.Mov.Imm(asm.R7, 1), asm.JEq.Imm(asm.R6, 0, "L"), asm.Mov.Imm(asm.R7, 2),
			asm.Mov.Reg(asm.R0, asm.R7).WithSymbol("L"), asm.Return()}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append(append([]asm.Instruction{}, tc.in...), exit...)
			want := in
			if tc.want != nil {
				want = append(append([]asm.Instruction{}, tc.want...), exit...)
			}
			got, spans := peephole(asm.Instructions(in), make([]ast.Span, len(in)))
			if len(spans) != len(got) {
				t.Fatalf("%d spans for %d instructions", len(spans), len(got))
			}
			if g, w := dump(got), dump(want); g != w {
				t.Errorf("got\n%s\nwant\n%s", g, w)
			}
		})
	}
}

func dump(insns asm.Instructions) string {
	var b strings.Builder
	for _, ins := range insns {
		if s := ins.Symbol(); s != "" {
			b.WriteString(s + ":\n")
		}
		fmt.Fprintf(&b, "\t%v\n", ins)
	}
	return b.String()
}
