package codegen

import (
	"math"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// Integer arithmetic, comparisons and their operands.

func (g *gen) binary(e *ast.Binary, dst asm.Register) {
	lt, rt := g.TypeOf(e.X), g.TypeOf(e.Y)
	if lt.Kind == types.String && rt.Kind == types.String {
		g.stringCompare(e.X, e.Y, -1, dst)
		if e.Op == ast.OpEql {
			g.Emit(asm.Xor.Imm(dst, 1))
		}
		return
	}
	if (lt.Kind == types.Tuple && rt.Kind == types.Tuple) || (lt.Kind == types.Buffer && rt.Kind == types.Buffer) {
		g.bytesCompare(e.X, e.Y, commonTuple(lt, rt), dst)
		if e.Op == ast.OpEql {
			g.Emit(asm.Xor.Imm(dst, 1))
		}
		return
	}
	if lt.Kind == types.Array && rt.Kind == types.Array {
		g.bytesCompare(e.X, e.Y, lt, dst)
		if e.Op == ast.OpEql {
			g.Emit(asm.Xor.Imm(dst, 1))
		}
		return
	}
	switch e.Op {
	case ast.OpLAnd, ast.OpLOr:
		done := g.Label()
		g.EvalInt(e.X, dst)
		g.boolify(dst, asm.JNE)
		if e.Op == ast.OpLAnd {
			g.Emit(asm.JEq.Imm(dst, 0, done))
		} else {
			g.Emit(asm.JNE.Imm(dst, 0, done))
		}
		g.EvalInt(e.Y, dst)
		g.boolify(dst, asm.JNE)
		g.Place(done)
		return
	}
	if t := g.TypeOf(e); t.Kind == types.Pointer {
		g.pointerArith(e, t, dst)
		return
	}
	g.arithChain(e, dst)
}

// arithChain evaluates e, an integer operation, into dst. A long chain
// (1+$x+...+$x) nests to the left: the operations along its left spine
// are emitted in a loop, innermost first, rather than by recursion, so
// that a 100 000-term sum costs no 100 000 stack frames.
func (g *gen) arithChain(e *ast.Binary, dst asm.Register) {
	chain := []*ast.Binary{e}
	for {
		x, ok := chain[len(chain)-1].X.(*ast.Binary)
		if !ok || !g.plainArith(x) {
			break
		}
		chain = append(chain, x)
	}
	g.EvalInt(chain[len(chain)-1].X, dst)
	for i := len(chain) - 1; i >= 0; i-- {
		b := chain[i]
		g.binaryInto(b.Op, dst, b.Y, g.c.info.SignedOp(g.pi, b), spanOf(b))
	}
}

// plainArith reports whether EvalInt emits x, an operand, as arithmetic
// or a comparison of integers on its operands' values: not a constant,
// an expansion, a comparison of strings, tuples, buffers or arrays, a
// short-circuit && or ||, or pointer arithmetic.
func (g *gen) plainArith(x *ast.Binary) bool {
	if _, ok := g.Const(x); ok {
		return false
	}
	if _, ok := g.c.info.Expansions[x]; ok {
		return false
	}
	lt, rt := g.TypeOf(x.X), g.TypeOf(x.Y)
	switch {
	case lt.Kind == types.String && rt.Kind == types.String,
		lt.Kind == types.Tuple && rt.Kind == types.Tuple,
		lt.Kind == types.Buffer && rt.Kind == types.Buffer,
		lt.Kind == types.Array && rt.Kind == types.Array,
		x.Op == ast.OpLAnd || x.Op == ast.OpLOr,
		g.TypeOf(x).Kind == types.Pointer:
		return false
	}
	return true
}

// aluOp returns the BPF ALU operation of an arithmetic, bitwise or shift
// operator; ok is false for the others (comparisons, && and ||).
func aluOp(op ast.Op) (alu asm.ALUOp, ok bool) {
	switch op {
	case ast.OpAdd:
		return asm.Add, true
	case ast.OpSub:
		return asm.Sub, true
	case ast.OpMul:
		return asm.Mul, true
	case ast.OpQuo:
		return asm.Div, true
	case ast.OpRem:
		return asm.Mod, true
	case ast.OpAnd:
		return asm.And, true
	case ast.OpOr:
		return asm.Or, true
	case ast.OpXor:
		return asm.Xor, true
	case ast.OpShl:
		return asm.LSh, true
	case ast.OpShr:
		return asm.RSh, true
	}
	return 0, false
}

// operand evaluates y, the second operand of an operation on dst, into a
// register it returns with a function that frees it. When taking a
// register would leave y's own code none (a call such as strcontains()
// needs one for its loop), dst is parked in the frame while y is computed
// into it, and y comes back in R1: so operands nested deep cost a frame
// slot each, not a register each.
func (g *gen) operand(y ast.Expr, dst asm.Register) (asm.Register, func()) {
	if len(g.free) > 1 || len(g.free) == 1 && g.needsNoRegister(y) {
		src := g.reg()
		g.EvalInt(y, src)
		return src, func() { g.release(src) }
	}
	slot := g.Alloc(8)
	g.Emit(asm.StoreMem(asm.R10, slot, dst, asm.DWord))
	g.EvalInt(y, dst)
	g.Emit(asm.Mov.Reg(asm.R1, dst), asm.LoadMem(dst, asm.R10, slot, asm.DWord))
	return asm.R1, func() {}
}

// needsNoRegister reports whether EvalInt computes y in its destination
// register alone: a constant, a variable or a builtin's value.
func (g *gen) needsNoRegister(y ast.Expr) bool {
	if _, ok := g.Const(y); ok {
		return true
	}
	switch y.(type) {
	case *ast.Variable, *ast.Ident:
		return true
	}
	return false
}

// binaryInto computes dst = dst op y. Division is unsigned, as in bpftrace
// 0.17; a comparison is signed when the operation is (check's SignedOp). A division or
// modulo by zero yields 1 and reports a runtime error at span, as the
// newest bpftrace does.
func (g *gen) binaryInto(op ast.Op, dst asm.Register, y ast.Expr, signed bool, span ast.Span) {
	var src asm.Register
	imm, isImm := g.Const(y)
	isImm = isImm && imm >= math.MinInt32 && imm <= math.MaxInt32 && !(op.DividesUnsigned() && imm == 0)
	shift := op.Class() == ast.ClassShift
	if shift && isImm && uint64(imm) > 63 {
		g.Emit(asm.Mov.Imm(dst, 0)) // as bpftrace: shifting a value out leaves 0
		return
	}
	if !isImm {
		var done func()
		src, done = g.operand(y, dst)
		defer done()
	}
	if alu, ok := aluOp(op); ok {
		if isImm {
			g.Emit(alu.Imm(dst, int32(imm)))
			return
		}
		// BPF masks a shift count to 6 bits (bpftrace yields 0) and
		// yields 0 for a division by zero and the dividend for a modulo
		// by zero (the newest bpftrace yields 1 for both, with a runtime
		// error).
		var ok, done string
		switch {
		case shift:
			ok, done = g.Label(), g.Label()
			g.Emit(asm.JLE.Imm(src, 63, ok), asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
		case op == ast.OpRem || op == ast.OpQuo:
			ok, done = g.Label(), g.Label()
			g.Emit(asm.JNE.Imm(src, 0, ok))
			g.runtimeError(span, stdlib.DivideByZero)
			g.Emit(asm.Mov.Imm(dst, 1), asm.Ja.Label(done))
		default:
			g.Emit(alu.Reg(dst, src))
			return
		}
		g.Place(ok)
		g.Emit(alu.Reg(dst, src))
		g.Place(done)
		return
	}
	jump := comparisonJump(op, signed)
	if jump == asm.InvalidJumpOp {
		panic(unsupported{span: g.cur, msg: "operator " + op.String() + " is not supported by gbt yet"})
	}
	yes, done := g.Label(), g.Label()
	if isImm {
		g.Emit(jump.Imm(dst, int32(imm), yes))
	} else {
		g.Emit(jump.Reg(dst, src, yes))
	}
	g.Emit(asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
	g.Place(yes)
	g.Emit(asm.Mov.Imm(dst, 1))
	g.Place(done)
}

func pick(signed bool, s, u asm.JumpOp) asm.JumpOp {
	if signed {
		return s
	}
	return u
}
