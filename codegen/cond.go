package codegen

import (
	"math"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// Conditions: a predicate, an if, a while or a ternary tests its
// condition with jumps, not by computing it as 0 or 1 and testing that.
// `pid > 100 && comm == "bash"` is two compare-and-jumps; as a value it
// would be a 0 or 1 for each comparison, one for the &&, and a test.

// jumpUnless jumps to target when cond is false (zero) and falls through
// when it is true.
func (g *gen) jumpUnless(cond ast.Expr, target string) { g.jumpOn(cond, false, target, noReg) }

// jumpUnlessIn is jumpUnless computing in dst, a register the caller
// holds and overwrites after (a ternary's), rather than in one more.
func (g *gen) jumpUnlessIn(cond ast.Expr, target string, dst asm.Register) {
	g.jumpOn(cond, false, target, dst)
}

// noReg is jumpOn's work register when it has none: it takes one.
const noReg = asm.RFP

// workReg returns work, or a register taken for the caller, with the
// function that gives it back.
func (g *gen) workReg(work asm.Register) (asm.Register, func()) {
	if work != noReg {
		return work, func() {}
	}
	r := g.reg()
	return r, func() { g.release(r) }
}

// jumpOn jumps to target when cond's truth is want, and falls through
// otherwise; it computes in work (noReg: in a register of its own).
func (g *gen) jumpOn(cond ast.Expr, want bool, target string, work asm.Register) {
	if x, ok := g.c.info.Expansions[cond]; ok {
		g.jumpOn(x, want, target, work)
		return
	}
	if v, ok := g.Const(cond); ok {
		if (v != 0) == want {
			g.Emit(asm.Ja.Label(target))
		}
		return
	}
	switch e := cond.(type) {
	case *ast.Unary:
		if e.Op == ast.OpNot {
			g.jumpOn(e.X, !want, target, work)
			return
		}
	case *ast.Binary:
		if g.jumpBinary(e, want, target, work) {
			return
		}
	}
	r, done := g.workReg(work)
	g.EvalInt(cond, r)
	g.Emit(pick(want, asm.JNE, asm.JEq).Imm(r, 0, target))
	done()
}

// jumpBinary is jumpOn of the short-circuit operators and of comparisons
// of integers and of strings; false, having emitted nothing, for other
// operations.
func (g *gen) jumpBinary(e *ast.Binary, want bool, target string, work asm.Register) bool {
	switch e.Op {
	case ast.OpLAnd, ast.OpLOr:
		// X && Y is true when both are; X || Y false when both are.
		both := e.Op == ast.OpLAnd
		if want == both {
			skip := g.Label()
			g.jumpOn(e.X, !want, skip, work)
			g.jumpOn(e.Y, want, target, work)
			g.Place(skip)
		} else {
			g.jumpOn(e.X, want, target, work)
			g.jumpOn(e.Y, want, target, work)
		}
		return true
	}
	if e.Op.Class() != ast.ClassComparison {
		return false
	}
	lt, rt := g.TypeOf(e.X), g.TypeOf(e.Y)
	if lt.Kind == types.String && rt.Kind == types.String && (e.Op == ast.OpEql || e.Op == ast.OpNeq) {
		// The strings differ: == is false, != true.
		if (e.Op == ast.OpNeq) == want {
			g.stringJump(e.X, e.Y, -1, target)
			return true
		}
		equal := g.Label()
		g.stringJump(e.X, e.Y, -1, equal)
		g.Emit(asm.Ja.Label(target))
		g.Place(equal)
		return true
	}
	if !g.plainArith(e) {
		return false
	}
	op := e.Op
	if !want {
		op = negated[op]
	}
	r, done := g.workReg(work)
	defer done()
	g.EvalInt(e.X, r)
	jump := comparisonJump(op, g.c.info.SignedOp(g.pi, e))
	if imm, ok := g.Const(e.Y); ok && imm >= math.MinInt32 && imm <= math.MaxInt32 {
		g.Emit(jump.Imm(r, int32(imm), target))
		return true
	}
	src, free := g.operand(e.Y, r)
	g.Emit(jump.Reg(r, src, target))
	free()
	return true
}

// negated maps each comparison to the one true exactly when it is false.
var negated = map[ast.Op]ast.Op{
	ast.OpEql: ast.OpNeq, ast.OpNeq: ast.OpEql,
	ast.OpLss: ast.OpGeq, ast.OpGeq: ast.OpLss,
	ast.OpLeq: ast.OpGtr, ast.OpGtr: ast.OpLeq,
}

// comparisonJump is the jump taken when dst op src holds, compared
// signed or not (check's SignedOp decides).
func comparisonJump(op ast.Op, signed bool) asm.JumpOp {
	switch op {
	case ast.OpEql:
		return asm.JEq
	case ast.OpNeq:
		return asm.JNE
	case ast.OpLss:
		return pick(signed, asm.JSLT, asm.JLT)
	case ast.OpLeq:
		return pick(signed, asm.JSLE, asm.JLE)
	case ast.OpGtr:
		return pick(signed, asm.JSGT, asm.JGT)
	case ast.OpGeq:
		return pick(signed, asm.JSGE, asm.JGE)
	}
	return asm.InvalidJumpOp
}
