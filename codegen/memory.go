package codegen

import (
	"math"
	"math/bits"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// Pointer arithmetic: p + i and p - i count elements of what p points at,
// as in C.

// pointerArith computes p + n, p - n or n + p into dst, moving p by n
// elements of what it points at.
func (g *gen) pointerArith(e *ast.Binary, t types.Type, dst asm.Register) {
	ptr, n := e.X, e.Y
	if g.TypeOf(e.X).Kind != types.Pointer {
		ptr, n = e.Y, e.X
	}
	g.EvalInt(ptr, dst)
	g.moveElems(e.Op, dst, n, t.ElemSize())
}

// moveElems computes dst = dst + n*size (op "+") or dst - n*size (op "-"):
// a pointer moved by n elements of size bytes.
func (g *gen) moveElems(op string, dst asm.Register, n ast.Expr, size int) {
	alu := asm.Add
	if op == "-" {
		alu = asm.Sub
	}
	if v, ok := g.Const(n); ok {
		if d := v * int64(size); d >= math.MinInt32 && d <= math.MaxInt32 {
			g.Emit(alu.Imm(dst, int32(d)))
			return
		}
	}
	src, free := g.operand(n, dst)
	defer free()
	g.scaleReg(src, size)
	g.Emit(alu.Reg(dst, src))
}

// scaleReg multiplies r by size, with a shift when size is a power of two.
func (g *gen) scaleReg(r asm.Register, size int) {
	switch {
	case size == 1:
	case size&(size-1) == 0:
		g.Emit(asm.LSh.Imm(r, int32(bits.TrailingZeros(uint(size)))))
	default:
		g.Emit(asm.Mul.Imm(r, int32(size)))
	}
}
